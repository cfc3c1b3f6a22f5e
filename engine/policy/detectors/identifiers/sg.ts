// Singapore: NRIC/FIN and UEN.
import { regexIdentifier, word } from './identifier.js';

// NRIC/FIN: ICA's check-letter scheme (as published with the NRIC/FIN format, and used by MOM and
// Singpass validators): weights 2,7,6,5,4,3,2; offset T/G +4, M +3; remainder mod 11 indexes a
// table per series (S/T, F/G, M).
const WEIGHTS = [2, 7, 6, 5, 4, 3, 2];

export function nricCheck(prefix: string, digits: string): string | undefined {
  let sum = prefix === 'T' || prefix === 'G' ? 4 : prefix === 'M' ? 3 : 0;
  for (let i = 0; i < 7; i++) sum += (digits.charCodeAt(i) - 48) * (WEIGHTS[i] ?? 0);
  const r = sum % 11;
  if (prefix === 'S' || prefix === 'T') return 'JZIHGFEDCBA'[r];
  if (prefix === 'F' || prefix === 'G') return 'XWUTRQPNMLK'[r];
  if (prefix === 'M') return 'KLJNPQRTUWX'[10 - r];
  return undefined;
}

export const sgNric = regexIdentifier({
  name: 'sg-nric-fin',
  description: 'Singapore NRIC or FIN: S/T/F/G/M, 7 digits, check letter.',
  sets: ['pii-apac'],
  checksum: true,
  base: ['medium'],
  pattern: word('([STFGM])(\\d{7})([A-Z])'),
  validate: (m) => (nricCheck(m[1] ?? '', m[2] ?? '') === m[3] ? 'medium' : undefined),
  keywords: ['nric', 'fin', 'identity card', 'ic number', 'ic no', 'foreign identification number', 'singpass'],
  example: 'S1234567D',
  spec: 'ICA NRIC/FIN check letter (weights 2,7,6,5,4,3,2; series offsets and tables)',
});

// UEN: ACRA / uen.gov.sg "About UEN": business (ROB) 8 digits + letter; local company (ROC) year +
// 5 digits + letter; others T/S/R + year + entity type + 4 digits + check character. Weighted mod 11.
const ENTITY_TYPES = new Set(
  'LP LL FC PF RF MQ MM NB CC CS MB FM GS DP CP NR CM CD MD HS VH CH MH CL XL CX HC RP TU TC FB FN PA PB SS MC SM GA GB'.split(' '),
);
const C_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWX0123456789';

function weighted(s: string, weights: readonly number[], value: (c: string) => number): number {
  let sum = 0;
  for (let i = 0; i < weights.length; i++) sum += value(s[i] ?? '') * (weights[i] ?? 0);
  return sum;
}

export function uenValid(u: string): boolean {
  const check = u[u.length - 1];
  if (u.length === 9) return 'XMKECAWLJDB'[weighted(u, [10, 4, 9, 3, 8, 2, 7, 1], Number) % 11] === check;
  if (u.length !== 10) return false;
  if (/^\d/.test(u)) {
    const year = Number(u.slice(0, 4));
    if (year < 1800 || year > new Date().getUTCFullYear()) return false;
    return 'ZKCMDNERGWH'[weighted(u, [10, 8, 6, 4, 9, 7, 5, 3, 1], Number) % 11] === check;
  }
  if (!'TSR'.includes(u[0] ?? '') || !ENTITY_TYPES.has(u.slice(3, 5))) return false;
  const sum = weighted(u, [4, 3, 5, 3, 10, 2, 2, 5, 7], (c) => C_ALPHABET.indexOf(c));
  return C_ALPHABET[(((sum - 5) % 11) + 11) % 11] === check;
}

export const sgUen = regexIdentifier({
  name: 'sg-uen',
  description: 'Singapore Unique Entity Number (business, local company or other entity), weighted mod 11 check character.',
  sets: ['pii-apac', 'financial'],
  checksum: true,
  base: ['low'],
  pattern: word('\\d{8,9}[A-Z]|[TSR]\\d{2}[A-Z]{2}\\d{4}[A-Z]'),
  validate: (m) => (uenValid(m[0]) ? 'low' : undefined),
  keywords: ['uen', 'unique entity number', 'acra', 'business registration', 'registration no'],
  window: 100,
  example: '53312345C',
  spec: 'ACRA, uen.gov.sg "About UEN" (formats and entity types); weighted mod 11 check characters',
});

export const SG_IDENTIFIERS = [sgNric, sgUen];
