// Keyword detection for a whole policy set: every keyword of every policy in one automaton per case mode,
// one pass per text; each keywords condition then sums the counts of its own words.
import { AhoCorasick, type KeywordMatch } from './aho-corasick.js';

export interface KeywordIndex {
  /** Lower-cased words of case-insensitive conditions. */
  readonly folded: AhoCorasick | undefined;
  readonly exact: AhoCorasick | undefined;
  readonly foldedWords: readonly string[];
  readonly exactWords: readonly string[];
}

export interface KeywordRef {
  readonly caseSensitive: boolean;
  /** Indexes into foldedWords or exactWords. */
  readonly words: readonly number[];
  readonly wholeWord: boolean;
}

/** Per text: occurrences of each word, anywhere and as a whole word. */
export interface KeywordCounts {
  readonly folded: { readonly any: Uint32Array; readonly whole: Uint32Array };
  readonly exact: { readonly any: Uint32Array; readonly whole: Uint32Array };
}

export class KeywordIndexBuilder {
  readonly #folded = new Map<string, number>();
  readonly #exact = new Map<string, number>();

  add(words: readonly string[], caseSensitive: boolean, wholeWord: boolean): KeywordRef {
    const table = caseSensitive ? this.#exact : this.#folded;
    const ids = words.map((w) => {
      const key = caseSensitive ? w : w.toLowerCase();
      let id = table.get(key);
      if (id === undefined) table.set(key, (id = table.size));
      return id;
    });
    return { caseSensitive, words: [...new Set(ids)], wholeWord };
  }

  build(): KeywordIndex {
    const foldedWords = [...this.#folded.keys()];
    const exactWords = [...this.#exact.keys()];
    return {
      folded: foldedWords.length > 0 ? new AhoCorasick(foldedWords) : undefined,
      exact: exactWords.length > 0 ? new AhoCorasick(exactWords) : undefined,
      foldedWords,
      exactWords,
    };
  }
}

/** `ascii`: whether the text is known to be ASCII only (undefined: tested here when it matters). */
export function countKeywords(index: KeywordIndex, text: string, ascii?: boolean): KeywordCounts {
  return {
    folded: countFolded(index.folded, index.foldedWords, text, ascii),
    exact: countWith(index.exact, index.exactWords, index.exact === undefined ? '' : text),
  };
}

/** Case-insensitive counts: an ASCII text is folded while it is scanned; any other is lower-cased first. */
function countFolded(ac: AhoCorasick | undefined, words: readonly string[], text: string, ascii: boolean | undefined): KeywordCounts['exact'] {
  if (ac === undefined) return countWith(ac, words, '');
  const counts = { any: new Uint32Array(words.length), whole: new Uint32Array(words.length) };
  // boundaries read the original text: for ASCII, case never changes whether a character is a word character
  if (ac.scanAsciiFolded(text, counter(counts, words, text), ascii)) return counts;
  return countWith(ac, words, text.toLowerCase());
}

function countWith(ac: AhoCorasick | undefined, words: readonly string[], text: string): KeywordCounts['exact'] {
  const counts = { any: new Uint32Array(words.length), whole: new Uint32Array(words.length) };
  ac?.scan(text, counter(counts, words, text));
  return counts;
}

function counter(counts: KeywordCounts['exact'], words: readonly string[], text: string): (m: KeywordMatch) => void {
  const { any, whole } = counts;
  return (m) => {
    any[m.word] = (any[m.word] ?? 0) + 1;
    const word = words[m.word] ?? '';
    if (boundaryOk(text, m.start - 1, word, 0) && boundaryOk(text, m.end, word, word.length - 1)) {
      whole[m.word] = (whole[m.word] ?? 0) + 1;
    }
  };
}

// A word that starts (or ends) with punctuation needs no boundary on that side.
function boundaryOk(text: string, outside: number, word: string, edge: number): boolean {
  if (!isWordChar(word.charCodeAt(edge))) return true;
  return outside < 0 || outside >= text.length || !isWordChar(text.charCodeAt(outside));
}

const WORD = /[\p{L}\p{N}_]/u;

function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
  return WORD.test(String.fromCharCode(c));
}

export function keywordHits(ref: KeywordRef, counts: KeywordCounts, index: KeywordIndex): { count: number; samples: string[] } {
  const side = ref.caseSensitive ? counts.exact : counts.folded;
  const words = ref.caseSensitive ? index.exactWords : index.foldedWords;
  const per = ref.wholeWord ? side.whole : side.any;
  let count = 0;
  const samples: string[] = [];
  for (const id of ref.words) {
    const n = per[id] ?? 0;
    if (n === 0) continue;
    count += n;
    if (samples.length < 3) samples.push(words[id] ?? '');
  }
  return { count, samples };
}
