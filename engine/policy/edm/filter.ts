// Blocked Bloom filter: each key sets 3 bits of one 32-bit word (one cache line touched per test).
// 16 bits per key gives about 0.5% false positives; only those pay for an HMAC.
import { halfSipHashString, type HalfSipKey } from './half-siphash.js';

export const FILTER_BITS_PER_KEY = 16;

export function filterWordsFor(keys: number): number {
  return Math.max(1, Math.ceil((keys * FILTER_BITS_PER_KEY) / 32));
}

function mask(h: number): number {
  return ((1 << (h & 31)) | (1 << ((h >>> 5) & 31)) | (1 << ((h >>> 10) & 31))) >>> 0;
}

function word(h: number, words: number): number {
  // multiply-shift: the high bits of h choose the word, the low 15 the bits
  return Math.floor(((h >>> 0) / 4294967296) * words);
}

/**
 * Adds a key: the value's HalfSipHash tag `h` picks the word, the derived tag `sub` (columnTag or
 * prefixTag) the bits. Every question about one word of a message (each column, prefix) reads the same
 * 32-bit word: one cache miss per word of text, however many columns.
 */
export function filterAdd(filter: Uint32Array, h: number, sub: number): void {
  const w = word(h, filter.length);
  filter[w] = ((filter[w] ?? 0) | mask(sub)) >>> 0;
}

export function filterHasSub(filter: Uint32Array, h: number, sub: number): boolean {
  const m = mask(sub);
  return (((filter[word(h, filter.length)] ?? 0) & m) >>> 0) === m;
}

/** One 32-bit finaliser (MurmurHash3 fmix32): derived tags from one PRF output. */
function fmix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The filter tag of "column c holds this value". Derived from the value's HalfSipHash tag, so one PRF
 * call per word answers every column (and the prefix question below); a bijective mix of a PRF output
 * is as unpredictable as the output.
 */
export function columnTag(h: number, c: number): number {
  return fmix((h ^ Math.imul(c + 1, 0x9e3779b9)) >>> 0);
}

/** The filter tag of "a multi-word value starts with this word". */
export function prefixTag(h: number): number {
  return (fmix((h ^ 0x5bd1e995) >>> 0) ^ 0x1b873593) >>> 0;
}

/** The one filter word every question about tag h reads (a message's scan reads it once per word). */
export function filterWord(filter: Uint32Array, h: number): number {
  return filter[word(h, filter.length)] ?? 0;
}

/** Columns (bits) whose values may include the value with tag h, given its filter word w. */
export function columnsInWord(w: number, h: number, columns: number): number {
  let bits = 0;
  for (let c = 0; c < columns; c++) {
    const m = mask(columnTag(h, c));
    if (((w & m) >>> 0) === m) bits |= 1 << c;
  }
  return bits >>> 0;
}

/** Whether some multi-word value may start with the word of tag h, given its filter word w. */
export function prefixInWord(w: number, h: number): boolean {
  const m = mask(prefixTag(h));
  return ((w & m) >>> 0) === m;
}

/** Columns (bits) whose values may include the value with tag h. */
export function filterColumns(filter: Uint32Array, h: number, columns: number): number {
  return columnsInWord(filterWord(filter, h), h, columns);
}

export function filterColumnsOf(filter: Uint32Array, key: HalfSipKey, value: string, columns: number): number {
  return filterColumns(filter, halfSipHashString(key, value), columns);
}

/** Bit of an identifier length in the header's length set (lengths of 63 and more share the top bit). */
export function lengthBit(length: number): { word: 0 | 1; bit: number } {
  const l = Math.min(length, 63);
  return l < 32 ? { word: 0, bit: 1 << l } : { word: 1, bit: 1 << (l - 32) };
}
