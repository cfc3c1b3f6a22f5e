// Counting what one message held for one exactData condition: records with at least minColumns of
// the counted columns, looking up the pending candidates in the order that needs the fewest lookups.
import { hasSelective, refColumn, refRecord } from './index-format.js';
import { columnEnd, FANOUT, lookupSelective, lookupValue, record, resolvePending, type EdmFound, type EdmIndex } from './lookup.js';

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
  // a needy record that holds minColumns without L is counted already: L only completes its column set
  let short = false;
  for (const [rec, bits] of found.anchors) {
    if ((bits & L) !== 0) continue;
    const own = popcount((bits & rest) >>> 0);
    if (own + popcount((commonRest & ~bits) >>> 0) >= minColumns - 1) {
      needy.push(rec);
      if (own < minColumns) short = true;
    }
  }
  const extra = new Map<number, number>();
  if (needy.length === 0) return extra;
  // every needy record counted already, and none with a selective value in L: the common values of L
  // are not applied to them and no selective one can name them, so no candidate of L adds anything
  const l = 31 - Math.clz32(L);
  if (!short && !needy.some((rec) => hasSelective(index.data, rec, l))) return extra;
  const want = new Set(needy);
  const e = index.data.entries;
  for (const [value, bits] of found.pending) {
    if ((bits & L) === 0) continue;
    // common values reach only records below minColumns (countRecords applies them to no other), so
    // when every needy record is counted already their ranges are not even measured
    const range = short ? lookupValue(index, value) : lookupSelective(index, value);
    if (range === undefined) continue;
    const { start, end } = range;
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
