// Office packages inside a zip: OOXML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp). Their XML
// text parts become text; every other member (embedded objects, media) is extracted like any file.
import { odfXmlToText, xmlToText } from './markup-text.js';

export type OfficeKind = 'docx' | 'xlsx' | 'pptx' | 'odf';

const OOXML_TYPES: Readonly<Record<Exclude<OfficeKind, 'odf'>, string>> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

// The parts that hold user text (and document properties); styles, themes and relationships are skipped.
const TEXT_PARTS: Readonly<Record<OfficeKind, RegExp>> = {
  docx: /^(word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)|docProps\/(core|app|custom))\.xml$/,
  xlsx: /^(xl\/(sharedStrings|worksheets\/sheet\d+|comments\d*)|docProps\/(core|app|custom))\.xml$/,
  pptx: /^(ppt\/(slides\/slide\d+|notesSlides\/notesSlide\d+)|docProps\/(core|app|custom))\.xml$/,
  odf: /^(content|styles|meta)\.xml$/,
};

/** Members that are package plumbing (XML parts, relationships, manifests), not embedded files. */
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

export function isOfficeTextPart(kind: OfficeKind, name: string): boolean {
  return TEXT_PARTS[kind].test(name);
}

export function isOfficePlumbing(name: string): boolean {
  return PLUMBING.test(name);
}

export function officePartText(kind: OfficeKind, xml: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(xml);
  return kind === 'odf' ? odfXmlToText(text) : xmlToText(text);
}
