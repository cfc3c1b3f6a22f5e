// One message text against one index: candidates → prefilter → SipHash → bucket search → (record, column).
// A value shared by more than FANOUT records (a common surname) is not enumerated: it only counts for
// records that a more selective value of the same message already found (see docs/edm.md).
import type { EdmKeys } from './edm-key.js';
import { columnsInWord, filterColumnsOf, prefixInWord } from './filter.js';
import { FilterBatch, readFilterWords } from './filter-batch.js';
import { halfSipBytes, halfSipHashRange } from './half-siphash.js';
import { scanIdentifiers } from './identifier-runs.js';
import { FANOUT, isCommonHash, refColumn, refRecord, type EdmIndexData } from './index-format.js';
import { isAsciiText, MAX_WORDS, MIN_VALUE_CHARS, normaliseText, scanTokens, T_SHAPE, TokenSpans } from './normalise.js';
import { shapeSlot } from './word-shape.js';
import { sipHashString, sipOut } from './sip-hash.js';

export { FANOUT };

export interface EdmIndex {
  readonly data: EdmIndexData;
  readonly keys: EdmKeys;
  /** The index file (absolute), for logs. */
  readonly path: string;
}

/**
 * What one text held. Filter hits wait in `pending` with the columns the filter says they may be in; the
 * hash and search run only when the pending columns can reach a condition's minColumns (a message naming
 * a few customers' surnames and nothing else costs no lookup at all).
 */
export interface EdmFound {
  /** Records found through selective values: record → column bits. */
  readonly anchors: Map<number, number>;
  /** Entry ranges [start, end) of values shared by more than FANOUT records, flattened. */
  readonly common: number[];
  /** Columns those ranges hold: a record they cannot bring to minColumns is never searched for. */
  commonColumns: number;
  /** Normalised candidate → columns it may be in (filter hits not looked up yet). */
  readonly pending: Map<string, number>;
  pendingColumns: number;
}

export function emptyFound(): EdmFound {
  return { anchors: new Map(), common: [], commonColumns: 0, pending: new Map(), pendingColumns: 0 };
}

/** The entry hash of a normalised value: SipHash-2-4 under the entries key, as (hi, lo). */
export function entryHash(keys: EdmKeys, value: string): { hi: number; lo: number } {
  sipHashString(keys.entries, value);
  return { hi: sipOut[0] ?? 0, lo: sipOut[1] ?? 0 };
}

/** Entry m is below the hash (hi, lo), or at most equal to it with `after`. */
function below(e: Uint32Array, m: number, hi: number, lo: number, after: boolean): boolean {
  const mh = e[m * 3] ?? 0;
  const ml = e[m * 3 + 1] ?? 0;
  return mh < hi || (mh === hi && (ml < lo || (after && ml === lo)));
}

/** First entry index in [a, b) with (hi, lo) >= the hash, or > it with `after`. */
function bound(e: Uint32Array, a: number, b: number, hi: number, lo: number, after: boolean): number {
  while (a < b) {
    const m = (a + b) >>> 1;
    if (below(e, m, hi, lo, after)) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * bound() by galloping from a: probes a, a+2, a+6, ... then a binary search inside the last step. The
 * answer is usually within a few entries of a (a bucket's start, a value's first entry), so the probes
 * stay in one or two cache lines where a binary search over a common value's range of hundreds of
 * entries would touch a new line at nearly every step.
 */
function gallop(e: Uint32Array, a: number, b: number, hi: number, lo: number, after: boolean): number {
  let step = 1;
  while (a < b) {
    const p = Math.min(a + step, b) - 1;
    if (!below(e, p, hi, lo, after)) return bound(e, a, p, hi, lo, after);
    a = p + 1;
    step *= 2;
  }
  return b;
}

/** The first entry of hash (hi, lo) and its bucket's end; start === end when the index has no such entry. */
function valueStart(data: EdmIndexData, hi: number, lo: number): { start: number; bucketEnd: number; found: boolean } {
  // the bucket of the top bits bounds the search (a value's entries never straddle buckets: same hash)
  const k = hi >>> (32 - data.bucketBits);
  const a = data.buckets[k] ?? 0;
  const b = data.buckets[k + 1] ?? 0;
  const start = gallop(data.entries, a, b, hi, lo, false);
  return { start, bucketEnd: b, found: start < b && data.entries[start * 3] === hi && data.entries[start * 3 + 1] === lo };
}

/** The entries [start, end) of one normalised value (empty when start === end); no filter check. */
export function lookupValue(index: EdmIndex, value: string): { start: number; end: number } {
  sipHashString(index.keys.entries, value);
  const hi = sipOut[0] ?? 0;
  const lo = sipOut[1] ?? 0;
  const { start, bucketEnd, found } = valueStart(index.data, hi, lo);
  return { start, end: found ? gallop(index.data.entries, start + 1, bucketEnd, hi, lo, true) : start };
}

/**
 * The entries of one value when it is selective (at most FANOUT of them, none when absent), undefined
 * when it is common: its end is not searched for (a common value's range can be thousands long).
 */
export function lookupSelective(index: EdmIndex, value: string): { start: number; end: number } | undefined {
  sipHashString(index.keys.entries, value);
  const hi = sipOut[0] ?? 0;
  const lo = sipOut[1] ?? 0;
  // a common value's hash is in a small table: no search in the entries (most surnames of a text)
  if (isCommonHash(index.data.commonHashes, hi, lo)) return undefined;
  const { start, bucketEnd, found } = valueStart(index.data, hi, lo);
  if (!found) return { start, end: start };
  const e = index.data.entries;
  const last = start + FANOUT;
  if (last < bucketEnd && e[last * 3] === hi && e[last * 3 + 1] === lo) return undefined;
  let end = start + 1;
  while (end < bucketEnd && end <= last && e[end * 3] === hi && e[end * 3 + 1] === lo) end++;
  return { start, end };
}

// one text at a time on this thread: the spans are reused, so a message costs no per-word objects
const spans = new TokenSpans();

/**
 * The distinct words of the current text (open addressing on the tokeniser's unkeyed word hash, the
 * word's characters compared to confirm, so a crafted collision cannot hide a word): a word seen before
 * in the same text is neither hashed nor probed again: its column candidates are already
 * kept; what is left of a repeat is whether it starts n-grams (those depend on the words after it).
 * 100 KB of prose has ~16,000 words but ~1,300 distinct ones. A slot is 4 words (stamp, word hash, a
 * token holding the word, starts n-grams), so a probe reads one cache line; a slot is live when its
 * stamp is the current text's. 4096 slots (64 KiB), at most half of them filled: the words after that
 * are looked at each time, as they were without the memo.
 */
const MEMO_SLOTS = 4096;
class WordMemo {
  stamp = 0;
  readonly slots = new Int32Array(MEMO_SLOTS * 4);

  begin(): number {
    this.stamp = (this.stamp + 1) | 0;
    if (this.stamp === 0) {
      this.slots.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }
}
const memo = new WordMemo();

/** Token t's characters are token u's (read from the scan's byte copy when the text is ASCII). */
function sameWord(s: string, bytes: Uint8Array | undefined, t: number, u: number): boolean {
  const a = spans.start[t] ?? 0;
  const b = spans.start[u] ?? 0;
  const l = (spans.end[t] ?? 0) - a;
  if ((spans.end[u] ?? 0) - b !== l) return false;
  if (bytes !== undefined) {
    for (let j = 0; j < l; j++) if (bytes[a + j] !== bytes[b + j]) return false;
    return true;
  }
  for (let j = 0; j < l; j++) if (s.charCodeAt(a + j) !== s.charCodeAt(b + j)) return false;
  return true;
}

const wordBatch = new FilterBatch();
const NO_SLOT = -1;

/**
 * Every distinct word is hashed in place (HalfSipHash over its characters) and tested against the
 * filter, per column and as the first word of a multi-word value; only filter hits become strings.
 * Three passes: the words to hash (shape tables, memo) with their hashes, their filter words in one
 * loop, then the answers; a repeated word that may start n-grams waits for its first occurrence's answer.
 */
export function scanEdm(index: EdmIndex, text: string, knownAscii?: true): EdmFound {
  const found = emptyFound();
  const ascii = knownAscii ?? isAsciiText(text);
  const s = normaliseText(text, ascii);
  scanTokens(s, spans, ascii);
  const { filter, columns } = index.data;
  const key = index.keys.filter;
  const n = columns.length;
  const keep = (value: string, bits: number): void => {
    if (bits === 0) return;
    found.pending.set(value, (found.pending.get(value) ?? 0) | bits);
    found.pendingColumns = (found.pendingColumns | bits) >>> 0;
  };
  const { start: starts, end: ends, flags, key: wordKeys, count, bytes } = spans;
  const shapes = index.data.shapeTables;
  const stamp = memo.begin();
  const slots = memo.slots;
  const mask = MEMO_SLOTS - 1;
  let room = MEMO_SLOTS >>> 1;
  const grams = (v: string): void => keep(v, filterColumnsOf(filter, key, v, n));
  const batch = wordBatch;
  batch.begin(count);
  // repeats of a word that may start n-grams: (token, memo slot), answered after the first occurrence
  if (repeats.length < count * 2) repeats = new Int32Array(Math.max(count * 2, repeats.length * 2));
  let repeatCount = 0;
  for (let t = 0; t < count; t++) {
    const start = starts[t] ?? 0;
    const end = ends[t] ?? 0;
    if (end - start < MIN_VALUE_CHARS && t + 1 === count) continue;
    // a word no column's values look like (and no multi-word value starts like) is not even hashed,
    // nor looked for in the memo (a CSV dump's digit groups, a prose text's short words)
    const slot = shapeSlot((flags[t] ?? 0) & T_SHAPE, end - start);
    const admitted = end - start >= MIN_VALUE_CHARS ? (shapes.columns[slot] ?? 0) : 0;
    const prefix = shapes.prefix[slot] === 1;
    if (admitted === 0 && !prefix) continue;
    // a word seen before in this text: its candidates are kept already; only its n-grams are new
    const wk = wordKeys[t] ?? 0;
    let i = wk & mask;
    let seen = false;
    while (slots[i * 4] === stamp) {
      if (slots[i * 4 + 1] === wk && sameWord(s, bytes, t, slots[i * 4 + 2] ?? 0)) {
        seen = true;
        break;
      }
      i = (i + 1) & mask;
    }
    if (seen) {
      if (prefix) {
        repeats[repeatCount++] = t;
        repeats[repeatCount++] = i;
      }
      continue;
    }
    let memoSlot = NO_SLOT;
    if (room > 0) {
      room--;
      slots[i * 4] = stamp;
      slots[i * 4 + 1] = wk;
      slots[i * 4 + 2] = t;
      slots[i * 4 + 3] = 0;
      memoSlot = i;
    }
    const k = batch.count++;
    batch.at[k] = t;
    // aux: the memo slot + 1, negated when the word may start n-grams (0: no slot, not a prefix)
    batch.aux[k] = prefix ? -(memoSlot + 2) : memoSlot + 1;
    batch.admitted[k] = admitted;
    batch.hash[k] = bytes !== undefined ? halfSipBytes(key, bytes, end - start, start) : halfSipHashRange(key, s, start, end);
  }
  readFilterWords(filter, batch);
  for (let k = 0; k < batch.count; k++) {
    const w = batch.word[k] ?? 0;
    // an empty filter word answers every question about this word
    if (w === 0) continue;
    const h = batch.hash[k] ?? 0;
    const t = batch.at[k] ?? 0;
    const admitted = batch.admitted[k] ?? 0;
    const aux = batch.aux[k] ?? 0;
    if (admitted !== 0) {
      const bits = (columnsInWord(w, h, n) & admitted) >>> 0;
      if (bits !== 0) keep(s.slice(starts[t], ends[t]), bits);
    }
    if (aux < 0 && prefixInWord(w, h)) {
      const memoSlot = -aux - 2;
      if (memoSlot !== NO_SLOT) slots[memoSlot * 4 + 3] = 1;
      ngrams(s, t, grams);
    }
  }
  for (let r = 0; r < repeatCount; r += 2) if (slots[(repeats[r + 1] ?? 0) * 4 + 3] !== 0) ngrams(s, repeats[r] ?? 0, grams);
  scanIdentifiers(index.data, key, s, spans, keep);
  return found;
}

let repeats = new Int32Array(256);

/** Look up every pending candidate (once). */
export function resolvePending(index: EdmIndex, found: EdmFound): void {
  for (const value of found.pending.keys()) record(index, found, lookupValue(index, value));
  found.pending.clear();
  found.pendingColumns = 0;
}

/** Adds one value's entries to `found`: anchors when selective, a common range otherwise. */
export function record(index: EdmIndex, found: EdmFound, { start, end }: { start: number; end: number }): void {
  if (start === end) return;
  const e = index.data.entries;
  if (end - start > FANOUT) {
    found.common.push(start, end);
    found.commonColumns = (found.commonColumns | rangeColumns(e, start, end)) >>> 0;
    return;
  }
  for (let i = start; i < end; i++) {
    const ref = e[i * 3 + 2] ?? 0;
    const rec = refRecord(ref);
    found.anchors.set(rec, (found.anchors.get(rec) ?? 0) | (1 << refColumn(ref)));
  }
}

/** First index in [a, b) whose entry's column is above c (entries of one value are sorted by column). */
export function columnEnd(e: Uint32Array, a: number, b: number, c: number): number {
  while (a < b) {
    const m = (a + b) >>> 1;
    if (refColumn(e[m * 3 + 2] ?? 0) <= c) a = m + 1;
    else b = m;
  }
  return a;
}

/** Columns of one value's entries: a surname shared by 20,000 records costs a search per column, not a walk. */
function rangeColumns(e: Uint32Array, start: number, end: number): number {
  let bits = 0;
  while (start < end) {
    const c = refColumn(e[start * 3 + 2] ?? 0);
    bits |= 1 << c;
    start = refColumn(e[(end - 1) * 3 + 2] ?? 0) === c ? end : columnEnd(e, start, end, c);
  }
  return bits >>> 0;
}

/** The n-grams (2..MAX_WORDS words, joined by one space) starting at word t. */
function ngrams(s: string, t: number, test: (v: string) => void): void {
  let gram = s.slice(spans.start[t], spans.end[t]);
  for (let n = 2; n <= MAX_WORDS && t + n - 1 < spans.count; n++) {
    const w = t + n - 1;
    gram += ` ${s.slice(spans.start[w], spans.end[w])}`;
    test(gram);
  }
}

/** Merges what several texts (or windows of one long text) held. */
export function mergeFound(into: EdmFound, from: EdmFound): void {
  for (const [rec, bits] of from.anchors) into.anchors.set(rec, (into.anchors.get(rec) ?? 0) | bits);
  for (const c of from.common) into.common.push(c);
  into.commonColumns = (into.commonColumns | from.commonColumns) >>> 0;
  for (const [value, bits] of from.pending) into.pending.set(value, (into.pending.get(value) ?? 0) | bits);
  into.pendingColumns = (into.pendingColumns | from.pendingColumns) >>> 0;
}
