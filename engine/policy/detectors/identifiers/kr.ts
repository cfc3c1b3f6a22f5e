// South Korea: resident registration number. Resident Registration Act (주민등록법) enforcement rules:
// YYMMDD-GNNNNNC, G encodes sex and century (1-2 1900s, 3-4 2000s, 5-8 foreigners, 9-0 1800s);
// C = (11 - Σ d×[2..9,2..5] mod 11) mod 10. Numbers issued from October 2020 have random trailing
// digits and no check digit, so a number that only has a valid date is kept at low.
import { validDate, weightedSum } from './checksums.js';
import { bounded, regexIdentifier } from './identifier.js';

// index: the sex/century digit (1-4 citizens, 5-8 registered foreigners)
const CENTURY = [0, 1900, 1900, 2000, 2000, 1900, 1900, 2000, 2000];

export function rrnChecksum(d: string): boolean {
  return (11 - (weightedSum(d, [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]) % 11)) % 10 === d.charCodeAt(12) - 48;
}

export const krRrn = regexIdentifier({
  name: 'kr-rrn',
  description: 'South Korean resident registration number YYMMDD-GNNNNNC: birth date, sex/century digit, mod 11 check digit (pre-2020).',
  sets: ['pii-apac'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('(\\d{6})(-?)([1-8]\\d{6})'),
  validate: (m) => {
    const d = (m[1] ?? '') + (m[3] ?? '');
    const century = CENTURY[d.charCodeAt(6) - 48] ?? 1900;
    if (!validDate(century + Number(d.slice(0, 2)), Number(d.slice(2, 4)), Number(d.slice(4, 6)))) return undefined;
    if (rrnChecksum(d)) return m[2] === '' ? 'low' : 'medium';
    // post-2020 numbers: a dashed, date-valid number with sex digit 1-8 is still an RRN, but weak
    return m[2] === '-' ? 'low' : undefined;
  },
  // a keyword only confirms a checksum-valid number; a post-2020 number stays low (nothing was checked)
  withKeyword: (base) => (base === 'low' ? 'low' : 'high'),
  keywords: ['rrn', 'resident registration', '주민등록번호', '주민번호', 'jumin', 'registration number'],
  example: '900101-1234568',
  spec: 'Resident Registration Act (주민등록법) enforcement rules: RRN structure and check digit (until October 2020)',
});

export const KR_IDENTIFIERS = [krRrn];
