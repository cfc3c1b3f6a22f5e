// One built-in data identifier: how candidates are found and validated, which words nearby raise
// the confidence, and what it looks like. Plain frozen data; the catalogue lists them all.
import { redact } from '../hits.js';

export const CONFIDENCES = ['low', 'medium', 'high'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export const rank = (c: Confidence): number => CONFIDENCES.indexOf(c);

/** One step up (capped at high): what a supporting keyword nearby does to a match. */
export const raise = (c: Confidence): Confidence => CONFIDENCES[Math.min(rank(c) + 1, 2)] ?? 'high';

/** A validated candidate: where it is, its confidence before keywords, and its redacted sample. */
export interface Found {
  readonly start: number;
  readonly end: number;
  readonly confidence: Confidence;
  readonly sample: string;
}

export interface Identifier {
  /** kebab-case, e.g. fi-hetu; the name used in `identifier: { name }`. */
  readonly name: string;
  readonly description: string;
  /** Groups usable as `identifiers: { set }`. */
  readonly sets: readonly string[];
  /** true when a checksum or check character is verified (not only the format). */
  readonly checksum: boolean;
  /**
   * Candidates in a text, validated, in order; each scan is linear in the text. With `starts`, the
   * regex runs only where the candidate scan says a match can start (the same matches, less work).
   */
  readonly find: (text: string, starts?: MatchStarts) => Iterable<Found>;
  /** The candidate regex of a regex identifier (what the candidate scan reads its features from). */
  readonly pattern?: RegExp;
  /** Lower-case words that, within `window` characters of a match, raise its confidence one step. */
  readonly keywords: readonly string[];
  readonly window: number;
  /** What a supporting keyword nearby makes of a match (never lowers it). */
  readonly withKeyword: (base: Confidence) => Confidence;
  /** The confidence levels a match can reach (for the listing). */
  readonly levels: readonly Confidence[];
  /** A valid value, as it may appear in text. */
  readonly example: string;
  /** The public specification of the format and checksum. */
  readonly spec: string;
}

/** Purview's default proximity window for supporting evidence. */
export const DEFAULT_WINDOW = 300;

export interface RegexSpec {
  readonly name: string;
  readonly description: string;
  readonly sets: readonly string[];
  readonly checksum: boolean;
  /** Global, linear (no nested quantifiers, bounded repetition); boundaries inside the pattern. */
  readonly pattern: RegExp;
  /**
   * The base confidence of a match, or undefined when it fails validation; with `length`, only that
   * prefix of the match is the value (the scan resumes after it).
   */
  readonly validate: (m: RegExpExecArray) => Confidence | { readonly confidence: Confidence; readonly length: number } | undefined;
  readonly keywords?: readonly string[];
  readonly window?: number;
  /** Confidence with a keyword nearby; default: high when a checksum held, else one step up. */
  readonly withKeyword?: Confidence | ((base: Confidence) => Confidence);
  /** Redacted form of a match (default: all but the last 4 alphanumerics starred). */
  readonly sample?: (value: string) => string;
  /** The confidences validate can return; the listing derives the reachable levels from them. */
  readonly base?: readonly Confidence[];
  readonly levels?: readonly Confidence[];
  readonly example: string;
  readonly spec: string;
}

// Each catalogue pattern caps its own matches: a text full of candidates costs bounded work.
const MAX_CANDIDATES = 10_000;

/** Runs a global regex from lastIndex, skipping positions where no match can start. */
export interface MatchStarts {
  exec(re: RegExp, sticky: RegExp, text: string): RegExpExecArray | null;
}

export function regexIdentifier(spec: RegexSpec): Identifier {
  if (!spec.pattern.global) throw new Error(`RG_POL_INTERNAL: ${spec.name} pattern must be global`);
  const sample = spec.sample ?? tailSample;
  const withKeyword = typeof spec.withKeyword === 'function' ? spec.withKeyword : keywordRule(spec.checksum, spec.withKeyword);
  // one sticky copy per identifier, built with it rather than per text: every use sets lastIndex right
  // before its exec (candidate-scan.ts StartCursor), so finds in progress on other texts cannot disturb it
  const sticky = new RegExp(spec.pattern.source, `${spec.pattern.flags}y`);
  // The global copy a find walks with (its lastIndex is the find's cursor): cloning one per find cost
  // about 0.4 µs, 27 identifiers times 3 texts per message (~30 µs of a 5 KB message's 430). A find takes
  // it while it runs and gives it back when done or closed; a find that starts meanwhile (interleaved,
  // or after one abandoned unclosed) clones its own.
  let idle: RegExp | undefined = new RegExp(spec.pattern);
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    sets: Object.freeze([...spec.sets]),
    checksum: spec.checksum,
    keywords: Object.freeze([...(spec.keywords ?? [])]),
    window: spec.window ?? DEFAULT_WINDOW,
    withKeyword,
    levels: Object.freeze(spec.levels ?? reachable(spec.base ?? ['medium'], (spec.keywords ?? []).length > 0, withKeyword)),
    example: spec.example,
    spec: spec.spec,
    pattern: spec.pattern,
    *find(text: string, starts?: MatchStarts): Generator<Found> {
      const re = idle ?? new RegExp(spec.pattern);
      idle = undefined;
      re.lastIndex = 0;
      const exec = (): RegExpExecArray | null => (starts === undefined ? re.exec(text) : starts.exec(re, sticky, text));
      try {
        let n = 0;
        for (let m = exec(); m !== null && n < MAX_CANDIDATES; m = exec(), n++) {
          if (m[0] === '') {
            re.lastIndex++;
            continue;
          }
          const v = spec.validate(m);
          if (v === undefined) continue;
          const length = typeof v === 'string' ? m[0].length : v.length;
          if (length < m[0].length) re.lastIndex = m.index + length;
          const value = m[0].slice(0, length);
          yield { start: m.index, end: m.index + length, confidence: typeof v === 'string' ? v : v.confidence, sample: sample(value) };
        }
      } finally {
        idle = re;
      }
    },
  });
}

function reachable(base: readonly Confidence[], keywords: boolean, withKeyword: (c: Confidence) => Confidence): Confidence[] {
  const all = new Set([...base, ...(keywords ? base.map(withKeyword) : [])]);
  return CONFIDENCES.filter((c) => all.has(c));
}

/** "valid checksum + keyword nearby = high"; a format-only match gains one step. */
export function keywordRule(checksum: boolean, fixed: Confidence | undefined): (base: Confidence) => Confidence {
  const target = fixed ?? (checksum ? 'high' : undefined);
  return (base) => {
    const up = target ?? raise(base);
    return rank(up) > rank(base) ? up : base;
  };
}

/** Every character but the last four letters or digits starred (separators kept for shape). */
export function tailSample(value: string): string {
  const compact = value.replace(/[^A-Za-z0-9]/g, '');
  return redact(compact, 0, 4);
}

/** The first `head` characters kept (a secret's public prefix), the rest starred. */
export const headSample =
  (head: number) =>
  (value: string): string =>
    value.slice(0, head) + '*'.repeat(Math.max(0, Math.min(value.length - head, 24)));

// Boundaries for numeric identifiers: not inside a word, and not a piece of a longer number written
// with separators (a card number holds many 9-digit runs).
export const BEFORE = '(?<![A-Za-z0-9]|[0-9][ .-])';
export const AFTER = '(?![A-Za-z0-9]|[ .-][0-9])';
/** Boundaries for alphanumeric codes: not inside a word. */
export const WORD_BEFORE = '(?<![A-Za-z0-9])';
export const WORD_AFTER = '(?![A-Za-z0-9])';

export const bounded = (body: string, flags = 'g'): RegExp => new RegExp(`${BEFORE}(?:${body})${AFTER}`, flags);
export const word = (body: string, flags = 'g'): RegExp => new RegExp(`${WORD_BEFORE}(?:${body})${WORD_AFTER}`, flags);

export const digitsOf = (s: string): string => s.replace(/[^0-9]/g, '');
