// Payment card numbers: 13-19 digits with optional single spaces or dashes, known issuer, Luhn-valid. A
// dash is any a reader takes for one between groups: '-', hyphen, non-breaking hyphen, figure, en and em
// dash (U+2010-U+2014, windows-1252 0x96/0x97) and the minus sign (U+2212).
import { HitCollector, redact, type Hits } from './hits.js';

const SEPARATORS = /[ \u00a0\u2010-\u2014\u2212-]/g;

/** An issuer prefix: the number formed by the first `digits` digits lies in lo..hi. */
type IinRange = readonly [digits: number, lo: number, hi: number];

interface Brand {
  readonly name: string;
  readonly lengths: readonly number[];
  readonly ranges: readonly IinRange[];
  readonly prefix: (d: string) => boolean;
}

// a single value (lo = hi) has exactly `digits` digits, so Number(d.slice(0, digits)) === lo is startsWith
const brand = (name: string, lengths: readonly number[], ranges: readonly IinRange[]): Brand => ({
  name,
  lengths,
  ranges,
  prefix: (d) =>
    ranges.some(([digits, lo, hi]) => {
      const p = Number(d.slice(0, digits));
      return p >= lo && p <= hi;
    }),
});

export const BRANDS: readonly Brand[] = [
  brand('visa', [13, 16, 19], [[1, 4, 4]]),
  brand('mastercard', [16], [[2, 51, 55], [4, 2221, 2720]]),
  brand('amex', [15], [[2, 34, 34], [2, 37, 37]]),
  brand('discover', [16, 17, 18, 19], [[4, 6011, 6011], [2, 65, 65], [3, 644, 649], [6, 622126, 622925]]),
  brand('jcb', [16, 17, 18, 19], [[4, 3528, 3589]]),
  brand('diners', [14, 15, 16, 17, 18, 19], [[3, 300, 305], [4, 3095, 3095], [2, 36, 36], [2, 38, 39]]),
];

const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;
const PREFIX_DIGITS = 6;

/**
 * Per card length, every issuer range widened to the first six digits, as lo, hi pairs: a candidate's
 * issuer test is then one number read from its characters and a few comparisons.
 */
const PREFIXES_BY_LENGTH: readonly Int32Array[] = Array.from({ length: MAX_CARD_DIGITS + 1 }, (_, length) => {
  const bounds: number[] = [];
  for (const b of BRANDS) {
    if (!b.lengths.includes(length)) continue;
    for (const [digits, lo, hi] of b.ranges) {
      const scale = 10 ** (PREFIX_DIGITS - digits);
      bounds.push(lo * scale, (hi + 1) * scale - 1);
    }
  }
  return Int32Array.from(bounds);
});

export function luhnValid(digits: string): boolean {
  return luhnOf(digits, 0, digits.length);
}

/** Luhn over the digits of text[s, e), any other character skipped (a digit string: all of it). */
function luhnOf(text: string, s: number, e: number): boolean {
  let sum = 0;
  let double = false;
  for (let p = e - 1; p >= s; p--) {
    let d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) continue;
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

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSeparator = (c: number): boolean => c === 32 || c === 0xa0 || c === 45 || (c >= 0x2010 && c <= 0x2014) || c === 0x2212;
/** Digits, space, no-break space and the dashes: what a written card number is made of. */
const inSpan = (c: number): boolean => isDigit(c) || isSeparator(c);

/**
 * Every card number in the text, as the regex /(?<!\d)\d(?:[separator]?\d){12,18}(?!\d)/g over it would
 * find its candidates, without building a string for any that is not a card. A candidate lies in a chain
 * (digit groups joined by single separators) of 13+ digits, at least 13 characters long and with no two
 * non-digits in a row: probing every 13th character lands in each, on a digit or on a separator between
 * two digits.
 */
export function scanCreditCards(text: string): Hits {
  const hits = new HitCollector();
  addCards(text, hits);
  return hits.done();
}

// the loop apart from the collector's done(): a long text's loop is optimised while it runs, before that
// call has been seen, and the optimised code would be thrown away at its end, on every long text again
function addCards(text: string, hits: HitCollector): void {
  const n = text.length;
  for (let i = MIN_CARD_DIGITS - 1; i < n; i += MIN_CARD_DIGITS) {
    const c = text.charCodeAt(i);
    let a = i;
    let b = i + 1;
    let digits = 1;
    if (!isDigit(c)) {
      if (!isSeparator(c) || !isDigit(text.charCodeAt(i - 1)) || !isDigit(text.charCodeAt(i + 1))) continue;
      a = i - 1;
      b = i + 2;
      digits = 2;
    }
    // a chain of 13+ digits is 13+ characters long, so 6 or more of them lie on one side of i: one of
    // text[i - 6], text[i + 6] is in it (prose's short numbers are mostly left here without a walk)
    if (!inSpan(text.charCodeAt(i - 6)) && !inSpan(text.charCodeAt(i + 6))) continue;
    for (;;) {
      if (isDigit(text.charCodeAt(a - 1))) a--;
      else if (isSeparator(text.charCodeAt(a - 1)) && isDigit(text.charCodeAt(a - 2))) a -= 2;
      else break;
      digits++;
    }
    for (;;) {
      if (isDigit(text.charCodeAt(b))) b++;
      else if (isSeparator(text.charCodeAt(b)) && isDigit(text.charCodeAt(b + 1))) b += 2;
      else break;
      digits++;
    }
    if (digits >= MIN_CARD_DIGITS) scanChain(text, a, b, digits, hits);
    // text[b] ends the chain: the next starts after it, so its 13th character is at b + 13 or later
    i = b;
  }
}

/**
 * The regex's candidates in one chain text[a, b) of `digits` digits: from a group's start, the most digits
 * (13-19) that end a group; the next candidate starts at the next group, and where none fits, so does the
 * next attempt.
 */
function scanChain(text: string, a: number, b: number, digits: number, hits: HitCollector): void {
  let s = a;
  let left = digits;
  while (left >= MIN_CARD_DIGITS) {
    let p = s;
    let count = 0;
    let first = 0;
    let end = -1;
    let endCount = 0;
    for (;;) {
      while (p < b && isDigit(text.charCodeAt(p))) {
        p++;
        count++;
      }
      if (first === 0) first = count;
      if (count > MAX_CARD_DIGITS) break;
      if (count >= MIN_CARD_DIGITS) {
        end = p;
        endCount = count;
      }
      if (p >= b) break;
      p++;
    }
    if (end === -1) {
      s += first + 1;
      left -= first;
      continue;
    }
    if (cardAt(text, s, end, endCount)) hits.add(redact(text.slice(s, end).replace(SEPARATORS, ''), 4, 4));
    s = end + 1;
    left -= endCount;
  }
}

/** isCardNumber of the digits of text[s, e) (`length` of them), read from the characters. */
function cardAt(text: string, s: number, e: number, length: number): boolean {
  let prefix = 0;
  for (let p = s, k = 0; k < PREFIX_DIGITS; p++) {
    const c = text.charCodeAt(p);
    if (isDigit(c)) {
      prefix = prefix * 10 + c - 48;
      k++;
    }
  }
  const bounds = PREFIXES_BY_LENGTH[length];
  if (bounds === undefined) return false;
  let known = false;
  for (let k = 0; k < bounds.length && !known; k += 2) known = prefix >= (bounds[k] ?? 0) && prefix <= (bounds[k + 1] ?? -1);
  return known && luhnOf(text, s, e);
}

/**
 * Maximal runs of digits, spaces, no-break spaces and dashes, trimmed to digits, holding 13+ digits. A run
 * that long is at least 13 characters, so probing every 13th character lands in each; a hit is widened
 * to its whole run. (Before: the regex /(?<![\d \u00a0-])[\d \u00a0-]{13,}/g, which stopped at every
 * space of prose; and before that /\d[\d \u00a0-]{11,}\d/g, retried at every digit.) The card scan ran
 * its regex over these runs until session 9; it now reads the chains inside them itself.
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
