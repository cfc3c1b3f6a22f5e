import { describe, expect, it } from 'vitest';
import { reply } from './reply.js';
import { isAccepted, upstreamReply } from './reply-class.js';

describe('reply class', () => {
  it('passes 2xx, 4xx and 5xx through unchanged', () => {
    for (const r of [reply(250, '2.0.0', 'ok'), reply(451, '4.3.0', 'later'), reply(554, '5.7.1', 'no')]) expect(upstreamReply(r)).toBe(r);
  });

  it('never lets a 1xx or 3xx stand as a final reply', () => {
    const r = upstreamReply(reply(354, undefined, 'go ahead'));
    expect(r.code).toBe(451);
    expect(r.enhanced).toBe('4.3.0');
    expect(isAccepted(reply(354, undefined, 'x'))).toBe(false);
    expect(isAccepted(reply(251, undefined, 'x'))).toBe(true);
  });
});
