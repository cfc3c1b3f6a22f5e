// Poland: PESEL. Ustawa o ewidencji ludności (2010), art. 15: YYMMDDZZZXQ, the month carries the
// century (+80 1800s, +0 1900s, +20 2000s, +40 2100s, +60 2200s), check = (10 - Σ d×[1,3,7,9,…] mod 10) mod 10.
import { validDate, weightedSum } from './checksums.js';
import { bounded, regexIdentifier } from './identifier.js';

const CENTURY: Readonly<Record<number, number>> = { 0: 1900, 1: 2000, 2: 2100, 3: 2200, 4: 1800 };

export function peselValid(d: string): boolean {
  if (d.length !== 11) return false;
  const mm = Number(d.slice(2, 4));
  const century = CENTURY[Math.floor(mm / 20)];
  if (century === undefined || !validDate(century + Number(d.slice(0, 2)), mm % 20, Number(d.slice(4, 6)))) return false;
  return (10 - (weightedSum(d, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10)) % 10 === d.charCodeAt(10) - 48;
}

export const plPesel = regexIdentifier({
  name: 'pl-pesel',
  description: 'Polish PESEL: 11 digits with the birth date and a weighted mod 10 check digit.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['low'],
  pattern: bounded('\\d{11}'),
  validate: (m) => (peselValid(m[0]) ? 'low' : undefined),
  keywords: ['pesel', 'numer pesel', 'nr pesel', 'powszechny elektroniczny system ewidencji ludności'],
  example: '44051401359',
  spec: 'Ustawa z dnia 24 września 2010 r. o ewidencji ludności, art. 15 (PESEL structure and check digit)',
});

export const PL_IDENTIFIERS = [plPesel];
