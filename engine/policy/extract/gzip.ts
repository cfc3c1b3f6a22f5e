// gzip (RFC 1952, members concatenated): inflated by zlib with a real output cap.
import { gunzipSync } from 'node:zlib';

export type GzipResult = { readonly ok: Uint8Array } | { readonly reason: 'corrupt' | 'limit'; readonly detail: string };

export function readGzip(data: Uint8Array, cap: number): GzipResult {
  try {
    return { ok: gunzipSync(data, { maxOutputLength: Math.max(1, cap) }) };
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { reason: 'limit', detail: `gzip stream inflates beyond ${cap} bytes (ratio or size limit)` };
    return { reason: 'corrupt', detail: `gzip stream does not inflate: ${(err as Error).message}` };
  }
}

/** The name of what a .gz file holds: "report.tar.gz" → "report.tar", "x.tgz" → "x.tar". */
export function gunzippedName(name: string): string {
  if (/\.tgz$/i.test(name)) return name.replace(/\.tgz$/i, '.tar');
  return /\.gz$/i.test(name) ? name.slice(0, -3) : `${name || 'gzip'}.content`;
}
