// Identifier candidates of one text: sub-runs of identifier groups ("DE89 3704 0044 ...", "+1 (555)
// 010-0199") from a digit group to a digit group, compacted, hashed and tested against the filter
// (docs/edm.md, "Normalisation"). One text at a time on this thread: the buffers are reused.
import { columnsInWord } from './filter.js';
import { FilterBatch, readFilterWords } from './filter-batch.js';
import { halfSipBytes, type HalfSipKey } from './half-siphash.js';
import type { EdmIndexData } from './index-format.js';
import { MAX_ID_CHARS, MAX_ID_GROUPS, MIN_VALUE_CHARS, T_ALPHA, T_DIGIT, T_ID_GAP, T_ID_WORD, type TokenSpans } from './normalise.js';
import { shapeSlot } from './word-shape.js';

/** A word that can sit inside an identifier run: a group of a-z0-9.- with a digit, or a short letter group ("GB82 WEST 1234"). */
function runWord(spans: TokenSpans, t: number): boolean {
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
export function scanIdentifiers(data: EdmIndexData, key: HalfSipKey, s: string, spans: TokenSpans, keep: (value: string, bits: number) => void): void {
  const [lo, hi] = data.idLengths;
  if (lo === 0 && hi === 0) return;
  const { filter, columns } = data;
  const shapes = data.shapeTables;
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
    if (first < next || !runWord(spans, first)) continue;
    let end = first;
    while (end + 1 < n && ((flags[end + 1] ?? 0) & T_ID_GAP) !== 0 && runWord(spans, end + 1)) end++;
    next = end + 1;
    let last = end;
    while (last > first && ((flags[last] ?? 0) & T_DIGIT) === 0) last--;
    const bytes = compactRun(s, spans, first, last);
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
const idBatch = new FilterBatch();
let runBytes = new Uint8Array(256);
let runUsed = 0;
let groupOffsets = new Int32Array(64);

/**
 * Tokens first..last compacted (. and - dropped) into runBytes after the runs before; groupOffsets[j -
 * first] is where token j starts in runBytes, [last + 1 - first] the end.
 */
function compactRun(s: string, spans: TokenSpans, first: number, last: number): Uint8Array {
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
