import { describe, expect, it } from 'vitest';
import { parseHeaderFields } from './header-fields.js';
import { LOOP_CLOCK_SKEW_SECONDS, checkLoop, loopHeaderValue } from './loop-header.js';
import type { LoopBinding } from './loop-header.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const block = (extra = ''): Buffer => Buffer.from(`Message-ID: <m1@corp.example>\r\nSubject: hi\r\n${extra}\r\n`);
const binding: LoopBinding = { sender: 'a@corp.example', recipients: ['b@corp.example', 'c@example.org'], upstream: 'corp', policyRevision: 'r1', bodyDigest: 'ab'.repeat(32) };
const NOW = 1_800_000_000;
const clock = { now: NOW, maxAgeSeconds: 600 };

function check(minted: { secret?: Buffer; binding?: LoopBinding; at?: number }, against: LoopBinding = binding, at = clock) {
  const value = loopHeaderValue(minted.secret ?? secret, 'gw.example.test', parseHeaderFields(block()), minted.binding ?? binding, minted.at ?? NOW);
  return checkLoop(secret, 'gw.example.test', parseHeaderFields(block(`X-Relayguard-Loop: ${value}\r\n`)), against, at);
}

describe('loop header', () => {
  it('validates a header minted with the secret for the same message, envelope, upstream and revision', () => {
    expect(check({})).toEqual({ valid: 1, invalid: 0, hops: 0 });
  });

  it('treats recipient order and case as the same envelope', () => {
    expect(check({}, { ...binding, sender: 'A@Corp.Example', recipients: ['C@example.org', 'b@CORP.example'] })).toMatchObject({ valid: 1 });
  });

  it.each<[string, { secret?: Buffer; binding?: LoopBinding }]>([
    ['another secret', { secret: Buffer.from('x'.repeat(32)) }],
    ['another sender', { binding: { ...binding, sender: 'b@corp.example' } }],
    ['another body', { binding: { ...binding, bodyDigest: 'cd'.repeat(32) } }],
    ['fewer recipients', { binding: { ...binding, recipients: ['b@corp.example'] } }],
    ['other recipients', { binding: { ...binding, recipients: ['b@corp.example', 'd@example.org'] } }],
    ['another upstream', { binding: { ...binding, upstream: 'partner' } }],
    ['another policy revision', { binding: { ...binding, policyRevision: 'r0' } }],
  ])('rejects a header minted with %s', (_name, change) => {
    expect(check(change)).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('rejects a header older than the max age, or further in the future than the clock skew', () => {
    expect(check({ at: NOW - 600 })).toMatchObject({ valid: 1 });
    expect(check({ at: NOW - 601 })).toMatchObject({ valid: 0, invalid: 1 });
    expect(check({ at: NOW + LOOP_CLOCK_SKEW_SECONDS })).toMatchObject({ valid: 1 });
    expect(check({ at: NOW + LOOP_CLOCK_SKEW_SECONDS + 1 })).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('rejects a header whose timestamp was edited', () => {
    const value = loopHeaderValue(secret, 'gw.example.test', parseHeaderFields(block()), binding, NOW - 3600).replace(`t=${NOW - 3600}`, `t=${NOW}`);
    expect(checkLoop(secret, 'gw.example.test', parseHeaderFields(block(`X-Relayguard-Loop: ${value}\r\n`)), binding, clock)).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('counts garbage and the old v=1 format as invalid and our Received lines as hops', () => {
    const fields = parseHeaderFields(
      block(
        `X-Relayguard-Loop: gw.example.test; v=1; mac=${'0'.repeat(64)}\r\nReceived: from a (b [1.2.3.4])\r\n\tby GW.example.test (relayguard) with ESMTP id x;\r\n\tdate\r\nReceived: by other.example.test (Postfix)\r\n`,
      ),
    );
    expect(checkLoop(secret, 'gw.example.test', fields, binding, clock)).toEqual({ valid: 0, invalid: 1, hops: 1 });
  });
});
