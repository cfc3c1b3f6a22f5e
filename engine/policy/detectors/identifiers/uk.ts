// United Kingdom: NHS number and National Insurance number.
import { bounded, digitsOf, regexIdentifier, word } from './identifier.js';
import { weightedSum } from './checksums.js';

// NHS number: NHS Data Dictionary, "NHS Number": weights 10..2 over the first nine digits,
// check = 11 - (sum mod 11), 11 → 0, 10 → invalid.
export function nhsValid(d: string): boolean {
  if (d.length !== 10) return false;
  let check = 11 - (weightedSum(d, [10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11);
  if (check === 11) check = 0;
  return check !== 10 && check === d.charCodeAt(9) - 48;
}

export const ukNhs = regexIdentifier({
  name: 'uk-nhs',
  description: 'UK NHS number: 10 digits (3-3-4), mod 11 check digit.',
  sets: ['pii-eu', 'pii-uk', 'health'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('\\d{3}([ -]?)\\d{3}\\1\\d{4}'),
  validate: (m) => (nhsValid(digitsOf(m[0])) ? (m[1] === '' ? 'low' : 'medium') : undefined),
  keywords: ['nhs', 'nhs number', 'national health service', 'patient', 'health'],
  example: '943 476 5919',
  spec: 'NHS Data Dictionary: NHS Number (modulus 11 check digit)',
});

// NINO: HMRC National Insurance Manual NIM39110: two prefix letters (not D F I Q U V; second not O),
// prefixes BG GB KN NK NT TN ZZ never issued, six digits, suffix A-D.
const NINO_NOT_ISSUED = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

export const ukNino = regexIdentifier({
  name: 'uk-nino',
  description: 'UK National Insurance number: two letters, six digits, suffix A-D (HMRC allocation rules). No checksum.',
  sets: ['pii-eu', 'pii-uk'],
  checksum: false,
  base: ['medium'],
  pattern: word('([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\\d{2} ?\\d{2} ?\\d{2} ?[A-D]'),
  validate: (m) => (NINO_NOT_ISSUED.has(m[1] ?? '') ? undefined : 'medium'),
  keywords: ['national insurance', 'nino', 'ni number', 'nic', 'hmrc'],
  example: 'AB 12 34 56 C',
  spec: 'HMRC National Insurance Manual NIM39110 (NINO format and unallocated prefixes)',
});

export const UK_IDENTIFIERS = [ukNhs, ukNino];
