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
import { parse as parseSelectors, type Selector } from 'css-what';
import type { AnyNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import { BidiState, bidiReading } from './bidi-text.js';
import { closerOf, FSI, LRI, LRO, RLI, RLO } from './markup-bidi.js';
import { backgroundColour, invisibleOn, parseColour, type Rgba, WHITE } from './css-colour.js';
import { conditionsHold, DESKTOP, type Declaration, declarationList, READING_CONTEXTS, type ReadingContext, type StyleRule, styleRules } from './css-rules.js';

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

// What decides whether text shows; shorthands map onto these (font → font-size, background → background-color, overflow → both axes).
const PROPERTIES = ['direction', 'unicode-bidi', 'display', 'visibility', 'opacity', 'font-size', 'color', 'background-color', 'overflow-x', 'overflow-y', 'width', 'height', 'max-width', 'max-height', 'position', 'left', 'top', 'right', 'bottom', 'clip', 'clip-path', 'transform', 'text-indent', 'mso-hide', 'content-visibility', 'filter', 'float'] as const;
type Property = (typeof PROPERTIES)[number];
const SLOT: ReadonlyMap<string, readonly Property[]> = new Map<string, readonly Property[]>([
  ...PROPERTIES.map((p): [string, readonly Property[]] => [p, [p]]),
  ['font', ['font-size']],
  ['background', ['background-color']],
  ['overflow', ['overflow-x', 'overflow-y']],
]);

interface Matched {
  readonly declarations: readonly Declaration[];
  readonly specificity: number;
  readonly order: number;
  readonly layered: boolean;
  /** The rule's conditions, evaluated per context. */
  readonly rule: StyleRule;
  /** The selector or a condition could not be evaluated: it counts only where unknowns apply. */
  readonly unknown: boolean;
}

/** Default display of elements that are blocks (and so take width, height, overflow and transforms). */
const BLOCKS: ReadonlySet<string> = new Set('address article aside blockquote body center dd details dialog dir div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html legend li listing main menu nav ol p plaintext pre search section summary table ul xmp caption colgroup col thead tbody tfoot tr td th img svg video canvas iframe object embed input button select textarea'.split(' '));
const LINE_BREAKS: ReadonlySet<string> = new Set(['p', 'div', 'br', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'ul', 'ol', 'blockquote', 'pre', 'section', 'article', 'hr', 'dt', 'dd']);
/** Never rendered as text of the page. */
const NOT_RENDERED: ReadonlySet<string> = new Set(['head', 'script', 'style', 'template', 'title', 'meta', 'link', 'base']);
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
export function shownReadings(html: string, sheets: readonly string[]): { readonly readings: readonly string[] } | { readonly notLaidOut: string } {
  if (html.length > SHOWN_TEXT_MAX_HTML) return { notLaidOut: `over ${SHOWN_TEXT_MAX_HTML} characters of HTML` };
  const doc = parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
  const elements: Element[] = [];
  const shape = { depth: 0, children: 0 };
  if (!collectElements(doc.children, elements, shape)) return { notLaidOut: `elements nested over ${MAX_DEPTH} deep` };
  const index = new ElementIndex(elements);
  const rules = styleRules(sheets).filter((r) => r.declarations.some((d) => SLOT.has(d.name) || d.name.startsWith('--') || d.name === 'content'));
  const matches = new Map<Element, Matched[]>();
  // ::before and ::after rules, by the element they generate content in
  const generated = new Map<Element, { readonly m: Matched; readonly at: 'before' | 'after' }[]>();
  let steps = 0;
  let unknowns = false;
  for (const rule of rules) {
    let selectors: Selector[][];
    try {
      selectors = parseSelectors(rule.selectors);
    } catch {
      continue; // an invalid selector list: a browser drops the rule
    }
    if (selectors.some((s) => s.some(notCss))) continue;
    for (const whole of selectors) {
      // a ::before or ::after rule styles content generated in the element; any other pseudo-element, not the element
      const at = generatedAt(whole);
      if (at === undefined && whole.some(pseudoElement)) continue;
      if (at !== undefined && !rule.declarations.some((d) => d.name === 'content')) continue;
      const selector = at === undefined ? whole : whole.slice(0, -1);
      if (selector.some(pseudoElement)) continue;
      const unknownSelector = selector.some(unknownPseudo);
      // only the elements that have what the selector's last compound needs (its id, a class, an attribute, its tag)
      const candidates = index.candidates(selector);
      steps += candidates.length * stepsPerTest(selector, shape, elements.length);
      if (steps > MAX_MATCH_STEPS) return { notLaidOut: `its style sheets take over ${MAX_MATCH_STEPS} steps to match (${rules.length} rules, ${elements.length} elements)` };
      const test = compiledSelector(unknownSelector ? selector.filter((t) => !unknownPseudo(t)) : selector);
      if (test === undefined) continue;
      const matched = candidates.filter(test);
      const unknown = unknownSelector || rule.conditions.some((c) => conditionsHold([c], DESKTOP) === undefined);
      if (unknown) unknowns = true;
      const m: Matched = { declarations: rule.declarations, specificity: specificity(selector), order: rule.order, layered: rule.layered, rule, unknown };
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
  // contexts in which the same conditional rules hold read alike: one walk for each set of them
  const conditional = [...new Set([...matches.values()].flat().filter((m) => m.rule.conditions.length > 0).map((m) => m.rule))];
  const contexts: ReadingContext[] = [];
  const seen = new Set<string>();
  for (const ctx of conditional.length > 0 ? READING_CONTEXTS : [DESKTOP]) {
    const signature = conditional.map((r) => String(conditionsHold(r.conditions, ctx))).join();
    if (!seen.has(signature)) contexts.push(ctx);
    seen.add(signature);
  }
  if (/mso-hide/i.test(html)) contexts.push({ ...DESKTOP, name: 'outlook', outlook: true });
  if (unknowns) contexts.push({ ...DESKTOP, name: 'desktop, unknown rules applied', unknownApplies: true });
  const out: string[] = [];
  const inlineStyles = new Map<string, Declaration[]>();
  // directions are marked only in a document with something right to left (markup-bidi.ts's test, or RTL text)
  const bidi = RTL_MARKUP.test(html) || RTL_TEXT.test(html);
  // with images shown, and blocked (most clients block remote images: the alt text is drawn in their place)
  const altTexts = IMG_ALT.test(html);
  for (const ctx of contexts) {
    for (const imagesBlocked of altTexts ? [false, true] : [false]) {
      const reading = new Reading(ctx, matches, generated, inlineStyles, bidi, imagesBlocked);
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

const RTL_MARKUP = /\bdir\s*=|<bdo\b|<bdi\b|direction|unicode-bidi/i;
const IMG_ALT = /<img\b[^>]*\salt\s*=/i;
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
      for (const [name, value] of Object.entries(el.attribs)) {
        add(`[${name}`, el);
        if (name === 'id') add(`#${value}`, el);
        else if (name === 'class') for (const c of value.split(/[ \t\n\f\r]+/)) if (c !== '') add(`.${c}`, el);
      }
    }
  }

  /** The elements that can match a selector: those with the key its last compound needs, or all. */
  candidates(selector: readonly Selector[]): readonly Element[] {
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
    return key === undefined ? this.#all : (this.#by.get(key) ?? []);
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
const unknownPseudo = (t: Selector): boolean => t.type === 'pseudo' && (!STANDARD_PSEUDOS.has(t.name) || (Array.isArray(t.data) && t.data.some((s) => s.some(unknownPseudo))));

/** A selector's test, compiled once per distinct selector (undefined: css-select cannot compile it). */
function compiledSelector(selector: Selector[]): ((el: Element) => boolean) | undefined {
  const key = JSON.stringify(selector);
  let test = compiled.get(key);
  if (test === undefined) {
    try {
      test = compile<AnyNode, Element>([selector], { pseudos: PSEUDOS }) as (el: Element) => boolean;
    } catch {
      return undefined;
    }
    if (compiled.size >= COMPILED_CACHE) compiled.clear();
    compiled.set(key, test);
  }
  return test;
}

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
  readonly opacity: number;
  readonly vars: ReadonlyMap<string, string>;
}

const ROOT_STATE: State = { visibility: 'visible', fontPx: 16, colour: { r: 0, g: 0, b: 0, a: 1 }, backdrop: WHITE, opacity: 1, vars: new Map() };
/** Below this a glyph is not legible: a 1px font is a hiding place, not a style. */
const LEGIBLE_PX = 2;
const VISIBLE_OPACITY = 0.1;
/** A position this far off the page's left or top edge puts the element out of sight. */
const OFF_SCREEN_PX = -500;

/** One context's pass over the tree. */
class Reading {
  readonly #ctx: ReadingContext;
  readonly #matches: ReadonlyMap<Element, readonly Matched[]>;
  readonly #out: string[] = [];
  /** The same with the control characters elements' directions stand for (undefined: no directions in the document). */
  readonly #marked: string[] | undefined;
  hidSomething = false;

  readonly #inlineStyles: Map<string, Declaration[]>;
  readonly #inlineComputed = new Map<string, Map<string, string>>();

  readonly #generated: ReadonlyMap<Element, readonly { readonly m: Matched; readonly at: 'before' | 'after' }[]>;
  readonly #imagesBlocked: boolean;
  /** Text was drawn that is no text node (alt text, a field's value, generated content). */
  #added = false;

  constructor(
    ctx: ReadingContext,
    matches: ReadonlyMap<Element, readonly Matched[]>,
    generated: ReadonlyMap<Element, readonly { readonly m: Matched; readonly at: 'before' | 'after' }[]>,
    inlineStyles: Map<string, Declaration[]>,
    bidi: boolean,
    imagesBlocked: boolean,
  ) {
    this.#generated = generated;
    this.#imagesBlocked = imagesBlocked;
    this.#ctx = ctx;
    this.#marked = bidi ? [] : undefined;
    this.#matches = matches;
    this.#inlineStyles = inlineStyles;
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
    for (const n of nodes) {
      if (n.type === 'text') {
        const data = (n as unknown as { data: string }).data;
        if (textShows(state)) this.#push(data);
        else if (data.trim() !== '') this.hidSomething = true;
      } else if (n.type === 'tag') this.#element(n as Element, state);
    }
  }

  #element(el: Element, parent: State): void {
    const name = el.name;
    if (NOT_RENDERED.has(name)) return;
    const { style, vars } = this.#computed(el, parent.vars);
    const display = style.get('display');
    if (display === 'none' || (this.#ctx.outlook && style.get('mso-hide') === 'all') || boxHidesCached(el, style)) {
      this.#hidden(el);
      return;
    }
    const opacity = parent.opacity * opacityOf(style.get('opacity')) * filterOpacity(style.get('filter'));
    if (opacity < VISIBLE_OPACITY) {
      this.#hidden(el);
      return;
    }
    const state = childState(style, parent, opacity, vars);
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
    } else if (style.get('content-visibility') === 'hidden') {
      if (el.children.some(hasText)) this.hidSomething = true;
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
    let best: { rank: number; specificity: number; order: number; content: string; display?: string } | undefined;
    let display: { rank: number; specificity: number; order: number; value: string } | undefined;
    for (const { m, at: where } of rules) {
      if (where !== at || (m.unknown && !this.#ctx.unknownApplies)) continue;
      const holds = this.#holds(m.rule);
      if (holds === false || (holds === undefined && !this.#ctx.unknownApplies)) continue;
      for (const d of m.declarations) {
        const key = { rank: d.important ? (m.layered ? 6 : 5) : m.layered ? 2 : 3, specificity: m.specificity, order: m.order };
        const wins = (b: { rank: number; specificity: number; order: number } | undefined): boolean => b === undefined || key.rank > b.rank || (key.rank === b.rank && (key.specificity > b.specificity || (key.specificity === b.specificity && key.order >= b.order)));
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
    // most elements: no rule, no presentational hint, at most a style attribute (read once per distinct one)
    if (matched === undefined && a.hidden === undefined && a.bgcolor === undefined && !(el.name === 'font' && a.color !== undefined) && el.name !== 'svg') {
      if (inline === undefined) return { style: NO_STYLE, vars: inherited };
      let style = this.#inlineComputed.get(inline);
      if (style === undefined) {
        style = cascade(this.#inline(inline).map((d) => ({ d, rank: d.important ? 7 : 4, specificity: 0, order: 0 })));
        if (this.#inlineComputed.size < INLINE_STYLE_CACHE) this.#inlineComputed.set(inline, style);
      }
      return inline.includes('--') || inline.includes('var(') ? withVars(new Map(style), inherited) : { style, vars: inherited };
    }
    const candidates: Candidate[] = [];
    const hintDecl = (name: string, value: string, rank: number): void => void candidates.push({ d: { name, value, important: false }, rank, specificity: 0, order: -1 });
    // presentational hints and the user agent's [hidden] rule: below every author rule
    if (a.hidden !== undefined) hintDecl('display', 'none', 0);
    if (a.bgcolor !== undefined) hintDecl('background-color', a.bgcolor.toLowerCase(), 1);
    if (el.name === 'font' && a.color !== undefined) hintDecl('color', a.color.toLowerCase(), 1);
    if (el.name === 'svg') for (const dim of ['width', 'height'] as const) if (a[dim] !== undefined) hintDecl(dim, a[dim] as string, 1);
    for (const m of matched ?? []) {
      if (m.unknown && !this.#ctx.unknownApplies) continue;
      const holds = this.#holds(m.rule);
      if (holds === false || (holds === undefined && !this.#ctx.unknownApplies)) continue;
      for (const d of m.declarations) candidates.push({ d, rank: d.important ? (m.layered ? 6 : 5) : m.layered ? 2 : 3, specificity: m.specificity, order: m.order });
    }
    if (inline !== undefined) for (const d of this.#inline(inline)) candidates.push({ d, rank: d.important ? 7 : 4, specificity: 0, order: 0 });
    return withVars(cascade(candidates), inherited);
  }
}

interface Candidate {
  readonly d: Declaration;
  /** Origin and importance (CSS Cascade 5 §6.1): hints 0-1, layered 2, unlayered 3, inline 4; !important layered 6 over unlayered 5, inline 7. */
  readonly rank: number;
  readonly specificity: number;
  readonly order: number;
}

const NO_STYLE: ReadonlyMap<string, string> = new Map();

/** The winner per property slot: highest rank, then specificity, then the later declaration. */
function cascade(candidates: readonly Candidate[]): Map<string, string> {
  const out = new Map<string, string>();
  const best = new Map<string, Candidate>();
  for (const c of candidates) {
    const d = c.d;
    const slots = d.name.startsWith('--') ? [d.name] : (SLOT.get(d.name) ?? []);
    for (const p of slots) {
      const b = best.get(p);
      if (b === undefined || c.rank > b.rank || (c.rank === b.rank && (c.specificity > b.specificity || (c.specificity === b.specificity && c.order >= b.order)))) {
        best.set(p, c);
        out.set(p, d.name.startsWith('--') ? d.value : slotValue(d.name, p as Property, d.value));
      }
    }
  }
  return out;
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

/** A shorthand's part for one property slot. */
function slotValue(name: string, property: Property, value: string): string {
  if (name === 'font') return fontSizeOfShorthand(value) ?? 'medium';
  if (name === 'background') {
    const c = backgroundColour(value);
    return c === 'image' ? 'image' : c === undefined ? 'transparent' : value.match(/#[0-9a-f]+|(?:rgba?|hsla?)\([^)]*\)|[a-z]+/g)?.find((t) => parseColour(t) !== undefined) ?? 'transparent';
  }
  if (name === 'overflow') {
    const parts = value.split(/\s+/);
    return property === 'overflow-y' ? (parts[1] ?? parts[0] ?? '') : (parts[0] ?? '');
  }
  return value;
}

/** The font size in a `font` shorthand (`bold 12px/1.5 Arial`, `0/0 a`). */
function fontSizeOfShorthand(value: string): string | undefined {
  for (const token of value.split(/\s+/)) {
    const size = token.split('/')[0] ?? '';
    if (/^(-?\d*\.?\d+)([a-z%]*)$/.test(size) && !/^\d+$/.test(size.replace(/^0$/, 'x'))) return size;
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

const LENGTH = /^(-?(?:\d+\.?\d*|\.\d+))([a-z%]*)$/;

/** A length in CSS pixels (`em` and `%` of `relative`), or undefined when it is not a plain length. */
function pixels(value: string | undefined, relative = 16): number | undefined {
  const m = value === undefined ? null : LENGTH.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case '':
    case 'px':
      return n;
    case 'pt':
      return (n * 4) / 3;
    case 'pc':
      return n * 16;
    case 'em':
    case 'ch':
    case 'ex':
      return n * relative;
    case 'rem':
      return n * 16;
    case '%':
      return (n / 100) * relative;
    case 'mm':
      return n * 3.78;
    case 'cm':
      return n * 37.8;
    case 'in':
      return n * 96;
    case 'vw':
    case 'vh':
    case 'vmin':
    case 'vmax':
      return n * 8;
    default:
      return undefined;
  }
}

function opacityOf(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = value.endsWith('%') ? Number(value.slice(0, -1)) / 100 : Number(value);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 1;
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
  if (display === undefined) return BLOCKS.has(el.name);
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
    if (['left', 'top'].some((p) => (pixels(style.get(p)) ?? 0) <= OFF_SCREEN_PX)) return true;
    if (position !== 'relative' && ['right', 'bottom'].some((p) => (pixels(style.get(p)) ?? 0) <= OFF_SCREEN_PX)) return true;
    const clip = style.get('clip');
    if (position !== 'relative' && clip !== undefined && /^rect\(\s*0\D*0\D*0\D*0\D*\)$/.test(clip.replace(/px/g, ''))) return true;
  }
  const clipPath = style.get('clip-path');
  if (clipPath !== undefined && /^(inset\(\s*50%|circle\(\s*0|polygon\(\s*0[^,]*\))/.test(clipPath)) return true;
  return false;
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
function colourOf(value: string): Rgba | undefined {
  if (colours.has(value)) return colours.get(value);
  const c = parseColour(value);
  if (colours.size < 1024) colours.set(value, c);
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
  if (/scale[xy]?\(\s*0(\.0*)?\s*[,)]/.test(transform)) return true;
  for (const m of transform.matchAll(/translate(x|y|3d)?\(\s*([^)]*)\)/g)) {
    const args = (m[2] ?? '').split(/\s*,\s*/);
    const xs = m[1] === 'y' ? [] : [args[0]];
    const ys = m[1] === 'y' ? [args[0]] : m[1] === 'x' ? [] : [args[1]];
    if ([...xs, ...ys].some((v) => (pixels(v) ?? 0) <= OFF_SCREEN_PX)) return true;
  }
  return false;
}

function childState(style: ReadonlyMap<string, string>, parent: State, opacity: number, vars: ReadonlyMap<string, string>): State {
  const visibility = style.get('visibility');
  const vis = visibility === 'hidden' || visibility === 'collapse' ? 'hidden' : visibility === 'visible' ? 'visible' : parent.visibility;
  const size = style.get('font-size');
  let fontPx = parent.fontPx;
  if (size !== undefined) {
    const keyword = FONT_KEYWORDS.get(size);
    fontPx = keyword ?? (size === 'smaller' ? parent.fontPx / 1.2 : size === 'larger' ? parent.fontPx * 1.2 : (pixels(size, parent.fontPx) ?? parent.fontPx));
  }
  const c = style.get('color');
  const colour = c === undefined || c === 'currentcolor' || c === 'inherit' ? parent.colour : colourOf(c);
  const bg = style.get('background-color');
  let backdrop = parent.backdrop;
  if (bg !== undefined && bg !== 'transparent' && bg !== 'inherit') {
    if (bg === 'image') backdrop = undefined;
    else {
      const b = colourOf(bg);
      backdrop = b === undefined ? undefined : b.a >= 0.9 ? b : b.a < 0.1 ? parent.backdrop : undefined;
    }
  }
  return { visibility: vis, fontPx, colour, backdrop, opacity, vars };
}

function textShows(s: State): boolean {
  if (s.visibility === 'hidden' || s.fontPx < LEGIBLE_PX) return false;
  if (s.colour !== undefined && s.colour.a < 0.1) return false;
  return s.colour === undefined || s.backdrop === undefined || !invisibleOn(s.colour, s.backdrop);
}

function hasText(n: AnyNode): boolean {
  if (n.type === 'text') return (n as unknown as { data: string }).data.trim() !== '';
  if (n.type === 'tag') return (n as Element).children.some(hasText);
  return false;
}
