// Every stream of a PDF, found and decoded before pdf.js sees the file. pdf.js inflates FlateDecode
// without any cap, so a 1 MB stream of zeros can cost it gigabytes; here node:zlib inflates each stream
// with maxOutputLength and the real output counts against one byte cap for the whole document. A PDF
// whose streams decode beyond it is refused ('limit') and never handed to pdf.js. LZW and RunLength
// (which pdf.js decodes without a cap too) and the predictors are decoded here under the same caps.
import { constants, inflateRawSync, inflateSync } from 'node:zlib';
import { lzwDecode, type PredictorParms, runLengthDecode, unpredict } from './pdf-filters.js';

export interface PdfStream {
  /** The number of the object the stream is (undefined when no "n g obj" precedes it). */
  readonly id: number | undefined;
  /** The object's dictionary as latin1 text ("<< /Length 12 /Filter /FlateDecode >>"). */
  readonly dict: string;
  /** Decoded bytes; the raw bytes when `opaque`. */
  readonly data: Uint8Array;
  /** A filter (Crypt, JBIG2...) or predictor not decoded here: only pdf.js can read this stream. */
  readonly opaque: boolean;
  /** An image or font program: no text for the detectors in it, left undecoded (`data` is the raw bytes). */
  readonly binary: boolean;
  /** Where the stream's raw bytes start in the file. */
  readonly at: number;
  readonly rawLength: number;
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
    const id = objAt >= from ? objectNumber(text, objAt) : undefined;
    const start = m.index + m[0].length;
    const end = streamEnd(text, start, dict);
    objects.push(text.slice(from, m.index));
    from = Math.min(text.length, end + 'endstream'.length);
    keyword.lastIndex = from;
    const raw = buf.subarray(start, end);
    // an embedded file is decoded whatever its dictionary claims (a /Subtype can lie)
    const filters = filtersOf(dict);
    const binary = !EMBEDDED_FILE.test(dict) && (filters.some((f) => IMAGE_FILTERS.has(f)) || /\/Subtype\s*\/(Image|Type1C|CIDFontType0C|OpenType)\b|\/Length[123]\b/.test(dict));
    if (binary) {
      streams.push({ id, dict, data: raw, opaque: false, binary, at: start, rawLength: raw.length });
      continue;
    }
    const cap = Math.min(caps.total - decodedBytes, caps.perStream(raw.length));
    const decoded = decodeStream(dict, raw, cap, filters);
    if ('limit' in decoded) return streamLimit(start, cap);
    decodedBytes += decoded.data.length;
    streams.push({ id, dict, data: decoded.data, opaque: decoded.opaque, binary, at: start, rawLength: raw.length });
  }
  objects.push(text.slice(from));
  return { streams, objects: objects.join('\n'), decodedBytes };
}

const EMBEDDED_FILE = /\/Type\s*\/EmbeddedFile\b/;

export const streamLimit = (at: number, cap: number): { readonly reason: 'limit'; readonly detail: string } => ({
  reason: 'limit',
  detail: `PDF stream at byte ${at} decodes beyond ${cap} bytes (ratio or extraction output limit)`,
});

// "12 0 obj": the digits before the keyword at `objAt`.
function objectNumber(text: string, objAt: number): number | undefined {
  const m = /(\d+)\s+\d+\s+$/.exec(text.slice(Math.max(0, objAt - 24), objAt));
  return m?.[1] === undefined ? undefined : Number(m[1]);
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
  const m = /\/Filter\s*(?:\/([A-Za-z0-9]+)|(\[[^\]]*\]))/.exec(dict);
  if (m?.[1] !== undefined) return [ABBREVIATIONS[m[1]] ?? m[1]];
  if (m?.[2] === undefined) return [];
  return [...m[2].matchAll(/\/([A-Za-z0-9]+)/g)].map((f) => ABBREVIATIONS[f[1] ?? ''] ?? f[1] ?? '');
}

/** The parameters of each filter: /DecodeParms is one dictionary or an array of them (null for none). */
function decodeParmsOf(dict: string, count: number): string[] {
  const m = /\/DecodeParms\s*(<<[^>]*>>|\[[^\]]*\])/.exec(dict);
  if (m?.[1] === undefined) return [];
  if (m[1].startsWith('<<')) return count > 0 ? [m[1]] : [];
  return [...m[1].matchAll(/<<[^>]*>>|null/g)].map((p) => (p[0] === 'null' ? '' : p[0]));
}

const PARMS = {
  Predictor: /\/Predictor\s+(-?\d+)/,
  Colors: /\/Colors\s+(-?\d+)/,
  BitsPerComponent: /\/BitsPerComponent\s+(-?\d+)/,
  Columns: /\/Columns\s+(-?\d+)/,
  EarlyChange: /\/EarlyChange\s+(-?\d+)/,
} as const;
const parm = (parms: string, key: keyof typeof PARMS, fallback: number): number => {
  const m = parms === '' ? null : PARMS[key].exec(parms);
  return m?.[1] === undefined ? fallback : Number(m[1]);
};

const NO_PREDICTOR: PredictorParms = { predictor: 1, colors: 1, bitsPerComponent: 8, columns: 1 };
const predictorOf = (parms: string): PredictorParms =>
  parms === ''
    ? NO_PREDICTOR
    : {
        predictor: parm(parms, 'Predictor', 1),
        colors: parm(parms, 'Colors', 1),
        bitsPerComponent: parm(parms, 'BitsPerComponent', 8),
        columns: parm(parms, 'Columns', 1),
      };

type Decoded = { readonly data: Uint8Array; readonly opaque: boolean } | { readonly limit: true };

/** A stream's bytes through its filters (from its dictionary), at most `cap` bytes after any of them. */
export function decodeStream(dict: string, raw: Uint8Array, cap: number, filters: readonly string[] = filtersOf(dict)): Decoded {
  const parms = filters.length === 0 ? [] : decodeParmsOf(dict, filters.length);
  let data = raw;
  for (const [i, f] of filters.entries()) {
    const p = parms[i] ?? '';
    let r: Uint8Array | 'limit' | 'corrupt';
    if (f === 'FlateDecode') r = inflate(data, cap);
    else if (f === 'LZWDecode') r = lzwDecode(data, parm(p, 'EarlyChange', 1), cap);
    else if (f === 'RunLengthDecode') r = runLengthDecode(data, cap);
    else if (f === 'ASCIIHexDecode') r = asciiHex(data);
    else if (f === 'ASCII85Decode') r = ascii85(data);
    else return { data: i === 0 ? raw : data, opaque: true };
    if (r === 'limit') return { limit: true };
    // left to pdf.js, which recovers what it can of a damaged stream
    if (r === 'corrupt') return { data: raw, opaque: true };
    if (f === 'FlateDecode' || f === 'LZWDecode') {
      const undone = unpredict(r, predictorOf(p));
      if (undone === undefined) return { data: raw, opaque: true };
      r = undone;
    }
    data = r;
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
