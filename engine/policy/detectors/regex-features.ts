// What every match of a catalogue regex must contain, read from its source once per graph: a literal
// (AKIA, ://, -----BEGIN) or a run of at least L characters of one class (11 digits, 40 base64
// characters), each at a known range of offsets from the match start. The candidate scan finds these
// for all patterns in one pass and runs each regex only where a match can start. Anything this reader
// does not understand (u/v/y flags, \k, \p, a pattern that can match empty) yields undefined: that
// pattern is scanned whole, as before, so the reader can only ever narrow where it is sure.

import { type CharClass, EMPTY_CLASS, type Node, Reader, union, Unsupported } from './regex-tree.js';

export type { CharClass } from './regex-tree.js';

export type Feature =
  /** folded: some character matches in either ASCII case (text is then lower case throughout). */
  | { readonly kind: 'literal'; readonly text: string; readonly folded: boolean; readonly minOffset: number; readonly maxOffset: number }
  | { readonly kind: 'run'; readonly cls: CharClass; readonly length: number; readonly minOffset: number; readonly maxOffset: number }
  /**
   * Every match IS one maximal run of cls (see exactRun): it starts where such a run starts and the run
   * is between length and maxLength long. A run of 78 letters cannot hold a 16-character fiscal code
   * bounded by (?<![A-Za-z0-9]) … (?![A-Za-z0-9]), so the regex is not tried in it at all.
   */
  | { readonly kind: 'exact'; readonly cls: CharClass; readonly length: number; readonly maxLength: number; readonly minOffset: number; readonly maxOffset: number };

/** Every match contains at least one of these features (a disjunction). */
export type Features = readonly Feature[];

// A pure function of the pattern (source and flags never change): each catalogue RegExp is read once
// per process, so a reload builds its plan from what the first compile read.
const read = new WeakMap<RegExp, Features | null>();

/** The features of a global regex, or undefined when it is scanned whole. */
export function regexFeatures(re: RegExp): Features | undefined {
  let f = read.get(re);
  if (f === undefined) read.set(re, (f = readFeatures(re) ?? null));
  return f ?? undefined;
}

/** The pattern's tree and its groups, or undefined for a pattern the reader does not understand. */
function parsed(re: RegExp): { readonly tree: Node; readonly groups: readonly Node[] } | undefined {
  if (/[^gimsd]/.test(re.flags)) return undefined;
  try {
    const reader = new Reader(re.source, re.flags.includes('i'), re.flags.includes('s'));
    const tree = reader.parse();
    return { tree, groups: reader.groups };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

function readFeatures(re: RegExp): Features | undefined {
  const p = parsed(re);
  if (p === undefined) return undefined;
  const { tree, groups } = p;
  if (lengths(tree, groups).min === 0) return undefined;
  const best = features(tree, groups);
  // a literal is found by indexOf, cheaper than any run; otherwise a whole-match run bounds the most
  const exact = best?.features.some((f) => f.kind === 'literal') === true ? undefined : exactRun(tree, groups);
  if (exact !== undefined) return [exact];
  return best === undefined || best.score < MIN_SCORE ? undefined : best.features;
}

const subset = (a: CharClass, b: CharClass): boolean => a.ascii.every((v, i) => v === 0 || b.ascii[i] === 1);

// `(?<!B) M (?!A)` where every character M can consume is ASCII and in both B and A: the character
// before a match is not one M can consume (or there is none), nor the one after, so a match is exactly a
// maximal run of M's characters, as long as M's lengths allow. Anything else: undefined.
function exactRun(tree: Node, groups: readonly Node[]): Feature | undefined {
  if (tree.t !== 'seq' || tree.items.length < 3) return undefined;
  const first = tree.items[0] as Node;
  const last = tree.items[tree.items.length - 1] as Node;
  if (first.t !== 'empty' || first.notBefore === undefined || last.t !== 'empty' || last.notAfter === undefined) return undefined;
  const middle: Node = { t: 'seq', items: tree.items.slice(1, -1) };
  const cls = charsOf(middle, groups);
  if (cls.nonAscii || !subset(cls, first.notBefore) || !subset(cls, last.notAfter)) return undefined;
  const { min, max } = lengths(middle, groups);
  if (min === 0) return undefined;
  return { kind: 'exact', cls, length: min, maxLength: max, minOffset: 0, maxOffset: 0 };
}

const firstRead = new WeakMap<RegExp, CharClass | null>();

/**
 * The characters a match of a global regex can start with (a superset), or undefined when unknown: a
 * position holding none of them cannot start a match, so the candidate scan tries no regex there.
 */
export function regexFirstChars(re: RegExp): CharClass | undefined {
  let f = firstRead.get(re);
  if (f === undefined) firstRead.set(re, (f = readFirstChars(re) ?? null));
  return f ?? undefined;
}

const beforeRead = new WeakMap<RegExp, CharClass | null>();

/**
 * The ASCII characters that cannot stand right before a match (its leading `(?<![…])`, or the
 * one-character alternatives of one), or undefined: a position after one of them cannot start a match.
 */
export function regexNotBefore(re: RegExp): CharClass | undefined {
  let b = beforeRead.get(re);
  if (b === undefined) beforeRead.set(re, (b = readNotBefore(re) ?? null));
  return b ?? undefined;
}

function readNotBefore(re: RegExp): CharClass | undefined {
  const tree = parsed(re)?.tree;
  const first = tree?.t === 'seq' ? tree.items[0] : tree;
  return first?.t === 'empty' ? first.notBefore : undefined;
}

function readFirstChars(re: RegExp): CharClass | undefined {
  const p = parsed(re);
  if (p === undefined) return undefined;
  const first = firstOf(p.tree, p.groups);
  return first.nullable ? undefined : first.cls;
}

/** What a node's match can start with, and whether it can match empty (then what follows it can start). */
function firstOf(n: Node, groups: readonly Node[]): { cls: CharClass; nullable: boolean } {
  switch (n.t) {
    case 'chars':
      return { cls: n.cls, nullable: false };
    case 'empty':
      return { cls: EMPTY_CLASS, nullable: true };
    case 'seq': {
      let cls = EMPTY_CLASS;
      for (const item of n.items) {
        const f = firstOf(item, groups);
        cls = union(cls, f.cls);
        if (!f.nullable) return { cls, nullable: false };
      }
      return { cls, nullable: true };
    }
    case 'alt': {
      let cls = EMPTY_CLASS;
      let nullable = n.items.length === 0;
      for (const item of n.items) {
        const f = firstOf(item, groups);
        cls = union(cls, f.cls);
        nullable ||= f.nullable;
      }
      return { cls, nullable };
    }
    case 'rep': {
      const f = firstOf(n.item, groups);
      return { cls: f.cls, nullable: f.nullable || n.min === 0 };
    }
    case 'backref':
      // a group that did not take part matches empty
      return { cls: firstOf(groups[n.group] ?? { t: 'empty' }, groups).cls, nullable: true };
  }
}

interface Scored {
  readonly features: Features;
  /** Estimated selectivity in bits: higher means rarer in ordinary text. */
  readonly score: number;
}

// Below this a feature fires nearly everywhere and the prefilter only adds work.
const MIN_SCORE = 8;

function lengths(n: Node, groups: readonly Node[]): { min: number; max: number } {
  switch (n.t) {
    case 'chars':
      return { min: 1, max: 1 };
    case 'empty':
      return { min: 0, max: 0 };
    case 'seq':
      return n.items.reduce((acc, i) => {
        const l = lengths(i, groups);
        return { min: acc.min + l.min, max: acc.max + l.max };
      }, { min: 0, max: 0 });
    case 'alt': {
      const ls = n.items.map((i) => lengths(i, groups));
      return { min: Math.min(...ls.map((l) => l.min)), max: Math.max(...ls.map((l) => l.max)) };
    }
    case 'rep': {
      const l = lengths(n.item, groups);
      return { min: l.min * n.min, max: l.max === 0 ? 0 : l.max * n.max };
    }
    case 'backref': {
      const g = groups[n.group];
      if (g === undefined) throw new Unsupported('backref');
      return { min: 0, max: lengths(g, groups).max };
    }
  }
}

/** Every character a node can consume. */
function charsOf(n: Node, groups: readonly Node[]): CharClass {
  switch (n.t) {
    case 'chars':
      return n.cls;
    case 'empty':
      return EMPTY_CLASS;
    case 'seq':
    case 'alt':
      return n.items.reduce((acc, i) => union(acc, charsOf(i, groups)), EMPTY_CLASS);
    case 'rep':
      return charsOf(n.item, groups);
    case 'backref':
      return charsOf(groups[n.group] ?? { t: 'empty' }, groups);
  }
}

const classBits = (c: CharClass): number => {
  // printable ASCII members weigh 1, letters of the common lower-case alphabet and space more
  let w = 0;
  c.ascii.forEach((v, i) => {
    if (v === 1) w += i === 32 ? 12 : i >= 97 && i <= 122 ? 3 : i >= 32 ? 1 : 0.2;
  });
  if (c.nonAscii) w += 20;
  return Math.log2(190 / Math.max(w, 0.5));
};

const shift = (f: Feature, lo: number, hi: number): Feature => ({ ...f, minOffset: f.minOffset + lo, maxOffset: f.maxOffset + hi });

/** The most selective feature set of a node (offsets relative to the node's own start). */
function features(n: Node, groups: readonly Node[]): Scored | undefined {
  switch (n.t) {
    case 'chars':
      return { features: [run(n.cls, 1)], score: classBits(n.cls) };
    case 'empty':
    case 'backref':
      return undefined;
    case 'rep': {
      if (n.min === 0) return undefined;
      if (n.item.t === 'chars') return { features: [run(n.item.cls, n.min)], score: classBits(n.item.cls) * n.min };
      return features(n.item, groups); // the first repetition holds it
    }
    case 'alt': {
      const each = n.items.map((i) => features(i, groups));
      if (each.some((e) => e === undefined)) return undefined;
      const ok = each as Scored[];
      return { features: ok.flatMap((e) => e.features), score: Math.min(...ok.map((e) => e.score)) - Math.log2(ok.length) };
    }
    case 'seq':
      return sequenceFeatures(n.items, groups);
  }
}

const run = (c: CharClass, length: number): Feature => ({ kind: 'run', cls: c, length, minOffset: 0, maxOffset: 0 });

function sequenceFeatures(items: readonly Node[], groups: readonly Node[]): Scored | undefined {
  const ls = items.map((i) => lengths(i, groups));
  const prefix = (k: number): { min: number; max: number } => ls.slice(0, k).reduce((a, l) => ({ min: a.min + l.min, max: a.max + l.max }), { min: 0, max: 0 });
  let best: Scored | undefined;
  const consider = (s: Scored | undefined): void => {
    if (s !== undefined && Number.isFinite(s.score) && s.features.every((f) => Number.isFinite(f.maxOffset)) && (best === undefined || s.score > best.score)) best = s;
  };
  // a stretch of consecutive items: a run of their union class, as long as their minimum lengths add up
  for (let i = 0; i < items.length; i++) {
    const off = prefix(i);
    let c = EMPTY_CLASS;
    let min = 0;
    for (let j = i; j < items.length; j++) {
      c = union(c, charsOf(items[j] as Node, groups));
      min += ls[j]?.min ?? 0;
      if (min > 0) consider({ features: [{ kind: 'run', cls: c, length: min, minOffset: off.min, maxOffset: off.max }], score: classBits(c) * min });
    }
    const inner = features(items[i] as Node, groups);
    if (inner !== undefined) consider({ features: inner.features.map((f) => shift(f, off.min, off.max)), score: inner.score });
  }
  // a literal: consecutive items that each match one of a few fixed strings (sk_|rk_, then live|test)
  for (let i = 0; i < items.length; i++) {
    let set: readonly Lit[] = [EMPTY_LIT];
    const off = prefix(i);
    for (let j = i; j < items.length; j++) {
      const next = literalSet(items[j] as Node, groups);
      if (next === undefined || set.length * next.length > MAX_LITERALS) break;
      set = set.flatMap((a) => next.map((b) => concat(a, b)));
      const shortest = Math.min(...set.map((l) => l.text.length));
      if (shortest >= 2) {
        const lits = [...new Map(set.map((l) => [`${l.folded ? 'i' : ''}/${l.text}`, l])).values()];
        const features = lits.map((l): Feature => ({ kind: 'literal', text: l.text, folded: l.folded, minOffset: off.min, maxOffset: off.max }));
        // a literal is found by indexOf, far cheaper than following a class run: it wins a tie
        consider({ features, score: 7 * shortest - Math.log2(lits.length) });
      }
    }
  }
  return best;
}

const MAX_LITERALS = 16;

interface Lit {
  readonly text: string;
  readonly folded: boolean;
}
const EMPTY_LIT: Lit = { text: '', folded: false };
const concat = (a: Lit, b: Lit): Lit =>
  a.folded === b.folded ? { text: a.text + b.text, folded: a.folded } : { text: (a.text + b.text).toLowerCase(), folded: true };

/** The strings a node can match when they are few and fixed; undefined otherwise. */
function literalSet(n: Node, groups: readonly Node[]): readonly Lit[] | undefined {
  switch (n.t) {
    case 'chars': {
      const c = singleChar(n);
      return c === undefined ? undefined : [c];
    }
    case 'empty':
      return [EMPTY_LIT];
    case 'backref':
      return undefined;
    case 'alt': {
      const out: Lit[] = [];
      for (const item of n.items) {
        const s = literalSet(item, groups);
        if (s === undefined || out.length + s.length > MAX_LITERALS) return undefined;
        out.push(...s);
      }
      return out;
    }
    case 'seq': {
      let out: readonly Lit[] = [EMPTY_LIT];
      for (const item of n.items) {
        const s = literalSet(item, groups);
        if (s === undefined || out.length * s.length > MAX_LITERALS) return undefined;
        out = out.flatMap((a) => s.map((b) => concat(a, b)));
      }
      return out;
    }
    case 'rep': {
      if (n.min !== n.max || n.min > 8) return undefined;
      return literalSet({ t: 'seq', items: Array.from({ length: n.min }, () => n.item) }, groups);
    }
  }
}

/** The one character a node matches, exactly or as an ASCII case pair {X, x} (folded, lower case). */
function singleChar(n: Node): Lit | undefined {
  if (n.t !== 'chars' || n.cls.nonAscii) return undefined;
  const members = [...n.cls.ascii.keys()].filter((i) => n.cls.ascii[i] === 1);
  if (members.length === 1) return { text: String.fromCharCode(members[0] as number), folded: false };
  const [a, b] = members as [number, number];
  return members.length === 2 && a >= 65 && a <= 90 && b === a + 32 ? { text: String.fromCharCode(b), folded: true } : undefined;
}
