// HTML and XML reduced to text: tags go, entities decode, block ends become line breaks. HTML keeps
// what a link, a form or a script carries too (attributes, comments, raw-text elements).

import { BidiState, bidiReading } from './bidi-text.js';
import { closerOf, MarkupBidi } from './markup-bidi.js';
import { cssGeneratedContent, cssHiddenText, renderContent } from './css-text.js';
import { dataUrisIn } from './data-uri.js';
import { decodeEntities } from './html-entities.js';
import { DocumentHiding, styleSheets, type TagHiding } from './hidden-elements.js';
import { percentDecode } from './percent-decode.js';
import { shownReadings } from './shown-text.js';

export { decodeEntities, percentDecode };

// Every pattern here is linear: [^<>] stops at the next '<', raw-text sections are cut with indexOf.
// element names lower-cased (a tag name is ASCII): a set, looked up once per tag
const HTML_BLOCK: ReadonlySet<string> = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'blockquote', 'pre', 'section', 'article', 'hr', 'dt', 'dd']);
// A tag is read as /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>/ would read it, with character codes and indexOf.
// Attributes are read as /([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g would read them (readAttributes).
// Elements whose content is not markup; what they hold (scripts, styles, titles) is still inspected.
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'template', 'noscript', 'xmp']);
// Elements with no content: they never open a hidden scope.
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// The end tag of one of these ends an open hidden element of another kind (an unclosed <span> inside it).
const ENDS_PHRASING = new Set(['p', 'div', 'li', 'td', 'th', 'tr', 'table', 'ul', 'ol', 'blockquote', 'section', 'article', 'body', 'html', 'dd', 'dt', 'pre', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const HIDDEN_ATTRIBUTE = /(?:^|[\s"'/])hidden(?=[\s=/>]|$)/i;
// What may hide text besides what DocumentHiding finds on its own, or show text that is no text node, or set a
// direction: any style attribute (a colour on its background), a presentational colour, a closed <details>, an
// <svg> box, an image's alt text with a digit (drawn where a client blocks the image), a form field, ruby, `dir`,
// elements whose content a browser does not draw (a closed dialog, media fallback, an unselected option), a
// linked sheet, comments or CDATA the tree reads as a browser does (shown-text.ts). Not `<table>`: its foster
// parenting alone is left to documents that have styles anyway (most mail would build the tree). The image test
// stops at the next '<' and within bounds: `[^>]*` ran to the end of the text from every "<img" (140 KB of
// "<img a " took 4.1 s)
const MAY_HIDE = /\sstyle\s*=|\s(?:bg)?color\s*=|<details|<svg|<img\b[^<>]{0,2000}?\salt\s*=\s*["']?[^"'<>]{0,500}?\d|<input|<textarea|<ruby|\sdir\s*=|<bdo|<bdi|<(?:dialog|canvas|video|audio|iframe|datalist|noembed|noframes|rp|select|math|link)\b|--!>|<!\[CDATA\[/i;

export interface HtmlText {
  /** What a reader sees, block ends as line breaks. */
  readonly visible: string;
  /** What a reader does not see but a link, a form or a script carries: attribute values (URLs also
   * percent-decoded), comments, titles, style and script text, one per line; and where an element hides its
   * text (hidden-elements.ts), the text as shown without it, whose numbers the hidden text does not split. */
  readonly hidden: string;
  /** data: URIs in attributes and style text: inline files, extracted as attachments (data-uri.ts). */
  readonly dataUris: readonly string[];
  /** Why the text as shown could not be computed (shown-text.ts), as a detail: the caller reports the part as unscannable. */
  readonly notLaidOut?: string;
}

/** Visible text, then hidden text on separate lines (so neither splits a number in the other). */
export function htmlToText(html: string): string {
  return htmlReading(html).text;
}

/** htmlToText, and why the text as shown was not computed when it was not (a window of a long HTML body). */
export function htmlReading(html: string): { readonly text: string; readonly notLaidOut?: string } {
  const { visible, hidden, notLaidOut } = htmlParts(html);
  const text = hidden === '' ? visible : `${visible}\n${hidden}`;
  return notLaidOut === undefined ? { text } : { text, notLaidOut };
}

export function htmlParts(html: string): HtmlText {
  const visible: string[] = [];
  const hidden: string[] = [];
  const dataUris: string[] = [];
  // ASCII-only lower-casing keeps every index aligned with html; made only once a raw-text element needs it
  let lower: string | undefined;
  // generated content that shows attributes (`content: attr(data-x)`): the elements' attributes are kept
  // (a case-insensitive test without the unicode flag folds ASCII letters only, as the lower-casing does)
  const elements: Map<string, string>[] | undefined = /attr\(/i.test(html) ? [] : undefined;
  const sheets: string[] = [];
  // what the reader sees: made at the first hidden element, from then on without the hidden elements' text
  const styleTexts = styleSheets(html);
  const elementHiding = new DocumentHiding(styleTexts);
  const hiding: TagHiding = { style: undefined, classes: undefined, id: undefined, hiddenAttribute: false, attributes: '' };
  let shown: string[] | undefined;
  let hiddenTag: string | undefined;
  let hiddenDepth = 0;
  // text as laid out (bidi-text.ts): only in a document with something right to left, the text with the
  // control characters its elements' directions stand for (<bdo dir=rtl> as RLO … PDF, dir=rtl as RLI … PDI)
  const bidi = MarkupBidi.of(html, styleTexts);
  const marked: string[] | undefined = bidi === undefined ? undefined : [];
  const bidiOpen: { name: string; depth: number; close: string }[] = [];
  const text = (t: string): void => {
    visible.push(t);
    if (hiddenTag === undefined) shown?.push(t);
    marked?.push(t);
  };
  let pos = 0;
  // the first '>' and the first '<' at or after the end of the last tag name read (-1: none in the rest)
  let nextGt = -2;
  let nextLt = -2;
  while (pos < html.length) {
    const lt = html.indexOf('<', pos);
    if (lt < 0) {
      text(html.slice(pos));
      break;
    }
    text(html.slice(pos, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      hidden.push(html.slice(lt + 4, end < 0 ? html.length : end));
      pos = end < 0 ? html.length : end + 3;
      continue;
    }
    const closing = html.charCodeAt(lt + 1) === 0x2f;
    const nameAt = closing ? lt + 2 : lt + 1;
    let nameEnd = nameAt + 1;
    if (isAsciiLetter(html.charCodeAt(nameAt))) {
      while (isTagNameChar(html.charCodeAt(nameEnd))) nameEnd++;
      // the first '>' (or '<') at or after a position stays the answer until a later position passes it:
      // names end further on from tag to tag, so "<a<a<a...>" is read in linear time
      if (nextGt !== -1 && nextGt < nameEnd) nextGt = html.indexOf('>', nameEnd);
      if (nextGt !== -1 && nextLt !== -1 && nextLt < nameEnd) nextLt = html.indexOf('<', nameEnd);
    }
    // not a tag: no letter after '<' or '</', or a '<' (or the end) before the next '>'
    if (!isAsciiLetter(html.charCodeAt(nameAt)) || nextGt < 0 || (nextLt >= 0 && nextLt < nextGt)) {
      text('<');
      pos = lt + 1;
      continue;
    }
    const name = html.slice(nameAt, nameEnd).toLowerCase();
    const attrs = html.slice(nameEnd, nextGt);
    pos = nextGt + 1;
    hiding.style = hiding.classes = hiding.id = undefined;
    const own = collectAttributes(attrs, hidden, dataUris, elements !== undefined && elements.length < MAX_ATTR_ELEMENTS, hiding);
    if (own !== undefined) elements?.push(own);
    const wasHidden = hiddenTag !== undefined;
    if (closing) {
      if (hiddenTag === name && --hiddenDepth === 0) hiddenTag = undefined;
      else if (hiddenTag !== undefined && ENDS_PHRASING.has(name) && !ENDS_PHRASING.has(hiddenTag)) hiddenTag = undefined;
    } else if (hiddenTag === name) hiddenDepth++;
    else if (hiddenTag === undefined && !VOID.has(name) && !RAW_TEXT.has(name)) {
      hiding.hiddenAttribute = attrs.length >= 6 && HIDDEN_ATTRIBUTE.test(attrs);
      hiding.attributes = attrs;
      if (elementHiding.hides(name, hiding)) {
        shown ??= [visible.join('')];
        hiddenTag = name;
        hiddenDepth = 1;
      }
    }
    if (marked !== undefined && closing) closeBidi(bidiOpen, name, marked);
    // a hidden element makes no box: no line break where it starts or ends
    const breakText = HTML_BLOCK.has(name) ? '\n' : closing && (name === 'td' || name === 'th') ? ' ' : '';
    if (breakText !== '') {
      visible.push(breakText);
      if (!wasHidden && hiddenTag === undefined) shown?.push(breakText);
      marked?.push(breakText);
    }
    if (marked !== undefined && bidi !== undefined && !closing && !VOID.has(name) && !RAW_TEXT.has(name)) {
      const marker = bidi.marker(name, attrs, hiding.style, hiding.classes, hiding.id);
      const top = bidiOpen[bidiOpen.length - 1];
      if (marker !== '') {
        marked.push(marker);
        bidiOpen.push({ name, depth: 1, close: closerOf(marker) });
      } else if (top?.name === name) top.depth++;
    }
    if (!closing && RAW_TEXT.has(name)) {
      lower ??= html.replace(/[A-Z]+/g, (s) => s.toLowerCase());
      const close = lower.indexOf(`</${name}`, pos);
      // unclosed: the rest is inspected as hidden text; too much is safer than too little
      const raw = html.slice(pos, close < 0 ? html.length : close);
      hidden.push(raw);
      if (name === 'style') {
        if (elements !== undefined) sheets.push(raw);
        hidden.push(...cssHiddenText(raw));
        dataUrisIn(raw, dataUris);
      }
      pos = close < 0 ? html.length : Math.max(html.indexOf('>', close), close) + 1;
    }
  }
  if (elements !== undefined) hidden.push(...attrContent(sheets, elements));
  // the text as shown, from the document's tree and its cascade (shown-text.ts); where the document is too
  // large for the tree, the reading above, made without one (every element a rule could hide counted hidden)
  const exact = shown !== undefined || styleTexts.length > 0 || MAY_HIDE.test(html) ? shownReadings(html) : { readings: [] };
  if ('notLaidOut' in exact && shown !== undefined) hidden.push(shown.join(''));
  const decodedHidden = hidden.map((h) => collapse(decodeEntities(h))).filter((h) => h !== '');
  if (marked !== undefined) {
    const reading = collapse(bidiReading(decodeEntities(marked.join('')), new BidiState()));
    if (reading !== '') decodedHidden.push(reading);
  }
  // (a reading the markup's own already gave, the bidi one most often, is not scanned twice)
  for (const reading of 'readings' in exact ? exact.readings : []) {
    const text = collapse(reading);
    if (text !== '' && !decodedHidden.includes(text)) decodedHidden.push(text);
  }
  return { visible: collapse(decodeEntities(visible.join(''))), hidden: decodedHidden.join('\n'), dataUris, ...('notLaidOut' in exact ? { notLaidOut: `the text as shown was not computed (its layout is left to the markup's own reading): ${exact.notLaidOut}` } : {}) };
}

/** An end tag closes the direction its element set (and those of unclosed inline elements inside a block). */
function closeBidi(open: { name: string; depth: number; close: string }[], name: string, marked: string[]): void {
  if (!open.some((e) => e.name === name)) return;
  if (ENDS_PHRASING.has(name)) {
    for (let top = open[open.length - 1]; top !== undefined && top.name !== name && !ENDS_PHRASING.has(top.name); top = open[open.length - 1]) {
      marked.push(top.close);
      open.pop();
    }
  }
  const top = open[open.length - 1];
  if (top?.name !== name) return;
  if (--top.depth > 0) return;
  marked.push(top.close);
  open.pop();
}

// Elements whose attributes generated content may show; beyond it attr() reads as empty
const MAX_ATTR_ELEMENTS = 10_000;

/**
 * What `content: attr(x)` shows: for every element that has one of the attributes a sheet names, the
 * sheet's generated text with that element's values in place (selectors are not matched, as in css-text.ts),
 * so "4111 1111" in data-a and " 1111 1111" in a rule read as the one number a reader sees.
 */
function attrContent(sheets: readonly string[], elements: readonly ReadonlyMap<string, string>[]): string[] {
  const out: string[] = [];
  for (const sheet of sheets) {
    const { items, counters } = cssGeneratedContent(sheet);
    const names = items.flatMap((i) => ('attr' in i ? [i.attr] : []));
    if (names.length === 0) continue;
    for (const attrs of elements) if (names.some((n) => attrs.has(n))) out.push(renderContent(items, counters, attrs));
  }
  return out;
}

function collectAttributes(attrs: string, out: string[], dataUris: string[], keep: boolean, hiding?: TagHiding): Map<string, string> | undefined {
  if (!attrs.includes('=')) return undefined;
  const own = keep ? new Map<string, string>() : undefined;
  readAttributes(attrs, (rawName, raw) => {
    const value = decodeEntities(raw, true);
    const name = rawName.toLowerCase();
    own?.set(name, value);
    if (hiding !== undefined) {
      if (name === 'style') hiding.style = value;
      else if (name === 'class') hiding.classes = value;
      else if (name === 'id') hiding.id = value;
    }
    pushValue(out, value);
    // a style attribute is CSS once its character references are decoded
    if (name === 'style') out.push(...cssHiddenText(value));
    dataUrisIn(value, dataUris);
  });
  return own;
}

/**
 * Each `name=value` of a tag's attribute text, left to right, as the pattern above matches them: a name is a
 * run of anything but white space and = / > " '; its value is quoted (to the same quote) or a run of anything
 * but white space and " ' >. Where no value follows a name, no start inside that name does either.
 */
export function readAttributes(attrs: string, each: (name: string, value: string) => void): void {
  const length = attrs.length;
  let p = 0;
  while (p < length) {
    if (!isAttributeNameChar(attrs.charCodeAt(p))) {
      p++;
      continue;
    }
    let q = p + 1;
    while (q < length && isAttributeNameChar(attrs.charCodeAt(q))) q++;
    let r = q;
    while (isRegexSpace(attrs.charCodeAt(r))) r++;
    if (attrs.charCodeAt(r) !== 0x3d) {
      p = q;
      continue;
    }
    r++;
    while (isRegexSpace(attrs.charCodeAt(r))) r++;
    const quote = attrs.charCodeAt(r);
    let start = r;
    let end: number;
    if (quote === 0x22 || quote === 0x27) {
      start = r + 1;
      end = attrs.indexOf(quote === 0x22 ? '"' : "'", start);
    } else {
      end = r;
      while (end < length && isUnquotedValueChar(attrs.charCodeAt(end))) end++;
      if (end === r) end = -1;
    }
    if (end < 0) {
      p = q;
      continue;
    }
    each(attrs.slice(p, q), attrs.slice(start, end));
    p = start === r ? end : end + 1;
  }
}

// made once: a regex literal in the function is a new object on every call
const PERCENT_OR_PLUS = /%[0-9a-fA-F]{2}|\+/;

/** An attribute value, and beside it its percent-decoded form when it looks like a URL or query. */
function pushValue(out: string[], value: string): void {
  if (value === '') return;
  out.push(value);
  if (PERCENT_OR_PLUS.test(value)) out.push(percentDecode(value));
}

// Office XML keeps some user text in attributes: alt text and titles of pictures, sheet, table and defined
// names, cell values of pivot caches and OpenDocument cells, prompts of data validation, link targets.
// Only these names are read; the many formatting attributes (sizes, ids, coordinates, colours) are not,
// so their numbers never line up into something a detector would take for a card.
const TEXT_ATTRIBUTE = /[\s"'](?:[A-Za-z][\w.-]*:)?(descr|title|name|v|caption|tooltip|alt|prompt|promptTitle|error|errorTitle|displayName|displayText|uniqueName|value|string-value|href|text|description|label)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
// WordprocessingML's w:val is formatting almost everywhere, but text in these: legacy form field defaults,
// drop-down entries, document variables, content-control titles and tags.
const WORD_VAL = /<w:(default|listEntry|docVar|alias|tag|statusText|helpText)\b[^<>]*?\sw:val\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
// Custom XML data parts are data, not formatting: every attribute but namespace declarations.
const ANY_ATTRIBUTE = /[\s"']([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const RELATIONSHIP = /<Relationship\b[^<>]*>/g;

/** Text-bearing attribute values of an Office XML part, one per line (URLs also percent-decoded). */
export function xmlAttributeText(xml: string, every = false): string {
  const out: string[] = [];
  const push = (raw: string | undefined): void => pushValue(out, decodeEntities(raw ?? '').trim());
  if (every) {
    for (const m of xml.matchAll(ANY_ATTRIBUTE)) if (m[1] !== 'xmlns' && m[1]?.startsWith('xmlns:') !== true) push(m[2] ?? m[3]);
  } else {
    for (const m of xml.matchAll(TEXT_ATTRIBUTE)) push(m[2] ?? m[3]);
    if (xml.includes('w:val')) for (const m of xml.matchAll(WORD_VAL)) push(m[2] ?? m[3]);
  }
  return out.join('\n');
}

/** The external targets (hyperlinks) of an OPC relationships part; internal ones are package paths. */
export function relationshipTargets(xml: string): string {
  const out: string[] = [];
  for (const [tag] of xml.matchAll(RELATIONSHIP)) {
    if (!/\bTargetMode\s*=\s*["']External["']/.test(tag)) continue;
    const target = /\bTarget\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(tag);
    pushValue(out, decodeEntities(target?.[1] ?? target?.[2] ?? ''));
  }
  return out.join('\n');
}

const OOXML_BREAKS: ReadonlyMap<string, string> = new Map([
  ['/w:p', '\n'], ['/a:p', '\n'], ['/si', '\n'], ['/row', '\n'], ['/x:row', '\n'], ['w:br', '\n'], ['w:cr', '\n'], ['a:br', '\n'],
  ['/c', ' '], ['/w:tc', ' '], ['/x:c', ' '], ['/is', ' '], ['w:tab', ' '],
]);
const ODF_BREAKS: ReadonlyMap<string, string> = new Map([
  ['/text:p', '\n'], ['/text:h', '\n'], ['/table:table-row', '\n'], ['text:line-break', '\n'],
  ['/table:table-cell', ' '], ['text:tab', ' '], ['text:s', ' '],
]);

export function xmlToText(xml: string): string {
  return markupToText(xml, OOXML_BREAKS);
}

// SVG: each <text> element is placed on its own, its <tspan>s run inline
const SVG_BREAKS: ReadonlyMap<string, string> = new Map([['/text', '\n'], ['/svg:text', '\n'], ['/title', '\n'], ['/desc', '\n']]);

/** An XML text file's text (tags dropped, references decoded); SVG's <text> elements on lines of their own. */
export function xmlFileText(xml: string, svg: boolean): string {
  return markupToText(xml, svg ? SVG_BREAKS : OOXML_BREAKS);
}

export function odfXmlToText(xml: string): string {
  return markupToText(xml, ODF_BREAKS);
}

// One pass with indexOf: chained regex replaces over a multi-megabyte part cost several times more.
function markupToText(xml: string, breaks: ReadonlyMap<string, string>): string {
  const out: string[] = [];
  let pos = 0;
  for (;;) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) {
      out.push(xml.slice(pos));
      break;
    }
    if (lt > pos) out.push(xml.slice(pos, lt));
    const gt = xml.indexOf('>', lt);
    if (gt < 0) {
      // unclosed: keep the rest; inspecting too much is safer than too little
      out.push(xml.slice(lt));
      break;
    }
    let end = lt + 1;
    if (xml.charCodeAt(end) === 0x2f) end++;
    while (end < gt && !isNameEnd(xml.charCodeAt(end))) end++;
    const sep = breaks.get(xml.slice(lt + 1, end));
    if (sep !== undefined) out.push(sep);
    pos = gt + 1;
  }
  return collapse(decodeEntities(out.join('')));
}

// what \s matches in a pattern without the unicode flag
const isRegexSpace = (c: number): boolean =>
  c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff));
const isAttributeNameChar = (c: number): boolean => !isRegexSpace(c) && c !== 0x3d && c !== 0x2f && c !== 0x3e && c !== 0x22 && c !== 0x27;
const isUnquotedValueChar = (c: number): boolean => !isRegexSpace(c) && c !== 0x22 && c !== 0x27 && c !== 0x3e;
const isAsciiLetter = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isTagNameChar = (c: number): boolean => isAsciiLetter(c) || (c >= 0x30 && c <= 0x3a) || c === 0x2d;
const isNameEnd = (c: number): boolean => c === 0x20 || c === 0x2f || c === 0x09 || c === 0x0a || c === 0x0d;

// Blanks and line ends that collapse would change; without any, it only trims (one test, not two replaces)
const COLLAPSIBLE = /[\t\n\r\f\v]| {2}/;
// Every run of blanks becomes one space, and a line end takes the blank before and the white space after
// it. The patterns leave out what would be replaced by itself (a lone space, a line end before a
// non-blank), so that prose costs a match per line, not one per word.
const BLANK_RUN = /[ \t\r\f\v]{2,}|[\t\r\f\v]/g;
const LINE_END_SPACE = / \n[\s]*|\n[\s]+/g;

function collapse(text: string): string {
  if (!COLLAPSIBLE.test(text)) return text.trim();
  return text.replace(BLANK_RUN, ' ').replace(LINE_END_SPACE, '\n').trim();
}
