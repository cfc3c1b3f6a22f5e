// Finland: henkilötunnus (HETU). Väestötietolaki / DVV: DDMMYY, century sign (+ 1800s;
// - Y X W V U 1900s; A B C D E F 2000s), individual number 002-899, check character =
// DDMMYYZZZ mod 31 indexing 0123456789ABCDEFHJKLMNPRSTUVWXY.
import { validDate } from './checksums.js';
import { regexIdentifier, word } from './identifier.js';

const CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY';

function century(sign: string): number | undefined {
  if (sign === '+') return 1800;
  if ('-YXWVU'.includes(sign)) return 1900;
  if ('ABCDEF'.includes(sign)) return 2000;
  return undefined;
}

export function hetuValid(h: string): boolean {
  const c = century(h[6] ?? '');
  if (c === undefined || !validDate(c + Number(h.slice(4, 6)), Number(h.slice(2, 4)), Number(h.slice(0, 2)))) return false;
  const individual = Number(h.slice(7, 10));
  if (individual < 2) return false;
  return CHECK[Number(h.slice(0, 6) + h.slice(7, 10)) % 31] === h[10];
}

export const fiHetu = regexIdentifier({
  name: 'fi-hetu',
  description: 'Finnish personal identity code (henkilötunnus): DDMMYY, century sign, individual number, mod 31 check character.',
  sets: ['pii-eu'],
  checksum: true,
  base: ['medium'],
  pattern: word('\\d{6}[-+A-FU-Y]\\d{3}[0-9A-FHJ-NPR-Y]'),
  validate: (m) => (hetuValid(m[0]) ? 'medium' : undefined),
  keywords: ['henkilötunnus', 'hetu', 'henkilötunnuksen', 'personbeteckning', 'personal identity code', 'sotu'],
  example: '131052-308T',
  spec: 'Digital and Population Data Services Agency (DVV): personal identity code, check character mod 31',
});

export const FI_IDENTIFIERS = [fiHetu];
