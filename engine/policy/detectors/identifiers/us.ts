// United States: SSN, ITIN, passport numbers. None carries a check digit; validity is the SSA's
// and IRS's published structure, so confidence comes from the separators and nearby words.
import { isValidSsn } from '../us-ssn.js';
import { bounded, regexIdentifier, word } from './identifier.js';

// SSN: SSA, "Social Security Number Randomization" (2011) and POMS RM 10201.035: area 001-899
// except 666, group 01-99, serial 0001-9999. The v1 usSsn detector applies the same rules.
export const usSsn = regexIdentifier({
  name: 'us-ssn',
  description: 'US social security number AAA-GG-SSSS outside the never-issued ranges; bare 9 digits only with a keyword.',
  sets: ['pii-us'],
  checksum: false,
  base: ['low', 'medium'],
  pattern: bounded('(\\d{3})([- ]?)(\\d{2})\\2(\\d{4})'),
  validate: (m) => {
    if (!isValidSsn(m[1] ?? '', m[3] ?? '', m[4] ?? '')) return undefined;
    return m[2] === '' ? 'low' : 'medium';
  },
  keywords: ['ssn', 'social security', 'ss#', 'ssn#', 'social sec', 'tax id', 'taxpayer'],
  sample: (v) => `***-**-${v.slice(-4)}`,
  example: '536-90-4399',
  spec: 'SSA POMS RM 10201.035 and SSN randomization (2011): area 001-899 but 666, group 01-99, serial 0001-9999',
});

// ITIN: IRS Publication 1915: 9XX-XX-XXXX with group 50-65, 70-88, 90-92 or 94-99.
function itinGroup(g: number): boolean {
  return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || (g >= 94 && g <= 99);
}

export const usItin = regexIdentifier({
  name: 'us-itin',
  description: 'US individual taxpayer identification number 9XX-XX-XXXX with an IRS group range. No checksum.',
  sets: ['pii-us'],
  checksum: false,
  base: ['low', 'medium'],
  pattern: bounded('9(\\d{2})([- ]?)(\\d{2})\\2(\\d{4})'),
  validate: (m) => {
    if (!itinGroup(Number(m[3]))) return undefined;
    return m[2] === '' ? 'low' : 'medium';
  },
  keywords: ['itin', 'taxpayer', 'tax id', 'individual taxpayer', 'irs', 'w-7'],
  sample: (v) => `***-**-${v.slice(-4)}`,
  example: '912-70-1234',
  spec: 'IRS Publication 1915 (ITIN structure: 9XX, group 50-65, 70-88, 90-92, 94-99)',
});

// Passport book numbers: 9 digits; next-generation books (2021-): one letter and 8 digits (U.S.
// Department of State, Next Generation Passport). Nothing to check, so it needs a keyword.
export const usPassport = regexIdentifier({
  name: 'us-passport',
  description: 'US passport number: 9 digits, or a letter and 8 digits (next generation). No checksum: needs a keyword for medium.',
  sets: ['pii-us'],
  checksum: false,
  pattern: word('[A-Z]?\\d{8,9}'),
  validate: (m) => (m[0].length === 9 ? 'low' : undefined),
  keywords: ['passport', 'passport number', 'passport no', 'travel document'],
  window: 60,
  levels: ['low', 'medium'],
  example: 'A12345678',
  spec: 'U.S. Department of State passport book formats (9 digits; next generation: letter + 8 digits)',
});

export const US_IDENTIFIERS = [usSsn, usItin, usPassport];
