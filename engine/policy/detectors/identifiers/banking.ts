// Bank account identifiers: IBAN, ABA routing numbers, SWIFT/BIC, US account numbers.
import { getCountries } from 'libphonenumber-js/max';
import { IBAN_LENGTHS, ibanValid } from '../iban.js';
import { redact } from '../hits.js';
import { bounded, regexIdentifier, word, WORD_BEFORE } from './identifier.js';

/** The IBAN at the start of a candidate: exactly its country's length, not running on into a word. */
function ibanPrefix(candidate: string, next: number): { compact: string; length: number } | undefined {
  const want = IBAN_LENGTHS[candidate.slice(0, 2)];
  if (want === undefined) return undefined;
  let compact = '';
  let i = 0;
  for (; i < candidate.length && compact.length < want; i++) if (candidate[i] !== ' ') compact += candidate[i];
  if (compact.length !== want) return undefined;
  const after = i < candidate.length ? candidate.charCodeAt(i) : next;
  return isAlnum(after) ? undefined : { compact, length: i };
}

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

// IBAN: ISO 13616-1:2020 (structure, mod 97-10 per ISO 7064), lengths per the SWIFT IBAN registry
// (release 98, shared with the v1 iban detector). Printed form: groups of four separated by spaces.
export const iban = regexIdentifier({
  name: 'iban',
  description: 'International Bank Account Number: country, check digits, BBAN of the registered length, mod 97 = 1 (ISO 13616).',
  sets: ['financial', 'pii-eu'],
  checksum: true,
  // country + check digits, then 11-30 alphanumerics with optional single spaces; each repetition
  // consumes exactly one alphanumeric, so the match is unambiguous (linear). The country length cuts it.
  pattern: new RegExp(`${WORD_BEFORE}[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}`, 'g'),
  validate: (m) => {
    const found = ibanPrefix(m[0], m.input.charCodeAt(m.index + m[0].length));
    return found !== undefined && ibanValid(found.compact) ? { confidence: 'medium', length: found.length } : undefined;
  },
  keywords: ['iban', 'account', 'bank', 'konto', 'compte', 'cuenta', 'conto', 'rekening', 'transfer', 'überweisung', 'virement'],
  sample: (v) => redact(v.replace(/ /g, ''), 4, 4),
  levels: ['medium', 'high'],
  example: 'DE89 3704 0044 0532 0130 00',
  spec: 'ISO 13616-1:2020; ISO 7064 MOD 97-10; SWIFT IBAN Registry (country lengths)',
});

// ABA routing transit number: ABA "Key to Routing Numbers"; check digit 3-7-1 weighted mod 10,
// first two digits 00-12, 21-32 (thrift), 61-72 (electronic), 80 (traveller's cheques).
export function abaValid(d: string): boolean {
  if (d.length !== 9) return false;
  const p = Number(d.slice(0, 2));
  if (!((p >= 1 && p <= 12) || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p === 80)) return false;
  const n = (i: number): number => d.charCodeAt(i) - 48;
  return (3 * (n(0) + n(3) + n(6)) + 7 * (n(1) + n(4) + n(7)) + (n(2) + n(5) + n(8))) % 10 === 0;
}

export const abaRouting = regexIdentifier({
  name: 'aba-routing',
  description: 'US ABA routing transit number: 9 digits, Federal Reserve prefix, 3-7-1 weighted check digit.',
  sets: ['financial', 'pii-us'],
  checksum: true,
  base: ['low'],
  pattern: bounded('\\d{9}'),
  validate: (m) => (abaValid(m[0]) ? 'low' : undefined),
  keywords: ['routing', 'aba', 'rtn', 'transit', 'ach', 'wire', 'fedwire', 'bank'],
  window: 100,
  example: '021000021',
  spec: 'American Bankers Association, Key to Routing Numbers (MICR check digit 3-7-1 mod 10)',
});

// ISO 3166-1 alpha-2 country codes, plus XK (Kosovo, used by SWIFT), for the BIC country field.
const COUNTRIES: ReadonlySet<string> = new Set([...getCountries(), 'XK']);

// SWIFT/BIC: ISO 9362:2022: 4-letter party prefix, ISO 3166 country, 2-character location, optional
// 3-character branch. No check digit, so a match alone is weak; keywords make it medium.
export const swiftBic = regexIdentifier({
  name: 'swift-bic',
  description: 'SWIFT/BIC business identifier code (ISO 9362): bank, ISO 3166 country, location, optional branch. No checksum.',
  sets: ['financial'],
  checksum: false,
  base: ['low'],
  pattern: word('[A-Z]{4}([A-Z]{2})[A-Z2-9][A-NP-Z0-9](?:[A-Z0-9]{3})?'),
  validate: (m) => (COUNTRIES.has(m[1] ?? '') ? 'low' : undefined),
  keywords: ['swift', 'bic', 'bank', 'iban', 'wire', 'transfer', 'correspondent'],
  window: 100,
  sample: (v) => v.slice(0, 4) + '*'.repeat(v.length - 4),
  example: 'DEUTDEFF500',
  spec: 'ISO 9362:2022 (BIC structure); ISO 3166-1 alpha-2 country codes',
});

// US bank account numbers have no common format or checksum (each bank numbers its own): 8-17
// digits, only ever low without a keyword.
export const usBankAccount = regexIdentifier({
  name: 'us-bank-account',
  description: 'US bank account number: 8-17 digits near words like "account" or "checking". No checksum.',
  sets: ['financial', 'pii-us'],
  checksum: false,
  pattern: bounded('\\d{8,17}'),
  validate: () => 'low',
  keywords: ['account number', 'account no', 'acct', 'checking', 'savings', 'bank account', 'deposit account'],
  window: 60,
  levels: ['low', 'medium'],
  example: '000123456789',
  spec: 'none published: account numbers are bank-specific (ANSI X9.100-160 MICR field "on-us")',
});

export const BANKING_IDENTIFIERS = [iban, abaRouting, swiftBic, usBankAccount];
