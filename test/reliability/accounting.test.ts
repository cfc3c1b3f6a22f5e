// The accounting harness itself: each kind of broken promise is caught, including a delivery after a 4xx
// (the upstream retries it: a duplicate) unless the test names why that window is inherent.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accountFor, assertAccounting, dotStuffed, testIdOf, testMessage } from '../helpers/accounting.js';
import type { SendOutcome, SentMessage } from '../helpers/accounting.js';

const sent = (id: string, outcome: SendOutcome): SentMessage => ({ id, outcome, step: 'end-of-data', detail: outcome });
const delivered = (id: string): { raw: Buffer } => ({ raw: Buffer.concat([Buffer.from('Received: from x\r\n'), testMessage(id)]) });

describe('accounting harness', () => {
  it('reads the id back from the header block, not from the body', () => {
    expect(testIdOf(testMessage('abc-1'))).toBe('abc-1');
    expect(testIdOf(Buffer.from('Subject: x\r\n\r\nX-Test-Id: body-only\r\n'))).toBeUndefined();
  });

  it('passes when every accepted message was delivered once and failures were not delivered', () => {
    const r = assertAccounting([sent('a', 'accepted'), sent('b', 'tempfail'), sent('c', 'permfail')], [delivered('a')]);
    expect(r).toMatchObject({ accepted: 1, delivered: 1, lost: [], duplicated: [], afterTempfail: [], afterPermfail: [] });
  });

  const broken: readonly (readonly [string, SentMessage[], { raw: Buffer }[], string])[] = [
    ['lost', [sent('a', 'accepted')], [], 'lost'],
    ['duplicated', [sent('a', 'accepted')], [delivered('a'), delivered('a')], 'duplicated'],
    ['delivered after 5xx', [sent('a', 'permfail')], [delivered('a')], 'afterPermfail'],
    ['unknown id', [sent('a', 'accepted')], [delivered('a'), delivered('zzz')], 'unknown'],
    ['no id', [], [{ raw: Buffer.from('Subject: x\r\n\r\nhi\r\n') }], 'unknown'],
  ];
  for (const [name, s, d, field] of broken) {
    it(`fails on ${name}`, () => {
      expect(() => assertAccounting(s, d)).toThrow(/RG_TEST_ACCOUNTING/);
      expect((accountFor(s, d) as unknown as Record<string, unknown[]>)[field]).toHaveLength(1);
    });
  }

  it('fails on a delivery after a temporary failure or no reply (the retry is a duplicate)', () => {
    for (const outcome of ['tempfail', 'no-reply'] as const) {
      expect(() => assertAccounting([sent('a', outcome)], [delivered('a')])).toThrow(/RG_TEST_ACCOUNTING[\s\S]*delivered after a temporary failure[^\n]*a \(/);
    }
  });

  it('counts such a delivery, without failing, only where the test names why the window is inherent', () => {
    const r = assertAccounting([sent('a', 'tempfail'), sent('b', 'no-reply')], [delivered('a'), delivered('b')], { allowPossibleDuplicates: 'receiver dropped after the dot' });
    expect(r.afterTempfail).toEqual(['a', 'b']);
    expect(() => assertAccounting([sent('a', 'tempfail')], [delivered('a'), delivered('a')], { allowPossibleDuplicates: 'x' })).toThrow(/duplicated: a/);
  });
});

describe('the recording sender', () => {
  it('is independent of the gateway: the accounting helper and its SMTP client import nothing from engine/', () => {
    for (const file of ['../helpers/accounting.ts', '../helpers/raw-smtp-client.ts']) {
      const source = readFileSync(new URL(file, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from\s+'[^']*engine\//);
    }
  });
});

describe('dotStuffed', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['a\r\nb\r\n', 'a\r\nb\r\n.\r\n'],
    ['.a\r\n..b\r\n.\r\n', '..a\r\n...b\r\n..\r\n.\r\n'],
    ['no final line end', 'no final line end\r\n.\r\n'],
    ['a\n.b\r\n', 'a\n.b\r\n.\r\n'],
  ];
  for (const [input, wire] of cases) {
    it(`stuffs ${JSON.stringify(input)}`, () => expect(dotStuffed(Buffer.from(input, 'latin1')).toString('latin1')).toBe(wire));
  }
});
