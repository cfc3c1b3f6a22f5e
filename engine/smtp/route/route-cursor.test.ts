import { describe, expect, it } from 'vitest';
import { RouteCursor, receiverSetKey, rotate } from './route-cursor.js';
import type { Receiver, Route } from '../../graph/types.js';

const rcv = (name: string) => ({ name }) as Receiver;
const route = (strategy: Route['strategy'], ...names: string[]): Route => ({ index: 0, domains: ['*'], receivers: names.map(rcv), strategy });

describe('route cursor', () => {
  it('always starts failover at the first receiver', () => {
    const c = new RouteCursor();
    const r = route('failover', 'a', 'b');
    expect([c.start(r), c.start(r)]).toEqual([0, 0]);
  });

  it('rotates round-robin per route', () => {
    const c = new RouteCursor();
    const r = route('round-robin', 'a', 'b', 'c');
    expect([c.start(r), c.start(r), c.start(r), c.start(r)]).toEqual([0, 1, 2, 0]);
    expect(rotate(['a', 'b', 'c'], 1)).toEqual(['b', 'c', 'a']);
  });

  it('treats routes naming the same receivers as one receiver set', () => {
    expect(receiverSetKey(route('failover', 'a', 'b'))).toBe(receiverSetKey(route('round-robin', 'b', 'a')));
    expect(receiverSetKey(route('failover', 'a'))).not.toBe(receiverSetKey(route('failover', 'a', 'b')));
  });
});
