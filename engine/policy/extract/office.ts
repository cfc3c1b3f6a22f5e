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
  const shown = kind === 'docx' && HIDDEN_WORD_TEXT.test(text) ? xmlToText(withoutHiddenWordText(text)) : '';
  const attributes = xmlAttributeText(text, /^customXml\/item\d*\.xml$/.test(name));
  return [body, shown, attributes].filter((t) => t !== '').join('\n');
}

// Word text the reader does not see: runs formatted hidden, tracked deletions and moves away.
const HIDDEN_WORD_TEXT = /<w:(?:vanish|specVanish|del|moveFrom)[\s>/]/;
const VANISH = /<w:(?:vanish|specVanish)(?:\s+w:val\s*=\s*["'](?:true|1|on)["'])?\s*\/?>/;

/**
 * The part's XML without what Word does not show: every <w:del>/<w:moveFrom> element and every run
 * (<w:r>) whose own properties hide it (w:vanish, w:specVanish; w:val="0"/"false" shows it). The text of
 * the result, beside the part's full text, is how the document reads: "4111 <hidden>zq</hidden>1111" is one
 * number to the reader. Character styles that hide (w:rStyle) are not followed. One pass each, by indexOf.
 */
export function withoutHiddenWordText(xml: string): string {
  return withoutRuns(withoutElements(withoutElements(xml, 'w:del'), 'w:moveFrom'));
}

/** The XML without every `<name …>…</name>` (a self-closed `<name …/>` only marks, and stays). */
function withoutElements(xml: string, name: string): string {
  const out: string[] = [];
  let pos = 0;
  let from = 0;
  for (;;) {
    const at = xml.indexOf(`<${name}`, from);
    if (at < 0) break;
    const after = xml.charCodeAt(at + name.length + 1);
    const gt = xml.indexOf('>', at);
    if (gt < 0) break;
    // <w:delText>, <w:delInstrText>, <w:moveFromRangeStart> share the prefix; a self-closed tag holds nothing
    if ((after !== 0x3e && after !== 0x20 && after !== 0x09 && after !== 0x0a && after !== 0x0d) || xml.charCodeAt(gt - 1) === 0x2f) {
      from = gt + 1;
      continue;
    }
    const close = xml.indexOf(`</${name}>`, gt);
    out.push(xml.slice(pos, at));
    pos = from = close < 0 ? xml.length : close + name.length + 3;
  }
  out.push(xml.slice(pos));
  return out.join('');
}

/** The XML without every run whose own run properties hide it. */
function withoutRuns(xml: string): string {
  const out: string[] = [];
  let pos = 0;
  let from = 0;
  for (;;) {
    const at = xml.indexOf('<w:r', from);
    if (at < 0) break;
    const after = xml.charCodeAt(at + 4);
    if (after !== 0x3e && after !== 0x20) {
      from = at + 4;
      continue;
    }
    const close = xml.indexOf('</w:r>', at);
    if (close < 0) break;
    const run = xml.slice(at, close);
    const props = run.indexOf('<w:rPr');
    const propsEnd = props < 0 ? -1 : run.indexOf('</w:rPr>', props);
    if (propsEnd >= 0 && VANISH.test(run.slice(props, propsEnd))) {
      out.push(xml.slice(pos, at));
      pos = close + 6;
    }
    from = close + 6;
  }
  out.push(xml.slice(pos));
  return out.join('');
}
