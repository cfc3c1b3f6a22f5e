// Zip read through its central directory (also behind a stub, also zip64); entries inflate with a real
// output cap, so neither a declared size nor a bomb decides how much memory or CPU an entry gets.
// Local entries the central directory does not list are read too: two archives glued together show
// the first to 7-Zip and the second to other tools, and a streaming reader shows an unlisted entry.
import { crc32, inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Start of the entry's local header in the buffer, stub bytes included. */
  readonly localOffset: number;
  /** Found by its local header only; sizes unknown (data descriptor) when `size` is -1. */
  readonly unlisted?: true;
}

export interface ZipDirectory {
  readonly entries: readonly ZipEntry[];
  /** Declared entry count (may exceed `entries` when the listing was capped). */
  readonly total: number;
  /** Bytes in front of the archive (a self-extractor stub). */
  readonly prefix: number;
  /** The archive comment and the entries' comments, as text (tools show them). */
  readonly comments: readonly string[];
}

export type ZipFailure = { readonly reason: 'encrypted' | 'unsupported' | 'corrupt' | 'limit'; readonly detail: string };

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

const METHOD_NAMES: Readonly<Record<number, string>> = { 1: 'shrink', 6: 'implode', 9: 'deflate64', 12: 'bzip2', 14: 'LZMA', 19: 'LZ77', 93: 'zstd', 95: 'xz', 97: 'WavPack', 98: 'PPMd' };

/** Position of the end-of-central-directory record, searched back over the largest comment. */
export function findZipEnd(data: Uint8Array): number | undefined {
  const buf = view(data);
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf[i] === 0x50 && buf[i + 1] === 0x4b && buf[i + 2] === 0x05 && buf[i + 3] === 0x06) {
      const cdSize = buf.readUInt32LE(i + 12);
      const commentLen = buf.readUInt16LE(i + 20);
      if (i + 22 + commentLen <= buf.length && (cdSize === 0xffffffff || cdSize <= i)) return i;
    }
  }
  return undefined;
}

/** The central directory, at most `maxEntries` entries; a failure when it cannot be read. */
export function readZipDirectory(data: Uint8Array, maxEntries: number): ZipDirectory | ZipFailure {
  const buf = view(data);
  const end = findZipEnd(buf);
  if (end === undefined) return { reason: 'corrupt', detail: 'zip has no end of central directory record' };
  let total = buf.readUInt16LE(end + 10);
  let cdSize = buf.readUInt32LE(end + 12);
  let cdOffset = buf.readUInt32LE(end + 16);
  let cdEnd = end;
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const z64 = readZip64End(buf, end);
    if ('reason' in z64) return z64;
    ({ total, cdSize, cdOffset } = z64);
    cdEnd = z64.at;
  }
  const cdStart = cdEnd - cdSize;
  // offsets are relative to the archive start; a stub in front shifts them all by the same amount
  const prefix = cdStart - cdOffset;
  if (cdStart < 0 || prefix < 0) return { reason: 'corrupt', detail: 'zip central directory lies outside the file' };
  const entries: ZipEntry[] = [];
  const comments: string[] = [];
  const archiveComment = buf.subarray(end + 22, end + 22 + buf.readUInt16LE(end + 20));
  if (archiveComment.length > 0) comments.push(nameText(archiveComment, 0));
  let p = cdStart;
  for (let i = 0; i < total && entries.length < maxEntries; i++) {
    if (p + 46 > cdEnd || buf.readUInt32LE(p) !== CENTRAL) return { reason: 'corrupt', detail: `zip central directory entry ${i} is damaged` };
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const flags = buf.readUInt16LE(p + 8);
    const rawName = buf.subarray(p + 46, p + 46 + nameLen);
    const sizes = zip64Sizes(buf.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), {
      size: buf.readUInt32LE(p + 24),
      compressedSize: buf.readUInt32LE(p + 20),
      offset: buf.readUInt32LE(p + 42),
    });
    entries.push({
      name: nameText(rawName, flags),
      method: buf.readUInt16LE(p + 10),
      flags,
      crc: buf.readUInt32LE(p + 16),
      compressedSize: sizes.compressedSize,
      size: sizes.size,
      localOffset: sizes.offset + prefix,
    });
    if (commentLen > 0) comments.push(nameText(buf.subarray(p + 46 + nameLen + extraLen, p + 46 + nameLen + extraLen + commentLen), flags));
    p += 46 + nameLen + extraLen + commentLen;
  }
  const unlisted = unlistedEntries(buf, entries, maxEntries - entries.length);
  return { entries: [...entries, ...unlisted.entries], total: total + unlisted.total, prefix, comments };
}

/** Local headers outside every listed entry's header and data: glued-on archives, hidden entries. */
function unlistedEntries(buf: Buffer, listed: readonly ZipEntry[], room: number): { entries: ZipEntry[]; total: number } {
  const covered = listed.map((e) => [e.localOffset, localDataStart(buf, e.localOffset) + e.compressedSize] as const).sort((a, b) => a[0] - b[0]);
  const signature = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
  const entries: ZipEntry[] = [];
  let total = 0;
  let c = 0;
  for (let o = buf.indexOf(signature); o >= 0 && o + 30 <= buf.length; o = buf.indexOf(signature, o + 4)) {
    while (c < covered.length && (covered[c]?.[1] ?? 0) <= o) c++;
    const range = covered[c];
    if (range !== undefined && range[0] <= o) {
      o = Math.max(o, range[1] - 4);
      continue;
    }
    const flags = buf.readUInt16LE(o + 6);
    const nameLen = buf.readUInt16LE(o + 26);
    const extraLen = buf.readUInt16LE(o + 28);
    if (o + 30 + nameLen + extraLen > buf.length) break;
    const rawName = buf.subarray(o + 30, o + 30 + nameLen);
    const sizes = zip64Sizes(buf.subarray(o + 30 + nameLen, o + 30 + nameLen + extraLen), { size: buf.readUInt32LE(o + 22), compressedSize: buf.readUInt32LE(o + 18), offset: o });
    // a data descriptor (flag 3) leaves the sizes in the header 0: the entry runs to what inflates
    const unknown = (flags & 0x8) !== 0 && sizes.compressedSize === 0;
    const dataStart = o + 30 + nameLen + extraLen;
    total++;
    if (entries.length < room) {
      entries.push({
        name: nameText(rawName, flags),
        method: buf.readUInt16LE(o + 8),
        flags,
        crc: buf.readUInt32LE(o + 14),
        compressedSize: unknown ? buf.length - dataStart : sizes.compressedSize,
        size: unknown ? -1 : sizes.size,
        localOffset: o,
        unlisted: true,
      });
    }
    if (!unknown) o = Math.max(o, Math.min(buf.length, dataStart + sizes.compressedSize) - 4);
  }
  return { entries, total };
}

function localDataStart(buf: Buffer, lh: number): number {
  if (lh + 30 > buf.length) return lh;
  return lh + 30 + buf.readUInt16LE(lh + 26) + buf.readUInt16LE(lh + 28);
}

/** An entry's content, inflated to at most `cap` bytes; a failure says why it cannot be read. */
export function readZipEntry(data: Uint8Array, e: ZipEntry, cap: number): Uint8Array | ZipFailure {
  if (e.flags & 1 || e.method === 99) return { reason: 'encrypted', detail: `zip entry ${e.name} is encrypted${e.method === 99 ? ' (AES)' : ''}` };
  if (e.method !== 0 && e.method !== 8) {
    return { reason: 'unsupported', detail: `zip entry ${e.name} uses ${METHOD_NAMES[e.method] ?? 'an unknown method'} (method ${e.method})` };
  }
  const buf = view(data);
  const lh = e.localOffset;
  if (lh + 30 > buf.length || buf.readUInt32LE(lh) !== LOCAL) return { reason: 'corrupt', detail: `zip entry ${e.name} has no local header` };
  const start = localDataStart(buf, lh);
  if (start + e.compressedSize > buf.length) return { reason: 'corrupt', detail: `zip entry ${e.name} is cut off` };
  const packed = buf.subarray(start, start + e.compressedSize);
  let out: Buffer;
  if (e.method === 0) {
    if (e.size < 0) return { reason: 'corrupt', detail: `zip entry ${e.name} is stored with its size only in a data descriptor, outside the central directory` };
    if (packed.length > cap) return { reason: 'limit', detail: `zip entry ${e.name} is ${packed.length} bytes, over the ${cap}-byte limit` };
    out = packed;
  } else {
    try {
      // zlib stops and throws once real output passes the cap: a bomb costs `cap` bytes, not its size
      out = inflateRawSync(packed, { maxOutputLength: Math.max(1, cap) });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        return { reason: 'limit', detail: `zip entry ${e.name} inflates beyond ${cap} bytes (ratio or size limit)` };
      }
      return { reason: 'corrupt', detail: `zip entry ${e.name} does not inflate: ${(err as Error).message}` };
    }
  }
  // an unlisted entry with a data descriptor has no size or checksum before its data: what inflates is it
  if (e.size < 0) return out;
  if (out.length !== e.size || crc32(out) !== e.crc) return { reason: 'corrupt', detail: `zip entry ${e.name} does not match its size or checksum` };
  return out;
}

function readZip64End(buf: Buffer, end: number): { total: number; cdSize: number; cdOffset: number; at: number } | ZipFailure {
  const loc = end - 20;
  if (loc < 0 || buf.readUInt32LE(loc) !== EOCD64_LOCATOR) return { reason: 'corrupt', detail: 'zip64 end locator missing' };
  // the record sits right before its locator, whatever offset (relative to a possible stub) it names
  const at = loc - 56;
  if (at < 0 || buf.readUInt32LE(at) !== EOCD64) return { reason: 'corrupt', detail: 'zip64 end record missing' };
  const total = Number(buf.readBigUInt64LE(at + 32));
  const cdSize = Number(buf.readBigUInt64LE(at + 40));
  const cdOffset = Number(buf.readBigUInt64LE(at + 48));
  if (!Number.isSafeInteger(total + cdSize + cdOffset)) return { reason: 'corrupt', detail: 'zip64 sizes out of range' };
  return { total, cdSize, cdOffset, at };
}

function zip64Sizes(extra: Buffer, base: { size: number; compressedSize: number; offset: number }): typeof base {
  const out = { ...base };
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 0x0001) {
      let q = p + 4;
      const next = (): number => {
        const v = q + 8 <= p + 4 + len && q + 8 <= extra.length ? Number(extra.readBigUInt64LE(q)) : -1;
        q += 8;
        return v;
      };
      if (base.size === 0xffffffff) out.size = next();
      if (base.compressedSize === 0xffffffff) out.compressedSize = next();
      if (base.offset === 0xffffffff) out.offset = next();
    }
    p += 4 + len;
  }
  return out;
}

/** UTF-8 when flagged (bit 11) or valid, else the old DOS code page's superset as latin1. */
function nameText(raw: Buffer, flags: number): string {
  return flags & 0x800 || isUtf8(raw) ? raw.toString('utf8') : raw.toString('latin1');
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function view(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
}
