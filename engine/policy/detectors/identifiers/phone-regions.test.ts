// Phone numbers without +CC: `identifier: { name: phone-number, regions: [...] }`. Vectors per region
// (national formats from the numbering plans libphonenumber carries: NANP, Ofcom, BNetzA, ARCEP),
// the confidence a keyword gives, validation of the option, and evaluation through a policy.
import { describe, expect, it } from 'vitest';
import { buildMessage, compileYaml } from '../../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS } from '../../analysis.js';
import { inspectMessage } from '../../inspect.js';
import type { Confidence } from './identifier.js';
import { phoneNumber, phoneNumberIn } from './phone.js';
import { KeywordContext, scanIdentifier } from './scan.js';

const best = (regions: readonly string[] | undefined, text: string): Confidence | undefined => {
  const id = regions === undefined ? phoneNumber : phoneNumberIn(regions);
  const order: Confidence[] = ['low', 'medium', 'high'];
  let r = -1;
  for (const m of scanIdentifier(id, text, new KeywordContext(text))) r = Math.max(r, order.indexOf(m.confidence));
  return order[r];
};

// [regions, text, best confidence or undefined for no match]
const VECTORS: [readonly string[], string, Confidence | undefined][] = [
  // national numbers of the listed regions: low, medium with a supporting keyword
  [['US'], 'reach me at (202) 555-0143 tomorrow', 'low'],
  [['US'], 'call (202) 555-0143', 'medium'],
  [['US'], 'tel 202.555.0143', 'medium'],
  [['US'], 'ask for 2025550143', 'low'],
  [['DE'], 'Telefon 030 901820', 'medium'],
  [['DE'], 'Ich bin unter 0151 23456789 erreichbar', 'low'],
  [['GB'], 'mobile 07911 123456', 'medium'],
  [['GB'], 'office 020 7946 0958', 'low'],
  [['FR'], 'téléphone 01 23 45 67 89', 'medium'],
  [['US', 'DE'], 'Telefon 030 901820', 'medium'],
  [['US', 'DE'], 'call (202) 555-0143', 'medium'],
  // international numbers stay as in the catalogue: medium, high with a keyword, whatever the regions
  [['US'], '+44 20 7946 0958', 'medium'],
  [['US'], 'phone +49 30 901820', 'high'],
  // a number of a region not listed is not read as national
  [['US'], 'Telefon 030 901820', undefined],
  [['FR'], 'call (202) 555-0143', undefined],
  // Germany's plan has open-length area codes: a NANP number also fits it (0202 is Wuppertal)
  [['DE'], 'call (202) 555-0143', 'medium'],
  // Ofcom's drama range (07700 900000-900999) is reserved, never assigned
  [['GB'], 'mobile 07700 900123', undefined],
  // invalid for the plan: a US area code cannot start with 0 or 1, a DE number needs its trunk 0
  [['US'], 'call (102) 555-0143', undefined],
  [['US'], 'call 555-0143', undefined],
  [['DE'], 'Telefon 30 90', undefined],
  // digits inside a longer run or glued to letters are not numbers
  [['US'], 'ref 12025550143999', undefined],
  [['US'], 'INV2025550143', undefined],
  [['US'], 'order 2025550143x', undefined],
];

describe('phone-number with regions', () => {
  it.each(VECTORS)('%j: %s', (regions, text, want) => {
    expect(best(regions, text)).toBe(want);
  });

  it('the catalogue identifier (no regions) reads no national number', () => {
    for (const [, text] of VECTORS) if (!text.includes('+')) expect(best(undefined, text), text).toBeUndefined();
  });

  it('has a name of its own per region list, so its scan is not shared with the catalogue one', () => {
    expect(phoneNumberIn(['US', 'DE']).name).toBe('phone-number/US,DE');
    expect(phoneNumberIn(['US', 'DE']).levels).toEqual(['low', 'medium', 'high']);
  });
});

const policy = (options: string, key = 'identifier') => `version: 1
policies:
  - name: phones
    severity: medium
    match:
      ${key}: ${options}
    action: { type: block, reply: "550 5.7.1 No phone numbers" }
`;
const policyPath = '/tmp/rg-phone-regions/policies/phone.policy.yaml';

describe('regions in a policy', () => {
  const diag = (options: string, key?: string) => compileYaml(policy(options, key), policyPath).diagnostics.map((d) => ({ code: d.code, pointer: d.pointer, line: d.line }));

  it('accepts regions on phone-number', () => {
    expect(diag('{ name: phone-number, regions: [US, DE] }')).toEqual([]);
  });

  it('names an unknown region at its position', () => {
    expect(diag('{ name: phone-number, regions: [US, XX] }')).toEqual([{ code: 'RG_POL_PHONE_REGION', pointer: '/policies/0/match/identifier/regions/1', line: 6 }]);
  });

  it('refuses regions on another identifier', () => {
    expect(diag('{ name: iban, regions: [DE] }')).toEqual([{ code: 'RG_POL_IDENTIFIER_OPTION', pointer: '/policies/0/match/identifier/regions', line: 6 }]);
  });

  it('refuses a region that is not two capitals (schema)', () => {
    expect(diag('{ name: phone-number, regions: [us] }').map((d) => d.pointer)).toEqual(['/policies/0/match/identifier/regions/0']);
  });

  const env = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };
  const settings = { budgetMs: 10_000, onFailure: 'tempfail' as const, onUnscannable: 'block' as const, limits: DEFAULT_ANALYSIS_LIMITS };
  const verdict = async (options: string, text: string, key?: string) => {
    const { policySet, diagnostics } = compileYaml(policy(options, key), policyPath);
    expect(diagnostics).toEqual([]);
    return (await inspectMessage(policySet, await buildMessage({ text }), env, settings)).verdict.kind;
  };

  it('blocks a national number with a keyword at the default confidence, and without one only at low', async () => {
    expect(await verdict('{ name: phone-number, regions: [US] }', 'Please call (202) 555-0143 today')).toBe('block');
    expect(await verdict('{ name: phone-number, regions: [US] }', 'Reference (202) 555-0143')).toBe('pass');
    expect(await verdict('{ name: phone-number, regions: [US], confidence: low }', 'Reference (202) 555-0143')).toBe('block');
    // the same policy without regions: a national number is no phone number
    expect(await verdict('{ name: phone-number }', 'Please call (202) 555-0143 today')).toBe('pass');
  });

  // `identifiers: { set, regions }`: the set's phone-number member reads national numbers too
  it('accepts regions on a set that has phone-number', () => {
    expect(diag('{ set: pii-contact, regions: [US, GB] }', 'identifiers')).toEqual([]);
  });

  it('refuses regions on a set without phone-number, at the option', () => {
    expect(diag('{ set: pii-eu, regions: [DE] }', 'identifiers')).toEqual([{ code: 'RG_POL_IDENTIFIER_OPTION', pointer: '/policies/0/match/identifiers/regions', line: 6 }]);
    const d = compileYaml(policy('{ set: secrets, regions: [US] }', 'identifiers'), policyPath).diagnostics[0];
    expect(d?.message).toMatch(/set secrets, which has no phone-number/);
    expect(d?.message).toMatch(/pii-contact/);
  });

  it('names an unknown region of a set at its position', () => {
    expect(diag('{ set: pii-contact, regions: [ZZ, US] }', 'identifiers')).toEqual([{ code: 'RG_POL_PHONE_REGION', pointer: '/policies/0/match/identifiers/regions/0', line: 6 }]);
  });

  it('blocks a national number through the set only with regions, and keeps the other members', async () => {
    expect(await verdict('{ set: pii-contact, regions: [US] }', 'Please call (202) 555-0143 today', 'identifiers')).toBe('block');
    expect(await verdict('{ set: pii-contact }', 'Please call (202) 555-0143 today', 'identifiers')).toBe('pass');
    expect(await verdict('{ set: pii-contact, regions: [GB] }', 'Please call (202) 555-0143 today', 'identifiers')).toBe('pass');
    // the set's other members still count with regions given (an e-mail address is pii-contact)
    expect(await verdict('{ set: pii-contact, regions: [US] }', 'Write to jane.doe@example.org', 'identifiers')).toBe('block');
  });
});
