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
/** Bloom-filter domain tag of "first word of a multi-word value". */
export const PREFIX_TAG = '\u0001';

/** Characters kept inside a word when a word character follows: e-mail addresses, o'brien, smith-jones, 4111-1111. */
const JOINERS = new Set(['@', '.', '_', "'", '+', '-']);
/** Between the groups of an identifier: blanks, parentheses, slash, plus ("+1 (555) 010-0199", "12/05/2024"). */
const ID_GAP = new Set([' ', '\t', '(', ')', '/', '+']);

// 0 unknown, 1 word character, 2 not: \p{L}\p{N}\p{M} tested once per code unit.
const wordTable = new Uint8Array(65536);
const WORD_RE = /^[\p{L}\p{N}\p{M}]$/u;

function isWordCode(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
  let t = wordTable[c];
  if (t === 0) {
    // surrogates: astral letters and ideographs stay inside words
    t = (c >= 0xd800 && c <= 0xdfff) || WORD_RE.test(String.fromCharCode(c)) ? 1 : 2;
    wordTable[c] = t;
  }
  return t === 1;
}

/** NFKC (skipped for ASCII, where it is the identity), lower case, ’ as '. */
export function normaliseText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const ascii = !/[^\u0000-\u007f]/.test(text);
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

/** Words of a normalised text (see normaliseText). */
export function tokenize(s: string): Tokens {
  const out: Tokens = { words: [], idGap: [], digit: [], idWord: [] };
  const n = s.length;
  let prevEnd = -1;
  let i = 0;
  while (i < n) {
    if (!isWordCode(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    let digit = false;
    let id = true;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isWordCode(c)) {
        if (c >= 48 && c <= 57) digit = true;
        else if (!(c >= 97 && c <= 122)) id = false;
        i++;
      } else if (JOINERS.has(s[i] ?? '') && i + 1 < n && isWordCode(s.charCodeAt(i + 1))) {
        if (c !== 46 && c !== 45) id = false;
        i++;
      } else break;
    }
    out.words.push(s.slice(start, i));
    out.digit.push(digit);
    out.idWord.push(id);
    out.idGap.push(prevEnd >= 0 && gapIsId(s, prevEnd, start));
    prevEnd = i;
  }
  return out;
}

function gapIsId(s: string, from: number, to: number): boolean {
  for (let j = from; j < to; j++) if (!ID_GAP.has(s[j] ?? '')) return false;
  return true;
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
