// What CSS shows or carries as text: its escapes decoded (CSS Syntax Level 3 §4.3.7) and the strings
// of its `content` declarations (the generated text of ::before and ::after) joined in order, so a
// number split over the rules of one element reads as one. Selectors are not matched to elements:
// every `content` string of a style sheet goes into one line. Linear: one pass, no backtracking.

// A backslash and 1-6 hex digits with one optional whitespace (CRLF counts as one), a backslash before a
// newline (a line continuation inside a string), a backslash and any other character, a backslash at the end.
const ESCAPE = /\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|([\s\S])|$)/g;

export function decodeCssEscapes(css: string): string {
  if (!css.includes('\\')) return css;
  return css.replace(ESCAPE, (_all: string, hex: string | undefined, newline: string | undefined, other: string | undefined) => {
    if (hex !== undefined) {
      const cp = parseInt(hex, 16);
      return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
    }
    if (newline !== undefined) return '';
    return other ?? '\ufffd';
  });
}

/** One piece of generated content: a string, an element's attribute (`attr(x)`), a counter's value. */
export type ContentItem = { readonly text: string } | { readonly attr: string } | { readonly counter: string; readonly digits?: number };

/**
 * The pieces of every `content` declaration, in order (a number split over the rules of one element, or
 * over `.a::before` and `.b::after`, reads as one), and the values `counter-reset`, `counter-set` and
 * `counter-increment` give the counters: a counter shows its last reset or set value plus its increments.
 */
export function cssGeneratedContent(css: string): { readonly items: readonly ContentItem[]; readonly counters: ReadonlyMap<string, number> } {
  const items: ContentItem[] = [];
  const counters = new Map<string, { base: number; step: number }>();
  let ident = '';
  let inContent = false;
  const n = css.length;
  let i = 0;
  while (i < n) {
    const c = css[i] ?? '';
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(css, i);
      if (inContent) items.push({ text: decodeCssEscapes(css.slice(i + 1, end)) });
      i = end + 1;
      ident = '';
    } else if (c === '\\' || isNameChar(css.charCodeAt(i))) {
      let j = i;
      while (j < n && (isNameChar(css.charCodeAt(j)) || (css[j] === '\\' && j + 1 < n))) j += css[j] === '\\' ? 2 : 1;
      ident = decodeCssEscapes(css.slice(i, j)).toLowerCase();
      i = j;
    } else if (c === ':') {
      // `content:` opens the value; `::before` or `a:hover` open nothing (no ident "content" before them)
      if (ident === 'content') inContent = true;
      else if (COUNTER_PROPERTIES.has(ident)) i = readCounters(css, i + 1, ident, counters) - 1;
      ident = '';
      i++;
    } else if (c === '(' && inContent && (ident === 'attr' || ident === 'counter' || ident === 'counters')) {
      const close = css.indexOf(')', i);
      const args = decodeCssEscapes(css.slice(i + 1, close < 0 ? n : close)).split(',');
      const name = (args[0] ?? '').trim().split(/\s+/)[0] ?? '';
      // the style: counter(name, style), counters(name, separator, style); every numeric style shows the
      // value's digits (in its script, which the detection text reads as 0-9) except decimal-leading-zero,
      // which pads to two: "4" counter(c, decimal-leading-zero) "2…" at 1 shows 4012…
      const style = (args[ident === 'counters' ? 2 : 1] ?? '').trim().toLowerCase();
      if (name !== '') items.push(ident === 'attr' ? { attr: name.toLowerCase() } : style === 'decimal-leading-zero' ? { counter: name, digits: 2 } : { counter: name });
      i = close < 0 ? n : close + 1;
      ident = '';
    } else {
      if (c === ';' || c === '{' || c === '}') inContent = false;
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== '\f') ident = '';
      i++;
    }
  }
  const values = new Map<string, number>();
  for (const [name, v] of counters) values.set(name, v.base + v.step);
  return { items, counters: values };
}

const COUNTER_PROPERTIES: ReadonlySet<string> = new Set(['counter-reset', 'counter-set', 'counter-increment']);

// "a 4111 b c -2" up to the end of the declaration: each name with its integer (reset/set 0, increment 1 by default)
function readCounters(css: string, from: number, property: string, counters: Map<string, { base: number; step: number }>): number {
  let end = from;
  while (end < css.length && css[end] !== ';' && css[end] !== '}') end++;
  const words = decodeCssEscapes(css.slice(from, end)).trim().split(/\s+/);
  for (let w = 0; w < words.length; w++) {
    const name = words[w] ?? '';
    if (name === '' || /^[-+]?\d/.test(name) || name === 'none') continue;
    const next = words[w + 1] ?? '';
    const given = /^[-+]?\d{1,15}$/.test(next) ? Number(next) : undefined;
    if (given !== undefined) w++;
    const counter = counters.get(name) ?? { base: 0, step: 0 };
    if (property === 'counter-increment') counter.step += given ?? 1;
    else {
      counter.base = given ?? 0;
      counter.step = 0;
    }
    counters.set(name, counter);
  }
  return end;
}

/** The generated text with counters at their values; `attrs` gives an element's attributes (none: attr() is empty). */
export function renderContent(items: readonly ContentItem[], counters: ReadonlyMap<string, number>, attrs?: ReadonlyMap<string, string>): string {
  return items.map((item) => ('text' in item ? item.text : 'attr' in item ? (attrs?.get(item.attr) ?? '') : counterText(counters.get(item.counter) ?? 0, item.digits))).join('');
}

/** A counter's value as decimal, zero-padded to `digits` (after the sign, as CSS pads -5 to -05). */
function counterText(value: number, digits = 1): string {
  const abs = String(Math.abs(value)).padStart(digits, '0');
  return value < 0 ? `-${abs}` : abs;
}

/** The generated text of a style sheet, attribute references left empty. */
export function cssContentText(css: string): string {
  const { items, counters } = cssGeneratedContent(css);
  return renderContent(items, counters);
}

// ASCII letters, digits, '-', '_' (an ident's characters here; non-ASCII ones never spell "content")
const isNameChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;

// The index of the closing quote of the string opened at `start` (escaped quotes skipped), or the end.
function stringEnd(css: string, start: number): number {
  const quote = css[start];
  for (let i = start + 1; i < css.length; i++) {
    const c = css[i];
    if (c === '\\') i++;
    else if (c === quote) return i;
    // an unescaped newline ends a string (a bad-string token)
    else if (c === '\n') return i;
  }
  return css.length;
}

/** Lines a style sheet or a style attribute adds to the hidden text: the decoded sheet, the generated content. */
export function cssHiddenText(css: string): string[] {
  const out: string[] = [];
  if (css.includes('\\')) out.push(decodeCssEscapes(css));
  if (/content|\\/i.test(css)) {
    const content = cssContentText(css);
    if (content.trim() !== '') out.push(content);
  }
  return out;
}

/**
 * A CSS length of `n` in `unit` as CSS pixels (em, ch, ex and % of `relative`, rem of 16px, viewport units of an
 * 800px screen), or undefined for a unit this does not read. A unitless number is the caller's.
 */
export function cssUnitPx(n: number, unit: string, relative: number): number | undefined {
  switch (unit) {
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
    case 'q':
      return n * 0.945;
    case 'in':
      return n * 96;
    case 'vw':
    case 'vh':
    case 'vmin':
    case 'vmax':
    case 'svw':
    case 'svh':
    case 'lvw':
    case 'lvh':
    case 'dvw':
    case 'dvh':
      return n * 8;
    default:
      return undefined;
  }
}
