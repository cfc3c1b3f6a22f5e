// The cells of a legacy Excel workbook (.xls, MS-XLS: BIFF8, also BIFF5/7, records in the Workbook or
// Book stream of an OLE compound file) as Excel shows them: numbers (NUMBER, RK, MULRK, a FORMULA's
// cached result) in decimal, integers without ".0"; text from the shared string table (read across
// its CONTINUE records), LABEL and a formula's STRING result. Each sheet's cells in row and column
// order, a row's cells joined by a space (as the xlsx reader does), so digits spread over a row of
// cells read as one number. Printable strings of the file are still read besides (extract-file.ts).
// A number whose cell has a custom number format (FORMAT and XF records) is also read as that format
// shows it (xls-format.ts): the sheet once more, with those cells as shown, when any differs.
import { readCfb } from './ole.js';
import { formatNumber } from './xls-format.js';

interface Cell {
  readonly row: number;
  readonly col: number;
  readonly text: string;
  /** The text its number format shows, when that differs from `text`. */
  readonly shown?: string;
}

/** Most cells read from one workbook: the stream is bounded by the file, this bounds the sort. */
const MAX_CELLS = 1 << 20;

/** The workbook's cells as text, or undefined when the file holds no BIFF workbook stream. */
export function xlsCellText(data: Uint8Array): string | undefined {
  const cfb = readCfb(data);
  const entry = cfb?.entries.find((e) => (e.name === 'Workbook' || e.name === 'Book') && e.type === 2);
  if (cfb === undefined || entry === undefined) return undefined;
  const stream = Buffer.from(cfb.read(entry, data.length));
  return readWorkbook(stream);
}

interface Reader {
  readonly biff8: boolean;
  readonly sst: readonly string[];
  /** FORMAT records: format index → format string. */
  readonly formats: Map<number, string>;
  /** XF records in order: their format index. */
  readonly xfFormats: number[];
}

function readWorkbook(b: Buffer): string {
  const sheets: Cell[][] = [];
  let cells: Cell[] = [];
  let count = 0;
  let reader: Reader = { biff8: true, sst: [], formats: new Map(), xfFormats: [] };
  let pendingString: { row: number; col: number } | undefined;
  const push = (row: number, col: number, text: string): void => {
    if (text === '' || count >= MAX_CELLS) return;
    cells.push({ row, col, text });
    count++;
  };
  const pushNumber = (row: number, col: number, value: number, xf: number): void => {
    const text = numberText(value);
    if (text === '' || count >= MAX_CELLS) return;
    const format = reader.formats.get(reader.xfFormats[xf] ?? -1);
    const shown = format === undefined ? undefined : formatNumber(value, format);
    cells.push({ row, col, text, ...(shown !== undefined && shown !== text ? { shown } : {}) });
    count++;
  };
  for (let o = 0; o + 4 <= b.length; ) {
    const type = b.readUInt16LE(o);
    const length = b.readUInt16LE(o + 2);
    const body = b.subarray(o + 4, Math.min(b.length, o + 4 + length));
    o += 4 + length;
    if (type === 0x0809 || type === 0x0409 || type === 0x0209 || type === 0x0009) {
      // BOF: a new substream (globals, a worksheet); BIFF8 says version 0x0600
      if (cells.length > 0) sheets.push(cells);
      cells = [];
      reader = { ...reader, biff8: type === 0x0809 && body.length >= 2 && body.readUInt16LE(0) === 0x0600 };
      continue;
    }
    if (type === 0x00fc) {
      const continues: Buffer[] = [];
      while (o + 4 <= b.length && b.readUInt16LE(o) === 0x003c) {
        const l = b.readUInt16LE(o + 2);
        continues.push(b.subarray(o + 4, Math.min(b.length, o + 4 + l)));
        o += 4 + l;
      }
      reader = { ...reader, sst: sharedStringTable(body, continues) };
      continue;
    }
    if (type === 0x041e && body.length >= 3) {
      // FORMAT: ifmt, then the format string
      reader.formats.set(body.readUInt16LE(0), unicodeString(body, 2, reader.biff8, []).text);
      continue;
    }
    if (type === 0x00e0 && body.length >= 4) {
      reader.xfFormats.push(body.readUInt16LE(2));
      continue;
    }
    if (body.length < 6) continue;
    const row = body.readUInt16LE(0);
    const xf = body.readUInt16LE(4);
    const col = body.readUInt16LE(2);
    if (type === 0x0207 && pendingString !== undefined) {
      // STRING: the text result of the FORMULA just before
      push(pendingString.row, pendingString.col, unicodeString(body, 0, reader.biff8, []).text);
      pendingString = undefined;
      continue;
    }
    pendingString = undefined;
    switch (type) {
      case 0x0203:
        if (body.length >= 14) pushNumber(row, col, body.readDoubleLE(6), xf);
        break;
      case 0x027e:
        if (body.length >= 10) pushNumber(row, col, rk(body.readUInt32LE(6)), xf);
        break;
      case 0x00bd:
        // MULRK: rw, colFirst, (ixfe, rk) pairs, colLast
        for (let i = 0, p = 4; p + 6 <= body.length - 2; i++, p += 6) pushNumber(row, col + i, rk(body.readUInt32LE(p + 2)), body.readUInt16LE(p));
        break;
      case 0x0006:
        if (body.length >= 14) {
          // a cached number, unless bytes 6-7 are 0xFFFF: then byte 0 says string (0, in the next STRING), bool, error, empty
          if (body.readUInt16LE(12) !== 0xffff) pushNumber(row, col, body.readDoubleLE(6), xf);
          else if (body[6] === 0) pendingString = { row, col };
        }
        break;
      case 0x00fd:
        if (body.length >= 10) push(row, col, reader.sst[body.readUInt32LE(6)] ?? '');
        break;
      case 0x0204:
      case 0x00d6:
        // LABEL, RSTRING: the string after rw, col, ixfe
        push(row, col, unicodeString(body, 6, reader.biff8, []).text);
        break;
    }
  }
  if (cells.length > 0) sheets.push(cells);
  const shown = sheets.filter((sheet) => sheet.some((c) => c.shown !== undefined)).map((sheet) => sheet.map((c) => ({ ...c, text: c.shown ?? c.text })));
  return [...sheets, ...shown].map(sheetText).filter((t) => t !== '').join('\n');
}

function sheetText(cells: Cell[]): string {
  cells.sort((a, b) => a.row - b.row || a.col - b.col);
  const out: string[] = [];
  let last: number | undefined;
  for (const c of cells) {
    if (last !== undefined) out.push(c.row === last ? ' ' : '\n');
    out.push(c.text);
    last = c.row;
  }
  return out.join('');
}

/** Decimal as Excel's General format shows it: integers without ".0", no exponent below 1e21. */
function numberText(v: number): string {
  if (!Number.isFinite(v)) return '';
  return Object.is(v, -0) ? '0' : String(v);
}

// MS-XLS 2.5.217 RkNumber: bit 0 divides by 100, bit 1 says a 30-bit signed integer, else the upper 30 bits of a double
function rk(value: number): number {
  let v: number;
  if ((value & 2) !== 0) v = value >> 2;
  else {
    const d = Buffer.alloc(8);
    d.writeUInt32LE((value & 0xfffffffc) >>> 0, 4);
    v = d.readDoubleLE(0);
  }
  return (value & 1) !== 0 ? v / 100 : v;
}

/**
 * An XLUnicodeString (BIFF8: cch, flags, characters; BIFF5: cch, 8-bit characters) from `at`. Its
 * characters may go on in the `continues` records (a CONTINUE starts with a new flags byte), which is
 * how the shared string table spans records.
 */
function unicodeString(first: Buffer, at: number, biff8: boolean, continues: Buffer[], cursor = { part: -1 }): { text: string; next: { buf: Buffer; at: number } } {
  let buf = first;
  let p = at;
  const nextPart = (): boolean => {
    const n = continues[++cursor.part];
    if (n === undefined) return false;
    buf = n;
    p = 0;
    return true;
  };
  if (p + 2 > buf.length && !nextPart()) return { text: '', next: { buf, at: buf.length } };
  const cch = buf.readUInt16LE(p);
  p += 2;
  if (!biff8) {
    const text = buf.toString('latin1', p, Math.min(buf.length, p + cch));
    return { text, next: { buf, at: p + cch } };
  }
  const flags = buf[p++] ?? 0;
  let wide = (flags & 1) !== 0;
  let runs = 0;
  let ext = 0;
  if ((flags & 8) !== 0) {
    runs = p + 2 <= buf.length ? buf.readUInt16LE(p) : 0;
    p += 2;
  }
  if ((flags & 4) !== 0) {
    ext = p + 4 <= buf.length ? buf.readUInt32LE(p) : 0;
    p += 4;
  }
  const chars: string[] = [];
  let left = cch;
  while (left > 0) {
    if (p >= buf.length) {
      if (!nextPart()) break;
      // a string's characters continued: the new record opens with their flags
      wide = ((buf[p++] ?? 0) & 1) !== 0;
    }
    const take = Math.min(left, Math.floor((buf.length - p) / (wide ? 2 : 1)));
    if (take <= 0) {
      p = buf.length;
      continue;
    }
    chars.push(buf.toString(wide ? 'utf16le' : 'latin1', p, p + take * (wide ? 2 : 1)));
    p += take * (wide ? 2 : 1);
    left -= take;
  }
  // formatting runs and phonetic data after the characters (they may cross records too)
  let skip = runs * 4 + ext;
  while (skip > 0) {
    const here = Math.min(skip, buf.length - p);
    p += here;
    skip -= here;
    if (skip > 0 && !nextPart()) break;
  }
  return { text: chars.join(''), next: { buf, at: p } };
}

/** MS-XLS 2.4.265 SST: cstTotal, cstUnique, then cstUnique strings, across the CONTINUE records. */
function sharedStringTable(body: Buffer, continues: Buffer[]): string[] {
  if (body.length < 8) return [];
  const unique = body.readUInt32LE(4);
  const out: string[] = [];
  const cursor = { part: -1 };
  let buf = body;
  let at = 8;
  // every string takes at least 3 bytes: a count past what the records hold is a lie
  const most = Math.floor((body.length + continues.reduce((n, c) => n + c.length, 0)) / 3);
  for (let i = 0; i < Math.min(unique, most); i++) {
    if (at >= buf.length) {
      const n = continues[++cursor.part];
      if (n === undefined) break;
      buf = n;
      at = 0;
    }
    const r = unicodeString(buf, at, true, continues, cursor);
    out.push(r.text);
    buf = r.next.buf;
    at = r.next.at;
  }
  return out;
}
