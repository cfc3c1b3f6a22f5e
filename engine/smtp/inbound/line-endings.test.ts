import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineEndingNormalizer } from './line-endings.js';

function normalize(chunks: readonly string[]): string {
  const n = new LineEndingNormalizer();
  const out = chunks.map((c) => n.push(Buffer.from(c, 'latin1')).toString('latin1')).join('');
  return out + n.end().toString('latin1');
}

describe('LineEndingNormalizer', () => {
  it.each([
    ['a\r\nb\r\n', 'a\r\nb\r\n'],
    ['a\nb\n', 'a\r\nb\r\n'],
    ['a\rb\r', 'a\r\nb\r\n'],
    ['\n.\n', '\r\n.\r\n'],
    ['\r.\r', '\r\n.\r\n'],
    ['\r\n.\n', '\r\n.\r\n'],
    ['\n.\r\n', '\r\n.\r\n'],
    ['a\r\r\nb', 'a\r\n\r\nb'],
    ['a\n\rb', 'a\r\n\r\nb'],
  ])('normalises %j', (input, expected) => {
    expect(normalize([input])).toBe(expected);
  });

  it('returns the same buffer when nothing changes', () => {
    const n = new LineEndingNormalizer();
    const b = Buffer.from('one\r\ntwo\r\n');
    expect(n.push(b)).toBe(b);
  });

  it('handles CR and LF split across chunks', () => {
    expect(normalize(['a\r', '\nb'])).toBe('a\r\nb');
    expect(normalize(['a\r', 'b'])).toBe('a\r\nb');
    expect(normalize(['a\r'])).toBe('a\r\n');
    expect(normalize(['a\r', '\r', '\n'])).toBe('a\r\n\r\n');
  });

  it('is chunking-independent and leaves no bare CR or LF', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', '.', '\r', '\n', '\r\n'), { maxLength: 60 }), fc.array(fc.nat(60), { maxLength: 6 }), (parts, cuts) => {
        const text = parts.join('');
        const points = [...new Set(cuts.map((c) => Math.min(c, text.length)))].sort((a, b) => a - b);
        const chunks: string[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(text.slice(prev, p));
          prev = p;
        }
        chunks.push(text.slice(prev));
        const out = normalize(chunks);
        expect(out).toBe(normalize([text]));
        expect(out.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      }),
    );
  });
});
