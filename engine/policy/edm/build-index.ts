// CSV rows → index bytes. Values are normalised, hashed and dropped row by row: what is held is
// 12 bytes per entry plus a 4-byte prefilter tag, never the values themselves.
import { createHash } from 'node:crypto';
import type { EdmError, EdmKeys } from './edm-key.js';
import { columnTag, filterAdd, filterWordsFor, lengthBit, prefixTag } from './filter.js';
import { halfSipHashString } from './half-siphash.js';
import { encodeHeader, entryRef, MAX_COLUMNS, MAX_RECORDS, refColumn } from './index-format.js';
import { entryHash } from './lookup.js';
import { normaliseValue, singleWordShape } from './normalise.js';
import { addShape, ALL_SHAPES, NO_SHAPES } from './word-shape.js';

export interface BuildStats {
  readonly columns: readonly string[];
  readonly records: number;
  readonly entries: number;
  /** Per column: values indexed, and values left out (empty, under 2 characters, longer than 4 words / 64 characters). */
  readonly perColumn: readonly { readonly column: string; readonly indexed: number; readonly empty: number; readonly short: number; readonly long: number }[];
  /** Rows with fewer fields than the header (their missing fields count as empty). */
  readonly shortRows: number;
  readonly keyFingerprint: string;
  readonly bytes: number;
}

export type BuildResult = { readonly ok: true; readonly bytes: Buffer; readonly stats: BuildStats } | { readonly ok: false; readonly error: EdmError };

/** A growable Uint32Array (doubling), so a million rows never become a million objects. */
class U32List {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

export interface BuildOptions {
  readonly columns: readonly string[];
  readonly keys: EdmKeys;
  /** Absolute path of the key file, recorded as the default keyFile of policies. */
  readonly keyFile: string;
}

function selectColumns(header: readonly string[], wanted: readonly string[]): number[] | EdmError {
  const names = header.map((h) => h.trim());
  const out: number[] = [];
  for (const w of wanted) {
    let at = names.indexOf(w);
    if (at < 0) at = names.findIndex((n) => n.toLowerCase() === w.toLowerCase());
    if (at < 0) return { code: 'RG_EDM_COLUMN_UNKNOWN', message: `the CSV header has no column "${w}" (columns: ${names.join(', ')})`, hint: 'name header columns in --columns' };
    out.push(at);
  }
  return out;
}

export async function buildIndex(rows: AsyncIterable<string[]>, opts: BuildOptions): Promise<BuildResult> {
  if (opts.columns.length === 0 || opts.columns.length > MAX_COLUMNS) return { ok: false, error: { code: 'RG_EDM_COLUMNS', message: `name 1 to ${MAX_COLUMNS} columns` } };
  if (new Set(opts.columns).size !== opts.columns.length) return { ok: false, error: { code: 'RG_EDM_COLUMNS', message: 'a column is named twice in --columns' } };
  const hi = new U32List();
  const lo = new U32List();
  const ref = new U32List();
  const tags = new U32List();
  const perColumn = opts.columns.map((column) => ({ column, indexed: 0, empty: 0, short: 0, long: 0 }));
  let select: number[] | undefined;
  let records = 0;
  let shortRows = 0;
  const prefixes = new Set<number>();
  const idLengths: [number, number] = [0, 0];
  const shapes = opts.columns.map(() => NO_SHAPES);
  let prefixShapes = NO_SHAPES;
  // a value whose one word the scan would not see as one word (cannot happen: it is one scanned word) admits everything
  const shapeOf = (summary: number, word: string): number => {
    const shape = singleWordShape(word);
    return shape === undefined ? ALL_SHAPES : addShape(summary, shape, word.length);
  };
  for await (const row of rows) {
    if (select === undefined) {
      const s = selectColumns(row, opts.columns);
      if (!Array.isArray(s)) return { ok: false, error: s };
      select = s;
      continue;
    }
    if (records >= MAX_RECORDS) return { ok: false, error: { code: 'RG_EDM_TOO_LARGE', message: `an index holds at most ${MAX_RECORDS} records` } };
    if (row.length < select.length) shortRows++;
    for (let c = 0; c < select.length; c++) {
      const stat = perColumn[c];
      const n = normaliseValue(row[select[c] ?? 0] ?? '');
      if (stat === undefined) continue;
      if (n.kind === 'skip') {
        stat[n.reason === 'empty' ? 'empty' : n.reason]++;
        continue;
      }
      stat.indexed++;
      const h = entryHash(opts.keys, n.value);
      hi.push(h.hi);
      lo.push(h.lo);
      ref.push(entryRef(records, c));
      // the value's tag; its column is in ref
      tags.push(halfSipHashString(opts.keys.filter, n.value));
      if (n.kind === 'words' && n.words > 1) {
        prefixes.add(halfSipHashString(opts.keys.filter, n.first));
        prefixShapes = shapeOf(prefixShapes, n.first);
      } else shapes[c] = shapeOf(shapes[c] ?? NO_SHAPES, n.value);
      if (n.kind === 'id') {
        const b = lengthBit(n.value.length);
        idLengths[b.word] = (idLengths[b.word] | b.bit) >>> 0;
      }
    }
    records++;
  }
  if (select === undefined) return { ok: false, error: { code: 'RG_EDM_CSV', message: 'the CSV is empty (a header row naming the columns is needed)' } };
  const entries = sortedEntries(hi, lo, ref);
  const filter = new Uint32Array(filterWordsFor(tags.length + prefixes.size));
  for (let i = 0; i < tags.length; i++) {
    const h = tags.data[i] ?? 0;
    filterAdd(filter, h, columnTag(h, refColumn(ref.data[i] ?? 0)));
  }
  for (const h of prefixes) filterAdd(filter, h, prefixTag(h));
  const header = encodeHeader({ columns: opts.columns, records, entryCount: hi.length, filterWords: filter.length, keyFingerprint: opts.keys.fingerprint, keyFile: opts.keyFile, idLengths, shapes, prefixShapes });
  const body = Buffer.concat([header, Buffer.from(entries.buffer, entries.byteOffset, entries.byteLength), Buffer.from(filter.buffer)]);
  const bytes = Buffer.concat([body, createHash('sha256').update(body).digest()]);
  return { ok: true, bytes, stats: { columns: [...opts.columns], records, entries: hi.length, perColumn, shortRows, keyFingerprint: opts.keys.fingerprint, bytes: bytes.length } };
}

/** (hi, lo, ref) triples sorted: by hash, and within one value by column, then record, which the lookup's common-value search needs. */
function sortedEntries(hi: U32List, lo: U32List, ref: U32List): Uint32Array {
  const n = hi.length;
  const h = hi.data;
  const l = lo.data;
  const r = ref.data;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (h[a] ?? 0) - (h[b] ?? 0) || (l[a] ?? 0) - (l[b] ?? 0) || (r[a] ?? 0) - (r[b] ?? 0));
  const out = new Uint32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const j = order[i] ?? 0;
    out[i * 3] = h[j] ?? 0;
    out[i * 3 + 1] = l[j] ?? 0;
    out[i * 3 + 2] = r[j] ?? 0;
  }
  return out;
}
