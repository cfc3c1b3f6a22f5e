// Catalogue identifiers over one text: candidates found and validated, then supporting keywords looked
// up within each identifier's window. Keyword positions are found once per text and keyword (one
// lower-casing, one indexOf sweep each), so proximity costs a binary search per match.
import type { CandidatePlan, CandidateStarts, RangeStore } from '../candidate-scan.js';
import { MAX_SAMPLES, type Hits, NO_HITS } from '../hits.js';
import { rank, type Confidence, type Found, type Identifier } from './identifier.js';

export interface Match {
  readonly start: number;
  readonly end: number;
  readonly confidence: Confidence;
  readonly sample: string;
}

/** One text's keyword positions, computed on first use. */
export class KeywordContext {
  readonly #text: string;
  #lower: string | undefined;
  readonly #positions = new Map<string, readonly number[]>();
  /** Per keyword list (an identifier's): whether any of its words occurs in the text at all. */
  readonly #anyOf = new Map<readonly string[], boolean>();

  readonly #ascii: boolean;

  /** `ascii`: the text is known to hold ASCII characters only. */
  constructor(text: string, ascii = false) {
    this.#text = text;
    this.#ascii = ascii;
  }

  /** Whether any of `keywords` occurs anywhere as a whole word: when none does, no match is near one. */
  any(keywords: readonly string[]): boolean {
    let found = this.#anyOf.get(keywords);
    if (found === undefined) {
      // ASCII lower-cases letter by letter, so one case-insensitive pass over the text itself answers
      // without the lower-cased copy and a sweep per word
      found = this.#ascii ? anyWordRegex(keywords).test(this.#text) : keywords.some((k) => this.#find(k).length > 0);
      this.#anyOf.set(keywords, found);
    }
    return found;
  }

  /** Whether `keyword` (lower-case) occurs as a whole word starting within [from, to]. */
  near(keyword: string, from: number, to: number): boolean {
    const positions = this.#find(keyword);
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((positions[mid] ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < positions.length && (positions[lo] ?? Infinity) <= to;
  }

  #find(keyword: string): readonly number[] {
    const cached = this.#positions.get(keyword);
    if (cached !== undefined) return cached;
    // toLowerCase keeps the length for the scripts keywords use (Latin, Thai, Hangul, Devanagari)
    this.#lower ??= this.#text.toLowerCase();
    const lower = this.#lower;
    const found: number[] = [];
    for (let i = lower.indexOf(keyword); i !== -1; i = lower.indexOf(keyword, i + 1)) {
      if (!isWordChar(lower.charCodeAt(i - 1)) && !isWordChar(lower.charCodeAt(i + keyword.length))) found.push(i);
    }
    this.#positions.set(keyword, found);
    return found;
  }
}

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 95;

const anyWord = new WeakMap<readonly string[], RegExp>();

/**
 * Any of the (lower-case) words as a whole word in an ASCII text, case-insensitively: #find's test, whose
 * word characters [0-9a-z_] of the lower-cased text are [0-9A-Za-z_] of the text. Without the u flag, i
 * never folds a non-ASCII character to an ASCII one, so a non-ASCII word matches no ASCII text, as in #find.
 */
function anyWordRegex(words: readonly string[]): RegExp {
  let re = anyWord.get(words);
  if (re === undefined) {
    const alt = words.map((w) => w.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&')).join('|');
    anyWord.set(words, (re = new RegExp(`(?<![0-9A-Za-z_])(?:${alt})(?![0-9A-Za-z_])`, 'i')));
  }
  return re;
}

export function scanIdentifier(id: Identifier, text: string, keywords: KeywordContext, starts?: CandidateStarts): readonly Match[] {
  const out: Match[] = [];
  const near = id.pattern === undefined ? undefined : starts?.for(id.pattern);
  for (const f of id.find(text, near)) out.push(withContext(id, f, keywords));
  return out;
}

function withContext(id: Identifier, f: Found, keywords: KeywordContext): Match {
  if (id.keywords.length === 0 || f.confidence === 'high' || !keywords.any(id.keywords)) return f;
  const from = f.start - id.window;
  const to = f.end + id.window;
  const hasKeyword = id.keywords.some((k) => keywords.near(k, from - k.length, to));
  return hasKeyword ? { ...f, confidence: id.withKeyword(f.confidence) } : f;
}

/** Matches at or above `min` confidence; a span found by several identifiers (a set) counts once. */
export function identifierHits(matchLists: readonly (readonly Match[])[], min: Confidence): Hits {
  const need = rank(min);
  const spans = new Set<string>();
  const samples: string[] = [];
  for (const list of matchLists) {
    for (const m of list) {
      if (rank(m.confidence) < need) continue;
      const key = `${m.start}:${m.end}`;
      if (spans.has(key)) continue;
      spans.add(key);
      if (samples.length < MAX_SAMPLES && !samples.includes(m.sample)) samples.push(m.sample);
    }
  }
  return spans.size === 0 ? NO_HITS : { count: spans.size, samples };
}

/**
 * The identifier scans of one text: each identifier runs at most once, whatever asks for it. With the
 * policy set's candidate plan, one pass over the text finds where every covered pattern can match.
 */
export class IdentifierScan {
  readonly #text: string;
  readonly #keywords: KeywordContext;
  readonly #matches = new Map<string, readonly Match[]>();
  readonly #plan: CandidatePlan | undefined;
  readonly #store: RangeStore | undefined;
  #starts: CandidateStarts | undefined;

  /**
   * `store`: buffers for the start ranges, reused text after text (see RangeStore); this scan must then be
   * done before the store's next text. `ascii`: the text is known to hold ASCII characters only.
   */
  constructor(text: string, plan?: CandidatePlan, store?: RangeStore, ascii = false) {
    this.#text = text;
    this.#keywords = new KeywordContext(text, ascii);
    this.#plan = plan;
    this.#store = store;
  }

  matches(id: Identifier): readonly Match[] {
    let found = this.#matches.get(id.name);
    if (found === undefined) {
      if (this.#plan !== undefined && id.pattern !== undefined && this.#plan.covers(id.pattern)) this.#starts ??= this.#plan.scan(this.#text, this.#store);
      found = scanIdentifier(id, this.#text, this.#keywords, this.#starts);
      this.#matches.set(id.name, found);
    }
    return found;
  }

  hits(ids: readonly Identifier[], min: Confidence): Hits {
    return identifierHits(
      ids.map((id) => this.matches(id)),
      min,
    );
  }
}
