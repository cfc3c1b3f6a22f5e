// Thailand: national identification number (เลขประจำตัวประชาชน). Department of Provincial
// Administration: 13 digits N-NNNN-NNNNN-NN-C, first digit 1-8, C = (11 - Σ d_i × (14 - i) mod 11) mod 10.

import { bounded, digitsOf, regexIdentifier } from './identifier.js';

// Digits 2-3 are a province code: 0x, 28, 29, 59, 68, 69, 78, 79, 87-89 and 97-99 are not assigned
// (the same rule as Presidio's TH_TNIN recognizer).
const NO_PROVINCE = new Set(['28', '29', '59', '68', '69', '78', '79', '87', '88', '89', '97', '98', '99']);

export function thIdValid(d: string): boolean {
  if (d.length !== 13 || d[0] === '0' || d[0] === '9' || d[1] === '0' || NO_PROVINCE.has(d.slice(1, 3))) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (d.charCodeAt(i) - 48) * (13 - i);
  return (11 - (sum % 11)) % 10 === d.charCodeAt(12) - 48;
}

export const thTnin = regexIdentifier({
  name: 'th-tnin',
  description: 'Thai national identification number: 13 digits (1-4-5-2-1), mod 11 check digit.',
  sets: ['pii-apac'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('[1-8]([ -]?)\\d{4}\\1\\d{5}\\1\\d{2}\\1\\d'),
  validate: (m) => (thIdValid(digitsOf(m[0])) ? (m[1] === '' ? 'low' : 'medium') : undefined),
  keywords: ['เลขประจำตัวประชาชน', 'บัตรประชาชน', 'thai id', 'national id', 'id card', 'citizen id'],
  example: '1-1017-00207-34-0',
  spec: 'Department of Provincial Administration (Thailand): citizen ID check digit, mod 11',
});

export const TH_IDENTIFIERS = [thTnin];
