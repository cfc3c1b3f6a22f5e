// Germany: Steuerliche Identifikationsnummer and Umsatzsteuer-Identifikationsnummer.
import { iso7064Mod11_10 } from './checksums.js';
import { bounded, regexIdentifier, word } from './identifier.js';

// Steuer-IdNr: § 139b AO and BZSt's published structure: 11 digits, first not 0; among the first ten,
// exactly one digit repeats (twice, or three times not all adjacent) and the rest occur at most once;
// check digit ISO 7064 MOD 11,10.
export function steuerIdValid(d: string): boolean {
  if (d.length !== 11 || d[0] === '0') return false;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < 10; i++) counts[d.charCodeAt(i) - 48]!++;
  const repeated = counts.filter((c) => c > 1);
  if (repeated.length !== 1 || (repeated[0] ?? 0) > 3) return false;
  if (repeated[0] === 3 && /(\d)\1\1/.test(d.slice(0, 10))) return false;
  return iso7064Mod11_10(d.slice(0, 10)) === d.charCodeAt(10) - 48;
}

export const deTaxId = regexIdentifier({
  name: 'de-tax-id',
  description: 'German tax identification number (Steuer-IdNr): 11 digits, one repeated digit, ISO 7064 MOD 11,10 check digit.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['low'],
  pattern: bounded('\\d{2} ?\\d{3} ?\\d{3} ?\\d{3}'),
  validate: (m) => (steuerIdValid(m[0].replace(/ /g, '')) ? 'low' : undefined),
  keywords: ['steuer-id', 'steuerid', 'steuer-idnr', 'steueridentifikationsnummer', 'identifikationsnummer', 'idnr', 'tax id', 'steuernummer'],
  example: '86095742719',
  spec: '§ 139b Abgabenordnung; ISO 7064 MOD 11,10 (Steuer-IdNr check digit, BZSt)',
});

// USt-IdNr: § 27a UStG; DE + 9 digits, the last an ISO 7064 MOD 11,10 check digit over the first eight.
export const deVat = regexIdentifier({
  name: 'de-vat',
  description: 'German VAT identification number (USt-IdNr): DE and 9 digits, ISO 7064 MOD 11,10 check digit.',
  sets: ['pii-eu', 'financial'],
  checksum: true,
  base: ['medium'],
  pattern: word('DE ?(\\d{9})'),
  validate: (m) => {
    const d = m[1] ?? '';
    return d[0] !== '0' && iso7064Mod11_10(d.slice(0, 8)) === d.charCodeAt(8) - 48 ? 'medium' : undefined;
  },
  keywords: ['ust-idnr', 'ust-id', 'umsatzsteuer', 'vat', 'mwst', 'vat id', 'vat number'],
  example: 'DE136695976',
  spec: '§ 27a UStG; ISO 7064 MOD 11,10 (USt-IdNr check digit, BZSt)',
});

export const DE_IDENTIFIERS = [deTaxId, deVat];
