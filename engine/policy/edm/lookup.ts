// One message text against one index: candidates → prefilter → SipHash → bucket search → (record, column).
// A value shared by more than FANOUT records (a common surname) is not enumerated: it only counts for
// records that a more selective value of the same message already found (see docs/edm.md).
import type { EdmKeys } from './edm-key.js';
import { columnsInWord, filterColumnsOf, filterWord, prefixInWord } from './filter.js';
import { halfSipHashRange } from './half-siphash.js';
import { refColumn, refRecord, type EdmIndexData } from './index-format.js';
import { MAX_ID_CHARS, MAX_ID_GROUPS, MAX_WORDS, MIN_VALUE_CHARS, normaliseText, scanTokens, T_DIGIT, T_ID_GAP, T_ID_WORD, T_SHAPE, TokenSpans } from './normalise.js';
import { shapeSlot } from './word-shape.js';
import { sipHashString, sipOut } from './sip-hash.js';

export const FANOUT = 16;

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

/** First entry index in [a, b) with (hi, lo) >= the hash, or > it with `after`. */
function bound(e: Uint32Array, a: number, b: number, hi: number, lo: number, after: boolean): number {
  while (a < b) {
    const m = (a + b) >>> 1;
    const mh = e[m * 3] ?? 0;
    const ml = e[m * 3 + 1] ?? 0;
    const below = mh < hi || (mh === hi && (ml < lo || (after && ml === lo)));
    if (below) a = m + 1;
    else b = m;
  }
  return a;
}

/** The entries [start, end) of one normalised value (empty when start === end); no filter check. */
export function lookupValue(index: EdmIndex, value: string): { start: number; end: number } {
  const { data, keys } = index;
  sipHashString(keys.entries, value);
  const hi = sipOut[0] ?? 0;
  const lo = sipOut[1] ?? 0;
  // the bucket of the top bits bounds the search (a value's entries never straddle buckets: same hash)
  const k = hi >>> (32 - data.bucketBits);
  const a = data.buckets[k] ?? 0;
  const b = data.buckets[k + 1] ?? 0;
  const start = bound(data.entries, a, b, hi, lo, false);
  const end = start < b && data.entries[start * 3] === hi && data.entries[start * 3 + 1] === lo ? bound(data.entries, start, b, hi, lo, true) : start;
  return { start, end };
}

// one text at a time on this thread: the spans are reused, so a message costs no per-word objects
const spans = new TokenSpans();

/**
 * Every word is hashed in place (HalfSipHash over its characters) and tested against the filter, per
 * column and as the first word of a multi-word value; only filter hits become strings.
 */
export function scanEdm(index: EdmIndex, text: string): EdmFound {
  const found = emptyFound();
  const s = normaliseText(text);
  scanTokens(s, spans);
  const { filter, columns } = index.data;
  const key = index.keys.filter;
  const n = columns.length;
  const keep = (value: string, bits: number): void => {
    if (bits === 0) return;
    found.pending.set(value, (found.pending.get(value) ?? 0) | bits);
    found.pendingColumns = (found.pendingColumns | bits) >>> 0;
  };
  const { start: starts, end: ends, flags, count } = spans;
  const shapes = index.data.shapeTables;
  for (let t = 0; t < count; t++) {
    const start = starts[t] ?? 0;
    const end = ends[t] ?? 0;
    if (end - start < MIN_VALUE_CHARS && t + 1 === count) continue;
    // a word no column's values look like (and no multi-word value starts like) is not even hashed
    const slot = shapeSlot((flags[t] ?? 0) & T_SHAPE, end - start);
    const admitted = end - start >= MIN_VALUE_CHARS ? (shapes.columns[slot] ?? 0) : 0;
    const prefix = shapes.prefix[slot] === 1;
    if (admitted === 0 && !prefix) continue;
    const h = halfSipHashRange(key, s, start, end);
    const w = filterWord(filter, h);
    // an empty filter word answers every question about this word
    if (w === 0) continue;
    if (admitted !== 0) {
      const bits = (columnsInWord(w, h, n) & admitted) >>> 0;
      if (bits !== 0) keep(s.slice(start, end), bits);
    }
    if (prefix && prefixInWord(w, h)) ngrams(s, t, (v) => keep(v, filterColumnsOf(filter, key, v, n)));
  }
  identifiers(index, s, (v) => keep(v, filterColumnsOf(filter, key, v, n)));
  return found;
}

/** Look up every pending candidate (once). */
export function resolvePending(index: EdmIndex, found: EdmFound): void {
  for (const value of found.pending.keys()) record(index, found, lookupValue(index, value));
  found.pending.clear();
  found.pendingColumns = 0;
}

function record(index: EdmIndex, found: EdmFound, { start, end }: { start: number; end: number }): void {
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
function columnEnd(e: Uint32Array, a: number, b: number, c: number): number {
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
 * to a digit group, compacted, whose length is one the index holds (the header's length set).
 */
function identifiers(index: EdmIndex, s: string, test: (v: string) => void): void {
  const [lo, hi] = index.data.idLengths;
  if (lo === 0 && hi === 0) return;
  const n = spans.count;
  if (compactBuffer.length < n) compactBuffer = new Int32Array(Math.max(n, compactBuffer.length * 2));
  const compact = compactBuffer;
  let i = 0;
  while (i < n) {
    if (!runWord(i)) {
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < n && ((spans.flags[end + 1] ?? 0) & T_ID_GAP) !== 0 && runWord(end + 1)) end++;
    for (let j = i; j <= end; j++) compact[j] = compactLength(s, j);
    for (let a = i; a <= end; a++) {
      if (((spans.flags[a] ?? 0) & T_DIGIT) === 0) continue;
      let length = 0;
      for (let b = a; b <= end && b - a < MAX_ID_GROUPS; b++) {
        length += compact[b] ?? 0;
        if (length > MAX_ID_CHARS) break;
        if (((spans.flags[b] ?? 0) & T_DIGIT) === 0 || length < MIN_VALUE_CHARS) continue;
        // the header's length set (lengthBit, inlined: this runs for every group pair of every run)
        const l = Math.min(length, 63);
        if (((l < 32 ? lo >>> l : hi >>> (l - 32)) & 1) === 0) continue;
        let value = '';
        for (let j = a; j <= b; j++) value += s.slice(spans.start[j], spans.end[j]).replace(/[.-]/g, '');
        test(value);
      }
    }
    i = end + 1;
  }
}

let compactBuffer = new Int32Array(64);

function compactLength(s: string, t: number): number {
  let l = 0;
  for (let j = spans.start[t] ?? 0; j < (spans.end[t] ?? 0); j++) {
    const c = s.charCodeAt(j);
    if (c !== 46 && c !== 45) l++;
  }
  return l;
}

/** Merges what several texts (or windows of one long text) held. */
export function mergeFound(into: EdmFound, from: EdmFound): void {
  for (const [rec, bits] of from.anchors) into.anchors.set(rec, (into.anchors.get(rec) ?? 0) | bits);
  for (const c of from.common) into.common.push(c);
  into.commonColumns = (into.commonColumns | from.commonColumns) >>> 0;
  for (const [value, bits] of from.pending) into.pending.set(value, (into.pending.get(value) ?? 0) | bits);
  into.pendingColumns = (into.pendingColumns | from.pendingColumns) >>> 0;
}

function anchorColumns(found: EdmFound): number {
  let bits = found.commonColumns;
  for (const b of found.anchors.values()) bits |= b;
  return bits >>> 0;
}

export interface EdmCount {
  /** Records with at least minColumns of the counted columns. */
  readonly records: number;
  /** Distinct column sets of those records, as "email+iban" (names only: never a value). */
  readonly columnSets: readonly string[];
}

/** Records of `found` with at least `minColumns` of the columns in `columnBits`. */
export function countRecords(index: EdmIndex, found: EdmFound, columnBits: number, minColumns: number): EdmCount {
  let extra: ReadonlyMap<number, number> | undefined;
  if (found.pending.size > 0) {
    // not enough distinct columns in the whole text: no record can qualify, and nothing is looked up
    if (popcount(((found.pendingColumns | anchorColumns(found)) & columnBits) >>> 0) < minColumns) return { records: 0, columnSets: [] };
    extra = resolveFor(index, found, columnBits, minColumns);
  }
  const e = index.data.entries;
  const sets = new Set<string>();
  let records = 0;
  for (const [record, anchorBits] of found.anchors) {
    let bits = (anchorBits | (extra?.get(record) ?? 0)) >>> 0;
    const own = popcount((bits & columnBits) >>> 0);
    // common values matter only when they can bring this record to minColumns
    if (own < minColumns) {
      if (own + popcount((found.commonColumns & columnBits & ~bits) >>> 0) < minColumns) continue;
      for (let c = 0; c < found.common.length; c += 2) bits |= commonBits(e, found.common[c] ?? 0, found.common[c + 1] ?? 0, record);
    }
    const counted = (bits & columnBits) >>> 0;
    if (popcount(counted) < minColumns) continue;
    records++;
    sets.add(index.data.columns.filter((_, i) => (counted & (1 << i)) !== 0).join('+'));
  }
  return { records, columnSets: [...sets].sort() };
}

/**
 * Looks up what this condition needs, busiest column last. Every record that qualifies holds at least
 * minColumns - 1 counted columns besides the busiest one (L: the surnames of a prose mail), so the
 * candidates that may be in another column are looked up first. Then L's candidates are needed only
 * when some record can reach minColumns with them; and unless common values outside L could complete a
 * record that only L found, they only add L to records already found: looked up without new anchors,
 * they stay pending (another condition may count them differently). Returns the L column bits to add
 * per record (undefined: everything was resolved, the anchors are complete). Same result as resolving
 * everything (edm-index.test.ts compares both on random texts).
 */
function resolveFor(index: EdmIndex, found: EdmFound, columnBits: number, minColumns: number): ReadonlyMap<number, number> | undefined {
  if (minColumns < 2) {
    resolvePending(index, found);
    return undefined;
  }
  const L = busiestColumn(found, columnBits);
  const rest = (columnBits & ~L) >>> 0;
  let left = 0;
  for (const [value, bits] of found.pending) {
    if ((bits & rest) === 0) {
      left = (left | bits) >>> 0;
      continue;
    }
    record(index, found, lookupValue(index, value));
    found.pending.delete(value);
  }
  found.pendingColumns = left;
  if (found.pending.size === 0) return undefined;
  const commonRest = (found.commonColumns & rest) >>> 0;
  if (popcount(commonRest) >= minColumns - 1) {
    resolvePending(index, found);
    return undefined;
  }
  const needy: number[] = [];
  for (const [rec, bits] of found.anchors) {
    if ((bits & L) !== 0) continue;
    if (popcount((bits & rest) >>> 0) + popcount((commonRest & ~bits) >>> 0) >= minColumns - 1) needy.push(rec);
  }
  const extra = new Map<number, number>();
  if (needy.length === 0) return extra;
  const want = new Set(needy);
  const e = index.data.entries;
  for (const [value, bits] of found.pending) {
    if ((bits & L) === 0) continue;
    const { start, end } = lookupValue(index, value);
    if (end - start > FANOUT) {
      // a common value is a fact like any other (countRecords applies it as usual); a second full
      // resolve would add the range again, which counts the same
      record(index, found, { start, end });
      continue;
    }
    for (let i = start; i < end; i++) {
      const ref = e[i * 3 + 2] ?? 0;
      const rec = refRecord(ref);
      const b = (1 << refColumn(ref)) & L;
      if (b !== 0 && want.has(rec)) extra.set(rec, (extra.get(rec) ?? 0) | b);
    }
  }
  return extra;
}

/** The counted column that most pending candidates may be in. */
function busiestColumn(found: EdmFound, columnBits: number): number {
  const counts = new Array<number>(32).fill(0);
  for (const bits of found.pending.values()) {
    let b = (bits & columnBits) >>> 0;
    while (b !== 0) {
      const c = 31 - Math.clz32(b);
      counts[c] = (counts[c] ?? 0) + 1;
      b = (b & ~(1 << c)) >>> 0;
    }
  }
  let best = 0;
  for (let c = 1; c < 32; c++) if ((counts[c] ?? 0) > (counts[best] ?? 0)) best = c;
  return (1 << best) >>> 0;
}

/** Column bits of `record` inside a common value's range (sorted by column, then record). */
function commonBits(e: Uint32Array, start: number, end: number, record: number): number {
  let bits = 0;
  while (start < end) {
    const c = refColumn(e[start * 3 + 2] ?? 0);
    const stop = refColumn(e[(end - 1) * 3 + 2] ?? 0) === c ? end : columnEnd(e, start, end, c);
    let a = start;
    let b = stop;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (refRecord(e[m * 3 + 2] ?? 0) < record) a = m + 1;
      else b = m;
    }
    if (a < stop && refRecord(e[a * 3 + 2] ?? 0) === record) bits |= 1 << c;
    start = stop;
  }
  return bits >>> 0;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
