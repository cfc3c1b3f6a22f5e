// Hand-built files for the evasion suite: zips byte by byte (any method, flag, prefix, zip64), tar, gzip,
// minimal PDFs (plain, Flate, ToUnicode, encrypted), ODF, RTF and binary blobs. Nothing is read from disk,
// so every variant says in code exactly which bytes the gateway gets.
import { constants, crc32 as zlibCrc32, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';

export const CARD = '4111 1111 1111 1111';
export const CARD_DIGITS = '4111111111111111';

/** CRC-32 as zip stores it (node:zlib's, the one extraction checks against). */
export const crc32 = (data: Uint8Array): number => zlibCrc32(data) >>> 0;

export interface ZipEntrySpec {
  readonly name: string;
  readonly data: Uint8Array | string;
  /** 0 stored, 8 deflate (default), 12 bzip2, 14 LZMA, 9 deflate64, 99 AES: the bytes are then `data` as given. */
  readonly method?: number;
  /** General-purpose flag bit 0: traditional PKWARE encryption. */
  readonly encrypted?: boolean;
  /** Declared uncompressed size, when the test wants it to lie. */
  readonly declaredSize?: number;
  /** The entry's stored bytes as given (for a method-8 entry whose deflate stream is garbage). */
  readonly compressed?: Uint8Array;
}

export interface ZipOptions {
  /** Bytes before the archive (a self-extractor stub); offsets stay relative to the archive start, as SFX tools write them. */
  readonly prefix?: Uint8Array;
  /** Write sizes and offsets in zip64 extra fields and a zip64 end record. */
  readonly zip64?: boolean;
}

const bytes = (d: Uint8Array | string): Uint8Array => (typeof d === 'string' ? Buffer.from(d, 'utf8') : d);

export function zip(entries: readonly ZipEntrySpec[], opts: ZipOptions = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = bytes(e.data);
    const method = e.method ?? 8;
    const packed = e.compressed ?? (method === 8 ? deflateRawSync(raw) : raw);
    const name = Buffer.from(e.name, 'utf8');
    const flags = (e.encrypted === true ? 1 : 0) | 0x800;
    const usize = e.declaredSize ?? raw.length;
    const crc = crc32(raw);
    const z64 = opts.zip64 === true;
    const extra = z64 ? zip64Extra(usize, packed.length, offset) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(z64 ? 45 : 20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(z64 ? 0xffffffff : packed.length, 18);
    local.writeUInt32LE(z64 ? 0xffffffff : usize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(z64 ? 20 : 0, 28);
    const localExtra = z64 ? zip64Extra(usize, packed.length) : Buffer.alloc(0);
    locals.push(local, name, localExtra, Buffer.from(packed));
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(z64 ? 45 : 20, 4);
    central.writeUInt16LE(z64 ? 45 : 20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(z64 ? 0xffffffff : packed.length, 20);
    central.writeUInt32LE(z64 ? 0xffffffff : usize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(z64 ? 0xffffffff : offset, 42);
    centrals.push(central, name, extra);
    offset += 30 + name.length + localExtra.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (opts.zip64 === true) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(opts.zip64 === true ? 0xffff : entries.length, 8);
  end.writeUInt16LE(opts.zip64 === true ? 0xffff : entries.length, 10);
  end.writeUInt32LE(opts.zip64 === true ? 0xffffffff : cd.length, 12);
  end.writeUInt32LE(opts.zip64 === true ? 0xffffffff : offset, 16);
  return Buffer.concat([Buffer.from(opts.prefix ?? new Uint8Array(0)), ...locals, cd, ...tail, end]);
}

function zip64Extra(usize: number, csize: number, offset?: number): Buffer {
  const b = Buffer.alloc(offset === undefined ? 20 : 28);
  b.writeUInt16LE(0x0001, 0);
  b.writeUInt16LE(b.length - 4, 2);
  b.writeBigUInt64LE(BigInt(usize), 4);
  b.writeBigUInt64LE(BigInt(csize), 12);
  if (offset !== undefined) b.writeBigUInt64LE(BigInt(offset), 20);
  return b;
}

/** One ustar member per file; with `pax`, a pax extended header carries the path. */
export function tar(files: readonly { name: string; data: string | Uint8Array }[], pax = false): Buffer {
  const out: Buffer[] = [];
  for (const f of files) {
    const data = Buffer.from(bytes(f.data));
    if (pax) {
      const rec = paxRecord('path', f.name);
      out.push(tarHeader('PaxHeader', rec.length, 'x'), pad512(rec));
    }
    out.push(tarHeader(pax ? 'ignored-short-name' : f.name, data.length, '0'), pad512(data));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = body.length + 1;
  while (String(len).length + body.length !== len) len = String(len).length + body.length;
  return Buffer.from(`${len}${body}`, 'utf8');
}

function tarHeader(name: string, size: number, type: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function pad512(b: Buffer): Buffer {
  const rest = b.length % 512;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(512 - rest)]);
}

export const gzip = (data: string | Uint8Array): Buffer => gzipSync(bytes(data));

export interface PdfOptions {
  readonly flate?: boolean;
  /** Draw `text` with a font whose ToUnicode CMap maps the letters A-J to the digits 0-9. */
  readonly toUnicode?: boolean;
  /** A Standard security handler whose user password is not empty. */
  readonly encrypted?: boolean;
  /** The content stream's bytes as given (already FlateDecode-compressed), instead of `text` drawn. */
  readonly flateStream?: Buffer;
}

const PDF_DIGIT_CODES = 'ABCDEFGHIJ';

/** A one-page PDF showing `text`, xref table computed. */
export function pdf(text: string, opts: PdfOptions = {}): Buffer {
  const shown = opts.toUnicode === true ? text.replace(/\d/g, (d) => PDF_DIGIT_CODES[Number(d)] ?? d) : text;
  const content = Buffer.from(`BT /F1 12 Tf 72 712 Td (${shown.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`, 'latin1');
  const stream = opts.flateStream ?? (opts.flate === true ? deflateSync(content) : content);
  const font = opts.toUnicode === true ? '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>' : '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const objects: Buffer[] = [
    Buffer.from('<< /Type /Catalog /Pages 2 0 R >>'),
    Buffer.from('<< /Type /Pages /Kids [3 0 R] /Count 1 >>'),
    Buffer.from('<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>'),
    Buffer.concat([Buffer.from(`<< /Length ${stream.length}${opts.flate === true || opts.flateStream !== undefined ? ' /Filter /FlateDecode' : ''} >>\nstream\n`), stream, Buffer.from('\nendstream')]),
    Buffer.from(font),
  ];
  if (opts.toUnicode === true) {
    const map = [...PDF_DIGIT_CODES].map((c, d) => `<${c.charCodeAt(0).toString(16)}> <00${(0x30 + d).toString(16)}>`).join('\n');
    const cmap = Buffer.from(
      `/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n10 beginbfchar\n${map}\nendbfchar\n1 beginbfchar\n<20> <0020>\nendbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend`,
    );
    objects.push(Buffer.concat([Buffer.from(`<< /Length ${cmap.length} >>\nstream\n`), cmap, Buffer.from('\nendstream')]));
  }
  if (opts.encrypted === true) {
    const hex = (n: number): string => 'ab'.repeat(n);
    objects.push(Buffer.from(`<< /Filter /Standard /V 1 /R 2 /O <${hex(32)}> /U <${hex(32)}> /P -4 >>`));
  }
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let pos = parts[0]?.length ?? 0;
  objects.forEach((o, i) => {
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    offsets.push(pos);
    parts.push(obj);
    pos += obj.length;
  });
  const xref = `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  const encrypt = opts.encrypted === true ? ` /Encrypt ${objects.length} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>]` : '';
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R${encrypt} >>\nstartxref\n${pos}\n%%EOF\n`));
  return Buffer.concat(parts);
}

/** An OpenDocument package: `mimetype` stored first, then content.xml with one paragraph per line. */
export function odf(kind: 'text' | 'spreadsheet', lines: readonly string[]): Buffer {
  const body =
    kind === 'text'
      ? `<office:text>${lines.map((l) => `<text:p>${l}</text:p>`).join('')}</office:text>`
      : `<office:spreadsheet><table:table>${lines.map((l) => `<table:table-row><table:table-cell><text:p>${l}</text:p></table:table-cell></table:table-row>`).join('')}</table:table></office:spreadsheet>`;
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body>${body}</office:body></office:document-content>`;
  return zip([
    { name: 'mimetype', data: `application/vnd.oasis.opendocument.${kind}`, method: 0 },
    { name: 'content.xml', data: content },
    { name: 'META-INF/manifest.xml', data: '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>' },
  ]);
}

/** A binary blob (NULs and high bytes, not text by any sniffing) with `text` embedded in the middle. */
export function blob(text: string, size = 64 * 1024): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 131 + 7) % 251 < 40 ? 0 : 0x80 + ((i * 17) % 120);
  b.write(text, size >> 1, 'latin1');
  return b;
}

/** `count` entries that each inflate to `entrySize` zero bytes (about 1000:1 each); shared with bench:inspect. */
export { zipBomb } from '../../bench/zip-bomb.mjs';

/**
 * A one-page PDF whose Flate content stream shows `ops` tiny strings: small on the wire, seconds of pdf.js
 * work. Its font has a ToUnicode map, so it is read by pdf.js, not by the content-stream fast path.
 */
export function slowPdf(ops: number, text = 'nothing'): Buffer {
  const base = pdf(text, { flate: true, toUnicode: true }).toString('latin1');
  const body = deflateSync(Buffer.from(`BT /F1 12 Tf 72 712 Td (${text}) Tj ${'(1 ) Tj 1 0 Td '.repeat(ops)} ET`));
  const out = base.replace(/<< \/Length \d+ \/Filter \/FlateDecode >>\nstream\n[\s\S]*?\nendstream/, () => `<< /Length ${body.length} /Filter /FlateDecode >>\nstream\n${body.toString('latin1')}\nendstream`);
  // the xref offsets after the stream moved; pdf.js rebuilds a damaged xref, as every reader does
  return Buffer.from(out, 'latin1');
}

/**
 * A zlib stream that inflates to `bytes` zero bytes (a multiple of 16 MiB) from about bytes/1000 bytes:
 * one 16 MiB block sequence, byte-aligned by a full flush, repeated; then an empty final block and the
 * right Adler-32, so it is valid to its end. Built in milliseconds instead of deflating a gigabyte.
 */
export function zerosFlate(bytes: number): Buffer {
  const unit = 16 << 20;
  const chunk = deflateRawSync(Buffer.alloc(unit), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((bytes % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([Buffer.from([0x78, 0xda]), ...Array.from({ length: Math.ceil(bytes / unit) }, () => chunk), Buffer.from([0x03, 0x00]), adler]);
}
