// One message text against one index: candidates → prefilter → HMAC → binary search → (record, column).
// A value shared by more than FANOUT records (a common surname) is not enumerated: it only counts for
// records that a more selective value of the same message already found (see docs/edm.md).
import { createHmac } from 'node:crypto';
import type { EdmKeys } from './edm-key.js';
import { filterHas } from './filter.js';
import type { EdmIndexData } from './index-format.js';
import { compactId, idRunWord, MAX_ID_CHARS, MAX_ID_GROUPS, MAX_WORDS, MIN_VALUE_CHARS, normaliseText, PREFIX_TAG, tokenize } from './normalise.js';

export const FANOUT = 16;

export interface EdmIndex {
  readonly data: EdmIndexData;
  readonly keys: EdmKeys;
  /** The index file (absolute), for logs. */
  readonly path: string;
}

/** What one text held: records found through selective values (record → column bits) and ranges of common values. */
export interface EdmFound {
  readonly anchors: Map<number, number>;
  /** Entry ranges [start, end) of values shared by more than FANOUT records, flattened. */
  readonly common: number[];
}

export function entryHash(keys: EdmKeys, value: string): { hi: number; lo: number } {
  const d = createHmac('sha256', keys.entries).update(value, 'utf8').digest();
  return { hi: d.readUInt32BE(0), lo: d.readUInt32BE(4) };
}

/** First entry index with (hi, lo) >= the given hash. */
function lowerBound(e: Uint32Array, count: number, hi: number, lo: number): number {
  let a = 0;
  let b = count;
  while (a < b) {
    const m = (a + b) >>> 1;
    const mh = e[m * 3] ?? 0;
    if (mh < hi || (mh === hi && (e[m * 3 + 1] ?? 0) < lo)) a = m + 1;
    else b = m;
  }
  return a;
}

/** The entries [start, end) of one normalised value (empty when start === end). */
export function lookupValue(index: EdmIndex, value: string): { start: number; end: number } {
  const { data, keys } = index;
  if (!filterHas(data.filter, keys.filter, value)) return { start: 0, end: 0 };
  const { hi, lo } = entryHash(keys, value);
  const e = data.entries;
  const start = lowerBound(e, data.entryCount, hi, lo);
  let end = start;
  while (end < data.entryCount && e[end * 3] === hi && e[end * 3 + 1] === lo) end++;
  return { start, end };
}

export function scanEdm(index: EdmIndex, text: string): EdmFound {
  const found: EdmFound = { anchors: new Map(), common: [] };
  const t = tokenize(normaliseText(text));
  const seen = new Set<string>();
  const test = (value: string): void => {
    if (value.length < MIN_VALUE_CHARS || seen.has(value)) return;
    seen.add(value);
    const { start, end } = lookupValue(index, value);
    if (start === end) return;
    if (end - start > FANOUT) {
      found.common.push(start, end);
      return;
    }
    const e = index.data.entries;
    for (let i = start; i < end; i++) {
      const ref = e[i * 3 + 2] ?? 0;
      const record = ref >>> 5;
      found.anchors.set(record, (found.anchors.get(record) ?? 0) | (1 << (ref & 31)));
    }
  };
  words(index, t.words, test);
  identifiers(t, test);
  return found;
}

/** Every word, and the n-grams (up to MAX_WORDS) that start with the first word of some multi-word value. */
function words(index: EdmIndex, w: readonly string[], test: (v: string) => void): void {
  const prefix = new Map<string, boolean>();
  for (let i = 0; i < w.length; i++) {
    const word = w[i] ?? '';
    test(word);
    let starts = prefix.get(word);
    if (starts === undefined) {
      starts = filterHas(index.data.filter, index.keys.filter, PREFIX_TAG + word);
      prefix.set(word, starts);
    }
    if (!starts) continue;
    let gram = word;
    for (let n = 2; n <= MAX_WORDS && i + n - 1 < w.length; n++) {
      gram += ` ${w[i + n - 1] ?? ''}`;
      test(gram);
    }
  }
}

/** Runs of identifier groups ("DE89 3704 0044 ...", "+1 (555) 010-0199"): every sub-run from a digit group to a digit group, compacted. */
function identifiers(t: ReturnType<typeof tokenize>, test: (v: string) => void): void {
  const n = t.words.length;
  let i = 0;
  while (i < n) {
    if (!idRunWord(t, i)) {
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < n && t.idGap[end + 1] === true && idRunWord(t, end + 1)) end++;
    for (let a = i; a <= end; a++) {
      if (t.digit[a] !== true) continue;
      let compact = '';
      for (let b = a; b <= end && b - a < MAX_ID_GROUPS; b++) {
        compact += compactId(t.words, b, b);
        if (compact.length > MAX_ID_CHARS) break;
        if (t.digit[b] === true) test(compact);
      }
    }
    i = end + 1;
  }
}

/** Merges what several texts (or windows of one long text) held. */
export function mergeFound(into: EdmFound, from: EdmFound): void {
  for (const [record, bits] of from.anchors) into.anchors.set(record, (into.anchors.get(record) ?? 0) | bits);
  into.common.push(...from.common);
}

export interface EdmCount {
  /** Records with at least minColumns of the counted columns. */
  readonly records: number;
  /** Distinct column sets of those records, as "email+iban" (names only: never a value). */
  readonly columnSets: readonly string[];
}

/** Records of `found` with at least `minColumns` of the columns in `columnBits`. */
export function countRecords(index: EdmIndex, found: EdmFound, columnBits: number, minColumns: number): EdmCount {
  const e = index.data.entries;
  const sets = new Set<string>();
  let records = 0;
  for (const [record, anchorBits] of found.anchors) {
    let bits = anchorBits;
    for (let c = 0; c < found.common.length; c += 2) bits |= commonBits(e, found.common[c] ?? 0, found.common[c + 1] ?? 0, record);
    const counted = (bits & columnBits) >>> 0;
    if (popcount(counted) < minColumns) continue;
    records++;
    sets.add(index.data.columns.filter((_, i) => (counted & (1 << i)) !== 0).join('+'));
  }
  return { records, columnSets: [...sets].sort() };
}

/** Column bits of `record` inside a common value's range (entries there are sorted by record). */
function commonBits(e: Uint32Array, start: number, end: number, record: number): number {
  let a = start;
  let b = end;
  while (a < b) {
    const m = (a + b) >>> 1;
    if ((e[m * 3 + 2] ?? 0) >>> 5 < record) a = m + 1;
    else b = m;
  }
  let bits = 0;
  for (let i = a; i < end && (e[i * 3 + 2] ?? 0) >>> 5 === record; i++) bits |= 1 << ((e[i * 3 + 2] ?? 0) & 31);
  return bits;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
