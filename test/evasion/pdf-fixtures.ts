// Hand-built PDFs for the embedded-file and filter variants: any list of objects with a computed xref
// table, or with some objects packed into an object stream behind an xref stream (PDF 1.5), or encrypted
// by the Standard security handler (RC4, revision 2) with an empty user password, which every reader
// opens without asking. LZW and RunLength encoders write the streams the gateway must decode itself.
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';

export interface PdfObject {
  /** The object's dictionary, `<< ... >>`; a stream's /Length is added. */
  readonly dict: string;
  readonly stream?: Uint8Array;
}

export interface PdfFileOptions {
  /** 1-based numbers of (non-stream) objects written into one object stream, with an xref stream. */
  readonly objectStream?: readonly number[];
  /** RC4-encrypted (Standard handler, V 1, R 2) with an empty user password. */
  readonly emptyPassword?: boolean;
  /** 1-based numbers of stream objects stored unencrypted in an encrypted file (pdf.js reads a V1-3 file's metadata so). */
  readonly plainStreams?: readonly number[];
  /** 1-based number of the document information dictionary, named by the trailer's /Info. */
  readonly info?: number;
}

const PAD = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex');
const FILE_ID = Buffer.alloc(16, 0x5a);
const OWNER = Buffer.alloc(32, 0x4f);
const PERMISSIONS = -4;

export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + (s[i] ?? 0) + (key[i % key.length] ?? 0)) & 0xff;
    [s[i], s[j]] = [s[j] ?? 0, s[i] ?? 0];
  }
  const out = Buffer.alloc(data.length);
  for (let n = 0, i = 0, j = 0; n < data.length; n++) {
    i = (i + 1) & 0xff;
    j = (j + (s[i] ?? 0)) & 0xff;
    [s[i], s[j]] = [s[j] ?? 0, s[i] ?? 0];
    out[n] = (data[n] ?? 0) ^ (s[((s[i] ?? 0) + (s[j] ?? 0)) & 0xff] ?? 0);
  }
  return out;
}

const md5 = (...parts: Uint8Array[]): Buffer => createHash('md5').update(Buffer.concat(parts)).digest();

// PDF 32000-1 7.6.3.3 algorithm 2 (revision 2: a 40-bit key) and 7.6.2 algorithm 1 (the key of one object).
function fileKey(): Buffer {
  const p = Buffer.alloc(4);
  p.writeInt32LE(PERMISSIONS);
  return md5(PAD, OWNER, p, FILE_ID).subarray(0, 5);
}
function objectKey(key: Buffer, num: number): Buffer {
  return md5(key, Buffer.from([num & 0xff, (num >> 8) & 0xff, (num >> 16) & 0xff, 0, 0])).subarray(0, 10);
}

/** Literal strings `(...)` (no nested parentheses) become the hex strings of their RC4 encryption. */
const encryptStrings = (dict: string, key: Buffer): string => dict.replace(/\(([^()\\]*)\)/g, (_, s: string) => `<${rc4(key, Buffer.from(s, 'latin1')).toString('hex')}>`);

const streamObject = (dict: string, data: Uint8Array): Buffer =>
  Buffer.concat([Buffer.from(`${dict.replace(/^<</, `<< /Length ${data.length}`)}\nstream\n`, 'latin1'), data, Buffer.from('\nendstream')]);

export function pdfFile(objects: readonly PdfObject[], opts: PdfFileOptions = {}): Buffer {
  const packed = new Set(opts.objectStream ?? []);
  const key = opts.emptyPassword === true ? fileKey() : undefined;
  const bodies: (Buffer | undefined)[] = objects.map((o, i) => {
    if (packed.has(i + 1)) return undefined;
    const k = key === undefined ? undefined : objectKey(key, i + 1);
    const dict = k === undefined ? o.dict : encryptStrings(o.dict, k);
    if (o.stream === undefined) return Buffer.from(dict, 'latin1');
    return streamObject(dict, k === undefined || opts.plainStreams?.includes(i + 1) === true ? o.stream : rc4(k, o.stream));
  });
  let trailerExtra = opts.info === undefined ? '' : ` /Info ${opts.info} 0 R`;
  if (key !== undefined) {
    bodies.push(Buffer.from(`<< /Filter /Standard /V 1 /R 2 /O <${OWNER.toString('hex')}> /U <${rc4(key, PAD).toString('hex')}> /P ${PERMISSIONS} >>`));
    trailerExtra += ` /Encrypt ${bodies.length} 0 R /ID [<${FILE_ID.toString('hex')}> <${FILE_ID.toString('hex')}>]`;
  }
  const order = [...packed].sort((a, b) => a - b);
  let objStm = 0;
  if (order.length > 0) {
    const texts = order.map((n) => Buffer.from(`${objects[n - 1]?.dict ?? ''}\n`, 'latin1'));
    let at = 0;
    const header = order.map((n, i) => {
      const entry = `${n} ${at}`;
      at += texts[i]?.length ?? 0;
      return entry;
    }).join(' ') + '\n';
    const data = deflateSync(Buffer.concat([Buffer.from(header), ...texts]));
    bodies.push(streamObject(`<< /Type /ObjStm /N ${order.length} /First ${header.length} /Filter /FlateDecode >>`, data));
    objStm = bodies.length;
  }
  const parts: Buffer[] = [Buffer.from(`%PDF-${order.length > 0 ? '1.5' : '1.4'}\n%\xe2\xe3\xcf\xd3\n`, 'latin1')];
  const offsets: number[] = [];
  let pos = parts[0]?.length ?? 0;
  bodies.forEach((b, i) => {
    offsets.push(pos);
    if (b === undefined) return;
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), b, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    pos += obj.length;
  });
  if (order.length === 0) {
    const xref = `xref\n0 ${bodies.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
    parts.push(Buffer.from(`${xref}trailer\n<< /Size ${bodies.length + 1} /Root 1 0 R${trailerExtra} >>\nstartxref\n${pos}\n%%EOF\n`));
    return Buffer.concat(parts);
  }
  // an xref stream: type 0 (free), 1 (offset) or 2 (in the object stream, at an index); W [1 4 2]
  const size = bodies.length + 2;
  const rows = Buffer.alloc(size * 7);
  rows.writeUInt8(0, 0);
  rows.writeUInt16BE(0xffff, 5);
  for (let n = 1; n < size; n++) {
    const at = n * 7;
    const inStream = order.indexOf(n);
    if (inStream >= 0) {
      rows.writeUInt8(2, at);
      rows.writeUInt32BE(objStm, at + 1);
      rows.writeUInt16BE(inStream, at + 5);
    } else {
      rows.writeUInt8(1, at);
      rows.writeUInt32BE(n === size - 1 ? pos : (offsets[n - 1] ?? 0), at + 1);
    }
  }
  const xref = Buffer.concat([Buffer.from(`${size - 1} 0 obj\n`), streamObject(`<< /Type /XRef /Size ${size} /W [1 4 2] /Root 1 0 R${trailerExtra} >>`, rows), Buffer.from('\nendobj\n')]);
  parts.push(xref, Buffer.from(`startxref\n${pos}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** A PDF literal string for `text` (parentheses and backslashes escaped). */
export const pdfString = (text: string): string => `(${text.replace(/[()\\]/g, (c) => `\\${c}`)})`;

export interface EmbeddedSpec {
  readonly name: string;
  readonly data: Uint8Array | string;
  /** The embedded file stream's own dictionary entries (default `/Type /EmbeddedFile`). */
  readonly streamDict?: string;
  /** The stored bytes are Flate-compressed. */
  readonly flate?: boolean;
}

export interface EmbeddingOptions extends PdfFileOptions {
  /** Where the Filespec is referenced from: the /EmbeddedFiles name tree (default) or a FileAttachment annotation. */
  readonly via?: 'names' | 'annotation';
  /** The page's text (default "see the attached file"). */
  readonly pageText?: string;
}

/**
 * A one-page PDF with files attached. Objects: 1 catalog, 2 pages, 3 page, 4 content, 5 font, then per
 * file its Filespec and its embedded file stream, then the annotation when `via` is 'annotation'.
 */
export function pdfWithFiles(files: readonly EmbeddedSpec[], opts: EmbeddingOptions = {}): Buffer {
  const via = opts.via ?? 'names';
  const first = 6;
  const specs = files.map((_, i) => first + 2 * i);
  const annot = first + 2 * files.length;
  const names = via === 'names' ? ` /Names << /EmbeddedFiles << /Names [${files.map((f, i) => `${pdfString(f.name)} ${specs[i]} 0 R`).join(' ')}] >> >>` : '';
  const content = Buffer.from(`BT /F1 12 Tf 72 712 Td ${pdfString(opts.pageText ?? 'see the attached file')} Tj ET`, 'latin1');
  const objects: PdfObject[] = [
    { dict: `<< /Type /Catalog /Pages 2 0 R${names} >>` },
    { dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R${via === 'annotation' ? ` /Annots [${annot} 0 R]` : ''} >>` },
    { dict: '<< >>', stream: content },
    { dict: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
  ];
  files.forEach((f, i) => {
    const raw = typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data;
    const stored = f.flate === true ? deflateSync(raw) : raw;
    const dict = `<< ${f.streamDict ?? '/Type /EmbeddedFile'}${f.flate === true ? ' /Filter /FlateDecode' : ''} >>`;
    objects.push({ dict: `<< /Type /Filespec /F ${pdfString(f.name)} /UF ${pdfString(f.name)} /EF << /F ${(specs[i] ?? 0) + 1} 0 R >> >>` }, { dict, stream: stored });
  });
  if (via === 'annotation') objects.push({ dict: `<< /Type /Annot /Subtype /FileAttachment /Rect [72 600 92 620] /FS ${specs[0]} 0 R /Contents (attachment) >>` });
  return pdfFile(objects, opts);
}

/** LZW codes (PDF 32000-1 7.4.4.2) packed most significant bit first at the width a reader expects. */
export function packLzw(codes: readonly number[], earlyChange = 1): Buffer {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  // the width of the i-th code after a clear: the reader's table then holds 258 + i - 1 entries
  let next = 258;
  for (const code of codes) {
    const width = Math.min(12, Math.max(9, Math.floor(Math.log2(next - 1 + earlyChange)) + 1));
    acc = (acc << width) | code;
    bits += width;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >>> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
    if (code === 256) next = 258;
    else if (next < 4096) next++;
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return Buffer.from(out);
}

/** The LZW encoding of `data` (a clear code first, EOD last). */
export function lzw(data: Uint8Array, earlyChange = 1): Buffer {
  const table = new Map<string, number>();
  for (let i = 0; i < 256; i++) table.set(String.fromCharCode(i), i);
  let next = 258;
  const codes: number[] = [256];
  let w = '';
  for (const byte of data) {
    const wc = w + String.fromCharCode(byte);
    if (table.has(wc)) {
      w = wc;
      continue;
    }
    codes.push(table.get(w) ?? 0);
    if (next < 4096) table.set(wc, next++);
    w = String.fromCharCode(byte);
  }
  if (w !== '') codes.push(table.get(w) ?? 0);
  codes.push(257);
  return packLzw(codes, earlyChange);
}

/** An LZW stream of zeros: each code one zero longer than the last, then the longest (3,839 zeros) `repeats` times. */
export function lzwZeros(repeats: number): Buffer {
  const codes = [256, 0];
  for (let c = 258; c < 4096; c++) codes.push(c);
  for (let i = 0; i < repeats; i++) codes.push(4095);
  codes.push(257);
  return packLzw(codes);
}

/** RunLength (7.4.5): runs of up to 128 equal bytes as two bytes, other bytes as literal runs. */
export function runLength(data: Uint8Array): Buffer {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (i + run < data.length && run < 128 && data[i + run] === data[i]) run++;
    if (run > 1) {
      out.push(257 - run, data[i] ?? 0);
      i += run;
      continue;
    }
    const start = i;
    while (i < data.length && i - start < 128 && !(i + 1 < data.length && data[i + 1] === data[i])) i++;
    if (i === start) i++;
    out.push(i - start - 1, ...data.subarray(start, i));
  }
  out.push(128);
  return Buffer.from(out);
}

/** A RunLength stream of `bytes` zeros (a multiple of 128) in runs of 128: two bytes each, 64:1. */
export function runLengthZeros(bytes: number): Buffer {
  const out = Buffer.alloc((bytes / 128) * 2 + 1);
  for (let i = 0; i + 1 < out.length; i += 2) out[i] = 129;
  out[out.length - 1] = 128;
  return out;
}

/** A one-page PDF whose content stream is `stored` under `filter` (and `parms`), as given. */
export function pdfWithContent(stored: Uint8Array, filter: string, parms = ''): Buffer {
  return pdfFile([
    { dict: '<< /Type /Catalog /Pages 2 0 R >>' },
    { dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { dict: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>' },
    { dict: `<< /Filter ${filter}${parms === '' ? '' : ` /DecodeParms ${parms}`} >>`, stream: stored },
    { dict: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
  ]);
}

/** PNG predictor rows (filter type Up for every row) of `columns` bytes, as a Flate stream with /Predictor 12 would hold them. */
export function pngUpRows(data: Uint8Array, columns: number): Buffer {
  const rows: number[] = [];
  const padded = Buffer.concat([data, Buffer.alloc((columns - (data.length % columns)) % columns, 0x20)]);
  for (let r = 0; r < padded.length; r += columns) {
    rows.push(2);
    for (let c = 0; c < columns; c++) rows.push(((padded[r + c] ?? 0) - (r === 0 ? 0 : (padded[r - columns + c] ?? 0))) & 0xff);
  }
  return Buffer.from(rows);
}

export interface PageOptions {
  /** The page's /MediaBox (default `[0 0 612 792]`), written as given. */
  readonly mediaBox?: string;
  /** More entries of the page dictionary (a /CropBox...). */
  readonly pageEntries?: string;
  /** The Helvetica font dictionary's extra entries (/Widths...). */
  readonly fontEntries?: string;
}

/** A one-page PDF drawing `content` (an unfiltered content stream) with Helvetica as /F1. */
export function pdfPage(content: string, opts: PageOptions = {}): Buffer {
  return pdfFile([
    { dict: '<< /Type /Catalog /Pages 2 0 R >>' },
    { dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { dict: `<< /Type /Page /Parent 2 0 R /MediaBox ${opts.mediaBox ?? '[0 0 612 792]'}${opts.pageEntries ?? ''} /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>` },
    { dict: '<< >>', stream: Buffer.from(content, 'latin1') },
    { dict: `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica${opts.fontEntries ?? ''} >>` },
  ]);
}
