// One candidate pass per text for every catalogue regex of a policy set: the features each pattern's
// matches must contain (regex-features.ts) are found together — literals by indexOf, character-class
// runs by probing every L-th character (a run of L or more always covers a probe) and widening hits
// to the whole run — and turned into the ranges where a match of each pattern can start. Each regex
// then runs only there (sticky at each position of a short range, global from the start of a long
// one), so it returns exactly the matches a whole-text scan returns. Built once per graph.
import type { MatchStarts } from './identifiers/identifier.js';
import { type CharClass, type Feature, regexFeatures } from './regex-features.js';

/** A start range shorter than this is tried position by position; a longer one by one global exec. */
const STICKY_SPAN = 24;

interface Use {
  readonly pattern: number;
  readonly minOffset: number;
  readonly maxOffset: number;
}

interface RunClass {
  /** Widened in place while the plan is built (a merged class), never after. */
  readonly ascii: Uint8Array;
  readonly nonAscii: boolean;
  /** The shortest run any use needs: the probe stride. */
  min: number;
  readonly uses: (Use & { readonly length: number })[];
}

/** Runs at least this long may share a class with a near-equal one (see #longClassNear). */
const LONG_RUN = 16;
/** How many characters two classes may differ by, either way, and still share one pass. */
const MERGE_SLACK = 4;

function widen(rc: RunClass, c: CharClass): void {
  c.ascii.forEach((v, i) => {
    if (v === 1) rc.ascii[i] = 1;
  });
}

interface Literal {
  readonly text: string;
  /** Case-insensitive search (ASCII letters either case). */
  readonly folded: RegExp | undefined;
  readonly uses: Use[];
}

export class CandidatePlan {
  /** Pattern index per flags/source; -1 for a pattern scanned whole. */
  readonly #index = new Map<string, number>();
  readonly #patterns: number;
  /** By class key; a merged class is listed under each key it absorbed. */
  readonly #classes = new Map<string, RunClass>();
  readonly #runClasses: readonly RunClass[];
  readonly #literals = new Map<string, Literal>();

  constructor(patterns: readonly RegExp[]) {
    let n = 0;
    for (const re of patterns) {
      const key = `${re.flags}/${re.source}`;
      if (this.#index.has(key)) continue;
      const features = regexFeatures(re);
      if (features === undefined) {
        this.#index.set(key, -1);
        continue;
      }
      const p = n++;
      this.#index.set(key, p);
      for (const f of features) this.#add(f, p);
    }
    this.#patterns = n;
    this.#runClasses = [...new Set(this.#classes.values())];
  }

  #add(f: Feature, pattern: number): void {
    const use = { pattern, minOffset: f.minOffset, maxOffset: f.maxOffset };
    if (f.kind === 'literal') {
      const key = `${f.folded ? 'i' : ''}/${f.text}`;
      let lit = this.#literals.get(key);
      if (lit === undefined) this.#literals.set(key, (lit = { text: f.text, folded: f.folded ? new RegExp(escapeRegex(f.text), 'gi') : undefined, uses: [] }));
      lit.uses.push(use);
      return;
    }
    const key = classKey(f.cls);
    let rc = this.#classes.get(key) ?? (f.length >= LONG_RUN ? this.#longClassNear(f.cls) : undefined);
    if (rc === undefined) this.#classes.set(key, (rc = { ascii: f.cls.ascii.slice(), nonAscii: f.cls.nonAscii, min: f.length, uses: [] }));
    else widen(rc, f.cls);
    rc.min = Math.min(rc.min, f.length);
    this.#classes.set(key, rc);
    rc.uses.push({ ...use, length: f.length });
  }

  // Long runs of token characters are rare in prose, so the base64, token and hex classes of the
  // secrets share one pass: each pattern still needs its own length, inside a run of the union.
  #longClassNear(c: CharClass): RunClass | undefined {
    for (const rc of this.#classes.values()) {
      if (rc.min < LONG_RUN || rc.nonAscii !== c.nonAscii) continue;
      let added = 0;
      c.ascii.forEach((v, i) => (added += v === 1 && rc.ascii[i] !== 1 ? 1 : 0));
      let extra = 0;
      rc.ascii.forEach((v, i) => (extra += v === 1 && c.ascii[i] !== 1 ? 1 : 0));
      if (added <= MERGE_SLACK && extra <= MERGE_SLACK) return rc;
    }
    return undefined;
  }

  /** Whether a pattern has features here (false: scan it whole). */
  covers(re: RegExp): boolean {
    return (this.#index.get(`${re.flags}/${re.source}`) ?? -1) >= 0;
  }

  /** Where each covered pattern can start in a text. */
  scan(text: string): CandidateStarts {
    const ranges: number[][] = Array.from({ length: this.#patterns }, () => []);
    for (const rc of this.#runClasses) runs(text, rc, ranges);
    for (const lit of this.#literals.values()) occurrences(text, lit, ranges);
    return new CandidateStarts(this.#index, ranges, text.length);
  }
}

/** Maximal runs of a class at least rc.min long: probe every rc.min-th character, widen each hit. */
function runs(text: string, rc: RunClass, ranges: number[][]): void {
  const ascii = rc.ascii;
  const nonAscii = rc.nonAscii;
  const stride = rc.min;
  const n = text.length;
  const member = (c: number): boolean => (c < 128 ? ascii[c] === 1 : nonAscii);
  for (let i = stride - 1; i < n; i += stride) {
    if (!member(text.charCodeAt(i))) continue;
    let a = i;
    while (a > 0 && member(text.charCodeAt(a - 1))) a--;
    let b = i + 1;
    while (b < n && member(text.charCodeAt(b))) b++;
    if (b - a >= stride) for (const u of rc.uses) if (b - a >= u.length) ranges[u.pattern]?.push(a - u.maxOffset, b - u.length - u.minOffset);
    // text[b] is outside the class: a later run of `stride` or more covers b + stride or a later probe
    i = b;
  }
}

function occurrences(text: string, lit: Literal, ranges: number[][]): void {
  const push = (at: number): void => {
    for (const u of lit.uses) ranges[u.pattern]?.push(at - u.maxOffset, at - u.minOffset);
  };
  if (lit.folded === undefined) {
    for (let at = text.indexOf(lit.text); at !== -1; at = text.indexOf(lit.text, at + 1)) push(at);
    return;
  }
  const re = lit.folded;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    push(m.index);
    re.lastIndex = m.index + 1;
  }
}

const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
const classKey = (c: CharClass): string => `${c.nonAscii ? 'U' : ''}${c.ascii.join('')}`;

/** The start ranges of one text, per pattern; each find gets its own cursor. */
export class CandidateStarts {
  readonly #index: ReadonlyMap<string, number>;
  readonly #ranges: readonly number[][];
  readonly #length: number;

  constructor(index: ReadonlyMap<string, number>, ranges: readonly number[][], length: number) {
    this.#index = index;
    this.#ranges = ranges;
    this.#length = length;
  }

  /** Undefined: the pattern is not covered and is scanned whole. */
  for(re: RegExp): MatchStarts | undefined {
    const p = this.#index.get(`${re.flags}/${re.source}`) ?? -1;
    if (p < 0) return undefined;
    return new StartCursor(merge(this.#ranges[p] ?? [], this.#length));
  }
}

/** Sorted, clamped, overlapping ranges joined; flat [start, end] pairs, ends inclusive. */
function merge(flat: readonly number[], length: number): Int32Array {
  const pairs: [number, number][] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const s = Math.max(0, flat[i] ?? 0);
    const e = Math.min(length, flat[i + 1] ?? 0);
    if (s <= e) pairs.push([s, e]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [s, e] of pairs) {
    const last = out.length - 1;
    if (last > 0 && s <= (out[last] ?? 0) + 1) out[last] = Math.max(out[last] ?? 0, e);
    else out.push(s, e);
  }
  return Int32Array.from(out);
}

class StartCursor implements MatchStarts {
  readonly #ranges: Int32Array;
  #at = 0;

  constructor(ranges: Int32Array) {
    this.#ranges = ranges;
  }

  // The leftmost match at or after re.lastIndex, as re.exec would return it: positions outside every
  // range cannot start a match, so skipping them changes nothing but the work.
  exec(re: RegExp, sticky: RegExp, text: string): RegExpExecArray | null {
    const pos = re.lastIndex;
    const r = this.#ranges;
    while (this.#at < r.length) {
      const s = r[this.#at] as number;
      const e = r[this.#at + 1] as number;
      if (e < pos) {
        this.#at += 2;
        continue;
      }
      const from = Math.max(pos, s);
      if (e - from >= STICKY_SPAN) {
        re.lastIndex = from;
        return re.exec(text);
      }
      for (let p = from; p <= e; p++) {
        sticky.lastIndex = p;
        const m = sticky.exec(text);
        if (m !== null) {
          re.lastIndex = p + m[0].length;
          return m;
        }
      }
      this.#at += 2;
    }
    return null;
  }
}
