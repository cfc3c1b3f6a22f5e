// Payment card numbers: 13-19 digits with optional single spaces or dashes, known issuer, Luhn-valid. A
// dash is any a reader takes for one between groups: '-', hyphen, non-breaking hyphen, figure, en and em
// dash (U+2010-U+2014, windows-1252 0x96/0x97) and the minus sign (U+2212).
import { HitCollector, redact, type Hits } from './hits.js';

// Inside a run: bounded repetition with digit guards on both sides, so a longer digit run is not a card.
const CANDIDATE = /(?<![\d])\d(?:[ \u00a0\u2010-\u2014\u2212-]?\d){12,18}(?![\d])/g;
const SEPARATORS = /[ \u00a0\u2010-\u2014\u2212-]/g;

interface Brand {
  readonly name: string;
  readonly lengths: readonly number[];
  readonly prefix: (d: string) => boolean;
}

const range = (d: string, len: number, lo: number, hi: number): boolean => {
  const p = Number(d.slice(0, len));
  return p >= lo && p <= hi;
};

export const BRANDS: readonly Brand[] = [
  { name: 'visa', lengths: [13, 16, 19], prefix: (d) => d.startsWith('4') },
  { name: 'mastercard', lengths: [16], prefix: (d) => range(d, 2, 51, 55) || range(d, 4, 2221, 2720) },
  { name: 'amex', lengths: [15], prefix: (d) => d.startsWith('34') || d.startsWith('37') },
  {
    name: 'discover',
    lengths: [16, 17, 18, 19],
    prefix: (d) => d.startsWith('6011') || d.startsWith('65') || range(d, 3, 644, 649) || range(d, 6, 622126, 622925),
  },
  { name: 'jcb', lengths: [16, 17, 18, 19], prefix: (d) => range(d, 4, 3528, 3589) },
  {
    name: 'diners',
    lengths: [14, 15, 16, 17, 18, 19],
    prefix: (d) => range(d, 3, 300, 305) || d.startsWith('3095') || d.startsWith('36') || d.startsWith('38') || d.startsWith('39'),
  },
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(digits: string): string | undefined {
  return BRANDS.find((b) => b.lengths.includes(digits.length) && b.prefix(digits))?.name;
}

export function isCardNumber(digits: string): boolean {
  return cardBrand(digits) !== undefined && luhnValid(digits);
}

export function scanCreditCards(text: string): Hits {
  const hits = new HitCollector();
  for (const run of digitRuns(text)) {
    for (const m of run.matchAll(CANDIDATE)) {
      const digits = m[0].replace(SEPARATORS, '');
      if (isCardNumber(digits)) hits.add(redact(digits, 4, 4));
    }
  }
  return hits.done();
}

const MIN_CARD_DIGITS = 13;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** Digits, space, no-break space and the dashes: what a written card number is made of. */
const inSpan = (c: number): boolean => (c >= 48 && c <= 57) || c === 32 || c === 0xa0 || c === 45 || (c >= 0x2010 && c <= 0x2014) || c === 0x2212;

/**
 * Maximal runs of digits, spaces, no-break spaces and dashes, trimmed to digits, holding 13+ digits. A run
 * that long is at least 13 characters, so probing every 13th character lands in each; a hit is widened
 * to its whole run. (Before: the regex /(?<![\d \u00a0-])[\d \u00a0-]{13,}/g, which stopped at every
 * space of prose; and before that /\d[\d \u00a0-]{11,}\d/g, retried at every digit.)
 */
export function* digitRuns(text: string): Generator<string> {
  const n = text.length;
  for (let i = MIN_CARD_DIGITS - 1; i < n; i += MIN_CARD_DIGITS) {
    if (!inSpan(text.charCodeAt(i))) continue;
    let b = i + 1;
    while (b < n && inSpan(text.charCodeAt(b))) b++;
    let a = i;
    while (a > 0 && inSpan(text.charCodeAt(a - 1))) a--;
    // text[b] is outside: the next run starts after it, so its 13th character is at b + 13 or later
    i = b;
    if (b - a < MIN_CARD_DIGITS) continue;
    while (a < b && !isDigit(text.charCodeAt(a))) a++;
    while (b > a && !isDigit(text.charCodeAt(b - 1))) b--;
    let digits = 0;
    for (let k = a; k < b; k++) if (isDigit(text.charCodeAt(k))) digits++;
    if (digits >= MIN_CARD_DIGITS) yield text.slice(a, b);
  }
}
