// Office packages inside a zip: OOXML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp). Their XML
// text parts become text; every other member (embedded objects, media) is extracted like any file.
import { odfXmlToText, relationshipTargets, xmlAttributeText, xmlToText } from './markup-text.js';
import { shownDrawingXml } from './office-drawing.js';
import { NO_ODF_SHEET, type OdfSheet } from './office-odf-styles.js';
import { readOdfSheet, shownOdfXml } from './office-odf-text.js';
import { NO_SHEET_FORMATS, readSheetFormats, shownSheetXml, type SheetFormats } from './office-sheet.js';
import { shownWordXml, type WordSheet } from './office-word-runs.js';
import { NO_WORD_STYLES, readWordStyles, type WordStyles } from './office-word-styles.js';

export type OfficeKind = 'docx' | 'xlsx' | 'pptx' | 'odf';

const OOXML_TYPES: Readonly<Record<Exclude<OfficeKind, 'odf'>, string>> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

// Every XML part is read: user text hides in many more than the main document (SmartArt, charts, pivot
// caches, threaded comments, slide masters and layouts, the glossary, custom XML, an OpenDocument object
// embedded in another). Only parts that cannot hold any are skipped: the content-type list, themes
// (colours and font names), the font table and the ODF manifest.
const XML_PART = /\.(xml|rels|vml)$/;
const NO_TEXT = /(^\[Content_Types\]\.xml$|(^|\/)theme\/[^/]*\.xml$|(^|\/)fontTable\.xml$|^META-INF\/)/;

/** Members that are package plumbing (skipped parts, manifests, thumbnails), not embedded files. */
const PLUMBING = /(^\[Content_Types\]\.xml$|\.rels$|\.xml$|^mimetype$|^META-INF\/|^Thumbnails\/)/;

export function officeKind(names: readonly string[], mimetype: string | undefined): OfficeKind | undefined {
  if (mimetype?.startsWith('application/vnd.oasis.opendocument.') === true) return 'odf';
  if (!names.includes('[Content_Types].xml')) return undefined;
  if (names.some((n) => n.startsWith('word/'))) return 'docx';
  if (names.some((n) => n.startsWith('xl/'))) return 'xlsx';
  if (names.some((n) => n.startsWith('ppt/'))) return 'pptx';
  return undefined;
}

export function officeType(kind: OfficeKind, mimetype: string | undefined): string {
  return kind === 'odf' ? (mimetype ?? 'application/vnd.oasis.opendocument.text') : OOXML_TYPES[kind];
}

export function isOfficeTextPart(name: string): boolean {
  return XML_PART.test(name) && !NO_TEXT.test(name);
}

export function isOfficePlumbing(name: string): boolean {
  return PLUMBING.test(name);
}

/** The style sheets a package's parts are read with, by folder ("word/", "word/glossary/", "", "Object 1/"). */
export interface OfficeSheets {
  readonly word: Map<string, WordSheet>;
  readonly odf: Map<string, OdfSheet>;
  /** xl/styles.xml's cell formats that show nothing */
  cells: SheetFormats;
}

export const newOfficeSheets = (): OfficeSheets => ({ word: new Map(), odf: new Map(), cells: NO_SHEET_FORMATS });

const folder = (name: string): string => name.slice(0, name.lastIndexOf('/') + 1);
const isStylePart = (kind: OfficeKind, name: string): boolean =>
  kind === 'docx' ? /^word\/(?:glossary\/)?styles\.xml$/.test(name) : kind === 'xlsx' ? name === 'xl/styles.xml' : kind === 'odf' && /(?:^|\/)styles\.xml$/.test(name);
const isMainPart = (kind: OfficeKind, name: string): boolean => (kind === 'docx' ? /^word\/(?:glossary\/)?document\.xml$/.test(name) : kind === 'odf' && /(?:^|\/)content\.xml$/.test(name));

/**
 * The package's entries in the order they are read: style sheets first, then the main document (which
 * gives Word's page colour), then the rest as stored, so that every part is read with the styles it uses.
 */
export function officeReadOrder<T extends { readonly name: string }>(kind: OfficeKind | undefined, entries: readonly T[]): readonly T[] {
  if (kind !== 'docx' && kind !== 'odf' && kind !== 'xlsx') return entries;
  const rank = (name: string): number => (isStylePart(kind, name) ? 0 : isMainPart(kind, name) ? 1 : 2);
  return entries.map((e, i) => ({ e, i, r: rank(e.name) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.e);
}

/** A part's text nodes, then on their own lines the text as the reader sees it where some is hidden, then
 * its text-bearing attributes (or, for relationships, its external link targets), so that none runs into
 * another. A style sheet is kept in `sheets` for the parts read after it. */
export function officePartText(kind: OfficeKind, name: string, xml: Uint8Array, sheets: OfficeSheets = newOfficeSheets()): string {
  const text = new TextDecoder('utf-8').decode(xml);
  if (name.endsWith('.rels')) return relationshipTargets(text);
  const odf = kind === 'odf';
  if (isStylePart(kind, name)) {
    if (odf) sheets.odf.set(folder(name), readOdfSheet(text));
    else if (kind === 'xlsx') sheets.cells = readSheetFormats(text);
    else sheets.word.set(folder(name), { styles: readWordStyles(text), page: 'none' });
  }
  const toText = odf ? odfXmlToText : xmlToText;
  const body = toText(text);
  const shown = new Set<string>();
  for (const reading of shownReadings(kind, name, text, sheets)) {
    const t = toText(reading);
    if (t !== body) shown.add(t);
  }
  const attributes = xmlAttributeText(text, /^customXml\/item\d*\.xml$/.test(name));
  return [body, ...shown, attributes].filter((t) => t !== '').join('\n');
}

function* shownReadings(kind: OfficeKind, name: string, text: string, sheets: OfficeSheets): Generator<string> {
  if (kind === 'odf') {
    const shown = shownOdfXml(text, sheets.odf.get(folder(name)) ?? NO_ODF_SHEET);
    if (shown !== undefined) yield shown;
    return;
  }
  if (kind === 'docx') yield* shownWordXml(text, wordSheet(sheets, name));
  const sheet = kind === 'xlsx' ? shownSheetXml(text, sheets.cells) : undefined;
  if (sheet !== undefined) yield sheet;
  const drawing = shownDrawingXml(text);
  if (drawing !== undefined) yield drawing;
}

/** The Word sheet a part is read with: its folder's, else the main document's, else one without styles. */
function wordSheet(sheets: OfficeSheets, name: string): WordSheet {
  const own = sheets.word.get(folder(name)) ?? sheets.word.get('word/');
  if (own !== undefined) return own;
  const sheet: WordSheet = { styles: NO_WORD_STYLES, page: 'none' };
  sheets.word.set('word/', sheet);
  return sheet;
}

/** Word text as the reader sees it (the first reading, where Word's settings leave more than one open). */
export function withoutHiddenWordText(xml: string, styles: WordStyles = NO_WORD_STYLES): string {
  for (const reading of shownWordXml(xml, { styles, page: 'none' })) return reading;
  return xml;
}
