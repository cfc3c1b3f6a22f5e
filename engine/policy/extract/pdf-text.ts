// Text of a PDF read straight from its decoded content streams, without pdf.js, when nothing in the
// file can make the shown characters differ from the string bytes: no embedded font program, no
// ToUnicode map, no Differences encoding, no composite (Type0) or Type3 font, no encryption, no stream
// only pdf.js can decode. Those PDFs (generated statements, reports, exports in the standard fonts) are
// read at tokenizer speed; every other one goes to pdf.js (pdf.ts). Strings outside content streams
// (annotations, form values, document info) are added too.
import { metadataStreamsText } from './pdf-metadata.js';
import type { PdfScan } from './pdf-streams.js';

/** What forces pdf.js: a way for a glyph to mean something else than its byte in the WinAnsi encoding. */
const NEEDS_PDFJS = /\/(ToUnicode|Type0|Type3|Differences|Encrypt|FontFile[23]?|CIDFontType[02]|Identity-[HV])\b/;
/**
 * A name written with #xx escapes (`/To#55nicode` is `/ToUnicode`, PDF 32000-1 7.3.5) could spell any key
 * above past the regular expression; such files are rare, so any escaped name sends the file to pdf.js,
 * which decodes names, instead of decoding them here.
 */
const ESCAPED_NAME = /\/[^\s/<>[\](){}%]*#[0-9A-Fa-f]{2}/;
const remaps = (text: string): boolean => NEEDS_PDFJS.test(text) || ESCAPED_NAME.test(text);
const NON_CONTENT = /\/Type\s*\/(XRef|ObjStm|Metadata|EmbeddedFile|XObject\s*\/Subtype\s*\/Image)\b/;

/** The document's text, or undefined when only pdf.js can read it right. */
export function fastPdfText(scan: PdfScan, maxChars: number): string | undefined {
  if (remaps(scan.objects)) return undefined;
  const objectStreams: string[] = [];
  for (const s of scan.streams) {
    if (s.opaque || remaps(s.dict)) return undefined;
    if (/\/Type\s*\/ObjStm\b/.test(s.dict)) {
      const objects = latin1(s.data);
      if (remaps(objects)) return undefined;
      objectStreams.push(objects);
    }
  }
  // no page object at all: damaged or not a PDF, which pdf.js reports (corrupt) better than an empty text
  if (![scan.objects, ...objectStreams].some((o) => /\/Type\s*\/Page\b/.test(o))) return undefined;
  // Pieces of one visual line placed by absolute positioning (Tm, cm, one BT block each, a form XObject,
  // several content streams) would be cut into lines here; pdf.js lays them out by position.
  if (/\/Contents\s*\[/.test(scan.objects) || objectStreams.some((o) => /\/Contents\s*\[/.test(o))) return undefined;
  const contents = scan.streams.filter((s) => !s.binary && !NON_CONTENT.test(s.dict));
  if (contents.some((s) => ABSOLUTE_LAYOUT.test(s.dict) || absoluteLayout(s.data))) return undefined;
  const out: string[] = [];
  let length = 0;
  for (const s of contents) {
    if (length >= maxChars) continue;
    const text = contentText(s.data);
    out.push(text);
    length += text.length;
  }
  // annotations, form field values, URIs and the document info, as pdf.js's annotations and metadata
  for (const objects of [scan.objects, ...objectStreams]) out.push(objectStrings(objects));
  out.push(metadataStreamsText(scan.streams));
  return out.filter((t) => t !== '').join('\n');
}

/** T*, ' and " start a new line; with no leading set (TL 0) it starts over the last one, still another line. */
const nextLine = (leading: number): number => (leading === 0 ? 1 : leading);

/** A form XObject: content drawn wherever a page's Do puts it. */
const ABSOLUTE_LAYOUT = /\/Subtype\s*\/Form\b/;
/** Operators that place text by absolute position (Tm, cm, Do) or more than one text object per stream. */
const ABSOLUTE_OPS = /(?:^|[\s\])>])(?:Tm|cm|Do)(?=[\s[(<\/%]|$)/;
const TEXT_OBJECT = /(?:^|[\s\])>])BT(?=[\s[(<\/%]|$)/g;
function absoluteLayout(data: Uint8Array): boolean {
  const text = latin1(data);
  return ABSOLUTE_OPS.test(text) || (text.match(TEXT_OBJECT)?.length ?? 0) > 1;
}

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

// Bytes that end a token (PDF whitespace and delimiters).
const DELIM = new Uint8Array(256);
for (const c of ' \t\r\n\f\0()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;
const WINANSI_HIGH = new TextDecoder('windows-1252');

/**
 * Text-showing operators of one content stream: Tj, TJ, ' and " strings; a new line at T*, ', ", a
 * vertical Td/TD, Tm and ET; a space for a wide TJ gap or a horizontal Td jump past the last string.
 */
export function contentText(bytes: Uint8Array): string {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: string[] = [];
  let strings: string[] = [];
  let numbers: number[] = [];
  let fontSize = 12;
  let lastChars = 0;
  // the text line's origin relative to BT (Td/TD/T* only: absoluteLayout sends the rest to pdf.js), and
  // where the last shown string started; a new line only where the origin's y really changed
  let lineX = 0;
  let lineY = 0;
  let leading = 0;
  let shownX: number | undefined;
  let shownY: number | undefined;
  const show = (text: string): void => {
    if (shownY !== undefined && lineY !== shownY) out.push('\n');
    else if (shownX !== undefined && lineX !== shownX && lineX - shownX > (lastChars * 0.6 + 0.3) * fontSize) out.push(' ');
    out.push(text);
    lastChars = text.length;
    shownX = lineX;
    shownY = lineY;
  };
  const n = data.length;
  let i = 0;
  while (i < n) {
    const c = data[i] ?? 0;
    if (c === 0x28) {
      const r = literalString(data, i);
      strings.push(r.text);
      i = r.end;
    } else if (c === 0x3c && data[i + 1] === 0x3c) {
      i += 2;
    } else if (c === 0x3c) {
      const close = data.indexOf(0x3e, i);
      const end = close < 0 ? n : close;
      strings.push(hexString(data, i + 1, end));
      i = end + 1;
    } else if (c === 0x5b || c === 0x5d) {
      i++;
    } else if (c === 0x25) {
      while (i < n && data[i] !== 0x0a && data[i] !== 0x0d) i++;
    } else if (DELIM[c] === 1 && c !== 0x2f) {
      i++;
    } else {
      let j = i + 1;
      while (j < n && DELIM[data[j] ?? 0] !== 1) j++;
      const first = c;
      if ((first >= 0x30 && first <= 0x39) || first === 0x2d || first === 0x2e || first === 0x2b) {
        const v = Number(data.toString('latin1', i, j));
        numbers.push(v);
        // a TJ gap: numbers between strings of an array (thousandths of an em, negative = move right)
        if (strings.length > 0 && v < -250) strings.push(' ');
      } else if (first !== 0x2f) {
        const op = j - i <= 2 ? data.toString('latin1', i, j) : '';
        if (op === 'Tj' || op === 'TJ' || op === "'" || op === '"') {
          if (op !== 'Tj' && op !== 'TJ') lineY -= nextLine(leading);
          show(strings.join(''));
        } else if (op === 'Td' || op === 'TD') {
          const [tx = 0, ty = 0] = numbers.slice(-2);
          lineX += tx;
          lineY += ty;
          if (op === 'TD') leading = -ty;
        } else if (op === 'TL') {
          leading = numbers.at(-1) ?? 0;
        } else if (op === 'T*') {
          lineY -= nextLine(leading);
        } else if (op === 'ET') {
          out.push('\n');
          lineX = lineY = 0;
          shownX = shownY = undefined;
        } else if (op === 'Tf') {
          fontSize = Math.abs(numbers.at(-1) ?? 12) || 12;
        } else if (op === 'BI') {
          i = inlineImageEnd(data, j);
          j = i;
        }
        strings = [];
        numbers = [];
      }
      i = j;
    }
  }
  return out.join('').replace(/\n{2,}/g, '\n').trim();
}

/**
 * Every string in the object text (dictionaries, arrays): annotation contents, field values, info;
 * literal `(…)` and hex `<…>` strings alike (a `<<` opens a dictionary).
 */
function objectStrings(objects: string): string {
  const data = Buffer.from(objects, 'latin1');
  const out: string[] = [];
  // the next '(' or a '<' that opens no dictionary, by indexOf (object text can run to megabytes)
  const next = (from: number): number => {
    const paren = data.indexOf(0x28, from);
    let angle = data.indexOf(0x3c, from);
    while (angle >= 0 && data[angle + 1] === 0x3c && (paren < 0 || angle < paren)) angle = data.indexOf(0x3c, angle + 2);
    return paren < 0 ? angle : angle < 0 ? paren : Math.min(paren, angle);
  };
  for (let i = next(0); i >= 0; ) {
    let r: { text: string; end: number };
    if (data[i] === 0x28) r = literalString(data, i);
    else {
      const close = data.indexOf(0x3e, i);
      const end = close < 0 ? data.length : close;
      r = { text: hexString(data, i + 1, end), end: end + 1 };
    }
    if (r.text.trim() !== '') out.push(r.text);
    i = next(r.end);
  }
  return out.join('\n');
}

// A literal string: balanced parentheses, backslash escapes (\n, \ddd, line continuation). Text
// strings outside content streams may be UTF-16BE with a byte-order mark.
function literalString(data: Buffer, start: number): { text: string; end: number } {
  // the common case, no escape and no nested parenthesis: the bytes as they are
  const close = data.indexOf(0x29, start + 1);
  let plain = close >= 0;
  for (let k = start + 1; plain && k < close; k++) if (data[k] === 0x5c || data[k] === 0x28) plain = false;
  if (plain) return { text: winAnsi(data, start + 1, close), end: close + 1 };
  const bytes: number[] = [];
  let depth = 1;
  let i = start + 1;
  while (i < data.length) {
    const c = data[i++] ?? 0;
    if (c === 0x5c) {
      const e = data[i++] ?? 0;
      if (e >= 0x30 && e <= 0x37) {
        let v = e - 0x30;
        for (let k = 0; k < 2 && (data[i] ?? 0) >= 0x30 && (data[i] ?? 0) <= 0x37; k++) v = v * 8 + (data[i++] ?? 0) - 0x30;
        bytes.push(v & 0xff);
      } else if (e === 0x0d) {
        if (data[i] === 0x0a) i++;
      } else if (e !== 0x0a) bytes.push(ESCAPES[e] ?? e);
    } else if (c === 0x28) {
      depth++;
      bytes.push(c);
    } else if (c === 0x29) {
      if (--depth === 0) break;
      bytes.push(c);
    } else bytes.push(c);
  }
  return { text: decodeBytes(Uint8Array.from(bytes)), end: i };
}

const ESCAPES: Readonly<Record<number, number>> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c };

function hexString(data: Buffer, from: number, to: number): string {
  const hex = data.toString('latin1', from, to).replace(/[^0-9A-Fa-f]/g, '');
  return decodeBytes(Buffer.from(hex.length % 2 === 1 ? `${hex}0` : hex, 'hex'));
}

// WinAnsi is latin1 but for 0x80-0x9f (quotes, dashes, the euro sign)
function winAnsi(data: Buffer, from: number, to: number): string {
  const text = data.toString('latin1', from, to);
  return /[\x80-\x9f]/.test(text) || (text.charCodeAt(0) === 0xfe && text.charCodeAt(1) === 0xff) ? decodeBytes(data.subarray(from, to)) : text;
}

function decodeBytes(b: Uint8Array): string {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  // ASCII (most hex strings of the object text: ids, names) is the same in WinAnsi, without a decoder call
  for (const x of b) if (x >= 0x80) return WINANSI_HIGH.decode(b);
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

// Inline image data after ID runs to whitespace + EI + whitespace; it is bytes, not operators.
function inlineImageEnd(data: Buffer, from: number): number {
  const id = data.indexOf('ID', from);
  if (id < 0) return data.length;
  for (let i = id + 3; i + 2 < data.length; i++) {
    if (data[i] === 0x45 && data[i + 1] === 0x49 && DELIM[data[i - 1] ?? 0] === 1 && (i + 2 === data.length || DELIM[data[i + 2] ?? 0] === 1)) return i + 2;
  }
  return data.length;
}
