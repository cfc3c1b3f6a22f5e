// htmlParts reads tags with character codes and indexOf; the sticky regex it replaced, in htmlParts as it
// was (kept below verbatim, the reference, with the helpers it called), must split every string into the same
// visible text, hidden text and data: URIs, whatever '<', '>', quotes and names it holds.
import { describe, expect, it } from 'vitest';
import { cssGeneratedContent, cssHiddenText, renderContent } from './css-text.js';
import { dataUrisIn } from './data-uri.js';
import { decodeEntities } from './html-entities.js';
import { htmlParts, percentDecode, readAttributes, type HtmlText } from './markup-text.js';

// ---- htmlParts before session 9 (markup-text.ts at 8f5c774), verbatim but for its name ----

// Every pattern here is linear: [^<>] stops at the next '<', raw-text sections are cut with indexOf.
// element names lower-cased (a tag name is ASCII): a set, looked up once per tag
const HTML_BLOCK: ReadonlySet<string> = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'blockquote', 'pre', 'section', 'article', 'hr', 'dt', 'dd']);
const TAG_AT = /<(\/?)([a-zA-Z][a-zA-Z0-9:-]*)([^<>]*)>/y;
const ATTRIBUTE = /([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g;
// Elements whose content is not markup; what they hold (scripts, styles, titles) is still inspected.
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'template', 'noscript', 'xmp']);

function referenceHtmlParts(html: string): HtmlText {
  const visible: string[] = [];
  const hidden: string[] = [];
  const dataUris: string[] = [];
  // ASCII-only lower-casing keeps every index aligned with html; made only once a raw-text element needs it
  let lower: string | undefined;
  // generated content that shows attributes (`content: attr(data-x)`): the elements' attributes are kept
  // (a case-insensitive test without the unicode flag folds ASCII letters only, as the lower-casing does)
  const elements: Map<string, string>[] | undefined = /attr\(/i.test(html) ? [] : undefined;
  const sheets: string[] = [];
  let pos = 0;
  while (pos < html.length) {
    const lt = html.indexOf('<', pos);
    if (lt < 0) {
      visible.push(html.slice(pos));
      break;
    }
    visible.push(html.slice(pos, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      hidden.push(html.slice(lt + 4, end < 0 ? html.length : end));
      pos = end < 0 ? html.length : end + 3;
      continue;
    }
    TAG_AT.lastIndex = lt;
    const m = TAG_AT.exec(html);
    if (m === null) {
      visible.push('<');
      pos = lt + 1;
      continue;
    }
    const all = m[0];
    const closing = m[1] ?? '';
    const name = (m[2] ?? '').toLowerCase();
    const attrs = m[3] ?? '';
    pos = lt + all.length;
    const own = collectAttributes(attrs, hidden, dataUris, elements !== undefined && elements.length < MAX_ATTR_ELEMENTS);
    if (own !== undefined) elements?.push(own);
    if (HTML_BLOCK.has(name)) visible.push('\n');
    else if (closing !== '' && (name === 'td' || name === 'th')) visible.push(' ');
    if (closing === '' && RAW_TEXT.has(name)) {
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
  const decodedHidden = hidden.map((h) => collapse(decodeEntities(h))).filter((h) => h !== '');
  return { visible: collapse(decodeEntities(visible.join(''))), hidden: decodedHidden.join('\n'), dataUris };
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

function collectAttributes(attrs: string, out: string[], dataUris: string[], keep: boolean): Map<string, string> | undefined {
  if (!attrs.includes('=')) return undefined;
  const own = keep ? new Map<string, string>() : undefined;
  ATTRIBUTE.lastIndex = 0;
  for (let m = ATTRIBUTE.exec(attrs); m !== null; m = ATTRIBUTE.exec(attrs)) {
    const value = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '', true);
    own?.set((m[1] ?? '').toLowerCase(), value);
    pushValue(out, value);
    // a style attribute is CSS once its character references are decoded
    if (m[1]?.toLowerCase() === 'style') out.push(...cssHiddenText(value));
    dataUrisIn(value, dataUris);
  }
  return own;
}

/** An attribute value, and beside it its percent-decoded form when it looks like a URL or query. */
function pushValue(out: string[], value: string): void {
  if (value === '') return;
  out.push(value);
  if (/%[0-9a-fA-F]{2}|\+/.test(value)) out.push(percentDecode(value));
}


// ---- seeded random markup ----

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '<', '<', '>', '>', '</', '<!--', '-->', '<a', '<p', '<P', '<td', '</td>', '</TH>', '<br/>', '<x:y', '<a-b', '<h1', '<1', '< ', '<<', '</ ', '<>', '</>',
  '<script>', '</script>', '<SCRIPT>', '</Script >', '<style>', '</style>', '<title>', '</title', '<textarea>', '<xmp>',
  ' href="', ' href=', ' title=\'', ' title=', ' data-a="4111 1111"', ' style="color:red;content:attr(data-a)"', '"', "'", '=', ' ', '\n', '\t', '/',
  'x', '4111', 'a', 'Z', '9', '&amp;', '&#52;', '&copy', '&lt;b&gt;', 'attr(', 'p::after { content: attr(data-a) }', '%20', '%C3%A9', '+',
  'https://h.example/?a=1&amp;b=2', 'data:text/plain;base64,QUJD', '\u00a0', 'é',
  // around '=' in attributes: what \s is (and \u200b, \u0085, which it is not), names and values cut short
  ' a = b', '=\u3000', '\u2028', '\ufeff', '\u1680', '\u205f', '\u200b', '\u0085', '\v', '\f', '\r', ' x="', " y='", 'a/b=1', '==', '"=', "'=", ' style=', ' STYLE="',
];

function randomMarkup(rand: () => number, pieces: number): string {
  let s = '';
  for (let i = 0; i < pieces; i++) s += PIECES[Math.floor(rand() * PIECES.length)] as string;
  return s;
}

/**
 * htmlParts' reading with what it adds since (the readings as shown, shown-text.ts, after the hidden lines the
 * tag reading gives) left out: the visible text, the data: URIs and the first hidden lines are the reference's.
 */
function tagReading(html: string): HtmlText {
  const parts = htmlParts(html);
  const ref = referenceHtmlParts(html);
  const lines = parts.hidden === '' ? [] : parts.hidden.split('\n');
  const own = ref.hidden === '' ? 0 : ref.hidden.split('\n').length;
  return { visible: parts.visible, hidden: lines.slice(0, own).join('\n'), dataUris: parts.dataUris };
}

describe('htmlParts reads tags and attributes as the regexes it replaced', () => {
  it('on 20,000 seeded random strings of tags, quotes, raw-text elements, comments and references', () => {
    const rand = mulberry32(0x7a9_0009);
    const differing: string[] = [];
    for (let n = 0; n < 20_000; n++) {
      const s = randomMarkup(rand, 1 + Math.floor(rand() * 30));
      if (JSON.stringify(tagReading(s)) !== JSON.stringify(referenceHtmlParts(s))) differing.push(JSON.stringify(s));
    }
    expect(differing.slice(0, 5)).toEqual([]);
  });

  it("on long strings, where a '>' far ahead is found once for many tags", () => {
    const rand = mulberry32(0x1009);
    for (let n = 0; n < 6; n++) {
      const s = randomMarkup(rand, 5_000);
      expect(tagReading(s)).toEqual(referenceHtmlParts(s));
    }
    const many = `${'<a <b x=1 <c'.repeat(2_000)}>${'<p title="4111">t</p>'.repeat(500)}`;
    expect(htmlParts(many)).toEqual(referenceHtmlParts(many));
  });

  it('reads the names and values of 50,000 seeded random attribute texts as the attribute regex does', () => {
    const units = [' ', '=', '"', "'", '/', 'a', 'B', '-', ':', '1', '&amp;', 'é', '\u00a0', '\u1680', '\u2000', '\u200a', '\u200b', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '\t', '\n', '\v', '\f', '\r', 'x="1"', "y='2'", 'z=3', ' = '];
    const rand = mulberry32(0xa77);
    const differing: string[] = [];
    for (let n = 0; n < 50_000; n++) {
      let s = '';
      for (let i = Math.floor(rand() * 16); i >= 0; i--) s += units[Math.floor(rand() * units.length)] as string;
      const expected = [...s.matchAll(ATTRIBUTE)].map((m) => [m[1] ?? '', m[2] ?? m[3] ?? m[4] ?? '']);
      const got: string[][] = [];
      readAttributes(s, (name, value) => got.push([name, value]));
      if (JSON.stringify(got) !== JSON.stringify(expected)) differing.push(JSON.stringify(s));
    }
    expect(differing.slice(0, 5)).toEqual([]);
  });
});

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
