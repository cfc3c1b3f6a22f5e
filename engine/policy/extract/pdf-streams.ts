// Every stream of a PDF, found and decoded before pdf.js sees the file. pdf.js inflates FlateDecode
// without any cap, so a 1 MB stream of zeros can cost it gigabytes; here node:zlib inflates each stream
// with maxOutputLength and the real output counts against one byte cap for the whole document. A PDF
// whose streams decode beyond it is refused ('limit') and never handed to pdf.js.
import { constants, inflateRawSync, inflateSync } from 'node:zlib';

export interface PdfStream {
  /** The object's dictionary as latin1 text ("<< /Length 12 /Filter /FlateDecode >>"). */
  readonly dict: string;
  /** Decoded bytes; the raw bytes when `opaque`. */
  readonly data: Uint8Array;
  /** A filter not decoded here (LZW, RunLength, Crypt, JBIG2...): only pdf.js can read this stream. */
  readonly opaque: boolean;
  /** An image or font program: no text for the detectors in it. */
  readonly binary: boolean;
}

export interface PdfScan {
  readonly streams: readonly PdfStream[];
  /** The file with every stream's bytes left out: objects, dictionaries, strings, the trailer. */
  readonly objects: string;
  readonly decodedBytes: number;
}

export type PdfScanResult = PdfScan | { readonly reason: 'limit'; readonly detail: string };

/** How much one stream of `compressed` bytes may decode to (the ratio limit), and all streams together. */
export interface PdfCaps {
  readonly perStream: (compressed: number) => number;
  readonly total: number;
}

const IMAGE_FILTERS = new Set(['DCTDecode', 'DCT', 'JPXDecode', 'CCITTFaxDecode', 'CCF', 'JBIG2Decode']);
const ABBREVIATIONS: Readonly<Record<string, string>> = { Fl: 'FlateDecode', AHx: 'ASCIIHexDecode', A85: 'ASCII85Decode', LZW: 'LZWDecode', RL: 'RunLengthDecode' };

export function scanPdfStreams(data: Uint8Array, caps: PdfCaps): PdfScanResult {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  const text = buf.toString('latin1');
  const streams: PdfStream[] = [];
  const objects: string[] = [];
  let decodedBytes = 0;
  let from = 0;
  const keyword = /\bstream(\r\n|\n|\r)/g;
  for (let m = keyword.exec(text); m !== null; m = keyword.exec(text)) {
    if (text.startsWith('end', m.index - 3)) continue;
    const objAt = text.lastIndexOf('obj', m.index);
    const dict = objAt >= from ? text.slice(objAt + 3, m.index) : text.slice(Math.max(from, m.index - 4096), m.index);
    const start = m.index + m[0].length;
    const end = streamEnd(text, start, dict);
    objects.push(text.slice(from, m.index));
    from = Math.min(text.length, end + 'endstream'.length);
    keyword.lastIndex = from;
    const raw = buf.subarray(start, end);
    const filters = filtersOf(dict);
    const binary = filters.some((f) => IMAGE_FILTERS.has(f)) || /\/Subtype\s*\/(Image|Type1C|CIDFontType0C|OpenType)\b|\/Length[123]\b/.test(dict);
    if (binary) {
      streams.push({ dict, data: raw, opaque: false, binary });
      continue;
    }
    const cap = Math.min(caps.total - decodedBytes, caps.perStream(raw.length));
    const decoded = decodeFilters(raw, filters, cap);
    if ('limit' in decoded) return { reason: 'limit', detail: `PDF stream at byte ${start} decodes beyond ${cap} bytes (ratio or extraction output limit)` };
    decodedBytes += decoded.data.length;
    streams.push({ dict, data: decoded.data, opaque: decoded.opaque, binary });
  }
  objects.push(text.slice(from));
  return { streams, objects: objects.join('\n'), decodedBytes };
}

// /Length when it lands on "endstream" (direct or an indirect object), else the next "endstream".
function streamEnd(text: string, start: number, dict: string): number {
  const direct = /\/Length\s+(\d+)(\s+(\d+)\s+R)?/.exec(dict);
  let length: number | undefined;
  if (direct?.[1] !== undefined) {
    if (direct[2] === undefined) length = Number(direct[1]);
    else {
      const target = new RegExp(`(?:^|[^0-9])${direct[1]}\\s+${direct[3]}\\s+obj\\s*(\\d+)`).exec(text);
      if (target?.[1] !== undefined) length = Number(target[1]);
    }
  }
  if (length !== undefined && /^\s*endstream/.test(text.slice(start + length, start + length + 16))) return start + length;
  const found = text.indexOf('endstream', start);
  if (found < 0) return text.length;
  // the EOL before endstream is not data
  let end = found;
  if (text[end - 1] === '\n') end--;
  if (text[end - 1] === '\r') end--;
  return Math.max(start, end);
}

function filtersOf(dict: string): string[] {
  const m = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dict);
  if (m?.[1] === undefined) return [];
  return [...m[1].matchAll(/\/([A-Za-z0-9]+)/g)].map((f) => ABBREVIATIONS[f[1] ?? ''] ?? f[1] ?? '');
}

type Decoded = { readonly data: Uint8Array; readonly opaque: boolean } | { readonly limit: true };

function decodeFilters(raw: Uint8Array, filters: readonly string[], cap: number): Decoded {
  let data = raw;
  for (const [i, f] of filters.entries()) {
    if (f === 'FlateDecode') {
      const r = inflate(data, cap);
      if (r === 'limit') return { limit: true };
      // left to pdf.js, which recovers what it can of a damaged stream
      if (r === 'corrupt') return { data: raw, opaque: true };
      data = r;
    } else if (f === 'ASCIIHexDecode') data = asciiHex(data);
    else if (f === 'ASCII85Decode') data = ascii85(data);
    else return { data: i === 0 ? raw : data, opaque: true };
    if (data.length > cap) return { limit: true };
  }
  return { data, opaque: false };
}

// Damaged or cut-off streams are common in real PDFs: what inflates before the damage is kept, as pdf.js
// would. The cap is zlib's own: it stops producing output there instead of growing a buffer.
function inflate(data: Uint8Array, cap: number): Uint8Array | 'limit' | 'corrupt' {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(1, cap), finishFlush: constants.Z_SYNC_FLUSH });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return 'limit';
    try {
      // a bad header or checksum: the raw deflate data after the 2-byte header
      return inflateRawSync(data.subarray(2), { maxOutputLength: Math.max(1, cap), finishFlush: constants.Z_SYNC_FLUSH });
    } catch (again) {
      if ((again as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return 'limit';
      return 'corrupt';
    }
  }
}

function asciiHex(data: Uint8Array): Uint8Array {
  const hex = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1').replace(/>[\s\S]*$/, '').replace(/[^0-9A-Fa-f]/g, '');
  return Buffer.from(hex.length % 2 === 1 ? `${hex}0` : hex, 'hex');
}

function ascii85(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('latin1').replace(/~>[\s\S]*$/, '').replace(/^<~/, '').replace(/\s+/g, '');
  const out: number[] = [];
  let group: number[] = [];
  const flush = (n: number): void => {
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const d of group) v = v * 85 + d;
    for (let k = 0; k < n; k++) out.push((v >>> (24 - 8 * k)) & 0xff);
    group = [];
  };
  for (const c of text) {
    if (c === 'z' && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    const d = c.charCodeAt(0) - 33;
    if (d < 0 || d > 84) continue;
    group.push(d);
    if (group.length === 5) flush(4);
  }
  if (group.length > 1) flush(group.length - 1);
  return Uint8Array.from(out);
}
