// Which HTML elements a reader does not see: an inline style or a <style> rule that hides the element
// (display, visibility, opacity, a zero or tiny font, a zero box with its overflow hidden, an off-screen
// position, clipping, scaling, transparent text, Outlook's mso-hide), or the `hidden` attribute. Text put
// inside such an element between the digits of a number splits the number in the markup, not on screen,
// so markup-text.ts reads the text as shown beside the markup's text.
//
// Rules are matched by the last compound selector of each rule (`p .h` as `.h`), tag, classes and id,
// in every sheet of the document, wherever it stands, @media blocks included, and no cascade is computed:
// an element any rule could hide counts as hidden. Reading too little as shown only adds a reading; the
// markup's full text is always inspected too.
import { cssUnitPx, decodeCssEscapes } from './css-text.js';

/** A CSS comment, to its end or the end of the text (CSS Syntax §4.3.2: a comment is nothing). */
const COMMENT = /\/\*[^]*?(?:\*\/|$)/g;

/** The parts of a tag that decide whether it hides its content. */
export interface TagHiding {
  style: string | undefined;
  classes: string | undefined;
  id: string | undefined;
  hiddenAttribute: boolean;
  /** The tag's attribute text, for rules with attribute selectors. */
  attributes: string;
}

interface Compound {
  readonly tag?: string;
  readonly classes: readonly string[];
  readonly id?: string;
  /** Attribute names the compound requires (`[data-h]`, `[title="x"]`: values are not compared). */
  readonly attributes: readonly string[];
}

/** The hiding rules of a document's style sheets, indexed by the id, first class or tag each needs. */
export class HidingRules {
  readonly #byKey = new Map<string, Compound[]>();
  #attributeKeys = false;
  /** Compound checks left before every candidate counts as a match (a sheet built to make matching slow). */
  #budget = MATCH_BUDGET;

  /** `applies`: which declaration blocks count (hiding ones unless told; bidi-text.ts's reordering ones). */
  constructor(sheets: readonly string[], applies: (block: string) => boolean = hides) {
    for (const raw of sheets) {
      eachRule(cssText(raw).replace(COMMENT, ' '), (selectors, block) => {
        if (!applies(block)) return;
        for (const selector of selectors.split(',')) {
          const c = lastCompound(selector);
          if (c === undefined) continue;
          const key = c.id !== undefined ? `#${c.id}` : c.classes[0] !== undefined ? `.${c.classes[0]}` : c.tag !== undefined ? c.tag : `[${c.attributes[0] ?? ''}`;
          if (c.attributes.length > 0) this.#attributeKeys = true;
          const list = this.#byKey.get(key);
          if (list === undefined) this.#byKey.set(key, [c]);
          else list.push(c);
        }
      });
    }
  }

  /** Whether any rule needs an attribute selector to be matched (then `matches` wants the attribute text). */
  get attributeRules(): boolean {
    return this.#attributeKeys;
  }

  matches(tag: string, classes: string | undefined, id: string | undefined, attributeText = ''): boolean {
    if (this.#byKey.size === 0) return false;
    const own = classes === undefined || classes === '' ? NO_CLASSES : classes.trim().split(/\s+/);
    const names = this.#attributeKeys && attributeText !== '' ? attributeNames(attributeText) : NO_CLASSES;
    if (this.#matchKey(tag, tag, own, id, names)) return true;
    for (const c of own) if (this.#matchKey(`.${c}`, tag, own, id, names)) return true;
    if (id !== undefined && this.#matchKey(`#${id}`, tag, own, id, names)) return true;
    for (const n of names) if (this.#matchKey(`[${n}`, tag, own, id, names)) return true;
    return false;
  }

  #matchKey(key: string, tag: string, own: readonly string[], id: string | undefined, names: readonly string[]): boolean {
    const list = this.#byKey.get(key);
    if (list === undefined) return false;
    for (const c of list) {
      if (--this.#budget < 0) return true;
      if ((c.tag === undefined || c.tag === tag) && (c.id === undefined || c.id === id) && c.classes.every((k) => own.includes(k)) && c.attributes.every((a) => names.includes(a))) return true;
    }
    return false;
  }
}

const NO_CLASSES: readonly string[] = [];

/** The attribute names of a tag's attribute text, lower-cased (values skipped, quoted or not). */
function attributeNames(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/([^\s=/>"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?/g)) out.push((m[1] ?? '').toLowerCase());
  return out;
}
const MATCH_BUDGET = 1_000_000;

/**
 * Each `selectors { declarations }` of a sheet, in one pass: a '{' that another '{' follows before any '}'
 * opened an @-rule block (@media), whose rules are read on their own; braces in strings are not told apart.
 * A rule left open at the end of the sheet is read as closed, as a browser reads it.
 */
function eachRule(sheet: string, each: (selectors: string, block: string) => void): void {
  let segment = 0;
  let open = -1;
  for (let i = 0; i < sheet.length; i++) {
    const c = sheet.charCodeAt(i);
    if (c === 0x7b) {
      if (open >= 0) segment = open + 1;
      open = i;
    } else if (c === 0x7d) {
      if (open >= 0) each(sheet.slice(segment, open), sheet.slice(open + 1, i));
      open = -1;
      segment = i + 1;
    }
  }
  // the end of a sheet closes what is still open (CSS Syntax §5.4.7)
  if (open >= 0) each(sheet.slice(segment, open), sheet.slice(open + 1));
}

/** The style sheets of a document, for HidingRules (read before the walk: a rule anywhere applies everywhere). */
export function styleSheets(html: string): string[] {
  const out: string[] = [];
  if (!/<style/i.test(html)) return out;
  for (const m of html.matchAll(/<style\b[^>]*>([^]*?)(?:<\/style\s*>|$)/gi)) out.push(m[1] ?? '');
  return out;
}

/** Which elements of one document hide their content: its sheets' rules, and the verdict on each style attribute seen. */
export class DocumentHiding {
  readonly #rules: HidingRules | undefined;
  // mail repeats the same style attribute on element after element: each distinct one is read once
  readonly #styles = new Map<string, boolean>();

  /** `sheets`: the document's style sheets (styleSheets), read once for every reading that needs them. */
  constructor(sheets: readonly string[]) {
    this.#rules = sheets.length === 0 ? undefined : new HidingRules(sheets);
  }

  /** Whether an element with these attributes is hidden from the reader. */
  hides(tag: string, t: TagHiding): boolean {
    if (t.hiddenAttribute) return true;
    if (t.style !== undefined && this.#styleHides(t.style)) return true;
    return this.#rules !== undefined && this.#rules.matches(tag, t.classes?.toLowerCase(), t.id?.toLowerCase(), this.#rules.attributeRules ? t.attributes : '');
  }

  #styleHides(style: string): boolean {
    let v = this.#styles.get(style);
    if (v === undefined) {
      v = hides(style.includes('\\') ? decodeCssEscapes(style) : style);
      if (this.#styles.size < STYLE_CACHE) this.#styles.set(style, v);
    }
    return v;
  }
}

const STYLE_CACHE = 4096;

function cssText(css: string): string {
  return (css.includes('\\') ? decodeCssEscapes(css) : css).toLowerCase();
}

/**
 * A declaration block's `name: value` pairs, lower-cased, comments dropped ("display:/**\/none" is
 * display: none), '!important' taken off, the last of a name winning. CSS escapes are the caller's:
 * a style attribute's are decoded once, a sheet's were decoded with the sheet.
 */
export function cssDeclarations(css: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of (css.includes('/*') ? css.replace(COMMENT, '') : css).toLowerCase().split(';')) {
    const colon = d.indexOf(':');
    if (colon < 0) continue;
    out.set(d.slice(0, colon).trim(), d.slice(colon + 1).replace(/!\s*important/, '').trim());
  }
  return out;
}

const LENGTH = /^(-?(?:\d+\.?\d*|\.\d+))([a-z%]*)$/;

/** A length in CSS pixels (a unitless number as pixels), or undefined when it is not a plain length. */
function pixels(value: string | undefined, fontRelative = 16): number | undefined {
  const m = value === undefined ? null : LENGTH.exec(value);
  if (m === null) return undefined;
  const n = Number(m[1]);
  return m[2] === '' ? n : cssUnitPx(n, m[2] as string, fontRelative);
}

const zero = (v: string | undefined): boolean => pixels(v) === 0;
/** Below this a glyph is not legible: a 1px font or a 5% opacity is a hiding place, not a style. */
const LEGIBLE_PX = 2;
const VISIBLE_OPACITY = 0.1;

/** Whether a declaration block hides its element's text. */
export function hides(css: string): boolean {
  if (!css.includes(':')) return false;
  const d = cssDeclarations(css);
  // no hiding value is long; a long one is not read (the patterns below stay linear on short input)
  const get = (name: string): string | undefined => {
    const v = d.get(name);
    return v !== undefined && v.length <= 80 ? v : undefined;
  };
  if (get('display') === 'none' || get('mso-hide') === 'all') return true;
  const visibility = get('visibility');
  if (visibility === 'hidden' || visibility === 'collapse') return true;
  const opacity = get('opacity');
  if (opacity !== undefined) {
    const n = opacity.endsWith('%') ? Number(opacity.slice(0, -1)) / 100 : Number(opacity);
    if (Number.isFinite(n) && n < VISIBLE_OPACITY) return true;
  }
  const font = pixels(get('font-size'));
  if (font !== undefined && font < LEGIBLE_PX) return true;
  const overflow = [get('overflow'), get('overflow-x'), get('overflow-y')].some((v) => v !== undefined && /^(hidden|clip)\b/.test(v));
  if (overflow && ['height', 'max-height', 'width', 'max-width'].some((p) => zero(get(p)))) return true;
  const position = get('position');
  if (position === 'absolute' || position === 'fixed') {
    if (['left', 'top', 'right', 'bottom'].some((p) => (pixels(get(p)) ?? 0) <= -500)) return true;
    const clip = get('clip');
    if (clip !== undefined && /^rect\(\s*0\D*0\D*0\D*0\D*\)$/.test(clip.replace(/px/g, ''))) return true;
  }
  if ((pixels(get('text-indent')) ?? 0) <= -500 && overflow) return true;
  const clipPath = get('clip-path');
  if (clipPath !== undefined && /^(inset\(\s*50%|circle\(\s*0|polygon\(\s*0[^,]*\))/.test(clipPath)) return true;
  const transform = get('transform');
  if (transform !== undefined && /scale[xy]?\(\s*0(\.0*)?\s*[,)]/.test(transform)) return true;
  const color = get('color');
  if (color !== undefined && (color === 'transparent' || /^(rgba|hsla)\(.*[,/]\s*0(\.0*)?%?\s*\)$/.test(color))) return true;
  return false;
}

function lastCompound(selector: string): Compound | undefined {
  const parts = selector.trim().split(/[\s>+~]+/);
  const last = parts[parts.length - 1] ?? '';
  // a pseudo-class or pseudo-element (`:hover`, `::before`) is not the element as it first shows
  if (last === '' || last.includes(':')) return undefined;
  const m = /^(\*|[a-z][a-z0-9-]*)?((?:[.#][^.#[\]]+|\[[^\]]*\])*)$/.exec(last);
  if (m === null) return undefined;
  const classes: string[] = [];
  let id: string | undefined;
  const rest = (m[2] ?? '').replace(/\[[^\]]*\]/g, ' ');
  for (const s of rest.matchAll(/([.#])([^.#\s]+)/g)) {
    if (s[1] === '.') classes.push(s[2] ?? '');
    else id = s[2];
  }
  const attributes = [...(m[2] ?? '').matchAll(/\[\s*([^\]=~|^$*\s]+)/g)].map((a) => a[1] ?? '');
  const tag = m[1] === undefined || m[1] === '*' ? undefined : m[1];
  // the universal selector alone hides every element, the reader sees nothing: no reading to make
  if (tag === undefined && classes.length === 0 && id === undefined && attributes.length === 0) return undefined;
  return { ...(tag === undefined ? {} : { tag }), classes, ...(id === undefined ? {} : { id }), attributes };
}
