// Australia: ABN, ACN, TFN, Medicare card number.
import { weightedSum } from './checksums.js';
import { bounded, digitsOf, regexIdentifier } from './identifier.js';

// ABN: Australian Business Register, "Format of the ABN": subtract 1 from the first digit, weights
// 10,1,3,5,...,19, sum divisible by 89.
export function abnValid(d: string): boolean {
  if (d.length !== 11 || d[0] === '0') return false;
  const first = String(d.charCodeAt(0) - 49);
  return weightedSum(first + d.slice(1), [10, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19]) % 89 === 0;
}

export const auAbn = regexIdentifier({
  name: 'au-abn',
  description: 'Australian Business Number: 11 digits (2-3-3-3), weighted mod 89.',
  sets: ['pii-apac', 'financial'],
  checksum: true,
  base: ['medium'],
  pattern: bounded('\\d{2}( ?)\\d{3}\\1\\d{3}\\1\\d{3}'),
  validate: (m) => (abnValid(digitsOf(m[0])) ? 'medium' : undefined),
  keywords: ['abn', 'australian business number', 'business number'],
  example: '51 824 753 556',
  spec: 'Australian Business Register: Format of the ABN (weighted mod 89)',
});

// ACN: ASIC, "Australian Company Number (ACN) check digit": weights 8..1 over eight digits,
// check = (10 - sum mod 10) mod 10.
export function acnValid(d: string): boolean {
  return d.length === 9 && (10 - (weightedSum(d, [8, 7, 6, 5, 4, 3, 2, 1]) % 10)) % 10 === d.charCodeAt(8) - 48;
}

export const auAcn = regexIdentifier({
  name: 'au-acn',
  description: 'Australian Company Number: 9 digits (3-3-3), weighted mod 10 check digit.',
  sets: ['pii-apac', 'financial'],
  checksum: true,
  base: ['low'],
  pattern: bounded('\\d{3}( ?)\\d{3}\\1\\d{3}'),
  validate: (m) => (acnValid(digitsOf(m[0])) ? 'low' : undefined),
  keywords: ['acn', 'australian company number', 'company number', 'asic'],
  window: 100,
  example: '004 085 616',
  spec: 'ASIC: ACN check digit (weights 8-1, mod 10 complement)',
});

// TFN: ATO (published in the Tax File Number legislation guidance): weights 1,4,3,7,5,8,6,9,10,
// sum divisible by 11.
export function tfnValid(d: string): boolean {
  return d.length === 9 && weightedSum(d, [1, 4, 3, 7, 5, 8, 6, 9, 10]) % 11 === 0;
}

export const auTfn = regexIdentifier({
  name: 'au-tfn',
  description: 'Australian Tax File Number: 9 digits (3-3-3), weighted mod 11.',
  sets: ['pii-apac'],
  checksum: true,
  base: ['low'],
  pattern: bounded('\\d{3}( ?)\\d{3}\\1\\d{3}'),
  validate: (m) => (tfnValid(digitsOf(m[0])) ? 'low' : undefined),
  keywords: ['tfn', 'tax file number', 'tax file', 'ato'],
  window: 100,
  example: '123 456 782',
  spec: 'Australian Taxation Office: TFN algorithm (weights 1,4,3,7,5,8,6,9,10, mod 11)',
});

// Medicare card: Services Australia: first digit 2-6, weights 1,3,7,9,1,3,7,9 over eight digits, the
// ninth is sum mod 10, the tenth the issue number; an 11th digit (IRN, 1-9) may follow.
export function medicareValid(d: string): boolean {
  if ((d.length !== 10 && d.length !== 11) || !'23456'.includes(d[0] ?? '')) return false;
  return weightedSum(d, [1, 3, 7, 9, 1, 3, 7, 9]) % 10 === d.charCodeAt(8) - 48;
}

export const auMedicare = regexIdentifier({
  name: 'au-medicare',
  description: 'Australian Medicare card number: 10 digits (4-5-1) plus optional IRN, weighted mod 10 check digit.',
  sets: ['pii-apac', 'health'],
  checksum: true,
  base: ['low'],
  pattern: bounded('[2-6]\\d{3}( ?)\\d{5}\\1\\d(?:[ /-]?[1-9])?'),
  validate: (m) => (medicareValid(digitsOf(m[0])) ? 'low' : undefined),
  keywords: ['medicare', 'medicare card', 'medicare number', 'irn'],
  window: 100,
  example: '2123 45670 1',
  spec: 'Services Australia: Medicare card number check digit (weights 1,3,7,9,1,3,7,9 mod 10)',
});

export const AU_IDENTIFIERS = [auAbn, auAcn, auTfn, auMedicare];
