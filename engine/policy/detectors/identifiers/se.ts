// Sweden: personnummer and samordningsnummer. Skatteverket SKV 704: YYMMDD-NNNC ('+' from the year
// someone turns 100), day + 60 for coordination numbers, C = Luhn over the ten digits.
import { luhn, validDate } from './checksums.js';
import { bounded, regexIdentifier } from './identifier.js';

export function personnummerValid(ten: string, fullYear: number | undefined): boolean {
  if (ten.length !== 10) return false;
  let day = Number(ten.slice(4, 6));
  if (day > 60) day -= 60;
  // without the century, any century fits; a leap day is checked against a leap year
  const year = fullYear ?? 2000 + Number(ten.slice(0, 2));
  return validDate(year, Number(ten.slice(2, 4)), day) && luhn(ten);
}

export const sePersonnummer = regexIdentifier({
  name: 'se-personnummer',
  description: 'Swedish personnummer or samordningsnummer: (YY)YYMMDD-NNNC, Luhn check digit.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('(19|20)?(\\d{6})([-+]?)(\\d{4})'),
  validate: (m) => {
    const ten = (m[2] ?? '') + (m[4] ?? '');
    const fullYear = m[1] === undefined ? undefined : Number(m[1] + ten.slice(0, 2));
    if (!personnummerValid(ten, fullYear)) return undefined;
    return m[3] === '' ? 'low' : 'medium';
  },
  keywords: ['personnummer', 'personnr', 'samordningsnummer', 'pnr', 'personal identity number'],
  example: '811228-9874',
  spec: 'Skatteverket SKV 704 (personnummer, Luhn check digit); SKV 707 (samordningsnummer)',
});

export const SE_IDENTIFIERS = [sePersonnummer];
