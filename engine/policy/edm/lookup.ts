// One message text against one index: candidates → prefilter → SipHash → bucket search → (record, column).
// A value shared by more than FANOUT records (a common surname) is not enumerated: it only counts for
// records that a more selective value of the same message already found (see docs/edm.md).
import type { EdmKeys } from './edm-key.js';
import { columnsInWord, filterColumns, filterColumnsOf, filterWord, prefixInWord } from './filter.js';
import { halfSipBytes, halfSipHashRange } from './half-siphash.js';
import { FANOUT, isCommonHash, refColumn, refRecord, type EdmIndexData } from './index-format.js';
import { isAsciiText, MAX_ID_CHARS, MAX_ID_GROUPS, MAX_WORDS, MIN_VALUE_CHARS, normaliseText, scanTokens, T_ALPHA, T_DIGIT, T_ID_GAP, T_ID_WORD, T_SHAPE, TokenSpans } from './normalise.js';
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

/**
 * Candidates of one text waiting for their filter words (reused between texts). The filter is large
 * (16 bits per value: 4 MiB at 1M records × 3 columns) and each read is a cache miss; read in one tight
 * loop over many candidates (readFilterWords), the misses overlap instead of each stalling the scan.
 */
class FilterBatch {
  count = 0;
  /** The candidate's token (words) or its offset in runBytes (identifiers). */
  at = new Int32Array(256);
  /** Words: the memo slot + 1, negated (-(slot + 2)) when the word may start n-grams; identifiers: the length. */
  aux = new Int32Array(256);
  /** Words: the columns its shape admits. */
  admitted = new Uint32Array(256);
  hash = new Uint32Array(256);
  word = new Uint32Array(256);

  begin(capacity: number): void {
    this.count = 0;
    if (this.at.length < capacity) this.#resize(Math.max(capacity, this.at.length * 2));
  }

  /** Twice the room, keeping the candidates so far. */
  grow(): void {
    this.#resize(this.at.length * 2);
  }

  #resize(capacity: number): void {
    const copy = <T extends Int32Array | Uint32Array>(a: T, b: T): T => {
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.at = copy(this.at, new Int32Array(capacity));
    this.aux = copy(this.aux, new Int32Array(capacity));
    this.admitted = copy(this.admitted, new Uint32Array(capacity));
    this.hash = copy(this.hash, new Uint32Array(capacity));
    this.word = new Uint32Array(capacity);
  }
}
const wordBatch = new FilterBatch();
const idBatch = new FilterBatch();

/** batch.word[k] = the filter word of batch.hash[k], for every candidate (independent loads: they overlap). */
function readFilterWords(filter: Uint32Array, batch: FilterBatch): void {
  const { hash, word, count } = batch;
  for (let k = 0; k < count; k++) word[k] = filterWord(filter, hash[k] ?? 0);
}

const NO_SLOT = -1;

/**
 * Every distinct word is hashed in place (HalfSipHash over its characters) and tested against the
 * filter, per column and as the first word of a multi-word value; only filter hits become strings.
 * Three passes: the words to hash (shape tables, memo) with their hashes, their filter words in one
 * loop, then the answers; a repeated word that may start n-grams waits for its first occurrence's answer.
 */
export function scanEdm(index: EdmIndex, text: string): EdmFound {
  const found = emptyFound();
  const ascii = isAsciiText(text);
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
  identifiers(index, s, keep);
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

/** A word that can sit inside an identifier run: a group of a-z0-9.- with a digit, or a short letter group ("GB82 WEST 1234"). */
function runWord(t: number): boolean {
  const f = spans.flags[t] ?? 0;
  return (f & T_ID_WORD) !== 0 && ((f & T_DIGIT) !== 0 || (spans.end[t] ?? 0) - (spans.start[t] ?? 0) <= 4);
}

/**
 * Runs of identifier groups ("DE89 3704 0044 ...", "+1 (555) 010-0199"): every sub-run from a digit group
 * to a digit group, compacted, whose length is one the index holds (the header's length set). A run is
 * a chain of runWord tokens, each after the previous with only ID_GAP characters between; only its part
 * from the first to the last digit group is looked at, so the pass starts from the digit tokens (the
 * tokeniser lists them) and a text without digits costs nothing. The part is compacted once into a
 * byte buffer (identifier groups are a-z 0-9 . -, all ASCII), group j starting at offset[j]; a sub-run
 * a..b is then bytes [offset[a], offset[b + 1]) and is hashed only when its length is in the set.
 * Only a filter hit becomes a string.
 */
function identifiers(index: EdmIndex, s: string, keep: (value: string, bits: number) => void): void {
  const [lo, hi] = index.data.idLengths;
  if (lo === 0 && hi === 0) return;
  const { filter, columns } = index.data;
  const shapes = index.data.shapeTables;
  const key = index.keys.filter;
  const n = spans.count;
  const { flags, digits, digitCount } = spans;
  const batch = idBatch;
  batch.begin(64);
  runUsed = 0;
  // the shortest and longest lengths in the set (63 stands for 63 and more: MAX_ID_CHARS then bounds)
  const shortest = lo !== 0 ? 31 - Math.clz32(lo & -lo) : 63 - Math.clz32(hi & -hi);
  const top = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo);
  const longest = top === 63 ? MAX_ID_CHARS : top;
  // the first token not yet inside a run already looked at
  let next = 0;
  for (let d = 0; d < digitCount; d++) {
    const first = digits[d] ?? 0;
    // a digit token is the first digit group of its run unless an earlier run took it, or it is no group
    if (first < next || !runWord(first)) continue;
    let end = first;
    while (end + 1 < n && ((flags[end + 1] ?? 0) & T_ID_GAP) !== 0 && runWord(end + 1)) end++;
    next = end + 1;
    let last = end;
    while (last > first && ((flags[last] ?? 0) & T_DIGIT) === 0) last--;
    const bytes = compactRun(s, first, last);
    const offset = groupOffsets;
    const runEnd = offset[last + 1 - first] ?? 0;
    for (let a = first; a <= last; a++) {
      if (((flags[a] ?? 0) & T_DIGIT) === 0) continue;
      const from = offset[a - first] ?? 0;
      // what is left of the run is shorter than any identifier the index holds
      if (runEnd - from < shortest) break;
      // the compacted sub-run's shape as the index saw its identifiers: a-z0-9 only, a digit, letters if a group has one
      let shape = T_ID_WORD;
      for (let b = a; b <= last && b - a < MAX_ID_GROUPS; b++) {
        const length = (offset[b + 1 - first] ?? 0) - from;
        if (length > longest) break;
        shape |= (flags[b] ?? 0) & (T_DIGIT | T_ALPHA);
        if (((flags[b] ?? 0) & T_DIGIT) === 0 || length < MIN_VALUE_CHARS) continue;
        // the header's length set (lengthBit, inlined: this runs for every group pair of every run)
        const l = Math.min(length, 63);
        if (((l < 32 ? lo >>> l : hi >>> (l - 32)) & 1) === 0) continue;
        // the columns whose values take this shape and length (the others' filter bits can only be false positives)
        const admitted = shapes.columns[shapeSlot(shape, length)] ?? 0;
        if (admitted === 0) continue;
        if (batch.count === batch.at.length) batch.grow();
        const k = batch.count++;
        batch.at[k] = from;
        batch.aux[k] = length;
        batch.admitted[k] = admitted;
        batch.hash[k] = halfSipBytes(key, bytes, length, from);
      }
    }
  }
  readFilterWords(filter, batch);
  for (let k = 0; k < batch.count; k++) {
    const w = batch.word[k] ?? 0;
    if (w === 0) continue;
    const bits = (columnsInWord(w, batch.hash[k] ?? 0, columns.length) & (batch.admitted[k] ?? 0)) >>> 0;
    const from = batch.at[k] ?? 0;
    if (bits !== 0) keep(String.fromCharCode(...runBytes.subarray(from, from + (batch.aux[k] ?? 0))), bits);
  }
}

/** The compacted runs of the current text, one after the other (identifier candidates point into it). */
let runBytes = new Uint8Array(256);
let runUsed = 0;
let groupOffsets = new Int32Array(64);

/**
 * Tokens first..last compacted (. and - dropped) into runBytes after the runs before; groupOffsets[j -
 * first] is where token j starts in runBytes, [last + 1 - first] the end.
 */
function compactRun(s: string, first: number, last: number): Uint8Array {
  const groups = last - first + 1;
  if (groupOffsets.length < groups + 1) groupOffsets = new Int32Array(Math.max(groups + 1, groupOffsets.length * 2));
  const chars = (spans.end[last] ?? 0) - (spans.start[first] ?? 0);
  if (runBytes.length < runUsed + chars) {
    const grown = new Uint8Array(Math.max(runUsed + chars, runBytes.length * 2));
    grown.set(runBytes.subarray(0, runUsed));
    runBytes = grown;
  }
  const bytes = runBytes;
  const offset = groupOffsets;
  let o = runUsed;
  const text = spans.bytes;
  for (let j = first; j <= last; j++) {
    offset[j - first] = o;
    for (let i = spans.start[j] ?? 0, e = spans.end[j] ?? 0; i < e; i++) {
      const c = text !== undefined ? (text[i] ?? 0) : s.charCodeAt(i);
      if (c !== 46 && c !== 45) bytes[o++] = c;
    }
  }
  offset[groups] = o;
  runUsed = o;
  return bytes;
}

/** Merges what several texts (or windows of one long text) held. */
export function mergeFound(into: EdmFound, from: EdmFound): void {
  for (const [rec, bits] of from.anchors) into.anchors.set(rec, (into.anchors.get(rec) ?? 0) | bits);
  for (const c of from.common) into.common.push(c);
  into.commonColumns = (into.commonColumns | from.commonColumns) >>> 0;
  for (const [value, bits] of from.pending) into.pending.set(value, (into.pending.get(value) ?? 0) | bits);
  into.pendingColumns = (into.pendingColumns | from.pendingColumns) >>> 0;
}
