// gzip (RFC 1952, members concatenated) and bare zlib streams (RFC 1950): inflated by zlib with a real
// output cap. A gzip header's original file name and comment (FNAME, FCOMMENT) are text too.
import { gunzipSync, inflateSync } from 'node:zlib';

export type GzipResult = { readonly ok: Uint8Array; readonly header: string } | { readonly reason: 'corrupt' | 'limit'; readonly detail: string };

export function readGzip(data: Uint8Array, cap: number, zlib = false): GzipResult {
  const what = zlib ? 'zlib' : 'gzip';
  try {
    const ok = zlib ? inflateSync(data, { maxOutputLength: Math.max(1, cap) }) : gunzipSync(data, { maxOutputLength: Math.max(1, cap) });
    return { ok, header: zlib ? '' : gzipHeaderText(data) };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { reason: 'limit', detail: `${what} stream inflates beyond ${cap} bytes (ratio or size limit)` };
    return { reason: 'corrupt', detail: `${what} stream does not inflate: ${(err as Error).message}` };
  }
}

// RFC 1952 2.3: FLG bits FEXTRA 4, FNAME 8, FCOMMENT 16, each zero-terminated latin1 (the first member's).
function gzipHeaderText(data: Uint8Array): string {
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  const flags = b[3] ?? 0;
  let o = 10;
  if (flags & 0x04 && o + 2 <= b.length) o += 2 + b.readUInt16LE(o);
  const out: string[] = [];
  for (const bit of [0x08, 0x10]) {
    if (!(flags & bit)) continue;
    const end = b.indexOf(0, o);
    if (end < 0) break;
    out.push(b.toString('latin1', o, end));
    o = end + 1;
  }
  return out.join('\n');
}

/** The name of what a .gz file holds: "report.tar.gz" → "report.tar", "x.tgz" → "x.tar". */
export function gunzippedName(name: string): string {
  if (/\.tgz$/i.test(name)) return name.replace(/\.tgz$/i, '.tar');
  return /\.gz$/i.test(name) ? name.slice(0, -3) : `${name || 'gzip'}.content`;
}
