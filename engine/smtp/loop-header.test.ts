import { describe, expect, it } from 'vitest';
import { parseHeaderFields } from './header-fields.js';
import { checkLoop, loopHeaderValue } from './loop-header.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const block = (extra = ''): Buffer => Buffer.from(`Message-ID: <m1@corp.example>\r\nSubject: hi\r\n${extra}\r\n`);
const binding = { sender: 'a@corp.example', bodyDigest: 'ab'.repeat(32) };

describe('loop header', () => {
  it('validates a header minted with the secret for the same message', () => {
    const value = loopHeaderValue(secret, 'gw.example.test', parseHeaderFields(block()), binding);
    const fields = parseHeaderFields(block(`X-Relayguard-Loop: ${value}\r\n`));
    expect(checkLoop(secret, 'gw.example.test', fields, binding)).toEqual({ valid: 1, invalid: 0, hops: 0 });
  });

  it.each([
    ['another secret', { secret: Buffer.from('x'.repeat(32)) }],
    ['another sender', { binding: { ...binding, sender: 'b@corp.example' } }],
    ['another body', { binding: { ...binding, bodyDigest: 'cd'.repeat(32) } }],
  ])('rejects a header minted with %s', (_name, change: { secret?: Buffer; binding?: typeof binding }) => {
    const value = loopHeaderValue(change.secret ?? secret, 'gw.example.test', parseHeaderFields(block()), change.binding ?? binding);
    const fields = parseHeaderFields(block(`X-Relayguard-Loop: ${value}\r\n`));
    expect(checkLoop(secret, 'gw.example.test', fields, binding)).toMatchObject({ valid: 0, invalid: 1 });
  });

  it('counts garbage as invalid and our Received lines as hops', () => {
    const fields = parseHeaderFields(
      block('X-Relayguard-Loop: gw.example.test; v=1; mac=00\r\nReceived: from a (b [1.2.3.4])\r\n\tby GW.example.test (relayguard) with ESMTP id x;\r\n\tdate\r\nReceived: by other.example.test (Postfix)\r\n'),
    );
    expect(checkLoop(secret, 'gw.example.test', fields, binding)).toEqual({ valid: 0, invalid: 1, hops: 1 });
  });
});
