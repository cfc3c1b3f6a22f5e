// Text of a PDF read straight from its decoded content streams, without pdf.js, when nothing in the
// file can make the shown characters differ from the string bytes: no embedded font program, no
// ToUnicode map, no Differences encoding, no composite (Type0) or Type3 font, no encryption, no stream
// only pdf.js can decode. Those PDFs (generated statements, reports, exports in the standard fonts) are
// read at tokenizer speed; every other one goes to pdf.js (pdf.ts). Strings outside content streams
// (annotations, form values, document info) are added too. Where a page draws text a viewer does not show
// (invisible, white, tiny, off the page: pdf-hidden.ts), the pages' text as shown follows their text.
import { isAscii } from 'node:buffer';
import { contentStreamReadings, placesAbsolutely } from './pdf-content.js';
import { mediaBoxUnion, widestGlyph } from './pdf-hidden.js';
import { metadataStreamsText } from './pdf-metadata.js';
import type { PdfScan } from './pdf-streams.js';
import { hexString, literalStrings, type StringAt } from './pdf-strings.js';

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
  if (contents.some((s) => ABSOLUTE_LAYOUT.test(s.dict))) return undefined;
  const texts = contents.map((s) => latin1(s.data));
  if (texts.some(placesAbsolutely)) return undefined;
  const out: string[] = [];
  const shown: string[] = [];
  let length = 0;
  const objectTexts = [scan.objects, ...objectStreams];
  const box = mediaBoxUnion(objectTexts);
  const widest = widestGlyph(objectTexts);
  const unit = objectTexts.some((o) => o.includes('/UserUnit')) ? 'scaled' : 'page';
  for (const [k, s] of contents.entries()) {
    if (length >= maxChars) break;
    const placed = PLACED_ELSEWHERE.test(s.dict);
    const r = contentStreamReadings(texts[k] ?? '', isAscii(s.data), placed ? undefined : box, widest, placed ? 'mode' : unit);
    out.push(r.text);
    length += r.text.length;
    if (r.shown !== undefined) {
      shown.push(r.shown);
      length += r.shown.length;
    }
  }
  out.push(...shown);
  // annotations, form field values, URIs and the document info, as pdf.js's annotations and metadata
  for (const objects of [scan.objects, ...objectStreams]) out.push(objectStrings(objects));
  out.push(metadataStreamsText(scan.streams));
  return out.filter((t) => t !== '').join('\n');
}

/** A stream drawn where, at the size and (uncoloured) in the colour its use decides: a tiling pattern's cell. */
const PLACED_ELSEWHERE = /\/(BBox|Matrix|PatternType)\b/;

/** A form XObject: content drawn wherever a page's Do puts it. */
const ABSOLUTE_LAYOUT = /\/Subtype\s*\/Form\b/;

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/**
 * Every string in the object text (dictionaries, arrays): annotation contents, field values, info;
 * literal `(…)` and hex `<…>` strings alike (a `<<` opens a dictionary).
 */
function objectStrings(objects: string): string {
  const out: string[] = [];
  const literal = literalStrings(objects, false);
  // the next '(' or a '<' that opens no dictionary, by indexOf (object text can run to megabytes)
  const next = (from: number): number => {
    const paren = objects.indexOf('(', from);
    let angle = objects.indexOf('<', from);
    while (angle >= 0 && objects.charCodeAt(angle + 1) === 0x3c && (paren < 0 || angle < paren)) angle = objects.indexOf('<', angle + 2);
    return paren < 0 ? angle : angle < 0 ? paren : Math.min(paren, angle);
  };
  for (let i = next(0); i >= 0; ) {
    let r: StringAt;
    if (objects.charCodeAt(i) === 0x28) r = literal(i);
    else {
      const close = objects.indexOf('>', i);
      const end = close < 0 ? objects.length : close;
      r = { text: hexString(objects, i + 1, end), end: end + 1 };
    }
    if (r.text.trim() !== '') out.push(r.text);
    i = next(r.end);
  }
  return out.join('\n');
}
