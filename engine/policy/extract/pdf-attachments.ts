// Files attached inside a PDF, found from the scan (pdf-streams.ts) rather than through pdf.js: every
// file specification with an /EF dictionary, wherever it sits (the /EmbeddedFiles name tree, a
// FileAttachment annotation, an object stream), and every stream that says /Type /EmbeddedFile. Their
// bytes were decoded under the document's caps like any stream; one whose dictionary claimed an image
// (and so was left undecoded) is decoded here under what the caps leave. pdf.ts hands them on.
import { decodeStream, type PdfCaps, type PdfScan, type PdfStream, streamLimit } from './pdf-streams.js';

/** One attached file: its bytes, or why they cannot be read here. */
export type EmbeddedFile =
  | { readonly name: string; readonly description: string; readonly content: Uint8Array }
  | { readonly name: string; readonly description: string; readonly reason: 'unsupported'; readonly detail: string };

/** The files, and the streams that hold them (not page content, whatever their dictionary lacks). */
export type EmbeddedFilesResult = { readonly files: readonly EmbeddedFile[]; readonly streams: ReadonlySet<PdfStream> } | { readonly reason: 'limit'; readonly detail: string };

interface Spec {
  readonly name: string;
  readonly description: string;
}

/** The embedded files of an unencrypted document (an encrypted one's are read by pdf.js, see pdf.ts). */
export function embeddedFiles(scan: PdfScan, caps: PdfCaps): EmbeddedFilesResult {
  // a file specification's /EF key stands in the object text or in an object stream: with neither, there
  // is no specification to look up and the object text is not split into objects
  const mayHoldSpecs = scan.objects.includes('/EF') || scan.streams.some((s) => !s.opaque && OBJECT_STREAM.test(s.dict));
  const objects = mayHoldSpecs ? objectTexts(scan) : new Map<number, string>();
  const specs = new Map<number, Spec>();
  for (const text of objects.values()) {
    for (const m of text.matchAll(/\/EF(?=[\s<[(/\d])\s*(?:<<|(\d+)\s+\d+\s+R)/g)) {
      const spec = enclosingDict(text, m.index);
      const ef = m[1] === undefined ? balancedDict(text, text.indexOf('<<', m.index)) : (objects.get(Number(m[1])) ?? '');
      const info: Spec = { name: stringValue(spec, 'UF') ?? stringValue(spec, 'F') ?? '', description: stringValue(spec, 'Desc') ?? '' };
      for (const r of ef.matchAll(/\/(?:UF|F|DOS|Mac|Unix)\s+(\d+)\s+\d+\s+R/g)) if (!specs.has(Number(r[1]))) specs.set(Number(r[1]), info);
    }
  }
  const found: EmbeddedFile[] = [];
  const streams = new Set<PdfStream>();
  let left = caps.total - scan.decodedBytes;
  for (const s of scan.streams) {
    const spec = s.id === undefined ? undefined : specs.get(s.id);
    if (spec === undefined && !/\/Type\s*\/EmbeddedFile\b/.test(s.dict)) continue;
    streams.add(s);
    const named = spec ?? { name: `embedded-file-${s.id ?? s.at}`, description: '' };
    const content = s.binary ? decodeLate(s, caps, left) : s;
    if ('reason' in content) return content;
    if (s.binary) left -= content.data.length;
    if (content.opaque) found.push({ ...named, reason: 'unsupported', detail: `embedded file stream at byte ${s.at} uses a filter or predictor not decoded here` });
    else found.push({ ...named, content: content.data });
  }
  return { files: found, streams };
}

// A stream first taken for an image or font program (its /Subtype or /Length1 said so) is decoded now.
function decodeLate(s: PdfStream, caps: PdfCaps, left: number): { readonly data: Uint8Array; readonly opaque: boolean } | { readonly reason: 'limit'; readonly detail: string } {
  const cap = Math.min(left, caps.perStream(s.rawLength));
  const decoded = decodeStream(s.dict, s.data, cap);
  return 'limit' in decoded ? streamLimit(s.at, cap) : decoded;
}

const OBJECT_STREAM = /\/Type\s*\/ObjStm\b/;

/** Each object's text by number: "n g obj ... endobj" of the file (streams left out), then the objects of object streams. */
function objectTexts(scan: PdfScan): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of scan.objects.matchAll(/(?:^|[^\d])(\d+)\s+\d+\s+obj\b([\s\S]*?)(?=\bendobj\b|$)/g)) out.set(Number(m[1]), m[2] ?? '');
  for (const s of scan.streams) {
    if (s.opaque || !OBJECT_STREAM.test(s.dict)) continue;
    const first = Number(/\/First\s+(\d+)/.exec(s.dict)?.[1] ?? NaN);
    if (!Number.isFinite(first)) continue;
    const text = Buffer.from(s.data.buffer, s.data.byteOffset, s.data.length).toString('latin1');
    const pairs = [...text.slice(0, first).matchAll(/(\d+)\s+(\d+)/g)].map((p) => [Number(p[1]), Number(p[2])] as const);
    pairs.forEach(([num, offset], i) => {
      const end = pairs[i + 1]?.[1];
      if (!out.has(num)) out.set(num, text.slice(first + offset, end === undefined ? text.length : first + end));
    });
  }
  return out;
}

/** The dictionary `<< ... >>` around `at` (the innermost one still open there). */
function enclosingDict(text: string, at: number): string {
  let depth = 0;
  for (let i = at - 1; i > 0; i--) {
    if (text[i] === '>' && text[i - 1] === '>') {
      depth++;
      i--;
    } else if (text[i] === '<' && text[i - 1] === '<') {
      if (depth === 0) return balancedDict(text, i - 1);
      depth--;
      i--;
    }
  }
  return text;
}

function balancedDict(text: string, start: number): string {
  if (start < 0) return '';
  let depth = 0;
  for (let i = start; i < text.length - 1; i++) {
    if (text[i] === '<' && text[i + 1] === '<') {
      depth++;
      i++;
    } else if (text[i] === '>' && text[i + 1] === '>') {
      depth--;
      i++;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return text.slice(start);
}

/** A key's string value in a dictionary: a literal (escapes, balanced parentheses) or hex string; UTF-16 when it has the BOM. */
export function stringValue(dict: string, key: string): string | undefined {
  const m = new RegExp(`/${key}\\s*([(<])`).exec(dict);
  if (m?.index === undefined) return undefined;
  const at = m.index + m[0].length - 1;
  const bytes = m[1] === '(' ? literalBytes(dict, at + 1) : hexBytes(dict, at + 1);
  return textString(bytes);
}

function hexBytes(text: string, from: number): Buffer {
  const end = text.indexOf('>', from);
  const hex = text.slice(from, end < 0 ? text.length : end).replace(/[^0-9A-Fa-f]/g, '');
  return Buffer.from(hex.length % 2 === 1 ? `${hex}0` : hex, 'hex');
}

const ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, b: 8, f: 12 };

function literalBytes(text: string, from: number): Buffer {
  const out: number[] = [];
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '\\') {
      const e = text[++i] ?? '';
      const octal = /^[0-7]{1,3}/.exec(text.slice(i, i + 3))?.[0];
      if (octal !== undefined) {
        out.push(parseInt(octal, 8) & 0xff);
        i += octal.length - 1;
      } else if (e === '\r') {
        if (text[i + 1] === '\n') i++;
      } else if (e !== '\n') out.push(ESCAPES[e] ?? e.charCodeAt(0));
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) break;
    out.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(out);
}

function textString(b: Buffer): string {
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1))).swap16().toString('utf16le');
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
  return b.toString('latin1');
}
