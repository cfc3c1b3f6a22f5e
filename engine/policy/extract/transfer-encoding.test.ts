import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64-stream.js';
import { ByteBudget } from './byte-budget.js';
import { isNonstandardEncoding, lenientTransferEncoding, UnknownEncodingTrial } from './transfer-encoding.js';

describe('lenientTransferEncoding', () => {
  const cases: readonly [string, string][] = [
    ['x-base64', 'base64'],
    ['base-64', 'base64'],
    ['base64 please', 'base64'],
    ['quoted_printable', 'quoted-printable'],
    ['x-quoted-printable', 'quoted-printable'],
    ['8bit junk', 'identity'],
    ['x-foo', 'unknown'],
  ];
  for (const [value, want] of cases) it(`reads "${value}" as ${want}`, () => expect(lenientTransferEncoding(value)).toBe(want));
  it('leaves what mailsplit decodes alone', () => expect(['', '7bit', 'base64', 'quoted-printable'].map(isNonstandardEncoding)).toEqual([false, false, false, false]));
});

describe('UnknownEncodingTrial', () => {
  const read = (value: string, body: string, budget = new ByteBudget(1 << 20)): string[] => {
    const t = new UnknownEncodingTrial(value, budget);
    for (const piece of body.match(/[\s\S]{1,7}/g) ?? []) t.write(Buffer.from(piece, 'latin1'));
    return t.end().map((r) => `${r.as}:${r.content.toString('latin1')}`);
  };
  it('decodes base64 under an unknown name', () => expect(read('x-foo', Buffer.from('card 4111').toString('base64'))).toEqual(['base64:card 4111']));
  it('decodes quoted-printable escapes under an unknown name, also when they fit base64', () => expect(read('x-foo', '=34=31=31=31')).toEqual(['base64:' + decodeBase64(Buffer.from('=34=31=31=31')).toString('latin1'), 'quoted-printable:4111']));
  it('has no reading for plain text under an unknown name', () => expect(read('x-foo', 'plain words, nothing else.')).toEqual([]));
  it('has no reading for an identity name with junk', () => expect(read('8bit junk', 'QUJD')).toEqual([]));
  it('gives its raw bytes back to the budget', () => {
    const budget = new ByteBudget(1000);
    read('x-foo', 'QUJD'.repeat(10), budget);
    expect(budget.left).toBe(1000 - 30);
  });
});
