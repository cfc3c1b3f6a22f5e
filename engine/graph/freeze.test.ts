import { describe, expect, it } from 'vitest';
import { deepFreeze } from './freeze.js';

describe('deepFreeze', () => {
  it('freezes nested plain objects and arrays (mutation throws in strict mode)', () => {
    const value = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(() => {
      (value.a as { b: unknown }).b = [];
    }).toThrow(TypeError);
    expect(() => {
      (value.a.b as unknown[]).push(3);
    }).toThrow(TypeError);
    expect(() => {
      (value.a.b[1] as { c: number }).c = 5;
    }).toThrow(TypeError);
  });

  it('locks maps and freezes their values', () => {
    const map = new Map([['k', { v: 1 }]]);
    deepFreeze({ map });
    expect(() => map.set('x', { v: 2 })).toThrow(TypeError);
    expect(() => map.delete('k')).toThrow(TypeError);
    expect(() => map.clear()).toThrow(TypeError);
    expect(map.get('k')).toEqual({ v: 1 });
    expect(Object.isFrozen(map.get('k'))).toBe(true);
  });

  it('accepts a map that was frozen elsewhere', () => {
    const map = Object.freeze(new Map([['k', 1]]));
    expect(() => deepFreeze({ map })).not.toThrow();
  });

  it('leaves buffers, dates and class instances usable', () => {
    const buf = Buffer.from('secret');
    const when = new Date(0);
    class Thing {
      count = 0;
    }
    const thing = new Thing();
    const frozen = deepFreeze({ buf, when, thing });
    expect(Object.isFrozen(frozen)).toBe(true);
    expect(Object.isFrozen(thing)).toBe(false);
    expect(frozen.buf.toString()).toBe('secret');
    expect(frozen.when.getTime()).toBe(0);
  });

  it('handles cycles', () => {
    const a: { self?: unknown } = {};
    a.self = a;
    expect(Object.isFrozen(deepFreeze(a))).toBe(true);
  });
});
