// The index file, version 2 (little-endian), read with one readFile and searched in place:
//   0  magic  89 'R' 'G' 'E' 'D' 'M' 0d 0a       (PNG-style: text-mode mangling and truncation show)
//   8  u32 version = 2          12 u32 header bytes (multiple of 8)
//  16  u32 columns              20 u32 records
//  24  u32 entries              28 u32 filter words
//  32  u32 normalisation = 1    36 u32 identifier lengths, bits 0-31 (compact lengths that occur; the rest is skipped unhashed)
//  40  16 bytes key fingerprint (HMAC of a fixed label, never the key)
//  56  u32 identifier lengths, bits 32-63              60 u32 reserved 0
//  64  per column a u32 word-shape summary, then one for the first words of multi-word values (word-shape.ts)
//  then u16 length + UTF-8 key file path recorded at build, then per column u16 length + UTF-8 name; zero pad
//  entries: 3 × u32 each (hash high, hash low, column << 27 | record), sorted; the hash is SipHash-2-4 (64 bits);
//  one value's entries are thus grouped by column, then record (the columns of a range are its ends)
//  (version 1: HMAC-SHA-256 truncated to 64 bits and record << 5 | column; refused, to be rebuilt)
//  filter: u32 words of a blocked Bloom filter (3 bits in one word per key, HalfSipHash-2-4)
//  trailer: SHA-256 of everything before it
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import type { EdmError } from './edm-key.js';
import { shapeTables, type ShapeSummary, type ShapeTables } from './word-shape.js';

export const MAGIC = Buffer.from([0x89, 0x52, 0x47, 0x45, 0x44, 0x4d, 0x0d, 0x0a]);
export const FORMAT_VERSION = 2;
export const NORMALISATION_VERSION = 1;
export const MAX_COLUMNS = 32;
export const MAX_RECORDS = 1 << 27;

/** An entry's third word: column in the top 5 bits, record in the low 27. */
export const entryRef = (record: number, column: number): number => ((column << 27) | record) >>> 0;
export const refRecord = (ref: number): number => ref & 0x7ffffff;
export const refColumn = (ref: number): number => ref >>> 27;
const FIXED = 64;
const TRAILER = 32;

export interface EdmHeader {
  readonly columns: readonly string[];
  readonly records: number;
  readonly entryCount: number;
  readonly filterWords: number;
  readonly keyFingerprint: string;
  /** Absolute path of the key file `edm index` used: the default keyFile of a policy. */
  readonly keyFile: string;
  /** Compact lengths of the identifier-like values (lengthBit): [bits 0-31, bits 32-63]. */
  readonly idLengths: readonly [number, number];
  /** Per column: shapes of its one-word values (and compact identifiers). */
  readonly shapes: readonly ShapeSummary[];
  /** Shapes of the first words of multi-word values. */
  readonly prefixShapes: ShapeSummary;
}

export interface EdmIndexData extends EdmHeader {
  /** entryCount × (hi, lo, ref): a view into the file's bytes, shared by every session of the graph. */
  readonly entries: Uint32Array;
  readonly filter: Uint32Array;
  /** Directory over the entries (built at load): bucket k = hashes whose top `bucketBits` bits are k span entries [buckets[k], buckets[k + 1]). */
  readonly buckets: Uint32Array;
  readonly bucketBits: number;
  /**
   * Hashes of the common values (more than FANOUT entries), built at load: open addressing on the low
   * word, (hi, lo) per slot, (0, 0) empty. Completing a record's columns skips a common candidate
   * without touching the entries (a value whose hash is (0, 0) is simply not in it: searched as usual).
   */
  readonly commonHashes: Uint32Array;
  /**
   * Bit record × columns + column: that record's value in that column is selective (at most FANOUT
   * entries), built at load with commonHashes (1M records × 3 columns: 375 KiB). A record whose counted
   * columns are complete but for common or empty ones needs no search for the rest (count-records.ts).
   */
  readonly selective: Uint32Array;
  /** The word-shape summaries as lookup tables (built at load). */
  readonly shapeTables: ShapeTables;
  /** SHA-256 hex of the file (for the config revision). */
  readonly digest: string;
  readonly bytes: number;
}

export type ParseResult = { readonly ok: true; readonly index: EdmIndexData } | { readonly ok: false; readonly error: EdmError };

export function encodeHeader(h: EdmHeader): Buffer {
  const strings = [h.keyFile, ...h.columns].map((s) => Buffer.from(s, 'utf8'));
  const shapeBytes = 4 * (h.columns.length + 1);
  const metaBytes = shapeBytes + strings.reduce((sum, b) => sum + 2 + b.length, 0);
  const size = Math.ceil((FIXED + metaBytes) / 8) * 8;
  const buf = Buffer.alloc(size);
  MAGIC.copy(buf, 0);
  const fields = [FORMAT_VERSION, size, h.columns.length, h.records, h.entryCount, h.filterWords, NORMALISATION_VERSION, h.idLengths[0]];
  fields.forEach((v, i) => buf.writeUInt32LE(v >>> 0, 8 + i * 4));
  Buffer.from(h.keyFingerprint, 'hex').copy(buf, 40);
  buf.writeUInt32LE(h.idLengths[1] >>> 0, 56);
  [...h.shapes, h.prefixShapes].forEach((v, i) => buf.writeUInt32LE(v >>> 0, FIXED + 4 * i));
  let at = FIXED + shapeBytes;
  for (const s of strings) {
    buf.writeUInt16LE(s.length, at);
    s.copy(buf, at + 2);
    at += 2 + s.length;
  }
  return buf;
}

function versionError(shown: string, version: number): EdmError {
  const older = version < FORMAT_VERSION;
  return {
    code: 'RG_EDM_INDEX_VERSION',
    message: older
      ? `${shown} is index format version ${version}, written by an earlier relayguard; this relayguard reads version ${FORMAT_VERSION} (its entries are hashed differently)`
      : `${shown} is index format version ${version}, written by a newer relayguard; this relayguard reads version ${FORMAT_VERSION}`,
    hint: `rebuild it: relayguard edm index CSV --columns ... --key-file KEY --out ${shown} (same CSV, columns and key; the policies need no change)`,
  };
}

const bad = (message: string, hint = 'rebuild it with relayguard edm index'): ParseResult => ({ ok: false, error: { code: 'RG_EDM_INDEX_CORRUPT', message, hint } });

/** Checks everything a lookup relies on (size, digest, order, ranges), so a graph that holds an index can search it. */
export function parseIndex(buf: Buffer, shown: string): ParseResult {
  if (buf.length < FIXED || !buf.subarray(0, 8).equals(MAGIC)) {
    return { ok: false, error: { code: 'RG_EDM_INDEX_FORMAT', message: `${shown} is not a relayguard EDM index (bad magic)`, hint: 'build one with relayguard edm index CSV --columns ... --key-file ... --out FILE' } };
  }
  const u32 = (at: number) => buf.readUInt32LE(at);
  if (u32(8) !== FORMAT_VERSION) return { ok: false, error: versionError(shown, u32(8)) };
  const [headerBytes, columnCount, records, entryCount, filterWords, normalisation] = [12, 16, 20, 24, 28, 32].map(u32) as [number, number, number, number, number, number];
  if (normalisation !== NORMALISATION_VERSION) return bad(`${shown} uses normalisation ${normalisation}, expected ${NORMALISATION_VERSION}`);
  const expected = headerBytes + entryCount * 12 + filterWords * 4 + TRAILER;
  if (buf.length !== expected) return bad(`${shown} is ${buf.length} bytes, its header says ${expected} (truncated or appended to)`);
  if (columnCount === 0 || columnCount > MAX_COLUMNS || headerBytes % 8 !== 0 || records > MAX_RECORDS || filterWords === 0) return bad(`${shown} has an impossible header`);
  const digest = createHash('sha256').update(buf.subarray(0, buf.length - TRAILER)).digest();
  if (!digest.equals(buf.subarray(buf.length - TRAILER))) return bad(`${shown} fails its SHA-256 check (corrupted)`);
  if (FIXED + 4 * (columnCount + 1) > headerBytes) return bad(`${shown} has an impossible header`);
  const shapes = Array.from({ length: columnCount + 1 }, (_, i) => u32(FIXED + 4 * i));
  const strings = readStrings(buf, FIXED + 4 * (columnCount + 1), headerBytes, columnCount + 1);
  if (strings === undefined) return bad(`${shown} has a corrupt column list`);
  if (endianness() !== 'LE') return { ok: false, error: { code: 'RG_EDM_PLATFORM', message: 'EDM indexes are searched in place and need a little-endian CPU' } };
  // one copy only if the file's bytes are not 4-aligned (a large readFile result never is unaligned)
  const aligned = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
  const entries = new Uint32Array(aligned.buffer, aligned.byteOffset + headerBytes, entryCount * 3);
  const filter = new Uint32Array(aligned.buffer, aligned.byteOffset + headerBytes + entryCount * 12, filterWords);
  const order = checkEntries(entries, columnCount, records);
  if (order !== undefined) return bad(`${shown}: ${order}`);
  const bucketBits = bucketBitsFor(entryCount);
  const buckets = bucketDirectory(entries, entryCount, bucketBits);
  const { commonHashes, selective } = commonValues(entries, entryCount, records, columnCount);
  const [keyFile = '', ...columns] = strings;
  const prefixShapes = shapes.pop() ?? 0;
  return {
    ok: true,
    index: Object.freeze({ columns: Object.freeze(columns), records, entryCount, filterWords, keyFingerprint: buf.subarray(40, 56).toString('hex'), keyFile, idLengths: [u32(36), u32(56)] as const, shapes: Object.freeze(shapes), prefixShapes, entries, filter, buckets, bucketBits, commonHashes, selective, shapeTables: shapeTables(shapes, prefixShapes), digest: digest.toString('hex'), bytes: buf.length }),
  };
}

function readStrings(buf: Buffer, from: number, to: number, count: number): string[] | undefined {
  const out: string[] = [];
  let at = from;
  for (let i = 0; i < count; i++) {
    if (at + 2 > to) return undefined;
    const len = buf.readUInt16LE(at);
    if (at + 2 + len > to) return undefined;
    out.push(buf.toString('utf8', at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

function checkEntries(e: Uint32Array, columns: number, records: number): string | undefined {
  for (let i = 0; i < e.length; i += 3) {
    const ref = e[i + 2] ?? 0;
    if (refColumn(ref) >= columns || refRecord(ref) >= records) return `entry ${i / 3} names a column or record outside the index`;
    if (i === 0) continue;
    const hi = e[i] ?? 0;
    const phi = e[i - 3] ?? 0;
    if (hi < phi || (hi === phi && ((e[i + 1] ?? 0) < (e[i - 2] ?? 0) || ((e[i + 1] ?? 0) === (e[i - 2] ?? 0) && ref <= (e[i - 1] ?? 0))))) return `entries out of order at ${i / 3}`;
  }
  return undefined;
}

/** A value with more entries than this (a frequent surname) is common: not enumerated (docs/edm.md). */
export const FANOUT = 16;

/** The common-value table (EdmIndexData.commonHashes) and the selective bits: one pass over the sorted entries. */
function commonValues(e: Uint32Array, count: number, records: number, columns: number): { commonHashes: Uint32Array; selective: Uint32Array } {
  const found: number[] = [];
  const selective = new Uint32Array(Math.ceil((records * columns) / 32));
  let i = 0;
  while (i < count) {
    const hi = e[i * 3] ?? 0;
    const lo = e[i * 3 + 1] ?? 0;
    let j = i + 1;
    while (j < count && e[j * 3] === hi && e[j * 3 + 1] === lo) j++;
    if (j - i > FANOUT) {
      if (hi !== 0 || lo !== 0) found.push(hi, lo);
    } else {
      for (let k = i; k < j; k++) {
        const ref = e[k * 3 + 2] ?? 0;
        const bit = refRecord(ref) * columns + refColumn(ref);
        selective[bit >>> 5] = ((selective[bit >>> 5] ?? 0) | (1 << (bit & 31))) >>> 0;
      }
    }
    i = j;
  }
  let slots = 16;
  while (slots < found.length) slots *= 2; // found holds 2 words per value: at most half the slots used
  const out = new Uint32Array(slots * 2);
  for (let k = 0; k < found.length; k += 2) {
    let at = (found[k + 1] ?? 0) & (slots - 1);
    while ((out[at * 2] ?? 0) !== 0 || (out[at * 2 + 1] ?? 0) !== 0) at = (at + 1) & (slots - 1);
    out[at * 2] = found[k] ?? 0;
    out[at * 2 + 1] = found[k + 1] ?? 0;
  }
  return { commonHashes: out, selective };
}

/** Record `record` has a selective value in column `column` (EdmIndexData.selective). */
export function hasSelective(data: EdmIndexData, record: number, column: number): boolean {
  const bit = record * data.columns.length + column;
  return (((data.selective[bit >>> 5] ?? 0) >>> (bit & 31)) & 1) === 1;
}

/** Whether (hi, lo) is the hash of a common value (commonValues). */
export function isCommonHash(table: Uint32Array, hi: number, lo: number): boolean {
  const mask = (table.length >>> 1) - 1;
  let at = lo & mask;
  for (;;) {
    const h = table[at * 2] ?? 0;
    const l = table[at * 2 + 1] ?? 0;
    if (h === hi && l === lo) return true;
    if (h === 0 && l === 0) return false;
    at = (at + 1) & mask;
  }
}

/** About 4 entries per bucket, 1 to 22 bits (a directory of at most 16 MiB; 2 MiB at 3M entries). */
export function bucketBitsFor(entryCount: number): number {
  return Math.min(22, Math.max(1, Math.floor(Math.log2(Math.max(1, entryCount / 4)))));
}

/**
 * Start of each bucket of the sorted entries: a lookup reads two directory words and searches a handful
 * of entries instead of binary-searching all of them (about 22 steps, most of them cache misses, at
 * 3M entries). Built at load (one pass, 4 bytes per bucket), not stored: nothing to check or trust.
 */
function bucketDirectory(e: Uint32Array, count: number, bits: number): Uint32Array {
  const n = 2 ** bits;
  const out = new Uint32Array(n + 1);
  const shift = 32 - bits;
  let b = 0;
  for (let i = 0; i < count; i++) {
    const k = (e[i * 3] ?? 0) >>> shift;
    while (b <= k) out[b++] = i;
  }
  while (b <= n) out[b++] = count;
  return out;
}
