// A document's style sheets as a browser reads them for the text as shown (shown-text.ts): each style rule
// with its selector list, its declarations (with !important), its place in the cascade (source order, cascade
// layer) and the conditions around it (@media, @supports …), nested rules (CSS nesting) resolved to plain ones.
// Conditions are evaluated per reading context: a desktop and a phone screen, light and dark.
import { decodeCssEscapes } from './css-text.js';

/** A CSS comment, to its end or the end of the text (CSS Syntax §4.3.2: a comment is nothing). */
const COMMENT = /\/\*[^]*?(?:\*\/|$)/g;

export interface Declaration {
  readonly name: string;
  readonly value: string;
  readonly important: boolean;
}

export interface StyleRule {
  /** The selector list as written (escapes and case kept: css-what reads them). */
  readonly selectors: string;
  readonly declarations: readonly Declaration[];
  /** The at-rule preludes around the rule, outermost first (`@media print`, `@layer x`). */
  readonly conditions: readonly string[];
  /** Inside a cascade layer: unlayered normal declarations win over it (CSS Cascade 5 §6.4). */
  readonly layered: boolean;
  /**
   * The rule's layer in the layer order (CSS Cascade 5 §6.4.3: layers ordered by their first mention, a layer's
   * sublayers before its own rules, unlayered rules last): normal declarations of a higher one win, !important
   * ones of a lower one. Unlayered rules have UNLAYERED.
   */
  readonly layer: number;
  readonly order: number;
}

/** The layer order of unlayered rules: after every layer. */
export const UNLAYERED = 1_000_000_000;

/** A style sheet and the conditions it applies under (a `<style media>` attribute, a sheet only some readers load). */
export interface Sheet {
  readonly text: string;
  readonly conditions: readonly string[];
}

/** A layer and its sublayers by name, in the order they were first mentioned. */
interface LayerNode {
  readonly sub: Map<string, LayerNode>;
  order: number;
}

/** A declaration block's declarations in order: comments dropped, escapes decoded, names and values lower-cased. */
export function declarationList(css: string): Declaration[] {
  const out: Declaration[] = [];
  const text = css.includes('/*') ? css.replace(COMMENT, '') : css;
  for (const d of (text.includes('\\') ? decodeCssEscapes(text) : text).split(';')) {
    const colon = d.indexOf(':');
    if (colon < 0) continue;
    const name = d.slice(0, colon).trim().toLowerCase();
    let value = d.slice(colon + 1).trim();
    const bang = /!\s*important\s*$/i.exec(value);
    if (bang !== null) value = value.slice(0, bang.index).trim();
    // custom properties keep their case (var() names are case-sensitive), and generated content its text; every
    // other value is read lower-cased
    out.push({ name, value: name.startsWith('--') || name === 'content' ? value : value.toLowerCase(), important: bang !== null });
  }
  return out;
}

/** Rules read from all sheets of a document at most (a sheet built to be slow to match is read up to here). */
const MAX_RULES = 20_000;

/**
 * The style rules of the sheets, in source order. A block is a rule's when its prelude does not start with
 * '@'; an at-rule's block holds rules (its prelude becomes their condition); a block inside a rule's block is a
 * nested rule, its selector resolved against the parent (`&` as `:is(parent)`, or `:is(parent) child`). Braces
 * in strings are not told apart; a block left open at the end of a sheet is closed there, as a browser reads it.
 */
/** Blocks (at-rules, nested rules) nested deeper than this in a sheet: the document is not laid out (SheetTooDeep). */
export const MAX_BLOCK_NESTING = 32;

export class SheetTooDeep extends Error {
  constructor() {
    super(`style blocks nested over ${MAX_BLOCK_NESTING} deep`);
  }
}

/** The rules of a document's sheets; throws SheetTooDeep for blocks nested over MAX_BLOCK_NESTING deep. */
export function styleRules(sheets: readonly (string | Sheet)[]): StyleRule[] {
  const out: { -readonly [K in keyof StyleRule]: StyleRule[K] }[] = [];
  const layers: LayerNode = { sub: new Map(), order: 0 };
  const layerPaths: (readonly string[])[] = [];
  let anonymous = 0;
  const layerNode = (path: readonly string[]): LayerNode => {
    let node = layers;
    for (const name of path) {
      let next = node.sub.get(name);
      if (next === undefined) node.sub.set(name, (next = { sub: new Map(), order: 0 }));
      node = next;
    }
    return node;
  };
  for (const entry of sheets) {
    const raw = typeof entry === 'string' ? entry : entry.text;
    const outer = typeof entry === 'string' ? [] : entry.conditions;
    // comments are nothing; `<!--` and `-->` at the top of a sheet are ignored (CSS Syntax §5.4.1: CDO/CDC)
    const uncommented = raw.includes('/*') ? raw.replace(COMMENT, ' ') : raw;
    const sheet = uncommented.includes('<!--') || uncommented.includes('-->') ? uncommented.replace(/<!--|-->/g, ' ') : uncommented;
    // open blocks: an at-rule's prelude, or a style rule's selector with its declaration text so far
    const stack: Block[] = [];
    let segment = 0;
    const conditions = (): string[] => [...outer, ...stack.flatMap((b) => (b.at === undefined ? [] : [b.at]))];
    // `@layer a, b;` statements among the statements of the top level or of an at-rule: the layers' order
    const statements = (text: string, within: readonly string[]): void => {
      if (!text.includes('@')) return;
      for (const m of text.matchAll(/@layer\s+([^;{}]+)(?:;|$)/gi)) for (const name of (m[1] as string).split(',')) layerNode([...within, ...name.trim().toLowerCase().split(/\s*\.\s*/)]);
    };
    const finish = (b: Block, tail: string): void => {
      if (b.at !== undefined || out.length >= MAX_RULES) return;
      b.decls.push(tail);
      const declarations = declarationList(b.decls.join(';'));
      if (declarations.length === 0) return;
      layerPaths.push(b.layer);
      out.push({ selectors: b.selectors, declarations, conditions: conditions(), layered: b.layer.length > 0, layer: UNLAYERED, order: out.length });
    };
    for (let i = 0; i < sheet.length; i++) {
      const c = sheet.charCodeAt(i);
      if (c === 0x7b) {
        // every rule carries the conditions of the blocks around it: a sheet nested thousands deep around
        // thousands of rules (480 KB) took 131 s and 3.7 GB here; no real sheet nests past a handful
        if (stack.length >= MAX_BLOCK_NESTING) throw new SheetTooDeep();
        const parent = stack[stack.length - 1];
        let prelude = sheet.slice(segment, i);
        // inside a rule, what came before the nested rule's selector is the rule's own declarations
        const semi = prelude.lastIndexOf(';');
        if (parent?.at === undefined && parent !== undefined && semi >= 0) parent.decls.push(prelude.slice(0, semi));
        // at the top or in an at-rule, statements before it (`@import …;`, `@layer a, b;`) are not its prelude
        if (semi >= 0) {
          if (parent === undefined || parent.at !== undefined) statements(prelude.slice(0, semi + 1), parent?.layer ?? []);
          prelude = prelude.slice(semi + 1);
        }
        prelude = prelude.trim();
        let layer = parent?.layer ?? [];
        const layerBlock = /^@layer\b\s*([^]*)$/i.exec(prelude);
        if (layerBlock !== null) {
          const name = (layerBlock[1] as string).trim().toLowerCase();
          layer = [...layer, ...(name === '' ? [`\u0000${anonymous++}`] : name.split(/\s*\.\s*/))];
          layerNode(layer);
        }
        if (prelude.startsWith('@')) stack.push({ at: prelude.toLowerCase(), selectors: parent?.selectors ?? '', decls: [], layer });
        else if (parent !== undefined && parent.at === undefined) stack.push({ at: undefined, selectors: nest(parent.selectors, prelude), decls: [], layer });
        else if (parent !== undefined && parent.selectors !== '' && conditionalInRule(stack)) stack.push({ at: undefined, selectors: nest(parent.selectors, prelude), decls: [], layer });
        else stack.push({ at: undefined, selectors: prelude, decls: [], layer });
        segment = i + 1;
      } else if (c === 0x7d) {
        const b = stack.pop();
        const tail = sheet.slice(segment, i);
        if (b !== undefined) finish(b, tail);
        if (b?.at !== undefined) statements(tail, b.layer);
        segment = i + 1;
      }
    }
    // the end of a sheet closes what is still open (CSS Syntax §5.4.7)
    if (stack.length === 0 || stack[stack.length - 1]?.at !== undefined) statements(sheet.slice(segment), stack[stack.length - 1]?.layer ?? []);
    for (let b = stack.pop(), tail = sheet.slice(segment); b !== undefined; b = stack.pop(), tail = '') finish(b, tail);
  }
  // the layer order: a layer's sublayers (in the order first mentioned) before the layer's own rules
  let next = 0;
  const number = (node: LayerNode): void => {
    for (const sub of node.sub.values()) number(sub);
    node.order = next++;
  };
  for (const sub of layers.sub.values()) number(sub);
  for (const [i, r] of out.entries()) {
    const path = layerPaths[i] ?? [];
    if (path.length > 0) r.layer = layerNode(path).order;
  }
  return out;
}

interface Block {
  readonly at: string | undefined;
  readonly selectors: string;
  readonly decls: string[];
  /** The cascade layer the block is in, by its names from the outermost (empty: none). */
  readonly layer: readonly string[];
}

/** An at-rule block nested in a style rule (`.a { @media … { .b {…} } }`): its rules nest in the style rule. */
function conditionalInRule(stack: readonly { at: string | undefined }[]): boolean {
  return stack.some((b) => b.at === undefined);
}

/** A nested rule's selector list in terms of its parent's. */
function nest(parent: string, child: string): string {
  return splitTopLevel(child, ',')
    .map((s) => (s.includes('&') ? s.replaceAll('&', `:is(${parent})`) : `:is(${parent}) ${s.trim()}`))
    .join(', ');
}

/** `text` split at `sep` outside parentheses and brackets. */
export function splitTopLevel(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth = Math.max(0, depth - 1);
    else if (depth === 0 && text.startsWith(sep, i)) {
      out.push(text.slice(from, i));
      from = i + sep.length;
    }
  }
  out.push(text.slice(from));
  return out;
}

/** A screen the text is read on. */
export interface ReadingContext {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly dark: boolean;
  readonly touch: boolean;
  readonly dppx: number;
  /** Outlook for Windows (Word's renderer): mso-hide:all hides there, and only there. */
  readonly outlook: boolean;
  /** Rules under a condition this module cannot evaluate (@container, @scope …) count as applying. */
  readonly unknownApplies: boolean;
  /** The document shown in quirks mode (no doctype, in a client that shows it as a page of its own). */
  readonly quirks?: boolean;
}

export const DESKTOP: ReadingContext = { name: 'desktop', width: 1024, height: 768, dark: false, touch: false, dppx: 1, outlook: false, unknownApplies: false };
export const READING_CONTEXTS: readonly ReadingContext[] = [
  DESKTOP,
  { name: 'phone', width: 375, height: 667, dark: false, touch: true, dppx: 3, outlook: false, unknownApplies: false },
  { name: 'desktop, dark', width: 1024, height: 768, dark: true, touch: false, dppx: 1, outlook: false, unknownApplies: false },
  { name: 'phone, dark', width: 375, height: 667, dark: true, touch: true, dppx: 3, outlook: false, unknownApplies: false },
];

/** Whether a rule's conditions hold in a context: true, false, or undefined where one cannot be evaluated. */
export function conditionsHold(conditions: readonly string[], ctx: ReadingContext): boolean | undefined {
  let known = true;
  for (const c of conditions) {
    const v = conditionHolds(c, ctx);
    if (v === false) return false;
    if (v === undefined) known = false;
  }
  return known ? true : undefined;
}

function conditionHolds(prelude: string, ctx: ReadingContext): boolean | undefined {
  const m = /^@([a-z-]+)\s*([^]*)$/.exec(prelude);
  const name = m?.[1] ?? '';
  const rest = (m?.[2] ?? '').trim();
  switch (name) {
    case 'media':
      return mediaList(rest, ctx);
    case 'supports':
      return supports(rest);
    case 'layer':
      return true;
    // never applied to a mail's own content, or to an element as it first shows
    case 'page':
    case 'font-face':
    case 'keyframes':
    case '-webkit-keyframes':
    case 'counter-style':
    case 'property':
    case 'font-feature-values':
    case 'starting-style':
    case 'view-transition':
      return false;
    default:
      return undefined;
  }
}

/** A media query list: true when any query matches (Media Queries 4; an unknown feature makes its query false). */
export function mediaList(list: string, ctx: ReadingContext): boolean {
  if (list === '') return true;
  return splitTopLevel(list, ',').some((q) => mediaQuery(q.trim(), ctx));
}

function mediaQuery(query: string, ctx: ReadingContext): boolean {
  let q = query;
  let negate = false;
  const lead = /^(not|only)\s+/.exec(q);
  if (lead !== null) {
    negate = lead[1] === 'not';
    q = q.slice(lead[0].length);
  }
  let result: boolean | undefined;
  const type = /^([a-z-]+)(?:\s+and\s+|\s*$)/.exec(q);
  if (type !== null && type[1] !== 'not') {
    const t = type[1] as string;
    result = t === 'all' || t === 'screen' ? true : false;
    q = q.slice(type[0].length);
  } else result = true;
  if (q !== '') {
    const c = mediaCondition(q, ctx);
    result = c === undefined ? undefined : result && c;
  }
  // an unknown query is false, and so is `not` of one
  if (result === undefined) return false;
  return negate ? !result : result;
}

function mediaCondition(text: string, ctx: ReadingContext): boolean | undefined {
  const t = text.trim();
  if (t.startsWith('not ')) {
    const v = mediaCondition(t.slice(4), ctx);
    return v === undefined ? undefined : !v;
  }
  for (const op of [' or ', ' and ']) {
    const parts = splitTopLevel(t, op);
    if (parts.length > 1) {
      const vs = parts.map((p) => mediaCondition(p, ctx));
      if (op === ' or ') return vs.some((v) => v === true) ? true : vs.some((v) => v === undefined) ? undefined : false;
      return vs.some((v) => v === false) ? false : vs.some((v) => v === undefined) ? undefined : true;
    }
  }
  if (!t.startsWith('(') || !t.endsWith(')')) return undefined;
  const inner = t.slice(1, -1).trim();
  if (inner.startsWith('(') || inner.startsWith('not ')) return mediaCondition(inner, ctx);
  return mediaFeature(inner, ctx);
}

/** Lengths a media feature compares: px, em/rem (16px), and the like. */
function mediaLength(v: string): number | undefined {
  const m = /^(-?\d*\.?\d+)(px|em|rem|pt|cm|mm|in|dppx|x|dpi|dpcm)?$/.exec(v.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'em':
    case 'rem':
      return n * 16;
    case 'pt':
      return (n * 4) / 3;
    case 'cm':
      return n * 37.8;
    case 'mm':
      return n * 3.78;
    case 'in':
      return n * 96;
    case 'dpi':
      return n / 96;
    case 'dpcm':
      return (n * 2.54) / 96;
    default:
      return n;
  }
}

function featureValue(name: string, ctx: ReadingContext): number | string | undefined {
  switch (name) {
    case 'width':
    case 'device-width':
      return ctx.width;
    case 'height':
    case 'device-height':
      return ctx.height;
    case 'resolution':
    case 'device-pixel-ratio':
    case '-webkit-device-pixel-ratio':
      return ctx.dppx;
    case 'aspect-ratio':
    case 'device-aspect-ratio':
      return ctx.width / ctx.height;
    case 'orientation':
      return ctx.width > ctx.height ? 'landscape' : 'portrait';
    case 'prefers-color-scheme':
      return ctx.dark ? 'dark' : 'light';
    case 'hover':
    case 'any-hover':
      return ctx.touch ? 'none' : 'hover';
    case 'pointer':
    case 'any-pointer':
      return ctx.touch ? 'coarse' : 'fine';
    case 'color':
      return 8;
    case 'monochrome':
    case 'grid':
      return 0;
    case 'prefers-reduced-motion':
    case 'prefers-reduced-transparency':
    case 'prefers-contrast':
    case 'forced-colors':
    case 'inverted-colors':
      return name === 'prefers-contrast' ? 'no-preference' : name === 'forced-colors' || name === 'inverted-colors' ? 'none' : 'no-preference';
    case 'scan':
      return 'progressive';
    case 'update':
      return 'fast';
    case 'color-gamut':
      return 'srgb';
    case 'dynamic-range':
    case 'video-dynamic-range':
      return 'standard';
    case 'display-mode':
      return 'browser';
    case 'scripting':
      return 'none';
    default:
      return undefined;
  }
}

function mediaFeature(feature: string, ctx: ReadingContext): boolean | undefined {
  // range syntax: (width >= 600px), (400px <= width <= 700px)
  const range = /^([^<>=]+?)\s*(<=|>=|<|>|=)\s*([^<>=]+?)(?:\s*(<=|>=|<|>|=)\s*([^<>=]+))?$/.exec(feature);
  if (range !== null) {
    const [, a, op1, b, op2, c] = range;
    const cmp = (x: number, op: string, y: number): boolean => (op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : op === '>=' ? x >= y : x === y);
    const num = (s: string): number | undefined => {
      const f = featureValue(s.trim(), ctx);
      if (typeof f === 'number') return f;
      if (/^\d+\s*\/\s*\d+$/.test(s.trim())) {
        const [p, q] = s.split('/').map(Number);
        return (p as number) / (q as number);
      }
      return mediaLength(s);
    };
    const x = num(a as string);
    const y = num(b as string);
    if (x === undefined || y === undefined) return undefined;
    if (!cmp(x, op1 as string, y)) return false;
    if (op2 === undefined) return true;
    const z = num(c as string);
    return z === undefined ? undefined : cmp(y, op2, z);
  }
  const colon = feature.indexOf(':');
  const rawName = (colon < 0 ? feature : feature.slice(0, colon)).trim();
  const value = colon < 0 ? undefined : feature.slice(colon + 1).trim();
  const prefix = /^(-webkit-)?(min-|max-)?/.exec(rawName)?.[2];
  const name = rawName.replace(/^(-webkit-)?(min-|max-)/, (_, w: string | undefined) => (w !== undefined && rawName.includes('device-pixel-ratio') ? '-webkit-' : ''));
  const actual = featureValue(name, ctx) ?? featureValue(rawName, ctx);
  if (actual === undefined) return undefined;
  if (value === undefined) return typeof actual === 'number' ? actual !== 0 : actual !== 'none' && actual !== 'no-preference';
  if (typeof actual === 'string') return actual === value;
  let wanted: number | undefined;
  if (/^\d+\s*\/\s*\d+$/.test(value)) {
    const [p, q] = value.split('/').map(Number);
    wanted = (p as number) / (q as number);
  } else wanted = mediaLength(value);
  if (wanted === undefined) return undefined;
  if (prefix === 'min-') return actual >= wanted;
  if (prefix === 'max-') return actual <= wanted;
  return actual === wanted;
}

/** An @supports condition: declarations of properties a browser knows hold; `selector()` holds; unknown: undefined. */
function supports(condition: string): boolean | undefined {
  const t = condition.trim();
  if (t.startsWith('not ')) {
    const v = supports(t.slice(4));
    return v === undefined ? undefined : !v;
  }
  for (const op of [' or ', ' and ']) {
    const parts = splitTopLevel(t, op);
    if (parts.length > 1) {
      const vs = parts.map(supports);
      if (op === ' or ') return vs.some((v) => v === true) ? true : vs.some((v) => v === undefined) ? undefined : false;
      return vs.some((v) => v === false) ? false : vs.some((v) => v === undefined) ? undefined : true;
    }
  }
  if (/^selector\(/.test(t)) return undefined;
  if (!t.startsWith('(') || !t.endsWith(')')) return undefined;
  const inner = t.slice(1, -1).trim();
  if (inner.startsWith('(') || inner.startsWith('not ')) return supports(inner);
  const colon = inner.indexOf(':');
  if (colon < 0) return undefined;
  const property = inner.slice(0, colon).trim();
  return KNOWN_PROPERTIES.has(property) ? true : undefined;
}

// The properties every current engine supports, for @supports; any other makes the condition unknown.
const KNOWN_PROPERTIES: ReadonlySet<string> = new Set(
  'display visibility opacity color background background-color font font-size font-family font-weight line-height width height max-width max-height min-width min-height overflow overflow-x overflow-y position left top right bottom clip clip-path transform text-indent filter content-visibility margin padding border float flex grid gap text-align vertical-align z-index white-space letter-spacing word-spacing text-decoration text-transform content'.split(' '),
);
