// Italy: codice fiscale and partita IVA.
import { luhn } from './checksums.js';
import { bounded, regexIdentifier, word } from './identifier.js';

// Codice fiscale: Decreto Ministeriale 23 dicembre 1976 (allegato): check character = (Σ odd-position
// values from table + Σ even-position values) mod 26. Omocodia (DM 1976, art. 6) swaps digits for
// LMNPQRSTUV, which the character classes allow.
const ODD = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
const value = (c: number): number => (c <= 57 ? c - 48 : c - 65);

export function fiscalCodeValid(cf: string): boolean {
  if (cf.length !== 16) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const v = value(cf.charCodeAt(i));
    sum += i % 2 === 0 ? (ODD[v] ?? 0) : v;
  }
  return String.fromCharCode(65 + (sum % 26)) === cf[15];
}

const D = '[0-9LMNPQRSTUV]';

export const itFiscalCode = regexIdentifier({
  name: 'it-fiscal-code',
  description: 'Italian codice fiscale: 16 characters (surname, name, birth date, municipality) and a check letter.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['medium'],
  pattern: word(`[A-Z]{6}${D}{2}[ABCDEHLMPRST]${D}{2}[A-Z]${D}{3}[A-Z]`, 'gi'),
  validate: (m) => (fiscalCodeValid(m[0].toUpperCase()) ? 'medium' : undefined),
  keywords: ['codice fiscale', 'cf', 'c.f.', 'fiscal code', 'tessera sanitaria'],
  example: 'RSSMRA85T10A562S',
  spec: 'DM 23/12/1976 (codice fiscale, check character tables; omocodia)',
});

// Partita IVA: DPR 633/1972 art. 35 and DM 23/12/1976: 7-digit holder, 3-digit office (001-100,
// 120, 121, 888, 999), check digit computed exactly as Luhn.
function ivaValid(d: string): boolean {
  const office = Number(d.slice(7, 10));
  const officeOk = (office >= 1 && office <= 100) || office === 120 || office === 121 || office === 888 || office === 999;
  return officeOk && luhn(d);
}

export const itVat = regexIdentifier({
  name: 'it-vat',
  description: 'Italian partita IVA: 11 digits (optional IT prefix), office code, Luhn-style check digit.',
  sets: ['pii-eu', 'financial'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('(IT ?)?(\\d{11})'),
  validate: (m) => (ivaValid(m[2] ?? '') ? (m[1] === undefined ? 'low' : 'medium') : undefined),
  keywords: ['partita iva', 'p.iva', 'p. iva', 'piva', 'vat', 'iva', 'codice iva'],
  example: 'IT00743110157',
  spec: 'DPR 633/1972 art. 35; DM 23/12/1976 (partita IVA check digit, Luhn)',
});

export const IT_IDENTIFIERS = [itFiscalCode, itVat];
