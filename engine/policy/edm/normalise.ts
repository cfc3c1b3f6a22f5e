// The one normalisation both sides use: `edm index` on each CSV value, inspection on each message text.
// Rules (docs/edm.md): Unicode NFKC, lower case (JavaScript's toLowerCase, i.e. simple case mapping),
// typographic apostrophes as ', then words; a value that looks like an identifier (digits in groups,
// e.g. IBAN, card, phone, account) loses its separators, every other value is its words joined by one
// space (so case, whitespace and punctuation between words never matter).

/** Words in a multi-word value (a name, an address line); longer values are not indexed. */
export const MAX_WORDS = 4;
/** Groups of an identifier written with separators ("DE89 3704 0044 0532 0130 00" has 6; an IBAN at most 9). */
export const MAX_ID_GROUPS = 9;
/** Longest identifier kept (compact form). */
export const MAX_ID_CHARS = 64;
/** Shorter values (after normalisation) are not indexed: they would match everywhere. */
export const MIN_VALUE_CHARS = 2;

// Character classes, one byte per UTF-16 code unit (ASCII filled at load, the rest on first sight).
const WORD = 1; // \p{L}\p{N}\p{M}, and surrogates: astral letters and ideographs stay inside words
const DIGIT = 2;
const ID_CHAR = 4; // a-z 0-9
/** Kept inside a word when a word character follows: e-mail addresses, o'brien, smith-jones, 4111-1111. */
const JOINER = 8; // @ . _ ' + -
const ID_JOINER = 16; // . -
/** Between the groups of an identifier: blanks, parentheses, slash, plus ("+1 (555) 010-0199", "12/05/2024"). */
const ID_GAP = 32; // space tab ( ) / +
const AT = 64; // @
const KNOWN = 128;
const classes = new Uint8Array(65536);
const WORD_RE = /^[\p{L}\p{N}\p{M}]$/u;
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let k = KNOWN;
  if (/[0-9]/.test(ch)) k |= WORD | DIGIT | ID_CHAR;
  else if (/[a-z]/.test(ch)) k |= WORD | ID_CHAR;
  else if (/[A-Z]/.test(ch)) k |= WORD;
  if ("@._'+-".includes(ch)) k |= JOINER;
  if (ch === '@') k |= AT;
  if ('.-'.includes(ch)) k |= ID_JOINER;
  if (' \t()/+'.includes(ch)) k |= ID_GAP;
  classes[c] = k;
}

function classOf(c: number): number {
  let k = classes[c] ?? 0;
  if (k === 0) {
    k = KNOWN | ((c >= 0xd800 && c <= 0xdfff) || WORD_RE.test(String.fromCharCode(c)) ? WORD : 0);
    classes[c] = k;
  }
  return k;
}

/** Per-token flags in TokenSpans. */
export const T_DIGIT = 1;
export const T_ID_WORD = 2;
export const T_ID_GAP = 4;
/** Has a word character that is not a digit (a letter, mark, ideograph). */
export const T_ALPHA = 8;
/** Has an @ inside (e-mail addresses). */
export const T_AT = 16;
/** The flags that describe a word's shape (word-shape.ts), not its position. */
export const T_SHAPE = T_DIGIT | T_ID_WORD | T_ALPHA | T_AT;

/**
 * Words of a text as spans (no strings): what inspection hashes in place. Reused between calls. `key`
 * is an unkeyed 32-bit hash (FNV-1a) of each word's characters, computed in the same pass: it only
 * finds repeats of a word inside one text (lookup.ts hashes each distinct word once), never leaves it.
 * `digits` lists the tokens with a digit (T_DIGIT) in order: identifier runs start at one, so a text
 * without digits costs the identifier pass nothing.
 */
export class TokenSpans {
  count = 0;
  digitCount = 0;
  start = new Int32Array(64);
  end = new Int32Array(64);
  flags = new Uint8Array(64);
  key = new Int32Array(64);
  digits = new Int32Array(64);
  /** The text as bytes after an ASCII scan (valid until the next scan into any TokenSpans), else undefined. */
  bytes: Uint8Array | undefined = undefined;

  reset(capacity: number): void {
    this.count = 0;
    this.digitCount = 0;
    this.bytes = undefined;
    if (this.start.length >= capacity) return;
    capacity = Math.max(capacity, this.start.length * 2);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.key = new Int32Array(capacity);
    this.digits = new Int32Array(capacity);
  }
}

let asciiBytes = new Uint8Array(0);

/**
 * Scans a normalised text (see normaliseText) into `out`: one pass over the char codes. With `ascii`
 * (the caller knows every char code is below 128) the same scan runs over a byte copy of the text with
 * a 0 after it, which spares a bound check per character (normalise.test.ts compares both).
 */
export function scanTokens(s: string, out: TokenSpans, ascii = false): void {
  if (ascii) {
    scanAscii(s, out);
    return;
  }
  const n = s.length;
  out.reset((n >> 1) + 2);
  const { start: starts, end: ends, flags, key, digits } = out;
  let count = 0;
  let digitCount = 0;
  // the characters since the previous word are all ID_GAP (no previous word: not a gap)
  let gap = false;
  let i = 0;
  while (i < n) {
    const c0 = s.charCodeAt(i);
    const k0 = c0 < 128 ? (classes[c0] ?? 0) : classOf(c0);
    if ((k0 & WORD) === 0) {
      if ((k0 & ID_GAP) === 0) gap = false;
      i++;
      continue;
    }
    const start = i;
    let f = T_ID_WORD;
    let h = 0x811c9dc5 | 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      const k = c < 128 ? (classes[c] ?? 0) : classOf(c);
      if ((k & WORD) !== 0) {
        f |= (k & DIGIT) !== 0 ? T_DIGIT : T_ALPHA;
        if ((k & ID_CHAR) === 0) f &= ~T_ID_WORD;
      } else if ((k & JOINER) !== 0 && i + 1 < n && (classOf(s.charCodeAt(i + 1)) & WORD) !== 0) {
        if ((k & ID_JOINER) === 0) f &= ~T_ID_WORD;
        if ((k & AT) !== 0) f |= T_AT;
      } else break;
      h = Math.imul(h ^ c, 0x01000193);
      i++;
    }
    if (gap) f |= T_ID_GAP;
    if ((f & T_DIGIT) !== 0) digits[digitCount++] = count;
    starts[count] = start;
    ends[count] = i;
    flags[count] = f;
    key[count] = h;
    count++;
    gap = true;
  }
  out.count = count;
  out.digitCount = digitCount;
}

// One byte per ASCII char code for the byte scan, so a character costs one table read: the T_ flags a
// word character (or a joiner inside a word) adds (T_DIGIT, T_ALPHA, T_AT), B_NOT_ID when it makes the
// word no identifier group (not a-z 0-9 . -), B_WORD, B_JOINER, and B_GAP for a non-word ID_GAP.
const B_NOT_ID = 2;
const B_GAP = 4;
const B_WORD = 32;
const B_JOINER = 64;
const B_ADDS = T_DIGIT | T_ALPHA | T_AT;
const byteClasses = new Uint8Array(256);
for (let c = 0; c < 128; c++) {
  const k = classes[c] ?? 0;
  let m = 0;
  if ((k & WORD) !== 0) m = B_WORD | ((k & DIGIT) !== 0 ? T_DIGIT : T_ALPHA) | ((k & ID_CHAR) === 0 ? B_NOT_ID : 0);
  else {
    if ((k & JOINER) !== 0) m |= B_JOINER | ((k & AT) !== 0 ? T_AT : 0) | ((k & ID_JOINER) === 0 ? B_NOT_ID : 0);
    if ((k & ID_GAP) !== 0) m |= B_GAP;
  }
  byteClasses[c] = m;
}

function scanAscii(s: string, out: TokenSpans): void {
  const n = s.length;
  if (asciiBytes.length < n + 1) asciiBytes = new Uint8Array(Math.max(n + 1, asciiBytes.length * 2));
  const b = asciiBytes;
  Buffer.from(b.buffer, b.byteOffset, n).write(s, 0, n, 'latin1');
  // the sentinel: no class, so every word ends at n and a joiner at n - 1 joins nothing
  b[n] = 0;
  out.reset((n >> 1) + 2);
  out.bytes = b;
  const { start: starts, end: ends, flags, key, digits } = out;
  const table = byteClasses;
  let count = 0;
  let digitCount = 0;
  let gap = false;
  let i = 0;
  while (i < n) {
    let c = b[i] ?? 0;
    let m = table[c] ?? 0;
    if ((m & B_WORD) === 0) {
      if ((m & B_GAP) === 0) gap = false;
      i++;
      continue;
    }
    const start = i;
    // the flags of a word are its characters' bytes ORed (no branch on the class inside a word)
    let seen = 0;
    let h = 0x811c9dc5 | 0;
    for (;;) {
      if ((m & B_WORD) === 0 && ((m & B_JOINER) === 0 || ((table[b[i + 1] ?? 0] ?? 0) & B_WORD) === 0)) break;
      seen |= m;
      h = Math.imul(h ^ c, 0x01000193);
      c = b[++i] ?? 0;
      m = table[c] ?? 0;
    }
    const f = (seen & B_ADDS) | ((seen & B_NOT_ID) === 0 ? T_ID_WORD : 0) | (gap ? T_ID_GAP : 0);
    if ((f & T_DIGIT) !== 0) digits[digitCount++] = count;
    starts[count] = start;
    ends[count] = i;
    flags[count] = f;
    key[count] = h;
    count++;
    gap = true;
  }
  out.count = count;
  out.digitCount = digitCount;
}

/** No char code of the text is above 127 (NFKC is then the identity, and the scan can run over bytes). */
export function isAsciiText(text: string): boolean {
  // every char code above 127 takes two or more UTF-8 bytes (a lone surrogate three): one native count
  return Buffer.byteLength(text, 'utf8') === text.length;
}

/** NFKC (skipped for ASCII, where it is the identity), lower case, ’ as '. */
export function normaliseText(text: string, ascii: boolean = isAsciiText(text)): string {
  const lower = (ascii ? text : text.normalize('NFKC')).toLowerCase();
  return ascii ? lower : lower.replace(/[\u2018\u2019\u02bc]/g, "'");
}

export interface Tokens {
  readonly words: string[];
  /** Per word: the characters since the previous word are all ID_GAP (false for the first word). */
  readonly idGap: boolean[];
  /** Per word: it has a digit. */
  readonly digit: boolean[];
  /** Per word: only a-z, 0-9, '.' and '-' (an identifier group). */
  readonly idWord: boolean[];
}

const valueSpans = new TokenSpans();

/** Words of a normalised text as strings (values at build time; the same scan as inspection). */
export function tokenize(s: string): Tokens {
  scanTokens(s, valueSpans);
  const spans = valueSpans;
  const out: Tokens = { words: [], idGap: [], digit: [], idWord: [] };
  for (let t = 0; t < spans.count; t++) {
    const f = spans.flags[t] ?? 0;
    out.words.push(s.slice(spans.start[t], spans.end[t]));
    out.digit.push((f & T_DIGIT) !== 0);
    out.idWord.push((f & T_ID_WORD) !== 0);
    out.idGap.push((f & T_ID_GAP) !== 0);
  }
  return out;
}

/** Identifier groups are joined without their separators. */
export function compactId(words: readonly string[], from: number, to: number): string {
  let out = '';
  for (let j = from; j <= to; j++) out += (words[j] ?? '').replace(/[.-]/g, '');
  return out;
}

/** A word that can sit inside an identifier run: has a digit, or is a short letter group ("GB82 WEST 1234"). */
export function idRunWord(t: Tokens, j: number): boolean {
  return t.idWord[j] === true && (t.digit[j] === true || (t.words[j] ?? '').length <= 4);
}

/** Flags (T_SHAPE) of a normalised value that is one word, as the scan of a message would see it; undefined for several words. */
export function singleWordShape(value: string): number | undefined {
  scanTokens(value, valueSpans);
  if (valueSpans.count !== 1 || valueSpans.start[0] !== 0 || valueSpans.end[0] !== value.length) return undefined;
  return (valueSpans.flags[0] ?? 0) & T_SHAPE;
}

export type NormalisedValue =
  | { readonly kind: 'id'; readonly value: string }
  | { readonly kind: 'words'; readonly value: string; readonly words: number; readonly first: string }
  | { readonly kind: 'skip'; readonly reason: 'empty' | 'short' | 'long' };

/** One CSV value → what is hashed. Identifier-like: digits at both ends, groups joined by ID_GAP only. */
export function normaliseValue(raw: string): NormalisedValue {
  const t = tokenize(normaliseText(raw));
  const n = t.words.length;
  if (n === 0) return { kind: 'skip', reason: 'empty' };
  if (isIdentifier(t)) {
    const value = compactId(t.words, 0, n - 1);
    if (value.length < MIN_VALUE_CHARS) return { kind: 'skip', reason: 'short' };
    return value.length > MAX_ID_CHARS ? { kind: 'skip', reason: 'long' } : { kind: 'id', value };
  }
  if (n > MAX_WORDS) return { kind: 'skip', reason: 'long' };
  const value = t.words.join(' ');
  if (value.length < MIN_VALUE_CHARS) return { kind: 'skip', reason: 'short' };
  return { kind: 'words', value, words: n, first: t.words[0] ?? '' };
}

function isIdentifier(t: Tokens): boolean {
  const n = t.words.length;
  if (n > MAX_ID_GROUPS || t.digit[0] !== true || t.digit[n - 1] !== true) return false;
  for (let j = 0; j < n; j++) {
    if (!idRunWord(t, j)) return false;
    if (j > 0 && t.idGap[j] !== true) return false;
  }
  return true;
}
