// The text of an HTML document as its reader sees it, computed exactly enough that a hiding place cannot be
// mistaken for shown text nor shown text for a hiding place: the document parsed into a tree (htmlparser2),
// every selector matched whole by css-select (combinators, attribute values, :not/:is/:where/:has, nth-*,
// :checked; dynamic states such as :hover never hold), the cascade applied (importance, cascade layers,
// inline styles, specificity, source order), custom properties substituted, inherited properties followed
// (visibility, font size, colour and what they are painted on), and @media evaluated for a desktop and a phone,
// light and dark. Each context whose text differs from the first gives a reading of its own.
//
// An over-approximation is not safe here: a reading that drops text the reader sees (digits in `.h` under a
// rule `.a .h{display:none}`, outside any .a) is defeated together with a real hiding place, because then no
// reading holds the number as shown. Where a rule's condition or selector cannot be evaluated, one more reading
// counts it as applying.
import { compile } from 'css-select';
import { parse as parseSelectors, type Selector, SelectorType } from 'css-what';
import type { AnyNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { BidiState, bidiReading } from './bidi-text.js';
import { closerOf, FSI, LRI, LRO, RLI, RLO } from './markup-bidi.js';
import { backgroundColour, invisibleOn, over, parseColour, type Rgba, WHITE } from './css-colour.js';
import { conditionsHold, DESKTOP, type Declaration, declarationList, READING_CONTEXTS, type ReadingContext, type Sheet, splitTopLevel, SheetTooDeep, type StyleRule, styleRules } from './css-rules.js';
import { parseDataUri } from './data-uri.js';
import { cssUnitPx } from './css-text.js';

/** Above this many characters of HTML the tree is not built (see markup-text.ts). */
export const SHOWN_TEXT_MAX_HTML = 4 << 20;
/**
 * The matching work one document may take, in steps: a candidate element tested against a selector is a step,
 * times the ancestors a combinator may climb, the siblings a positional pseudo-class (:nth-child) counts, the
 * elements :has() looks through. Mail's sheets take far fewer (a 600-row newsletter with its @media rules:
 * about 10⁴); a sheet built to be slow to match stops here, and the document is reported as not laid out.
 */
const MAX_MATCH_STEPS = 20_000_000;
/** Compiled selectors kept between documents (mail from one sender repeats its sheet). */
const COMPILED_CACHE = 10_000;
const compiled = new Map<string, (el: Element) => boolean>();

// What decides whether text shows; shorthands map onto these (font → font-size, background → background-color and
// background-image, overflow → both axes).
const PROPERTIES = ['direction', 'unicode-bidi', 'display', 'visibility', 'opacity', 'font-size', 'color', 'background-color', 'overflow-x', 'overflow-y', 'width', 'height', 'max-width', 'max-height', 'position', 'left', 'top', 'right', 'bottom', 'clip', 'clip-path', 'transform', 'text-indent', 'mso-hide', 'content-visibility', 'filter', 'float', 'zoom', 'scale', 'white-space', 'background-image', 'color-scheme', 'margin-left', 'margin-top', 'padding-left', 'padding-top', 'translate'] as const;
type Property = (typeof PROPERTIES)[number];
const SLOT: ReadonlyMap<string, readonly Property[]> = new Map<string, readonly Property[]>([
  ...PROPERTIES.map((p): [string, readonly Property[]] => [p, [p]]),
  ['font', ['font-size']],
  ['background', ['background-color', 'background-image']],
  ['overflow', ['overflow-x', 'overflow-y']],
  ['margin', ['margin-left', 'margin-top']],
  ['padding', ['padding-left', 'padding-top']],
]);

interface Matched {
  readonly declarations: readonly Declaration[];
  readonly specificity: number;
  readonly order: number;
  /** The rule's place in the layer order (css-rules.ts). */
  readonly layer: number;
  /** The rule's conditions, evaluated per context. */
  readonly rule: StyleRule;
  /** The selector or a condition could not be evaluated: it counts only where unknowns apply. */
  readonly unknown: boolean;
  /** Names the match, for the cascades remembered per list of matches. */
  readonly id: number;
}

let matchIds = 0;

/** A ::before or ::after rule matched for an element. */
interface Generated {
  readonly m: Matched;
  readonly at: 'before' | 'after';
}

/** Default display of elements that are blocks (and so take width, height, overflow and transforms). */
const BLOCKS: ReadonlySet<string> = new Set('address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav ol p plaintext pre search section summary table ul xmp caption colgroup col thead tbody tfoot tr td th img svg video canvas iframe object embed input button select textarea'.split(' '));
const LINE_BREAKS: ReadonlySet<string> = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'blockquote', 'pre', 'section', 'article', 'hr', 'dt', 'dd']);
/** Never rendered as text of the page. */
const NOT_RENDERED: ReadonlySet<string> = new Set(['head', 'script', 'style', 'template', 'title', 'meta', 'link', 'base', 'noembed', 'noframes', 'param', 'rp', 'datalist', 'area']);
/** Replaced elements: their box shows, what they hold is fallback content that a browser does not show. */
const REPLACED: ReadonlySet<string> = new Set(['iframe', 'canvas', 'video', 'audio']);
/** SVG elements whose content is never painted where they stand. */
const SVG_NOT_RENDERED: ReadonlySet<string> = new Set(['defs', 'symbol', 'clippath', 'mask', 'pattern', 'marker', 'lineargradient', 'radialgradient', 'filter', 'desc', 'metadata', 'title']);
/** SVG elements whose character data is painted. */
const SVG_TEXT: ReadonlySet<string> = new Set(['text', 'tspan', 'textpath']);
// Pseudo-classes that never hold as a message first shows (no pointer over it, no focus, no target).
const NEVER = (): boolean => false;
const PSEUDOS: Record<string, (el: Element) => boolean> = {
  focus: NEVER,
  'focus-within': NEVER,
  'focus-visible': NEVER,
  target: NEVER,
  'target-within': NEVER,
  fullscreen: NEVER,
  modal: NEVER,
  'popover-open': NEVER,
  'picture-in-picture': NEVER,
  playing: NEVER,
  paused: NEVER,
  autofill: NEVER,
  'user-invalid': NEVER,
  'user-valid': NEVER,
  defined: (el) => !el.name.includes('-'),
  open: (el) => (el.name === 'details' || el.name === 'dialog') && el.attribs.open !== undefined,
  closed: (el) => (el.name === 'details' || el.name === 'dialog') && el.attribs.open === undefined,
};
// The pseudo-classes css-select evaluates as a browser does; any other (its jQuery extensions :contains, :parent …
// are not CSS, a browser drops the rule) makes the selector unknown.
const STANDARD_PSEUDOS: ReadonlySet<string> = new Set([
  ...Object.keys(PSEUDOS),
  ...'not is where has matches any nth-child nth-last-child nth-of-type nth-last-of-type first-child last-child only-child first-of-type last-of-type only-of-type root empty checked disabled enabled required optional link any-link visited hover active scope'.split(' '),
]);
// jQuery's, in css-select: a browser reads them as invalid, and drops the rule
const NOT_CSS: ReadonlySet<string> = new Set('contains icontains parent header button input text checkbox file password radio reset image submit selected'.split(' '));
const PSEUDO_ELEMENTS: ReadonlySet<string> = new Set(['before', 'after', 'first-line', 'first-letter', 'marker', 'placeholder', 'selection']);

/**
 * The readings of the document as shown, one per context whose text differs (desktop first; none when nothing
 * is hidden), or why it was not laid out (too large, too deep, sheets too slow to match): the caller reads it
 * without the tree and reports the part.
 */
export function shownReadings(html: string): { readonly readings: readonly string[] } | { readonly notLaidOut: string } {
  // the sheets are read from the tree, not from the markup's own list (which keeps a <style media=print> or one
  // inside a <textarea> as any other)
  if (html.length > SHOWN_TEXT_MAX_HTML) return { notLaidOut: `over ${SHOWN_TEXT_MAX_HTML} characters of HTML` };
  const doc = parseDocument(asBrowsersTokenize(html), { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  fosterParent(doc.children);
  const elements: Element[] = [];
  const shape = { depth: 0, children: 0 };
  if (!collectElements(doc.children, elements, shape)) return { notLaidOut: `elements nested over ${MAX_DEPTH} deep` };
  const index = new ElementIndex(elements);
  let sheetRules: StyleRule[];
  try {
    sheetRules = styleRules(documentSheets(elements));
  } catch (err) {
    if (err instanceof SheetTooDeep) return { notLaidOut: err.message };
    throw err;
  }
  const rules = sheetRules.filter((r) => r.declarations.some((d) => SLOT.has(d.name) || d.name.startsWith('--') || d.name === 'content'));
  const standard = matchRules(rules, index, shape, elements.length, false);
  if (typeof standard === 'string') return { notLaidOut: standard };
  const { matches, generated, unknowns } = standard;
  // a document without a doctype (or an old one) is shown in quirks mode where it is shown as a page of its own, and
  // in standards mode inside a webmail's page: where that changes what a rule matches or what a length is, both are read
  let quirks: Map<Element, Matched[]> | undefined;
  if (quirksMode(doc.children) && (index.caseMatters(rules) || UNITLESS_LENGTH.test(html))) {
    const q = index.caseMatters(rules) ? matchRules(rules, index, shape, elements.length, true) : standard;
    if (typeof q === 'string') return { notLaidOut: q };
    quirks = q.matches;
  }
  // contexts in which the same conditional rules hold read alike: one walk for each set of them
  const conditional = [...new Set([...matches.values()].flat().filter((m) => m.rule.conditions.length > 0).map((m) => m.rule))];
  const contexts: ReadingContext[] = [];
  const seen = new Set<string>();
  // a page whose root takes a dark colour scheme where the reader prefers one (color-scheme: light dark) reads differently in the dark
  const schemes = /color-scheme|light-dark\(/i.test(html);
  for (const ctx of conditional.length > 0 || schemes ? READING_CONTEXTS : [DESKTOP]) {
    const signature = `${schemes && ctx.dark}${conditional.map((r) => String(conditionsHold(r.conditions, ctx))).join()}`;
    if (!seen.has(signature)) contexts.push(ctx);
    seen.add(signature);
  }
  if (/mso-hide/i.test(html)) contexts.push({ ...DESKTOP, name: 'outlook', outlook: true });
  if (unknowns) contexts.push({ ...DESKTOP, name: 'desktop, unknown rules applied', unknownApplies: true });
  if (quirks !== undefined) contexts.push({ ...DESKTOP, name: 'desktop, quirks mode', quirks: true });
  const out: string[] = [];
  const inlineStyles = new Map<string, Declaration[]>();
  // directions are marked only in a document with something right to left (markup-bidi.ts's test, or RTL text)
  const bidi = RTL_MARKUP.test(html) || RTL_TEXT.test(html);
  const metaScheme = schemes ? elements.find((e) => e.name === 'meta' && e.attribs.name?.toLowerCase() === 'color-scheme')?.attribs.content?.toLowerCase() : undefined;
  // with images shown, and blocked (most clients block remote images: the alt text is drawn in their place)
  const altTexts = IMG_ALT.test(html);
  for (const ctx of contexts) {
    for (const imagesBlocked of altTexts ? [false, true] : [false]) {
      const reading = new Reading(ctx, ctx.quirks && quirks !== undefined ? quirks : matches, generated, inlineStyles, bidi, metaScheme, imagesBlocked);
      reading.walk(doc.children, ROOT_STATE);
      // the text as shown, where it differs from the markup's text
      const text = reading.text();
      if (reading.changed && !out.includes(text)) out.push(text);
      // and laid out (bidi-text.ts): a number reordered on screen, with a hidden filler inside or not
      const laidOut = reading.marked === undefined ? '' : bidiReading(reading.marked, new BidiState());
      if (laidOut !== '' && !out.includes(laidOut)) out.push(laidOut);
    }
  }
  return { readings: out };
}

/** Every rule's selectors matched against the document (in quirks mode: class and id names in any case), or why not. */
function matchRules(rules: readonly StyleRule[], index: ElementIndex, shape: { readonly depth: number; readonly children: number }, elementCount: number, quirks: boolean): { matches: Map<Element, Matched[]>; generated: Map<Element, Generated[]>; unknowns: boolean } | string {
  const matches = new Map<Element, Matched[]>();
  // ::before and ::after rules, by the element they generate content in
  const generated = new Map<Element, Generated[]>();
  let steps = 0;
  let unknowns = false;
  for (const rule of rules) {
    if (parenDepth(rule.selectors) > MAX_SELECTOR_NESTING) return `a selector nested over ${MAX_SELECTOR_NESTING} deep`;
    const selectors = parseSelectorList(rule.selectors);
    if (selectors === undefined) continue; // an invalid selector list: a browser drops the rule
    if (selectors.some((s) => s.some(notCss) || hasInvalid(s))) continue;
    for (const written of selectors) {
      const cleaned = cleanSelector(written);
      if (cleaned === undefined) continue; // matches nothing in an HTML document
      // a ::before or ::after rule styles content generated in the element; any other pseudo-element, not the element
      const at = generatedAt(cleaned.selector);
      if (at !== undefined && !rule.declarations.some((d) => d.name === 'content')) continue;
      const selector = at === undefined ? cleaned.selector : cleaned.selector.slice(0, -1);
      if (selector.some(pseudoElement)) continue;
      const unknownSelector = cleaned.unknown || selector.some(unknownPseudo);
      // only the elements that have what the selector's last compound needs (its id, a class, an attribute, its tag)
      const candidates = index.candidates(selector, quirks);
      steps += candidates.length * stepsPerTest(selector, shape, elementCount);
      if (steps > MAX_MATCH_STEPS) return `its style sheets take over ${MAX_MATCH_STEPS} steps to match (${rules.length} rules, ${elementCount} elements)`;
      const test = compiledSelector(unknownSelector ? selector.filter((t) => !unknownPseudo(t)) : selector, quirks);
      if (test === undefined) continue;
      const matched = candidates.filter(test);
      const unknown = unknownSelector || rule.conditions.some((c) => conditionsHold([c], DESKTOP) === undefined);
      if (unknown) unknowns = true;
      const m: Matched = { declarations: rule.declarations, specificity: specificity(selector), order: rule.order, layer: rule.layer, rule, unknown, id: matchIds++ };
      for (const el of matched) {
        if (at !== undefined) {
          const list = generated.get(el);
          if (list === undefined) generated.set(el, [{ m, at }]);
          else list.push({ m, at });
          continue;
        }
        const list = matches.get(el);
        if (list === undefined) matches.set(el, [m]);
        else list.push(m);
      }
    }
  }
  return { matches, generated, unknowns };
}

/** Selectors nested deeper than this (`:is(:is(…))`) are not matched here (the walks over them recurse). */
const MAX_SELECTOR_NESTING = 32;

function parenDepth(text: string): number {
  let depth = 0;
  let most = 0;
  for (let i = text.indexOf('('); i >= 0 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28 && ++depth > most) most = depth;
    else if (c === 0x29 && depth > 0) depth--;
  }
  return most;
}

/** A selector list as css-what reads it, with :is() and :where() forgiving (HTML: an argument it cannot read is dropped, not the rule). */
function parseSelectorList(text: string): Selector[][] | undefined {
  try {
    return parseSelectors(text);
  } catch {
    const repaired = FORGIVING.test(text) ? forgiving(text, 0) : undefined;
    if (repaired === undefined || repaired === text) return undefined;
    try {
      return parseSelectors(repaired);
    } catch {
      return undefined;
    }
  }
}

const FORGIVING = /:(?:is|where|matches|-webkit-any)\(/i;

/** The selector text with each :is()/:where() argument css-what cannot read left out (none left: `:not(*)`). */
function forgiving(text: string, depth: number): string | undefined {
  if (depth > 8) return undefined;
  let out = '';
  let at = 0;
  const each = new RegExp(FORGIVING.source, 'gi');
  for (let m = each.exec(text); m !== null; m = each.exec(text)) {
    const open = m.index + m[0].length;
    let level = 1;
    let close = open;
    for (; close < text.length && level > 0; close++) {
      const c = text[close];
      if (c === '(') level++;
      else if (c === ')') level--;
    }
    if (level > 0) return undefined;
    const kept = splitTopLevel(text.slice(open, close - 1), ',')
      .map((arg) => forgiving(arg, depth + 1))
      .filter((arg): arg is string => {
        if (arg === undefined || arg.trim() === '') return false;
        try {
          return parseSelectors(arg).every((s) => !s.some(pseudoElement));
        } catch {
          return false;
        }
      });
    out += text.slice(at, m.index) + (kept.length === 0 ? ':not(*)' : `${m[0]}${kept.join(',')})`);
    at = close;
    each.lastIndex = close;
  }
  return out + text.slice(at);
}

/**
 * A selector as it matches in an HTML document: `*|` namespaces dropped; undefined where it matches nothing (`|span`:
 * no HTML element is without a namespace, an :is() left with no argument a browser reads); a named namespace makes it
 * unknown. Pseudo-elements inside :is()/:where() are invalid there and left out.
 */
function cleanSelector(selector: readonly Selector[]): { selector: Selector[]; unknown: boolean } | undefined {
  let unknown = false;
  const out: Selector[] = [];
  for (const t of selector) {
    if ((t.type === 'tag' || t.type === 'universal' || t.type === 'attribute') && t.namespace !== null && t.namespace !== undefined) {
      if (t.namespace === '' && t.type !== 'attribute') return undefined;
      if (t.namespace !== '*' && t.namespace !== '') unknown = true;
      out.push({ ...t, namespace: null } as Selector);
    } else if (t.type === 'pseudo' && Array.isArray(t.data)) {
      const inner: Selector[][] = [];
      for (const s of t.data) {
        const c = FORGIVING_NAMES.has(t.name) && (s.some(pseudoElement) || hasInvalid(s)) ? undefined : cleanSelector(s);
        if (c === undefined) {
          if (FORGIVING_NAMES.has(t.name)) continue;
          if (t.name === 'not') continue; // :not(|x) holds for every element
          return undefined;
        }
        if (c.unknown) unknown = true;
        inner.push(c.selector);
      }
      if (inner.length === 0) {
        if (t.name === 'not') continue;
        return undefined;
      }
      out.push({ ...t, data: inner });
    } else out.push(t);
  }
  return { selector: out, unknown };
}

const FORGIVING_NAMES: ReadonlySet<string> = new Set(['is', 'where', 'matches', '-webkit-any']);

/** Whether a browser shows the document in quirks mode (HTML §13.2.6.4.1): no doctype, or one of the old ones. */
function quirksMode(nodes: readonly AnyNode[]): boolean {
  const doctype = nodes.find((n) => n.type === 'directive' && /^!doctype/i.test((n as unknown as { data: string }).data));
  if (doctype === undefined) return true;
  const text = (doctype as unknown as { data: string }).data.toLowerCase();
  const m = /^!doctype\s+(\S+)(?:\s+public\s+(?:"([^"]*)"|'([^']*)'))?(?:\s*(?:"([^"]*)"|'([^']*)'))?/.exec(text);
  if (m === null || m[1] !== 'html') return true;
  const publicId = m[2] ?? m[3];
  const system = m[4] ?? m[5];
  if (publicId === undefined) return false;
  if (/^-\/\/(?:ietf|w3o|softquad|sun microsystems|spyglass|webtechs|o'reilly|netscape|metrius|microsoft|ms|advasoft|as|silmaril|sq)\/\//.test(publicId)) return true;
  if (/^-\/\/w3c\/\/dtd (?:html 3|html 4\.0 (?:transitional|frameset)|html experimental|w3 html|html level|html strict|html 2|html\/\/)/.test(publicId)) return true;
  return system === undefined && /^-\/\/w3c\/\/dtd html 4\.01 (?:transitional|frameset)\/\//.test(publicId);
}

/** A unitless non-zero length where quirks mode reads pixels (and standards mode drops the declaration). */
const UNITLESS_LENGTH = /(?:^|[;{\s"'])(?:font-size|width|height|max-width|max-height|left|top|right|bottom|text-indent)\s*:\s*[+-]?\d*\.?\d*[1-9]\d*\s*(?:[;}"'!]|$)/im;

/**
 * The document's style sheets as a browser applies them: each `<style>` (not one in a `<template>`; only a CSS one,
 * `type` absent, empty or text/css) under its `media` attribute, and a `<link rel=stylesheet>` whose sheet is in a
 * data: URI, which only some readers load: its rules count in the reading where rules not known to apply do.
 */
function documentSheets(elements: readonly Element[]): Sheet[] {
  const out: Sheet[] = [];
  for (const el of elements) {
    if (el.name !== 'style' && el.name !== 'link') continue;
    const media = el.attribs.media?.trim().toLowerCase() ?? '';
    const conditions = media === '' ? [] : [`@media ${media}`];
    if (el.name === 'link') {
      const rel = (el.attribs.rel ?? '').toLowerCase().split(/[ \t\n\f\r]+/);
      const href = (el.attribs.href ?? '').trim();
      if (!rel.includes('stylesheet') || rel.includes('alternate') || !/^data:/i.test(href)) continue;
      const data = parseDataUri(href);
      if (data !== undefined) out.push({ text: data.bytes.toString('utf8'), conditions: ['@loaded-sheet', ...conditions] });
      continue;
    }
    const type = el.attribs.type?.trim().toLowerCase();
    if ((type !== undefined && type !== '' && type !== 'text/css') || inTemplate(el)) continue;
    out.push({ text: el.children.map((c) => (c.type === 'text' ? (c as unknown as { data: string }).data : '')).join(''), conditions });
  }
  return out;
}

function inTemplate(el: Element): boolean {
  for (let p = el.parent; p !== null; p = p.parent) if (p.type === 'tag' && (p as Element).name === 'template') return true;
  return false;
}

/**
 * Where htmlparser2's tokenizer ends a comment elsewhere than a browser's (HTML §13.2.5): `--!>` ends a comment;
 * `<![CDATA[` outside SVG and MathML opens a bogus comment that the next `>` ends. Rewritten to what htmlparser2
 * reads the same way.
 */
function asBrowsersTokenize(html: string): string {
  let out = html;
  if (out.includes('--!>')) out = out.replaceAll('--!>', '-->');
  // htmlparser2 reads `<!X…>` as a declaration to the next '>': a bogus comment
  if (out.includes('<![') && !/<(?:svg|math)\b/i.test(out)) out = out.replace(/<!\[CDATA\[/gi, '<!X[CDATA[');
  return out;
}

// What a table, a table section and a row may hold; any other element and any text but white space is moved out,
// before the table (HTML §13.2.6.1, foster parenting), where a browser shows it.
const TABLE_CONTENT: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const section = new Set(['tr', 'td', 'th', 'script', 'style', 'template']);
  return new Map([
    ['table', new Set(['caption', 'colgroup', 'col', 'thead', 'tbody', 'tfoot', ...section, 'form'])],
    ['thead', section],
    ['tbody', section],
    ['tfoot', section],
    ['tr', new Set(['td', 'th', 'script', 'style', 'template'])],
  ]);
})();

/** Foster parenting, after the tree is built: what a table may not hold goes before the table, in order. */
function fosterParent(nodes: AnyNode[]): void {
  const stack: AnyNode[][] = [nodes];
  while (stack.length > 0) {
    const list = stack.pop() as AnyNode[];
    for (let i = 0; i < list.length; i++) {
      const n = list[i] as AnyNode;
      if (n.type !== 'tag' && n.type !== 'script' && n.type !== 'style') continue;
      const el = n as Element;
      if (el.children.length === 0) continue;
      const allowed = TABLE_CONTENT.get(el.name);
      if (allowed !== undefined) {
        const table = el.name === 'table' ? el : closestTable(el);
        const moved = el.children.filter((c) => (c.type === 'text' ? (c as unknown as { data: string }).data.trim() !== '' : c.type === 'tag' && !allowed.has((c as Element).name) && !((c as Element).name === 'input' && (c as Element).attribs.type?.toLowerCase() === 'hidden')));
        if (table !== undefined && table.parent !== null && moved.length > 0) {
          for (const m of moved) detach(m);
          insertBefore(table, moved);
          stack.push(moved);
          // inserted into this list, before the table: the table is further on now
          if (el === table) i += moved.length;
        }
      }
      stack.push(el.children);
    }
  }
}

function closestTable(el: Element): Element | undefined {
  for (let p = el.parent; p !== null && p.type === 'tag'; p = p.parent) if ((p as Element).name === 'table') return p as Element;
  return undefined;
}

function detach(n: AnyNode): void {
  const siblings = (n.parent as Element | null)?.children;
  if (siblings === undefined) return;
  siblings.splice(siblings.indexOf(n as never), 1);
  if (n.prev !== null) n.prev.next = n.next;
  if (n.next !== null) n.next.prev = n.prev;
  n.prev = n.next = null;
}

function insertBefore(ref: Element, nodes: readonly AnyNode[]): void {
  const parent = ref.parent as Element;
  const at = parent.children.indexOf(ref);
  parent.children.splice(at, 0, ...(nodes as never[]));
  let prev = ref.prev;
  for (const n of nodes) {
    n.parent = parent;
    n.prev = prev;
    if (prev !== null) prev.next = n;
    prev = n;
  }
  const last = nodes[nodes.length - 1] as AnyNode;
  last.next = ref;
  ref.prev = last;
}

const RTL_MARKUP = /\bdir\s*=|<bdo\b|<bdi\b|direction|unicode-bidi/i;
const IMG_ALT = /<img\b[^<>]{0,2000}?\salt\s*=/i;
/** Input types whose value is drawn in the line (a button's as its label); hidden, password, checkbox … are not. */
const VALUE_SHOWN: ReadonlySet<string> = new Set(['text', 'search', 'email', 'tel', 'url', 'number', 'submit', 'button', 'reset', 'date', 'time', 'month', 'week', 'datetime-local']);
/** Raw text to the markup's reading, drawn in the line by a mail client (which runs no script). */
const DRAWN_RAW_TEXT: ReadonlySet<string> = new Set(['textarea', 'noscript', 'xmp']);
/** Drawn above the base text, or only by clients without ruby: not in the line. */
const RUBY_ANNOTATIONS: ReadonlySet<string> = new Set(['rt', 'rp', 'rtc']);

/** Where a selector ending in ::before or ::after (or the legacy :before/:after) generates content. */
function generatedAt(selector: readonly Selector[]): 'before' | 'after' | undefined {
  const last = selector[selector.length - 1];
  if (last === undefined || !(last.type === 'pseudo-element' || last.type === 'pseudo')) return undefined;
  return last.name === 'before' || last.name === 'after' ? last.name : undefined;
}
// right-to-left letters (Hebrew to Arabic Extended, the presentation forms) and the explicit controls
const RTL_TEXT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\u200f\u202a-\u202e\u2066-\u2069]/;

/** Distinct style attributes read once per document (mail repeats the same one on element after element). */
const INLINE_STYLE_CACHE = 4096;
/** Distinct cascades (rules matched, hints, style attribute) remembered per reading. */
const CASCADE_CACHE = 8192;

/** Elements by id, class, attribute name and tag, for the candidates of a selector. */
class ElementIndex {
  readonly #all: readonly Element[];
  readonly #by = new Map<string, Element[]>();

  constructor(elements: readonly Element[]) {
    this.#all = elements;
    const add = (key: string, el: Element): void => {
      const list = this.#by.get(key);
      if (list === undefined) this.#by.set(key, [el]);
      else if (list[list.length - 1] !== el) list.push(el);
    };
    for (const el of elements) {
      add(el.name, el);
      const attribs = el.attribs;
      for (const name in attribs) {
        add(`[${name}`, el);
        const value = attribs[name] as string;
        if (name === 'id') add(`#${value}`, el);
        else if (name === 'class') {
          if (!/[ \t\n\f\r]/.test(value)) { if (value !== '') add(`.${value}`, el); }
          else for (const c of value.split(/[ \t\n\f\r]+/)) if (c !== '') add(`.${c}`, el);
        }
      }
    }
  }

  #lower: Map<string, Element[]> | undefined;

  /** Whether a class or id a selector names is in the document only in another case (quirks mode then matches it). */
  caseMatters(rules: readonly StyleRule[]): boolean {
    const lower = this.#byLower();
    for (const r of rules) for (const m of r.selectors.matchAll(/([.#])((?:[\w-]|\\.)+)/g)) {
      const key = `${m[1] as string}${m[2] as string}`;
      if (!this.#by.has(key) && lower.has(key.toLowerCase())) return true;
    }
    return false;
  }

  #byLower(): Map<string, Element[]> {
    if (this.#lower === undefined) {
      this.#lower = new Map();
      for (const [k, list] of this.#by) {
        if (!k.startsWith('.') && !k.startsWith('#')) continue;
        const key = k.toLowerCase();
        this.#lower.set(key, [...new Set([...(this.#lower.get(key) ?? []), ...list])]);
      }
      // in document order, as css-select's results are
      const order = new Map(this.#all.map((el, i) => [el, i]));
      for (const list of this.#lower.values()) list.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
    }
    return this.#lower;
  }

  /** The elements that can match a selector: those with the key its last compound needs, or all (quirks: ids and classes in any case). */
  candidates(selector: readonly Selector[], quirks = false): readonly Element[] {
    let start = selector.length;
    while (start > 0 && !TRAVERSALS.has((selector[start - 1] as Selector).type)) start--;
    let key: string | undefined;
    let rank = 0;
    for (const t of selector.slice(start)) {
      if (t.type === 'attribute' && t.ignoreCase === 'quirks' && t.name === 'id' && t.action === 'equals') [key, rank] = [`#${t.value}`, 4];
      else if (rank < 3 && t.type === 'attribute' && t.ignoreCase === 'quirks' && t.name === 'class' && t.action === 'element') [key, rank] = [`.${t.value}`, 3];
      else if (rank < 2 && t.type === 'attribute') [key, rank] = [`[${t.name.toLowerCase()}`, 2];
      else if (rank < 1 && t.type === 'tag') [key, rank] = [t.name.toLowerCase(), 1];
    }
    if (key === undefined) return this.#all;
    return quirks && rank >= 3 ? (this.#byLower().get(key.toLowerCase()) ?? []) : (this.#by.get(key) ?? []);
  }
}

const TRAVERSALS: ReadonlySet<string> = new Set(['descendant', 'child', 'sibling', 'adjacent', 'parent', 'column-combinator']);

/** Every element in document order, and the tree's shape: its depth and the most children of one element. */
function collectElements(nodes: readonly AnyNode[], out: Element[], shape: { depth: number; children: number }): boolean {
  // depth first, without recursion; false past MAX_DEPTH (the walks below recurse)
  const stack: { nodes: readonly AnyNode[]; at: number }[] = [{ nodes, at: 0 }];
  shape.children = Math.max(shape.children, nodes.length);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { nodes: readonly AnyNode[]; at: number };
    const n = top.nodes[top.at++];
    if (n === undefined) {
      stack.pop();
      continue;
    }
    if (n.type !== 'tag' && n.type !== 'script' && n.type !== 'style') continue;
    const el = n as Element;
    out.push(el);
    if (el.children.length === 0) continue;
    stack.push({ nodes: el.children, at: 0 });
    if (stack.length > shape.depth) shape.depth = stack.length;
    if (stack.length > MAX_DEPTH) return false;
    if (el.children.length > shape.children) shape.children = el.children.length;
  }
  return true;
}

/** Elements nested deeper than this are not laid out here (Blink's parser stops nesting at 512 too). */
const MAX_DEPTH = 512;

const notCss = (t: Selector): boolean => (t.type === 'pseudo' && (NOT_CSS.has(t.name) || (Array.isArray(t.data) && t.data.some((s) => s.some(notCss))))) || (t.type === 'attribute' && t.action === 'not');
const pseudoElement = (t: Selector): boolean => t.type === 'pseudo-element' || (t.type === 'pseudo' && PSEUDO_ELEMENTS.has(t.name));
// Pseudo-classes a browser reads that this does not evaluate (a rule with one counts where unknown rules apply); any
// other name, not vendor-prefixed, makes the selector invalid
const UNEVALUATED_PSEUDOS: ReadonlySet<string> = new Set('lang dir host host-context state blank current past future local-link in-range out-of-range indeterminate default placeholder-shown read-only read-write valid invalid has-slotted buffering stalled muted volume-locked seeking heading'.split(' '));
const invalidPseudo = (t: Selector): boolean => t.type === 'pseudo' && !STANDARD_PSEUDOS.has(t.name) && !UNEVALUATED_PSEUDOS.has(t.name) && !t.name.startsWith('-');
/** Whether a selector is invalid outside the forgiving lists of :is() and :where() (those are cleaned: cleanSelector). */
const hasInvalid = (selector: readonly Selector[]): boolean => selector.some((t) => invalidPseudo(t) || (t.type === 'pseudo' && Array.isArray(t.data) && !FORGIVING_NAMES.has(t.name) && t.data.some(hasInvalid)));
const unknownPseudo = (t: Selector): boolean => t.type === 'pseudo' && (!STANDARD_PSEUDOS.has(t.name) || (Array.isArray(t.data) && t.data.some((s) => s.some(unknownPseudo))));

/** A selector's test, compiled once per distinct selector (undefined: css-select cannot compile it). */
function compiledSelector(selector: Selector[], quirks: boolean): ((el: Element) => boolean) | undefined {
  const key = `${quirks ? 'q' : ''}${JSON.stringify(selector)}`;
  let test = compiled.get(key);
  if (test === undefined) {
    try {
      // UNIVERSAL first makes css-select remember, per ancestor, what a descendant combinator found (its "expensive
      // subselector" cache): without it `.a7 .b .c div span` over 500 nested `div.a1.b.c` backtracks for minutes
      test = compile<AnyNode, Element>([[UNIVERSAL, ...selector]], { pseudos: PSEUDOS, quirksMode: quirks }) as (el: Element) => boolean;
    } catch {
      return undefined;
    }
    if (compiled.size >= COMPILED_CACHE) compiled.clear();
    compiled.set(key, test);
  }
  return test;
}

// `:is(*, * *)`: holds for every element, and css-select rates it as costly (a traversal inside), which turns on its cache
const UNIVERSAL: Selector = {
  type: SelectorType.Pseudo,
  name: 'is',
  data: [[{ type: SelectorType.Universal, namespace: null }], [{ type: SelectorType.Universal, namespace: null }, { type: SelectorType.Descendant }, { type: SelectorType.Universal, namespace: null }]],
};

const POSITIONAL: ReadonlySet<string> = new Set(['nth-child', 'nth-last-child', 'nth-of-type', 'nth-last-of-type', 'last-child', 'only-child', 'first-of-type', 'last-of-type', 'only-of-type']);

/** What testing one element against a selector may cost, in steps (see MAX_MATCH_STEPS). */
function stepsPerTest(selector: readonly Selector[], shape: { readonly depth: number; readonly children: number }, elements: number): number {
  let n = 1;
  for (const t of selector) {
    if (t.type === 'descendant' || t.type === 'child' || t.type === 'parent') n += shape.depth;
    else if (t.type === 'sibling' || t.type === 'adjacent') n += shape.children;
    else if (t.type === 'pseudo') {
      if (POSITIONAL.has(t.name)) n += shape.children;
      else if (t.name === 'has') n += elements;
      if (Array.isArray(t.data)) for (const inner of t.data) n += stepsPerTest(inner, shape, elements);
    }
  }
  return n;
}

/** Specificity as one number: ids × 10⁶ + classes, attributes and pseudo-classes × 10³ + types (Selectors 4 §17). */
function specificity(selector: readonly Selector[]): number {
  let n = 0;
  for (const t of selector) {
    if (t.type === 'attribute') n += t.name === 'id' && t.ignoreCase === 'quirks' ? 1_000_000 : 1_000;
    else if (t.type === 'tag' || t.type === 'pseudo-element') n += 1;
    else if (t.type === 'pseudo') {
      if (t.name === 'where') continue;
      if ((t.name === 'is' || t.name === 'not' || t.name === 'has' || t.name === 'matches') && Array.isArray(t.data)) n += Math.max(0, ...t.data.map(specificity));
      else n += 1_000;
    }
  }
  return n;
}

interface State {
  readonly visibility: 'visible' | 'hidden';
  readonly fontPx: number;
  /** The text colour; undefined: one this does not read (the text counts as visible). */
  readonly colour: Rgba | undefined;
  /** What the text is painted on; undefined: an image or a colour this does not read. */
  readonly backdrop: Rgba | undefined;
  /** The opacity the text is painted with: every ancestor's multiplied. */
  readonly opacity: number;
  /** The element's own opacity (what `opacity: inherit` of a child takes). */
  readonly ownOpacity: number;
  /** How much the text is magnified: zoom and the scale of transforms, multiplied down the tree. */
  readonly scale: number;
  /** Outside SVG (0), in SVG where character data is not painted (1), in an SVG text element (2). */
  readonly svg: 0 | 1 | 2;
  /** How far the text is moved from where it would stand, left and up (positions, translations, margins, paddings: summed down the tree). */
  readonly dx: number;
  readonly dy: number;
  readonly vars: ReadonlyMap<string, string>;
}

const BLACK_TEXT: Rgba = { r: 0, g: 0, b: 0, a: 1 };
const ROOT_STATE: State = { visibility: 'visible', fontPx: 16, colour: BLACK_TEXT, backdrop: WHITE, opacity: 1, ownOpacity: 1, scale: 1, svg: 0, dx: 0, dy: 0, vars: new Map() };
/** A page whose root says it is dark (color-scheme): light text on a dark canvas, as Blink paints it. */
const DARK_CANVAS: Rgba = { r: 18, g: 18, b: 18, a: 1 };
/** Below this a glyph is not legible: a 1px font is a hiding place, not a style. */
const LEGIBLE_PX = 2;
const VISIBLE_OPACITY = 0.1;
/** A position this far off the page's left or top edge puts the element out of sight. */
const OFF_SCREEN_PX = -500;
/** What a glyph takes across, as a share of the font size, at the most (for text moved off the page by text-indent). */
const GLYPH_WIDTH = 1;
// Boxes of a table's inside: size containment, and so content-visibility, does not apply to them
const TABLE_INTERNAL_DISPLAY: ReadonlySet<string> = new Set(['table-row-group', 'table-header-group', 'table-footer-group', 'table-row', 'table-cell', 'table-column-group', 'table-column', 'ruby', 'ruby-text']);
const TABLE_INTERNAL: ReadonlySet<string> = new Set(['tbody', 'thead', 'tfoot', 'tr', 'td', 'th', 'col', 'colgroup']);

/** One context's pass over the tree. */
class Reading {
  readonly #ctx: ReadingContext;
  readonly #matches: ReadonlyMap<Element, readonly Matched[]>;
  readonly #out: string[] = [];
  /** The same with the control characters elements' directions stand for (undefined: no directions in the document). */
  readonly #marked: string[] | undefined;
  /** The colour scheme a `<meta name=color-scheme>` declares (the root's color-scheme property wins over it). */
  readonly #metaScheme: string | undefined;
  /** The page is painted dark (its root's used colour scheme). */
  #dark = false;
  hidSomething = false;

  readonly #inlineStyles: Map<string, Declaration[]>;
  readonly #inlineComputed = new Map<string, Map<string, string>>();

  readonly #generated: ReadonlyMap<Element, readonly Generated[]>;
  readonly #imagesBlocked: boolean;
  /** Text was drawn that is no text node (alt text, a field's value, generated content). */
  #added = false;

  constructor(
    ctx: ReadingContext,
    matches: ReadonlyMap<Element, readonly Matched[]>,
    generated: ReadonlyMap<Element, readonly Generated[]>,
    inlineStyles: Map<string, Declaration[]>,
    bidi: boolean,
    metaScheme: string | undefined,
    imagesBlocked: boolean,
  ) {
    this.#generated = generated;
    this.#imagesBlocked = imagesBlocked;
    this.#ctx = ctx;
    this.#marked = bidi ? [] : undefined;
    this.#matches = matches;
    this.#inlineStyles = inlineStyles;
    this.#metaScheme = metaScheme;
  }

  #inline(style: string): readonly Declaration[] {
    let d = this.#inlineStyles.get(style);
    if (d === undefined) {
      d = declarationList(style);
      if (this.#inlineStyles.size < INLINE_STYLE_CACHE) this.#inlineStyles.set(style, d);
    }
    return d;
  }

  text(): string {
    return this.#out.join('');
  }

  /** Whether the text differs from the markup's text: something hidden, or drawn that is no text node. */
  get changed(): boolean {
    return this.hidSomething || this.#added;
  }

  get marked(): string | undefined {
    return this.#marked?.join('');
  }

  #push(text: string): void {
    this.#out.push(text);
    this.#marked?.push(text);
  }

  walk(nodes: readonly AnyNode[], state: State): void {
    quirksLengths = this.#ctx.quirks ?? false;
    for (const n of nodes) {
      if (n.type === 'text') {
        const data = (n as unknown as { data: string }).data;
        if (state.svg !== 1 && textShows(state)) this.#push(data);
        else if (data.trim() !== '') this.hidSomething = true;
      } else if (n.type === 'tag') this.#element(n as Element, state);
    }
  }

  #element(el: Element, outer: State): void {
    const name = el.name;
    if (NOT_RENDERED.has(name) || (outer.svg !== 0 && SVG_NOT_RENDERED.has(name))) {
      if (name !== 'head' && name !== 'title') this.#hidden(el);
      return;
    }
    const { style, vars } = this.#computed(el, outer.vars);
    let parent = outer;
    if (el.parent === null || el.parent.type === 'root') {
      // the root's colour scheme paints the canvas (CSS Color Adjust §2): dark, the default text is light
      const scheme = style.get('color-scheme') ?? this.#metaScheme ?? 'normal';
      const words = scheme.split(/\s+/);
      this.#dark = words.includes('dark') && (!words.includes('light') || this.#ctx.dark);
      if (this.#dark) parent = { ...outer, colour: WHITE, backdrop: DARK_CANVAS };
    }
    const display = style.get('display');
    if (display === 'none' || (this.#ctx.outlook && style.get('mso-hide') === 'all') || boxHidesCached(el, style)) {
      this.#hidden(el);
      return;
    }
    const own = opacityOf(style.get('opacity'), parent.ownOpacity);
    const opacity = parent.opacity * own * filterOpacity(style.get('filter'));
    if (opacity < VISIBLE_OPACITY) {
      this.#hidden(el);
      return;
    }
    const state = childState(el, style, parent, opacity, own, vars, this.#dark);
    if (textIndentHides(el, style, state)) {
      this.#hidden(el);
      return;
    }
    const breaks = LINE_BREAKS.has(name) && display !== 'inline' && display !== 'contents';
    if (breaks) this.#push('\n');
    const marker = this.#marked === undefined ? '' : directionMarker(el, style);
    if (marker !== '') this.#marked?.push(marker);
    this.#generatedContent(el, 'before', state);
    this.#drawnValue(el, state);
    // drawn in the line, but read apart by the markup's reading (markup-text.ts's raw-text elements)
    if (DRAWN_RAW_TEXT.has(name) && hasText(el)) this.#added = true;
    if (name === 'ruby') {
      // its annotations are drawn above the base text
      for (const c of el.children) {
        if (c.type === 'tag' && RUBY_ANNOTATIONS.has((c as Element).name)) {
          if (hasText(c)) this.hidSomething = true;
        } else this.walk([c], state);
      }
    } else if (name === 'details' && el.attribs.open === undefined) {
      // closed: only its first <summary> shows
      const summary = el.children.find((c) => c.type === 'tag' && (c as Element).name === 'summary');
      if (summary !== undefined) this.walk([summary], state);
      if (el.children.some((c) => c !== summary && hasText(c))) this.hidSomething = true;
    } else if (style.get('content-visibility') === 'hidden' && containable(el, style)) {
      if (el.children.some(hasText)) this.hidSomething = true;
    } else if (REPLACED.has(name)) {
      // the frame, the canvas, the player show; what the element holds is fallback content
      if (el.children.some(hasText)) this.hidSomething = true;
    } else if (name === 'select' && el.attribs.multiple === undefined && Number(el.attribs.size ?? '1') <= 1) {
      // a drop-down box shows its selected option (the last marked selected, or the first not disabled)
      const options = descendants(el, 'option');
      const chosen = options.filter((o) => o.attribs.selected !== undefined).pop() ?? options.find((o) => o.attribs.disabled === undefined);
      if (chosen !== undefined) this.walk([chosen], state);
      if (options.some((o) => o !== chosen && hasText(o))) this.hidSomething = true;
    } else if (name === 'semantics' && outer.svg === 0) {
      // MathML shows a <semantics>' first child; its annotations are not rendered
      const first = el.children.find((c) => c.type === 'tag');
      if (first !== undefined) this.walk([first], state);
      if (el.children.some((c) => c !== first && hasText(c))) this.hidSomething = true;
    } else this.walk(el.children, state);
    this.#generatedContent(el, 'after', state);
    if (marker !== '') this.#marked?.push(closerOf(marker));
    if (breaks) this.#push('\n');
    else if (name === 'td' || name === 'th') this.#push(' ');
  }

  /** An image's alt text (images blocked), a form field's value: drawn in the line. */
  #drawnValue(el: Element, state: State): void {
    let text: string | undefined;
    if (el.name === 'img' && this.#imagesBlocked) text = el.attribs.alt;
    else if (el.name === 'input' && VALUE_SHOWN.has((el.attribs.type ?? 'text').trim().toLowerCase())) text = el.attribs.value;
    if (text === undefined || text === '' || !textShows(state)) return;
    this.#push(text);
    this.#added = true;
  }

  /** The content a ::before or ::after rule generates in the element (strings, attr()), as the cascade gives it. */
  #generatedContent(el: Element, at: 'before' | 'after', state: State): void {
    const rules = this.#generated.get(el);
    if (rules === undefined) return;
    type Key = { rank: number; layer: number; specificity: number; order: number };
    let best: (Key & { content: string }) | undefined;
    let display: (Key & { value: string }) | undefined;
    for (const { m, at: where } of rules) {
      if (where !== at || (m.unknown && !this.#ctx.unknownApplies)) continue;
      const holds = this.#holds(m.rule);
      if (holds === false || (holds === undefined && !this.#ctx.unknownApplies)) continue;
      for (const d of m.declarations) {
        // as the element's own cascade ranks them (#computed): importance, layer order, specificity, source order
        const key: Key = { rank: d.important ? 5 : 3, layer: d.important ? -m.layer : m.layer, specificity: m.specificity, order: m.order };
        const wins = (b: Key | undefined): boolean =>
          b === undefined || key.rank > b.rank || (key.rank === b.rank && (key.layer > b.layer || (key.layer === b.layer && (key.specificity > b.specificity || (key.specificity === b.specificity && key.order >= b.order)))));
        if (d.name === 'content' && wins(best)) best = { ...key, content: d.value };
        else if (d.name === 'display' && wins(display)) display = { ...key, value: d.value };
      }
    }
    if (best === undefined || display?.value === 'none' || !textShows(state)) return;
    const text = contentText(best.content, el);
    if (text === '') return;
    this.#push(text);
    this.#added = true;
  }

  readonly #conditions = new Map<StyleRule, boolean | undefined>();

  #holds(rule: StyleRule): boolean | undefined {
    if (rule.conditions.length === 0) return true;
    if (this.#conditions.has(rule)) return this.#conditions.get(rule);
    const v = conditionsHold(rule.conditions, this.#ctx);
    this.#conditions.set(rule, v);
    return v;
  }

  #hidden(el: Element): void {
    if (hasText(el)) this.hidSomething = true;
  }

  /** The winning declaration of each property for an element in this context, var() substituted. */
  #computed(el: Element, inherited: ReadonlyMap<string, string>): { style: ReadonlyMap<string, string>; vars: ReadonlyMap<string, string> } {
    const matched = this.#matches.get(el);
    const inline = el.attribs.style;
    const a = el.attribs;
    const closedDialog = el.name === 'dialog' && a.open === undefined;
    // most elements: no rule, no presentational hint, at most a style attribute (read once per distinct one)
    if (matched === undefined && a.hidden === undefined && a.bgcolor === undefined && !(el.name === 'font' && a.color !== undefined) && el.name !== 'svg' && !closedDialog) {
      if (inline === undefined) return { style: NO_STYLE, vars: inherited };
      let style = this.#inlineComputed.get(inline);
      if (style === undefined) {
        style = cascade(this.#inline(inline).map((d) => ({ d, rank: d.important ? 7 : 4, layer: 0, specificity: 0, order: 0 })));
        if (this.#inlineComputed.size < INLINE_STYLE_CACHE) this.#inlineComputed.set(inline, style);
      }
      return inline.includes('--') || inline.includes('var(') ? withVars(new Map(style), inherited) : { style, vars: inherited };
    }
    // elements with the same rules, hints and style attribute cascade alike (a newsletter's cells): once per Reading
    const key = `${(matched ?? []).map((m) => m.id).join(',')}|${a.hidden !== undefined || closedDialog ? 'h' : ''}|${a.bgcolor ?? ''}|${el.name === 'font' ? (a.color ?? '') : ''}|${el.name === 'svg' ? `${a.width ?? ''} ${a.height ?? ''}` : ''}|${inline ?? ''}`;
    const known = this.#cascades.get(key);
    if (known !== undefined) return known.vars ? withVars(new Map(known.style), inherited) : { style: known.style, vars: inherited };
    const computed = this.#cascade(el, matched, inline, closedDialog);
    const vars = [...computed].some(([k, v]) => k.startsWith('--') || v.includes('var('));
    if (this.#cascades.size < CASCADE_CACHE) this.#cascades.set(key, { style: computed, vars });
    return vars ? withVars(new Map(computed), inherited) : { style: computed, vars: inherited };
  }

  readonly #cascades = new Map<string, { style: Map<string, string>; vars: boolean }>();

  #cascade(el: Element, matched: readonly Matched[] | undefined, inline: string | undefined, closedDialog: boolean): Map<string, string> {
    const a = el.attribs;
    const candidates: Candidate[] = [];
    const hintDecl = (name: string, value: string, rank: number): void => void candidates.push({ d: { name, value, important: false }, rank, layer: 0, specificity: 0, order: -1 });
    // presentational hints and the user agent's [hidden] and dialog:not([open]) rules: below every author rule
    if (a.hidden !== undefined || closedDialog) hintDecl('display', 'none', 0);
    if (a.bgcolor !== undefined) hintDecl('background-color', a.bgcolor.toLowerCase(), 1);
    if (el.name === 'font' && a.color !== undefined) hintDecl('color', a.color.toLowerCase(), 1);
    if (el.name === 'svg') for (const dim of ['width', 'height'] as const) if (a[dim] !== undefined) hintDecl(dim, a[dim] as string, 1);
    for (const m of matched ?? []) {
      if (m.unknown && !this.#ctx.unknownApplies) continue;
      const holds = this.#holds(m.rule);
      if (holds === false || (holds === undefined && !this.#ctx.unknownApplies)) continue;
      for (const d of m.declarations) candidates.push({ d, rank: d.important ? 5 : 3, layer: d.important ? -m.layer : m.layer, specificity: m.specificity, order: m.order });
    }
    if (inline !== undefined) for (const d of this.#inline(inline)) candidates.push({ d, rank: d.important ? 7 : 4, layer: 0, specificity: 0, order: 0 });
    return cascade(candidates);
  }
}

function descendants(el: Element, name: string): Element[] {
  const out: Element[] = [];
  const stack: AnyNode[] = [...el.children].reverse();
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    if (n.type !== 'tag') continue;
    const e = n as Element;
    if (e.name === name) out.push(e);
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i] as AnyNode);
  }
  return out;
}

/** Whether size containment, and so content-visibility, applies to the element's box (not to an inline or a table's inside). */
function containable(el: Element, style: ReadonlyMap<string, string>): boolean {
  const display = style.get('display');
  if (display !== undefined ? TABLE_INTERNAL_DISPLAY.has(display) : TABLE_INTERNAL.has(el.name)) return false;
  return blockish(el, style) || display === 'inline-block' || display === 'inline-flex' || display === 'inline-grid';
}

interface Candidate {
  readonly d: Declaration;
  /** Origin and importance (CSS Cascade 5 §6.1): hints 0-1, author 3, inline 4; author !important 5, inline 7. */
  readonly rank: number;
  /** The layer order within the rank: normal declarations of a later layer win, !important ones of an earlier (negated). */
  readonly layer: number;
  readonly specificity: number;
  readonly order: number;
}

const NO_STYLE: ReadonlyMap<string, string> = new Map();

const beats = (c: Candidate, b: Candidate): boolean =>
  c.rank !== b.rank ? c.rank > b.rank : c.layer !== b.layer ? c.layer > b.layer : c.specificity !== b.specificity ? c.specificity > b.specificity : c.order >= b.order;

/**
 * The winner per property slot: highest rank, then layer, then specificity, then the later declaration. A value a
 * browser would reject (a negative font size, a `font` without a size) does not take part; `revert` rolls back to
 * the user agent's rule, `revert-layer` to the layers below the winner's.
 */
function cascade(candidates: readonly Candidate[]): Map<string, string> {
  const out = new Map<string, string>();
  const best = new Map<string, Candidate>();
  let reverted = false;
  for (const c of candidates) {
    const d = c.d;
    const slots = d.name.startsWith('--') ? [d.name] : (SLOT.get(d.name) ?? []);
    for (const p of slots) {
      const b = best.get(p);
      if (b !== undefined && !beats(c, b)) continue;
      const value = d.name.startsWith('--') ? d.value : slotValue(d.name, p as Property, d.value);
      if (value === undefined) continue;
      best.set(p, c);
      out.set(p, value);
      if (value === 'revert' || value === 'revert-layer') reverted = true;
    }
  }
  if (reverted) for (const [p, v] of out) if (v === 'revert' || v === 'revert-layer') rollBack(p, candidates, best.get(p) as Candidate, v, out);
  return out;
}

function rollBack(p: string, candidates: readonly Candidate[], winner: Candidate, how: string, out: Map<string, string>): void {
  for (let w: Candidate | undefined = winner, v = how; w !== undefined && (v === 'revert' || v === 'revert-layer'); ) {
    const limit: Candidate = w;
    const revert = v === 'revert';
    let next: Candidate | undefined;
    let value: string | undefined;
    for (const c of candidates) {
      const slots: readonly string[] = c.d.name.startsWith('--') ? [c.d.name] : (SLOT.get(c.d.name) ?? []);
      if (!slots.includes(p)) continue;
      // revert: only the user agent's rules (rank 0); revert-layer: what a lower layer or origin declares
      if (revert ? c.rank !== 0 : c.rank > limit.rank || (c.rank === limit.rank && c.layer >= limit.layer)) continue;
      const cv = c.d.name.startsWith('--') ? c.d.value : slotValue(c.d.name, p as Property, c.d.value);
      if (cv === undefined || (next !== undefined && !beats(c, next))) continue;
      [next, value] = [c, cv];
    }
    w = next;
    v = value ?? '';
    if (next === undefined || value === undefined) out.delete(p);
    else out.set(p, value);
  }
}

/** Custom properties are inherited and var() reads them (within a few levels). */
function withVars(out: Map<string, string>, inherited: ReadonlyMap<string, string>): { style: ReadonlyMap<string, string>; vars: ReadonlyMap<string, string> } {
  let own: Map<string, string> | undefined;
  for (const [k, v] of out) if (k.startsWith('--')) (own ??= new Map(inherited)).set(k, v);
  const vars = own ?? inherited;
  for (const [k, v] of out) if (v.includes('var(')) out.set(k, substituteVars(v, vars).toLowerCase());
  return { style: out, vars };
}

function substituteVars(value: string, vars: ReadonlyMap<string, string>, depth = 0): string {
  if (depth > 4) return value;
  return value.replace(/var\(\s*(--[^,)\s]+)\s*(?:,\s*([^()]*(?:\([^()]*\))?[^()]*))?\)/g, (_, name: string, fallback: string | undefined) => {
    const v = vars.get(name) ?? fallback ?? '';
    return v.includes('var(') ? substituteVars(v, vars, depth + 1) : v;
  });
}

const GLOBAL_KEYWORDS: ReadonlySet<string> = new Set(['inherit', 'initial', 'unset', 'revert', 'revert-layer']);
// `font: caption` and the like: the system's font, of a legible size
const SYSTEM_FONTS: ReadonlySet<string> = new Set(['caption', 'icon', 'menu', 'message-box', 'small-caption', 'status-bar']);

/** A shorthand's part for one property slot; undefined where a browser rejects the declaration. */
function slotValue(name: string, property: Property, value: string): string | undefined {
  if (value.includes('var(')) return value;
  if (name === 'font') {
    if (GLOBAL_KEYWORDS.has(value)) return value;
    if (SYSTEM_FONTS.has(value)) return '13px';
    return fontSizeOfShorthand(value);
  }
  if (name === 'background') {
    if (GLOBAL_KEYWORDS.has(value)) return value;
    if (property === 'background-image') return /url\(|gradient\(|image\(|image-set\(|element\(|paint\(/.test(value) ? 'image' : 'none';
    const c = backgroundColour(value.replace(/url\([^)]*\)/g, ' '));
    return c === undefined || c === 'image' ? (/\bcurrentcolor\b/.test(value) ? 'currentcolor' : 'transparent') : (value.replace(/url\([^)]*\)/g, ' ').match(/#[0-9a-f]+|(?:rgba?|hsla?)\([^)]*\)|[a-z]+/g)?.find((t) => parseColour(t) !== undefined) ?? 'transparent');
  }
  if (name === 'margin' || name === 'padding') {
    const parts = value.split(/\s+/);
    return property.endsWith('-top') ? (parts[0] ?? '') : (parts[3] ?? parts[1] ?? parts[0] ?? '');
  }
  if (name === 'overflow') {
    const parts = value.split(/\s+/);
    return property === 'overflow-y' ? (parts[1] ?? parts[0] ?? '') : (parts[0] ?? '');
  }
  if (name === 'font-size') return GLOBAL_KEYWORDS.has(value) || FONT_KEYWORDS.has(value) || value === 'smaller' || value === 'larger' || (lengthPx(value, 16) ?? -1) >= 0 || /^(?:calc|min|max|clamp)\(/.test(value) ? value : undefined;
  if (name === 'opacity') return GLOBAL_KEYWORDS.has(value) || /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?%?$/.test(value) || /^(?:calc|min|max|clamp)\(/.test(value) ? value : undefined;
  if (name === 'visibility') return GLOBAL_KEYWORDS.has(value) || value === 'visible' || value === 'hidden' || value === 'collapse' ? value : undefined;
  return value;
}

/** The font size in a `font` shorthand (`bold 12px/1.5 Arial`, `0/0 a`), or undefined when it has none (the declaration is invalid). */
function fontSizeOfShorthand(value: string): string | undefined {
  for (const token of value.split(/\s+/)) {
    const size = token.split('/')[0] ?? '';
    if (/^(?:calc|min|max|clamp)\(/.test(size)) return size;
    if (/^[+-]?(\d*\.?\d+)(e[+-]?\d+)?([a-z%]*)$/.test(size) && !/^\d+$/.test(size.replace(/^0$/, 'x'))) return size.startsWith('-') ? undefined : size;
    if (FONT_KEYWORDS.has(size)) return size;
  }
  return undefined;
}

const FONT_KEYWORDS: ReadonlyMap<string, number> = new Map([
  ['xx-small', 9],
  ['x-small', 10],
  ['small', 13],
  ['medium', 16],
  ['large', 18],
  ['x-large', 24],
  ['xx-large', 32],
  ['xxx-large', 48],
]);

const LENGTH = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)([a-z%]*)$/;
/** The reading is of a document in quirks mode: a unitless length is in pixels (else only 0 is a length). */
let quirksLengths = false;

/** A length in CSS pixels (`em` and `%` of `relative`), calc()/min()/max()/clamp() evaluated, or undefined when it is not one. */
function pixels(value: string | undefined, relative = 16): number | undefined {
  if (value === undefined) return undefined;
  return value.includes('(') ? mathPx(value, relative) : lengthPx(value, relative);
}

function lengthPx(value: string, relative: number): number | undefined {
  const m = LENGTH.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]);
  if (m[2] === '') return n === 0 || quirksLengths ? n : undefined;
  return cssUnitPx(n, m[2] as string, relative);
}

/** calc(), min(), max(), clamp() over lengths and numbers: + - * /, parentheses (undefined where not read). */
function mathPx(value: string, relative: number): number | undefined {
  const tokens = value.match(/[a-z-]+\(|[()*/,]|[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?[a-z%]*|\s[+-]\s|\S/g);
  if (tokens === null || tokens.length > 200) return undefined;
  let at = 0;
  // each value is [number, isLength]
  const sum = (): [number, boolean] | undefined => {
    let left = product();
    while (left !== undefined && (tokens[at]?.trim() === '+' || tokens[at]?.trim() === '-')) {
      const op = (tokens[at++] as string).trim();
      const right = product();
      if (right === undefined) return undefined;
      left = [op === '+' ? left[0] + right[0] : left[0] - right[0], left[1] || right[1]];
    }
    return left;
  };
  const product = (): [number, boolean] | undefined => {
    let left = unit();
    while (left !== undefined && (tokens[at] === '*' || tokens[at] === '/')) {
      const op = tokens[at++];
      const right = unit();
      if (right === undefined || (op === '/' && right[0] === 0)) return undefined;
      left = [op === '*' ? left[0] * right[0] : left[0] / right[0], left[1] || right[1]];
    }
    return left;
  };
  const args = (): [number, boolean][] | undefined => {
    const out: [number, boolean][] = [];
    for (;;) {
      const v = sum();
      if (v === undefined) return undefined;
      out.push(v);
      const t = tokens[at++];
      if (t === ')') return out;
      if (t !== ',') return undefined;
    }
  };
  const unit = (): [number, boolean] | undefined => {
    while (tokens[at] === ' ') at++;
    const t = tokens[at++];
    if (t === undefined) return undefined;
    if (t === '(' || t === 'calc(') {
      const v = sum();
      return tokens[at++] === ')' ? v : undefined;
    }
    if (t === 'min(' || t === 'max(' || t === 'clamp(') {
      const a = args();
      if (a === undefined || a.length === 0) return undefined;
      const ns = a.map((x) => x[0]);
      const length = a.some((x) => x[1]);
      if (t === 'min(') return [Math.min(...ns), length];
      if (t === 'max(') return [Math.max(...ns), length];
      return a.length === 3 ? [Math.max(ns[0] as number, Math.min(ns[1] as number, ns[2] as number)), length] : undefined;
    }
    const m = LENGTH.exec(t.trim());
    if (m === null) return undefined;
    if (m[2] === '') return [Number(m[1]), false];
    const px = lengthPx(t.trim(), relative);
    return px === undefined ? undefined : [px, true];
  };
  const v = sum();
  return v !== undefined && at === tokens.length ? v[0] : undefined;
}

/** An opacity value (`inherit` takes the parent's own), 1 when there is none or it is not read. */
function opacityOf(value: string | undefined, parentOwn = 1): number {
  if (value === undefined || value === 'initial' || value === 'unset' || value === 'revert' || value === 'revert-layer') return 1;
  if (value === 'inherit') return parentOwn;
  const n = value.includes('(') ? mathPx(value, 100) : value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : Number(value);
  return n !== undefined && Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
}

function filterOpacity(value: string | undefined): number {
  if (value === undefined) return 1;
  let f = 1;
  for (const m of value.matchAll(/opacity\(\s*([^)]*)\)/g)) f *= opacityOf((m[1] ?? '').trim() || '1');
  return f;
}

/** Whether the element's box is laid out as a block (width, height, overflow and transforms apply to it). */
function blockish(el: Element, style: ReadonlyMap<string, string>): boolean {
  const display = style.get('display');
  const position = style.get('position');
  if (position === 'absolute' || position === 'fixed') return true;
  const float = style.get('float');
  if (float === 'left' || float === 'right') return true;
  if (display === undefined || GLOBAL_KEYWORDS.has(display)) return BLOCKS.has(el.name);
  return display !== 'inline' && display !== 'contents';
}

const clipsAxis = (v: string | undefined): boolean => v === 'hidden' || v === 'clip';
const tiny = (v: string | undefined): boolean => {
  const px = pixels(v);
  return px !== undefined && px <= 1;
};

/** Whether the element's box puts its content out of sight: clipped to nothing, off the page, scaled to nothing. */
function boxHides(el: Element, style: ReadonlyMap<string, string>): boolean {
  const block = blockish(el, style);
  const svgOuter = el.name === 'svg';
  if (block || svgOuter) {
    // an outer <svg> clips to its box unless told otherwise
    const x = svgOuter && style.get('overflow-x') === undefined ? 'hidden' : style.get('overflow-x');
    const y = svgOuter && style.get('overflow-y') === undefined ? 'hidden' : style.get('overflow-y');
    if (clipsAxis(x) && (tiny(style.get('width')) || tiny(style.get('max-width')))) return true;
    if (clipsAxis(y) && (tiny(style.get('height')) || tiny(style.get('max-height')))) return true;
    if ((clipsAxis(x) || clipsAxis(y)) && (pixels(style.get('text-indent')) ?? 0) <= OFF_SCREEN_PX) return true;
    const transform = style.get('transform');
    if (transform !== undefined && transformHides(transform)) return true;
  }
  const position = style.get('position');
  if (position === 'absolute' || position === 'fixed' || position === 'relative') {
    // left and top are offsets (childState): a descendant may move back
    if (position !== 'relative' && ['right', 'bottom'].some((p) => (pixels(style.get(p)) ?? 0) <= OFF_SCREEN_PX)) return true;
    const clip = style.get('clip');
    if (position !== 'relative' && clip !== undefined && /^rect\(\s*0\D*0\D*0\D*0\D*\)$/.test(clip.replace(/px/g, ''))) return true;
  }
  const clipPath = style.get('clip-path');
  if (clipPath !== undefined && /^(inset\(\s*50%|circle\(\s*0|polygon\(\s*0[^,]*\))/.test(clipPath)) return true;
  return false;
}

/**
 * A block container's first line moved off the page by a negative text-indent: its text is out of sight when it
 * all fits in the part of the line left of the page (on one line: `white-space: nowrap`, or short enough).
 */
function textIndentHides(el: Element, style: ReadonlyMap<string, string>, state: State): boolean {
  const indent = style.get('text-indent');
  if (indent === undefined || !(blockish(el, style) || style.get('display') === 'inline-block')) return false;
  const px = pixels(indent, state.fontPx);
  if (px === undefined || px > OFF_SCREEN_PX) return false;
  const ws = style.get('white-space');
  if (ws === 'nowrap' || ws === 'pre') return true;
  return textLength(el) * state.fontPx * state.scale * GLYPH_WIDTH < -px;
}

function textLength(n: AnyNode): number {
  if (n.type === 'text') return (n as unknown as { data: string }).data.length;
  if (n.type === 'tag') return (n as Element).children.reduce((sum, c) => sum + textLength(c), 0);
  return 0;
}

// a computed style is shared by every element with the same style attribute and no rule: its box verdict too
const boxVerdicts = new WeakMap<ReadonlyMap<string, string>, [boolean | undefined, boolean | undefined, boolean | undefined]>();

function boxHidesCached(el: Element, style: ReadonlyMap<string, string>): boolean {
  if (style.size === 0 && el.name !== 'svg') return false;
  const kind = el.name === 'svg' ? 2 : BLOCKS.has(el.name) ? 1 : 0;
  let v = boxVerdicts.get(style);
  if (v === undefined) boxVerdicts.set(style, (v = [undefined, undefined, undefined]));
  return (v[kind] ??= boxHides(el, style));
}

const colours = new Map<string, Rgba | undefined>();

/** parseColour, remembered (a mail names the same few colours on element after element). */
function colourOf(value: string, dark: boolean): Rgba | undefined {
  const key = dark ? `dark ${value}` : value;
  if (colours.has(key)) return colours.get(key);
  const c = parseColour(value, dark);
  if (colours.size < 1024) colours.set(key, c);
  return c;
}

/**
 * The control character an element's direction stands for ('' for none), from its computed direction and
 * unicode-bidi and the HTML user agent's rules (`<bdo dir>` overrides, `[dir]` and `<bdi>` isolate). As
 * markup-bidi.ts reads it, `direction` alone isolates too (a block's paragraphs take it).
 */
function directionMarker(el: Element, style: ReadonlyMap<string, string>): string {
  const dirAttr = el.attribs.dir?.trim().toLowerCase();
  const direction = style.get('direction') ?? (dirAttr === 'rtl' || dirAttr === 'ltr' ? dirAttr : undefined);
  const ub = style.get('unicode-bidi');
  if (ub === 'bidi-override' || ub === 'isolate-override' || (ub === undefined && el.name === 'bdo')) return direction === 'rtl' ? RLO : direction === 'ltr' ? LRO : '';
  if (ub === 'plaintext') return FSI;
  if (style.has('direction')) return direction === 'rtl' ? RLI : direction === 'ltr' ? LRI : '';
  if (dirAttr === 'rtl') return RLI;
  if (dirAttr === 'ltr') return LRI;
  if (dirAttr === 'auto' || el.name === 'bdi') return FSI;
  return '';
}

/** The text of a `content` value (its escapes read with its declaration block): its strings and attr() values; counters and quotes draw nothing here. */
function contentText(value: string, el: Element): string {
  const out: string[] = [];
  for (const m of value.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|attr\(\s*([^)\s]+)\s*\)/g)) {
    if (m[3] !== undefined) out.push(el.attribs[m[3].toLowerCase()] ?? '');
    else out.push(m[1] ?? m[2] ?? '');
  }
  return out.join('');
}

function transformHides(transform: string): boolean {
  return /scale[xy]?\(\s*0(\.0*)?\s*[,)]/.test(transform);
}

/** Where an element moves its content, from its parent's: positions, translations, margins and paddings (percentages of a 1024 × 768 box). */
function offsets(el: Element, style: ReadonlyMap<string, string>, parent: State): [number, number] {
  let dx = parent.dx;
  let dy = parent.dy;
  const px = (p: string, full: number): number => pixels(style.get(p), full) ?? 0;
  const position = style.get('position');
  if (position === 'relative' || position === 'absolute' || position === 'fixed') {
    if (position === 'fixed') [dx, dy] = [0, 0];
    const set = (p: string): boolean => style.get(p) !== undefined && style.get(p) !== 'auto';
    dx += set('left') ? px('left', 1024) : position === 'relative' && set('right') ? -px('right', 1024) : 0;
    dy += set('top') ? px('top', 768) : position === 'relative' && set('bottom') ? -px('bottom', 768) : 0;
  }
  const block = blockish(el, style) || style.get('display') === 'inline-block';
  dx += px('margin-left', 1024) + px('padding-left', 1024);
  if (block) dy += px('margin-top', 1024) + px('padding-top', 1024);
  if (!block) return [dx, dy];
  const moves = [...(style.get('transform')?.matchAll(/translate(x|y|3d)?\(\s*([^)]*)\)/g) ?? [])].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
  const translate = style.get('translate');
  if (translate !== undefined && translate !== 'none') moves.push(['', translate.replace(/\s+/g, ',')]);
  for (const [axis, text] of moves) {
    const args = text.split(/\s*,\s*/);
    if (axis !== 'y') dx += pixels(args[0], 1024) ?? 0;
    if (axis === 'y') dy += pixels(args[0], 768) ?? 0;
    else if (axis !== 'x') dy += pixels(args[1], 768) ?? 0;
  }
  return [dx, dy];
}

/** A number or a percentage (`zoom`, `scale`'s parts), undefined when it is neither. */
function factor(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%?)$/.exec(v.trim());
  return m === null ? undefined : Number(m[1]) / (m[2] === '%' ? 100 : 1);
}

/** How much an element magnifies what it holds: its zoom (any box), its transform's and `scale`'s smallest axis (a transformable box). */
function magnification(el: Element, style: ReadonlyMap<string, string>): number {
  let m = 1;
  const zoom = factor(style.get('zoom'));
  // zoom: 0 is read as 1 (Blink, WebKit, the old IE meaning); a negative one is invalid
  if (zoom !== undefined && zoom > 0) m *= zoom;
  const scale = style.get('scale');
  const transform = style.get('transform');
  if ((scale === undefined && transform === undefined) || !(blockish(el, style) || style.get('display') === 'inline-block')) return m;
  if (scale !== undefined && scale !== 'none') {
    const parts = scale.split(/\s+/).map(factor);
    if (parts.every((p) => p !== undefined)) m *= Math.min(...(parts as number[]).slice(0, 2).map(Math.abs));
  }
  for (const t of transform?.matchAll(/(scale(?:x|y|3d)?|matrix)\(\s*([^)]*)\)/g) ?? []) {
    const args = (t[2] ?? '').split(/\s*,\s*|\s+/).map(factor);
    if (args.some((a) => a === undefined)) continue;
    const n = args as number[];
    if (t[1] === 'matrix') m *= Math.min(Math.hypot(n[0] ?? 1, n[1] ?? 0), Math.hypot(n[2] ?? 0, n[3] ?? 1));
    else if (t[1] === 'scalex' || t[1] === 'scaley') m *= Math.abs(n[0] ?? 1);
    else m *= Math.min(Math.abs(n[0] ?? 1), Math.abs(t[1] === 'scale3d' ? (n[1] ?? 1) : (n[1] ?? n[0] ?? 1)));
  }
  return m;
}

const INHERITS = (v: string | undefined): boolean => v === undefined || v === 'inherit' || v === 'unset' || v === 'revert' || v === 'revert-layer';

function childState(el: Element, style: ReadonlyMap<string, string>, parent: State, opacity: number, ownOpacity: number, vars: ReadonlyMap<string, string>, dark: boolean): State {
  const visibility = style.get('visibility');
  const vis = visibility === 'hidden' || visibility === 'collapse' ? 'hidden' : visibility === 'visible' || visibility === 'initial' ? 'visible' : parent.visibility;
  const size = style.get('font-size');
  let fontPx = parent.fontPx;
  if (!INHERITS(size)) {
    const s = size as string;
    const keyword = s === 'initial' ? 16 : FONT_KEYWORDS.get(s);
    fontPx = keyword ?? (s === 'smaller' ? parent.fontPx / 1.2 : s === 'larger' ? parent.fontPx * 1.2 : (pixels(s, parent.fontPx) ?? parent.fontPx));
  }
  const c = style.get('color');
  const colour = INHERITS(c) || c === 'currentcolor' ? parent.colour : c === 'initial' ? (dark ? WHITE : BLACK_TEXT) : colourOf(c as string, dark);
  const bg = style.get('background-color');
  let backdrop = parent.backdrop;
  if (bg !== undefined && bg !== 'transparent' && !GLOBAL_KEYWORDS.has(bg)) {
    const b = bg === 'currentcolor' ? colour : colourOf(bg, dark);
    backdrop = b === undefined ? undefined : b.a >= 0.99 ? b : parent.backdrop === undefined ? undefined : over(b, parent.backdrop);
  }
  const image = style.get('background-image');
  if (image !== undefined && image !== 'none' && !GLOBAL_KEYWORDS.has(image)) backdrop = undefined;
  const name = el.name;
  const svg = name === 'foreignobject' ? 0 : parent.svg === 0 ? (name === 'svg' ? 1 : 0) : SVG_TEXT.has(name) || parent.svg === 2 ? 2 : 1;
  const [dx, dy] = style.size === 0 ? [parent.dx, parent.dy] : offsets(el, style, parent);
  return { visibility: vis, fontPx, colour, backdrop, opacity, ownOpacity, scale: parent.scale * magnification(el, style), svg, dx, dy, vars };
}

function textShows(s: State): boolean {
  if (s.visibility === 'hidden' || s.fontPx * s.scale < LEGIBLE_PX || s.dx <= OFF_SCREEN_PX || s.dy <= OFF_SCREEN_PX) return false;
  if (s.colour !== undefined && s.colour.a < 0.1) return false;
  return s.colour === undefined || s.backdrop === undefined || !invisibleOn(s.colour, s.backdrop, s.opacity);
}

function hasText(n: AnyNode): boolean {
  if (n.type === 'text') return (n as unknown as { data: string }).data.trim() !== '';
  if (n.type === 'tag') return (n as Element).children.some(hasText);
  return false;
}
