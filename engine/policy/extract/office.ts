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
  const shown = kind === 'docx' && HIDDEN_WORD_TEXT.test(text) ? xmlToText(withoutHiddenWordText(text)) : kind === 'odf' && HIDDEN_ODF_TEXT.test(text) ? odfXmlToText(withoutHiddenOdfText(text)) : '';
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

/**
 * The XML without every `<name …>…</name>` whose start tag `drop` accepts (nested elements of the name
 * counted; a self-closed `<name …/>` holds nothing and stays; an unclosed one takes the rest). Linear: the
 * next end tag is searched for again only once the scan has passed it.
 */
function withoutElements(xml: string, name: string, drop: (tag: string) => boolean = () => true): string {
  const open = `<${name}`;
  const end = `</${name}>`;
  const out: string[] = [];
  let pos = 0;
  let from = 0;
  let nextEnd = -2;
  // the next start tag of the name at or after p that holds content: [its start, just past its '>'], or undefined
  const startTag = (p: number): [number, number] | undefined => {
    for (;;) {
      const at = xml.indexOf(open, p);
      if (at < 0) return undefined;
      const after = xml.charCodeAt(at + open.length);
      const gt = xml.indexOf('>', at);
      if (gt < 0) return undefined;
      // <w:delText>, <w:moveFromRangeStart>, <text:spanx> share the prefix; a self-closed tag holds nothing
      if ((after === 0x3e || after === 0x20 || after === 0x09 || after === 0x0a || after === 0x0d) && xml.charCodeAt(gt - 1) !== 0x2f) return [at, gt + 1];
      p = gt + 1;
    }
  };
  for (;;) {
    const tag = startTag(from);
    if (tag === undefined) break;
    if (!drop(xml.slice(tag[0], tag[1]))) {
      from = tag[1];
      continue;
    }
    let depth = 1;
    let p = tag[1];
    while (depth > 0) {
      if (nextEnd !== -1 && nextEnd < p) nextEnd = xml.indexOf(end, p);
      if (nextEnd < 0) {
        p = xml.length;
        break;
      }
      const inner = startTag(p);
      if (inner !== undefined && inner[0] < nextEnd) {
        depth++;
        p = inner[1];
      } else {
        depth--;
        p = nextEnd + end.length;
      }
    }
    out.push(xml.slice(pos, tag[0]));
    pos = from = p;
  }
  out.push(xml.slice(pos));
  return out.join('');
}

// OpenDocument text the reader does not see: spans in a text style with text:display="none", and hidden-text
// fields whose condition hides them.
const HIDDEN_ODF_TEXT = /text:display\s*=\s*["']none["']|<text:hidden-text[\s>]/;

/**
 * A content or styles part without its hidden spans (`<text:span text:style-name="X">` where the part's
 * style X has `text:display="none"`) and hidden-text fields shown hidden (`text:is-hidden="true"`).
 * Paragraph styles that hide, and hidden paragraphs, are not followed.
 */
export function withoutHiddenOdfText(xml: string): string {
  const hidden = new Set<string>();
  // each <style:style …> and what follows it up to the next </style:style> (searched again only once passed)
  let close = -2;
  for (let at = xml.indexOf('<style:style'), next: number; at >= 0; at = next) {
    const gt = xml.indexOf('>', at);
    if (gt < 0) break;
    next = xml.indexOf('<style:style', gt);
    if (close !== -1 && close < gt) close = xml.indexOf('</style:style>', gt);
    // up to its end tag or the next style, whichever comes first: every character is read once
    const stop = Math.min(close < 0 ? xml.length : close, next < 0 ? xml.length : next);
    const body = xml.slice(gt, stop);
    const name = /style:name\s*=\s*["']([^"']*)["']/.exec(xml.slice(at, gt))?.[1];
    if (name !== undefined && /text:display\s*=\s*["']none["']/.test(body)) hidden.add(name);
  }
  const styled = hidden.size === 0 ? xml : withoutElements(xml, 'text:span', (tag) => hidden.has(/text:style-name\s*=\s*["']([^"']*)["']/.exec(tag)?.[1] ?? ''));
  return withoutElements(styled, 'text:hidden-text', (tag) => /text:is-hidden\s*=\s*["'](?:true|1)["']/.test(tag));
}

/** The XML without every run whose own run properties hide it. Every character is read a bounded number of
 * times: a run's properties are read only up to the next run's start, end tags searched again only once passed. */
function withoutRuns(xml: string): string {
  const out: string[] = [];
  // the start of the next run at or after p (<w:r> or <w:r …>, not <w:rPr> and the like), or -1
  const runAt = (p: number): number => {
    for (;;) {
      const at = xml.indexOf('<w:r', p);
      if (at < 0) return -1;
      const after = xml.charCodeAt(at + 4);
      if (after === 0x3e || after === 0x20) return at;
      p = at + 4;
    }
  };
  let pos = 0;
  let nextEnd = -2;
  let nextPropsEnd = -2;
  for (let at = runAt(0), next: number; at >= 0; at = next) {
    const gt = xml.indexOf('>', at);
    if (gt < 0) break;
    next = runAt(gt);
    if (nextEnd !== -1 && nextEnd < gt) nextEnd = xml.indexOf('</w:r>', gt);
    if (nextEnd < 0) break;
    // the run properties are the run's first child
    if (!xml.startsWith('<w:rPr', gt + 1)) continue;
    if (nextPropsEnd !== -1 && nextPropsEnd < gt) nextPropsEnd = xml.indexOf('</w:rPr>', gt);
    const propsEnd = Math.min(nextPropsEnd < 0 ? xml.length : nextPropsEnd, next < 0 ? xml.length : next, nextEnd);
    if (VANISH.test(xml.slice(gt + 1, propsEnd))) {
      out.push(xml.slice(pos, at));
      pos = nextEnd + 6;
      // a run that starts inside the dropped one is dropped with it
      while (next >= 0 && next < pos) next = runAt(next + 4);
    }
  }
  out.push(xml.slice(pos));
  return out.join('');
}
