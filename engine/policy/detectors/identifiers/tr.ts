// Turkey: T.C. Kimlik No. Nüfus ve Vatandaşlık İşleri (MERNİS): 11 digits, first not 0;
// d10 = (7 × Σ odd-position digits − Σ even-position digits) mod 10; d11 = Σ d1..d10 mod 10.
import { bounded, regexIdentifier } from './identifier.js';

export function tcknValid(d: string): boolean {
  if (d.length !== 11 || d[0] === '0') return false;
  const n = (i: number): number => d.charCodeAt(i) - 48;
  const odd = n(0) + n(2) + n(4) + n(6) + n(8);
  const even = n(1) + n(3) + n(5) + n(7);
  if ((((7 * odd - even) % 10) + 10) % 10 !== n(9)) return false;
  return (odd + even + n(9)) % 10 === n(10);
}

export const trTckn = regexIdentifier({
  name: 'tr-tckn',
  description: 'Turkish national identification number (T.C. Kimlik No): 11 digits, two check digits.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['medium'],
  pattern: bounded('\\d{11}'),
  validate: (m) => (tcknValid(m[0]) ? 'medium' : undefined),
  keywords: ['tc kimlik', 't.c. kimlik', 'kimlik no', 'tckn', 'tc no', 'vatandaşlık', 'turkish id', 'national id'],
  example: '10000000146',
  spec: 'NVİ / MERNİS: T.C. Kimlik No check digits d10, d11',
});

export const TR_IDENTIFIERS = [trTckn];
