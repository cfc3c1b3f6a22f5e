// Many keywords, one pass: an Aho-Corasick automaton over UTF-16 code units.
// ASCII transitions are a dense table (the fast path); other characters follow failure links.
// A small word list also gets a locator, an alternation of its words built once per policy set: while
// the automaton is in its root state no partial match is pending, so the text up to the next place any
// word starts (the regex's leftmost match, found natively) cannot change a count and is skipped.

const ASCII = 128;
/** Larger lists keep the automaton alone: a backtracking alternation tries every word at each position. */
const LOCATE_MAX_WORDS = 32;
const NON_ASCII = /[^\x00-\x7f]/;

export interface KeywordMatch {
  /** Index into the word list. */
  readonly word: number;
  readonly start: number;
  readonly end: number;
}

export class AhoCorasick {
  readonly #words: readonly string[];
  readonly #table: Int32Array;
  readonly #other: Map<number, number>[];
  readonly #fail: Int32Array;
  /** Words ending at each state, including those reached through failure links. */
  readonly #out: (readonly number[])[];
  /** 1 where #out is non-empty: the hot loop tests a byte, not an array. */
  readonly #hasOut: Uint8Array;
  /** Where the next occurrence of any word starts, exactly (`g`) and in an ASCII text folded (`gi`). */
  readonly #locate: RegExp | undefined;
  readonly #locateFolded: RegExp | undefined;

  constructor(words: readonly string[]) {
    this.#words = words;
    const trie = buildTrie(words);
    const n = trie.next.length;
    this.#table = new Int32Array(n * ASCII).fill(-1);
    this.#other = trie.next.map(() => new Map());
    this.#fail = new Int32Array(n);
    this.#out = trie.out;
    this.#link(trie.next);
    this.#hasOut = Uint8Array.from(this.#out, (o) => (o.length > 0 ? 1 : 0));
    const locatable = words.length > 0 && words.length <= LOCATE_MAX_WORDS && words.every((w) => w !== '');
    const source = words.map(literalSource).join('|');
    this.#locate = locatable ? new RegExp(source, 'g') : undefined;
    // without the u flag, i folds no non-ASCII character to an ASCII one: in an ASCII text it is A-Z → a-z
    this.#locateFolded = locatable ? new RegExp(source, 'gi') : undefined;
  }

  get size(): number {
    return this.#words.length;
  }

  // Breadth-first: every state's failure target is finished before its children need it.
  #link(next: readonly Map<number, number>[]): void {
    const queue: number[] = [0];
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] ?? 0;
      const f = this.#fail[s] ?? 0;
      const kids = next[s] ?? new Map<number, number>();
      for (const [c, t] of kids) {
        this.#fail[t] = s === 0 ? 0 : this.#step(f, c);
        this.#out[t] = [...(this.#out[t] ?? []), ...(this.#out[this.#fail[t] ?? 0] ?? [])];
        if (c < ASCII) this.#table[s * ASCII + c] = t;
        else this.#other[s]?.set(c, t);
        queue.push(t);
      }
      // complete the ASCII row: missing transitions go where the failure state goes
      for (let c = 0; c < ASCII; c++) {
        const i = s * ASCII + c;
        if ((this.#table[i] ?? -1) < 0) this.#table[i] = s === 0 ? 0 : (this.#table[f * ASCII + c] ?? 0);
      }
    }
  }

  #step(state: number, c: number): number {
    if (c < ASCII) return this.#table[state * ASCII + c] ?? 0;
    let s = state;
    for (;;) {
      const t = this.#other[s]?.get(c);
      if (t !== undefined) return t;
      if (s === 0) return 0;
      s = this.#fail[s] ?? 0;
    }
  }

  /** Calls onMatch for every occurrence (overlapping included), left to right by end position. */
  scan(text: string, onMatch: (m: KeywordMatch) => void): void {
    const table = this.#table;
    const hasOut = this.#hasOut;
    const locate = this.#locate;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      if (s === 0 && locate !== undefined) {
        locate.lastIndex = i;
        const next = locate.exec(text);
        if (next === null) return;
        i = next.index;
      }
      const c = text.charCodeAt(i);
      s = c < ASCII ? (table[(s << 7) | c] as number) : this.#step(s, c);
      if (hasOut[s] === 1) this.#emit(s, i + 1, onMatch);
    }
  }

  /**
   * scan(text.toLowerCase(), onMatch) without the lower-cased copy, for a text of ASCII characters only
   * (where lower-casing is A-Z → a-z in place). Returns false, having reported nothing, for any other
   * text: the caller then lower-cases and scans as before. `ascii`: the caller has tested the text already.
   */
  scanAsciiFolded(text: string, onMatch: (m: KeywordMatch) => void, ascii = !NON_ASCII.test(text)): boolean {
    if (!ascii) return false;
    const table = this.#table;
    const hasOut = this.#hasOut;
    const locate = this.#locateFolded;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      if (s === 0 && locate !== undefined) {
        locate.lastIndex = i;
        const next = locate.exec(text);
        if (next === null) return true;
        i = next.index;
      }
      const c = text.charCodeAt(i);
      s = table[(s << 7) | (c >= 65 && c <= 90 ? c | 32 : c)] as number;
      if (hasOut[s] === 1) this.#emit(s, i + 1, onMatch);
    }
    return true;
  }

  #emit(state: number, end: number, onMatch: (m: KeywordMatch) => void): void {
    for (const w of this.#out[state] ?? []) onMatch({ word: w, start: end - (this.#words[w]?.length ?? 0), end });
  }
}

/** A word as a regex literal: letters and digits as they are, every other code unit escaped. */
function literalSource(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    out += (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? word[i] : `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out;
}

function buildTrie(words: readonly string[]): { next: Map<number, number>[]; out: number[][] } {
  const next: Map<number, number>[] = [new Map()];
  const out: number[][] = [[]];
  words.forEach((word, w) => {
    let s = 0;
    for (let i = 0; i < word.length; i++) {
      const c = word.charCodeAt(i);
      let t = next[s]?.get(c);
      if (t === undefined) {
        t = next.length;
        next.push(new Map());
        out.push([]);
        next[s]?.set(c, t);
      }
      s = t;
    }
    out[s]?.push(w);
  });
  return { next, out };
}
