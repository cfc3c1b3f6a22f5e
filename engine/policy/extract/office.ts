// Office packages inside a zip: OOXML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp). Their XML
// text parts become text; every other member (embedded objects, media) is extracted like any file.
import { odfXmlToText, relationshipTargets, xmlAttributeText, xmlToText } from './markup-text.js';

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

/** A part's text nodes, then on their own lines its text-bearing attributes (or, for relationships, its
 * external link targets), so that neither runs into the other. */
export function officePartText(kind: OfficeKind, name: string, xml: Uint8Array): string {
  const text = new TextDecoder('utf-8').decode(xml);
  if (name.endsWith('.rels')) return relationshipTargets(text);
  const body = kind === 'odf' ? odfXmlToText(text) : xmlToText(text);
  const attributes = xmlAttributeText(text, /^customXml\/item\d*\.xml$/.test(name));
  return attributes === '' ? body : `${body}\n${attributes}`;
}
