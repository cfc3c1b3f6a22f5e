// India: PAN, Aadhaar, GSTIN.
import { verhoeff } from './checksums.js';
import { bounded, digitsOf, regexIdentifier, word } from './identifier.js';

// PAN: Income Tax Department (Rule 114, Income-tax Rules 1962): AAA, holder type (P person, C company,
// H HUF, F firm, A AOP, T trust, B BOI, L local authority, J artificial juridical person, G government),
// initial, 4 digits, a letter. The last letter is a check character whose algorithm is not published.
const PAN = '[A-Z]{3}[ABCFGHJLPT][A-Z]\\d{4}[A-Z]';

export const inPan = regexIdentifier({
  name: 'in-pan',
  description: 'Indian Permanent Account Number: 5 letters (4th = holder type), 4 digits, a letter. No public checksum.',
  sets: ['pii-apac'],
  checksum: false,
  pattern: word(PAN),
  validate: () => 'low',
  keywords: ['pan', 'permanent account number', 'pan card', 'income tax'],
  window: 100,
  levels: ['low', 'medium'],
  example: 'ABCPD1234E',
  spec: 'Income-tax Rules 1962, Rule 114 (PAN structure); the check letter algorithm is unpublished',
});

// Aadhaar: UIDAI, "Aadhaar Numbering Scheme" (2010): 12 digits, first 2-9, last a Verhoeff check digit.
export function aadhaarValid(d: string): boolean {
  return d.length === 12 && (d[0] ?? '0') >= '2' && verhoeff(d) && d !== [...d].reverse().join('');
}

export const inAadhaar = regexIdentifier({
  name: 'in-aadhaar',
  description: 'Indian Aadhaar number: 12 digits (4-4-4), first digit 2-9, Verhoeff check digit.',
  sets: ['pii-apac'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('[2-9]\\d{3}([ :-]?)\\d{4}\\1\\d{4}'),
  validate: (m) => (aadhaarValid(digitsOf(m[0])) ? (m[1] === '' ? 'low' : 'medium') : undefined),
  keywords: ['aadhaar', 'aadhar', 'uidai', 'uid', 'आधार'],
  example: '2345 6789 0124',
  spec: 'UIDAI, Aadhaar Numbering Scheme (12 digits, Verhoeff check digit)',
});

// GSTIN: CBIC, GST Rules 2017 (rule 10): 2-digit state code, PAN, entity number, 'Z', check character:
// a Luhn mod 36 over the first 14 characters (factor alternating 1, 2; Σ quotient + remainder).
const B36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function gstinCheck(first14: string): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const p = B36.indexOf(first14[i] ?? '') * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(p / 36) + (p % 36);
  }
  return B36[(36 - (sum % 36)) % 36] ?? '';
}

export const inGstin = regexIdentifier({
  name: 'in-gstin',
  description: 'Indian GST identification number: state code, PAN, entity number, Z, mod 36 check character.',
  sets: ['pii-apac', 'financial'],
  checksum: true,
  base: ['medium'],
  pattern: word(`(\\d{2})${PAN}[1-9A-Z]Z[0-9A-Z]`),
  validate: (m) => {
    const state = Number(m[1]);
    if (!((state >= 1 && state <= 38) || state === 97 || state === 99)) return undefined;
    return gstinCheck(m[0].slice(0, 14)) === m[0][14] ? 'medium' : undefined;
  },
  keywords: ['gstin', 'gst', 'gst number', 'goods and services tax'],
  example: '27AAPFU0939F1ZV',
  spec: 'CGST Rules 2017, rule 10 (GSTIN structure); mod 36 check character (GSTN)',
});

export const IN_IDENTIFIERS = [inPan, inAadhaar, inGstin];
