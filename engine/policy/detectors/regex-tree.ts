// A (non-unicode) JavaScript regex read into a small tree: character classes as 128 ASCII flags plus
// "some non-ASCII character may belong", sequences, alternations, repetitions, backreferences, and
// assertions as nodes that consume nothing. Anything else throws Unsupported, and the caller then scans
// that pattern whole. Every class here is a superset of what the engine matches, never a subset.

/** ASCII members as 128 flags, plus whether any character at or above U+0080 may belong. */
export interface CharClass {
  readonly ascii: Uint8Array;
  readonly nonAscii: boolean;
}

export type Node =
  | { readonly t: 'chars'; readonly cls: CharClass }
  // assertions and lookarounds: consume nothing; a negative lookbehind or lookahead of one character
  // class keeps it (the character before / after the position is not in it, or there is none)
  | { readonly t: 'empty'; readonly notBefore?: CharClass; readonly notAfter?: CharClass }
  | { readonly t: 'seq'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly items: readonly Node[] }
  | { readonly t: 'rep'; readonly item: Node; readonly min: number; readonly max: number }
  | { readonly t: 'backref'; readonly group: number };

export class Unsupported extends Error {}

const cls = (ascii: Uint8Array, nonAscii: boolean): CharClass => ({ ascii, nonAscii });
const range = (lo: number, hi: number): Uint8Array => {
  const a = new Uint8Array(128);
  for (let c = lo; c <= Math.min(hi, 127); c++) a[c] = 1;
  return a;
};
export const union = (a: CharClass, b: CharClass): CharClass => cls(a.ascii.map((v, i) => v | (b.ascii[i] ?? 0)), a.nonAscii || b.nonAscii);
export const EMPTY_CLASS = cls(new Uint8Array(128), false);
const DIGIT = range(48, 57);
const WORD = range(48, 57).map((v, i) => v | ((i >= 65 && i <= 90) || (i >= 97 && i <= 122) || i === 95 ? 1 : 0));
const SPACE = new Uint8Array(128).map((_, i) => ((i >= 9 && i <= 13) || i === 32 ? 1 : 0));
const invert = (a: Uint8Array): Uint8Array => a.map((v) => 1 - v);

/** Parses a (non-unicode) JavaScript regex into the small tree above; throws Unsupported otherwise. */
export class Reader {
  readonly #src: string;
  readonly #fold: boolean;
  readonly #dotAll: boolean;
  #i = 0;
  groups: Node[] = [];
  #groupCount = 0;

  constructor(src: string, fold: boolean, dotAll: boolean) {
    this.#src = src;
    this.#fold = fold;
    this.#dotAll = dotAll;
  }

  parse(): Node {
    const n = this.#alt();
    if (this.#i !== this.#src.length) throw new Unsupported('trailing');
    return n;
  }

  #peek(): string | undefined {
    return this.#src[this.#i];
  }

  #alt(): Node {
    const items = [this.#seq()];
    while (this.#peek() === '|') {
      this.#i++;
      items.push(this.#seq());
    }
    return items.length === 1 ? (items[0] as Node) : { t: 'alt', items };
  }

  #seq(): Node {
    const items: Node[] = [];
    for (let c = this.#peek(); c !== undefined && c !== '|' && c !== ')'; c = this.#peek()) items.push(this.#quantified(this.#atom()));
    return { t: 'seq', items };
  }

  #quantified(item: Node): Node {
    const c = this.#peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.#i++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.#src.slice(this.#i));
      if (m === null) throw new Unsupported('brace');
      this.#i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    } else return item;
    if (this.#peek() === '?') this.#i++; // lazy: the same strings, another order
    if (item.t === 'empty') throw new Unsupported('quantified assertion');
    return { t: 'rep', item, min, max };
  }

  #atom(): Node {
    const c = this.#src[this.#i++];
    switch (c) {
      case '(':
        return this.#group();
      case '[':
        return { t: 'chars', cls: this.#class() };
      case '.':
        return { t: 'chars', cls: cls(invert(new Uint8Array(128).map((_, i) => (!this.#dotAll && (i === 10 || i === 13) ? 1 : 0))), true) };
      case '^':
      case '$':
        return { t: 'empty' };
      case '\\':
        return this.#escape(false);
      case undefined:
      case ')':
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case ']':
        throw new Unsupported(`bare ${c}`);
      default:
        return { t: 'chars', cls: this.#literal(c.charCodeAt(0)) };
    }
  }

  #group(): Node {
    let capture = true;
    let assertion = false;
    const rest = this.#src.slice(this.#i);
    const prefix = /^\?(?::|=|!|<=|<!)/.exec(rest);
    if (prefix !== null) {
      this.#i += prefix[0].length;
      capture = false;
      assertion = prefix[0] !== '?:';
    } else if (rest.startsWith('?<')) {
      const named = /^\?<[A-Za-z_$][\w$]*>/.exec(rest);
      if (named === null) throw new Unsupported('group');
      this.#i += named[0].length;
    } else if (rest.startsWith('?')) throw new Unsupported('group flags');
    const slot = capture ? ++this.#groupCount : 0;
    const inner = this.#alt();
    if (this.#src[this.#i++] !== ')') throw new Unsupported('unclosed group');
    if (capture) this.groups[slot] = inner;
    if (!assertion) return inner;
    // (?<!X|YZ) fails wherever its one-character alternatives match: the character before cannot be one of them
    const cls = oneCharOptions(inner);
    if (cls !== undefined && prefix?.[0] === '?<!') return { t: 'empty', notBefore: cls };
    if (cls !== undefined && prefix?.[0] === '?!') return { t: 'empty', notAfter: cls };
    return { t: 'empty' };
  }

  #literal(code: number): CharClass {
    const a = new Uint8Array(128);
    if (code >= 128) return cls(a, true);
    a[code] = 1;
    if (this.#fold && code >= 65 && code <= 90) a[code + 32] = 1;
    if (this.#fold && code >= 97 && code <= 122) a[code - 32] = 1;
    return cls(a, false);
  }

  /** After a backslash; inClass: inside [...] (where \b is a backspace and no backreference exists). */
  #escape(inClass: boolean): Node {
    const c = this.#src[this.#i++];
    if (c === undefined) throw new Unsupported('trailing backslash');
    const chars = (ascii: Uint8Array, nonAscii: boolean): Node => ({ t: 'chars', cls: cls(ascii, nonAscii) });
    switch (c) {
      case 'd':
        return chars(DIGIT, false);
      case 'D':
        return chars(invert(DIGIT), true);
      case 'w':
        return chars(WORD, false);
      case 'W':
        return chars(invert(WORD), true);
      case 's':
        return chars(SPACE, true);
      case 'S':
        return chars(invert(SPACE), true);
      case 'b':
      case 'B':
        if (inClass) throw new Unsupported('class backspace');
        return { t: 'empty' };
      case 't':
        return { t: 'chars', cls: this.#literal(9) };
      case 'n':
        return { t: 'chars', cls: this.#literal(10) };
      case 'r':
        return { t: 'chars', cls: this.#literal(13) };
      case 'f':
        return { t: 'chars', cls: this.#literal(12) };
      case 'v':
        return { t: 'chars', cls: this.#literal(11) };
      case 'u':
      case 'x': {
        const m = (c === 'u' ? /^[0-9A-Fa-f]{4}/ : /^[0-9A-Fa-f]{2}/).exec(this.#src.slice(this.#i));
        if (m === null) throw new Unsupported('hex escape');
        this.#i += m[0].length;
        return { t: 'chars', cls: this.#literal(parseInt(m[0], 16)) };
      }
      default:
        if (/[1-9]/.test(c)) {
          if (inClass) throw new Unsupported('class octal');
          let n = c;
          while (/[0-9]/.test(this.#peek() ?? '')) n += this.#src[this.#i++];
          return { t: 'backref', group: Number(n) };
        }
        // identity escapes of syntax characters only; \k, \p, \c, \0 and the rest are not read
        if (!/[\\^$.|?*+()[\]{}/-]/.test(c)) throw new Unsupported(`escape \\${c}`);
        return { t: 'chars', cls: this.#literal(c.charCodeAt(0)) };
    }
  }

  #class(): CharClass {
    let negate = false;
    if (this.#peek() === '^') {
      negate = true;
      this.#i++;
    }
    let acc = EMPTY_CLASS;
    let first = true;
    for (;;) {
      const c = this.#src[this.#i++];
      if (c === undefined) throw new Unsupported('unclosed class');
      if (c === ']' && !first) break;
      if (c === ']') throw new Unsupported('empty class');
      first = false;
      const lo = this.#classAtom(c);
      if (this.#peek() === '-' && this.#src[this.#i + 1] !== ']' && this.#src[this.#i + 1] !== undefined) {
        this.#i++;
        const hi = this.#classAtom(this.#src[this.#i++] ?? '');
        if (typeof lo !== 'number' || typeof hi !== 'number' || hi < lo) throw new Unsupported('class range');
        acc = union(acc, this.#foldClass(cls(range(lo, hi), hi >= 128)));
      } else acc = union(acc, typeof lo === 'number' ? this.#literal(lo) : lo);
    }
    return negate ? cls(invert(acc.ascii), true) : acc;
  }

  /** A code point, or a class for \d-style escapes. */
  #classAtom(c: string): number | CharClass {
    if (c !== '\\') return c.charCodeAt(0);
    const n = this.#escape(true);
    if (n.t !== 'chars') throw new Unsupported('class escape');
    const members = [...n.cls.ascii.keys()].filter((i) => n.cls.ascii[i] === 1);
    return members.length === 1 && !n.cls.nonAscii ? (members[0] as number) : n.cls;
  }

  #foldClass(c: CharClass): CharClass {
    if (!this.#fold) return c;
    const a = c.ascii.slice();
    for (let i = 65; i <= 90; i++) if (c.ascii[i] === 1 || c.ascii[i + 32] === 1) a[i] = a[i + 32] = 1;
    return cls(a, c.nonAscii);
  }
}


/** The union of the one-character alternatives of a lookaround's body (undefined: it has none). */
function oneCharOptions(n: Node): CharClass | undefined {
  const one = (m: Node): CharClass | undefined => {
    const only = m.t === 'seq' && m.items.length === 1 ? m.items[0] : m;
    return only?.t === 'chars' ? only.cls : undefined;
  };
  if (n.t !== 'alt') return one(n);
  let cls: CharClass | undefined;
  for (const item of n.items) {
    const c = one(item);
    if (c !== undefined) cls = cls === undefined ? c : union(cls, c);
  }
  return cls;
}
