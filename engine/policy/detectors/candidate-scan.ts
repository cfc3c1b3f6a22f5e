// One candidate pass per text for every catalogue regex of a policy set: the features each pattern's
// matches must contain (regex-features.ts) are found together — literals by indexOf, character-class
// runs by probing every L-th character (a run of L or more always covers a probe) and widening hits
// to the whole run — and turned into the ranges where a match of each pattern can start. Each regex
// then runs only there (sticky at each position of a short range, global from the start of a long
// one), so it returns exactly the matches a whole-text scan returns. Built once per graph.
import { endianness } from 'node:os';
import type { MatchStarts } from './identifiers/identifier.js';
import { type CharClass, type Feature, regexFeatures, regexFirstChars, regexNotBefore } from './regex-features.js';

/** A start range shorter than this is tried position by position; a longer one by one global exec. */
const STICKY_SPAN = 24;
/** One sticky attempt costs about as much as the regex scanning this many characters on its own. */
const STICKY_WEIGHT = 16;

interface Use {
  readonly pattern: number;
  readonly minOffset: number;
  readonly maxOffset: number;
  /** An exact feature: a match is the whole run, which is at most this long (see regex-features.ts). */
  readonly maxLength?: number;
}

interface RunClass {
  /** Widened in place while the plan is built (a merged class), never after. */
  readonly ascii: Uint8Array;
  readonly nonAscii: boolean;
  /** Holds exact uses: never widened or shared with a near class (a wider run is not a match's run). */
  readonly exact: boolean;
  /** The shortest run any use needs: the probe stride. */
  min: number;
  readonly uses: (Use & { readonly length: number })[];
}

/** A position whose character is 0 here cannot start a match (index 128: any non-ASCII character). */
function firstTable(c: CharClass | undefined): Uint8Array {
  const t = new Uint8Array(129).fill(1);
  if (c === undefined) return t;
  t.set(c.ascii);
  t[128] = c.nonAscii ? 1 : 0;
  return t;
}

/** 1 where a match can follow the character (index 128: any non-ASCII one, always allowed). */
function afterTable(notBefore: CharClass | undefined): Uint8Array {
  const t = new Uint8Array(129).fill(1);
  if (notBefore !== undefined) notBefore.ascii.forEach((v, c) => (t[c] = v === 1 ? 0 : 1));
  return t;
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
  /** Where the literal's anchor character is (an exact literal is found by it: see anchorOf). */
  readonly anchor: number;
  readonly uses: Use[];
}

/** The exact literals found by one character: one indexOf sweep for them all, then a compare per literal. */
interface AnchorGroup {
  readonly char: string;
  readonly literals: Literal[];
}

// indexOf stops at every occurrence of a pattern's first character, so its cost is how common that
// character is: `glpat-` stopped at every `g` of prose, `-----BEGIN ` at every dash of a date. An exact
// literal is searched by its rarest character instead (ties: the earliest), alone, which V8 finds like
// memchr, and compared around each hit; literals with the same anchor character share one sweep (the
// five GitLab prefixes all end in `-`).
function anchorOf(text: string): number {
  let best = 0;
  for (let j = 1; j < text.length; j++) if (commonness(text.charCodeAt(j)) < commonness(text.charCodeAt(best))) best = j;
  return best;
}

/** How often a character appears in prose: lower-case letters and space most, then digits and their punctuation, then upper case. */
function commonness(c: number): number {
  if ((c >= 97 && c <= 122) || c === 32) return 3;
  if ((c >= 48 && c <= 57) || c === 45 || c === 46 || c === 44 || c === 10 || c === 13) return 2;
  if (c >= 65 && c <= 90) return 1;
  return 0;
}

export class CandidatePlan {
  /** Pattern index per flags/source; -1 for a pattern scanned whole. */
  readonly #index = new Map<string, number>();
  /** The same, by the RegExp objects the plan was built from (no key string per lookup). */
  readonly #byRegex = new Map<RegExp, number>();
  readonly #patterns: number;
  /** Per covered pattern: 1 for each ASCII character a match can start with, 2 for non-ASCII ones (index 128). */
  readonly #first: Uint8Array[] = [];
  /** Per covered pattern: 0 for each ASCII character a match cannot follow (its leading negative lookbehind). */
  readonly #after: Uint8Array[] = [];
  /** By class key; a merged class is listed under each key it absorbed. */
  readonly #classes = new Map<string, RunClass>();
  /**
   * The classes probed together: those without lower-case letters (digits, upper case, separators) at
   * their shortest stride, those with them (prose is mostly lower case) at theirs.
   */
  readonly #groups: readonly ProbeGroup[];
  readonly #literals = new Map<string, Literal>();
  /** The exact literals by anchor character; the folded ones are searched one by one. */
  readonly #anchors: readonly AnchorGroup[];

  constructor(patterns: readonly RegExp[]) {
    let n = 0;
    for (const re of patterns) {
      const key = `${re.flags}/${re.source}`;
      const known = this.#index.get(key);
      if (known !== undefined) {
        this.#byRegex.set(re, known);
        continue;
      }
      const features = regexFeatures(re);
      if (features === undefined) {
        this.#index.set(key, -1);
        this.#byRegex.set(re, -1);
        continue;
      }
      const p = n++;
      this.#first.push(firstTable(regexFirstChars(re)));
      this.#after.push(afterTable(regexNotBefore(re)));
      this.#index.set(key, p);
      this.#byRegex.set(re, p);
      for (const f of features) this.#add(f, p);
    }
    this.#patterns = n;
    const all = [...new Set(this.#classes.values())];
    const plain = all.filter((rc) => !hasLowerCase(rc));
    const lower = all.filter(hasLowerCase);
    const groups: ProbeGroup[] = [];
    // When both fit in one table, the lower-case classes ride along in the first group's walks (see groupRuns).
    const ride = plain.length > 0 && lower.length > 0 && plain.length + lower.length <= GROUP_MAX;
    if (ride) groups.push(probeGroup(plain, lower), probeGroup(lower));
    else for (const part of [plain, lower]) for (let k = 0; k < part.length; k += GROUP_MAX) groups.push(probeGroup(part.slice(k, k + GROUP_MAX)));
    this.#groups = groups;
    const anchors = new Map<string, Literal[]>();
    for (const lit of this.#literals.values()) {
      if (lit.folded !== undefined) continue;
      const char = lit.text.charAt(lit.anchor);
      anchors.set(char, [...(anchors.get(char) ?? []), lit]);
    }
    this.#anchors = [...anchors].map(([char, literals]) => ({ char, literals }));
  }

  #add(f: Feature, pattern: number): void {
    const use = { pattern, minOffset: f.minOffset, maxOffset: f.maxOffset };
    if (f.kind === 'literal') {
      const key = `${f.folded ? 'i' : ''}/${f.text}`;
      let lit = this.#literals.get(key);
      if (lit === undefined) this.#literals.set(key, (lit = { text: f.text, folded: f.folded ? new RegExp(escapeRegex(f.text), 'gi') : undefined, anchor: anchorOf(f.text), uses: [] }));
      lit.uses.push(use);
      return;
    }
    const exact = f.kind === 'exact';
    const key = `${exact ? 'x' : ''}${classKey(f.cls)}`;
    let rc = this.#classes.get(key) ?? (f.length >= LONG_RUN && !exact ? this.#longClassNear(f.cls) : undefined);
    if (rc === undefined) this.#classes.set(key, (rc = { ascii: f.cls.ascii.slice(), nonAscii: f.cls.nonAscii, exact, min: f.length, uses: [] }));
    else widen(rc, f.cls);
    rc.min = Math.min(rc.min, f.length);
    this.#classes.set(key, rc);
    rc.uses.push(exact ? { ...use, length: f.length, maxLength: f.maxLength } : { ...use, length: f.length });
  }

  // Long runs of token characters are rare in prose, so the base64, token and hex classes of the
  // secrets share one pass: each pattern still needs its own length, inside a run of the union.
  #longClassNear(c: CharClass): RunClass | undefined {
    for (const rc of this.#classes.values()) {
      if (rc.min < LONG_RUN || rc.nonAscii !== c.nonAscii || rc.exact) continue;
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
    return patternIndex(this.#byRegex, this.#index, re) >= 0;
  }

  /**
   * Where each covered pattern can start in a text. With `store`, the ranges are written into it (its
   * buffers are reused, text after text) and the result is valid only until the store's next scan.
   */
  scan(text: string, store: RangeStore = new RangeStore()): CandidateStarts {
    const ranges = store.reset(this.#patterns);
    if (this.#groups.length > 0) {
      const codes = codeUnits(text);
      const runs = { count: 0 };
      for (const g of this.#groups) {
        if (g.riders !== 0) ridingRuns(codes, text.length, g, ranges, runs);
        else groupRuns(codes, text.length, g, ranges, runs.count);
      }
    }
    for (const a of this.#anchors) anchored(text, a, ranges);
    for (const lit of this.#literals.values()) if (lit.folded !== undefined) folded(text, lit.folded, lit.uses, ranges);
    return new CandidateStarts(this.#byRegex, this.#index, ranges, text.length, this.#first, this.#after);
  }
}

function report(rc: RunClass, a: number, b: number, ranges: RangeStore): void {
  for (const u of rc.uses) {
    if (b - a < u.length) continue;
    if (u.maxLength === undefined) ranges.push(u.pattern, a - u.maxOffset, b - u.length - u.minOffset);
    else if (b - a <= u.maxLength) ranges.push(u.pattern, a - u.maxOffset, a - u.minOffset); // the match is the run: it starts where the run does
  }
}

// The probes and walks read the text's UTF-16 code units from a typed array: one native copy (about
// 0.05 ms per MiB) makes every read of them 2-2.5 times cheaper than charCodeAt on the sliced and
// concatenated strings windows are (1 MiB of prose: a loop over a sliced string 2.4-2.8 ms, over the
// copy 1.0 ms). The scan is synchronous, so one scratch buffer serves every text of a thread; a text
// longer than KEEP_CODE_UNITS (a held text; windows are 68 K) gets a buffer of its own, so no thread keeps more than 512 KiB.
const KEEP_CODE_UNITS = 1 << 18;
let scratch = Buffer.alloc(0);
/** utf16le bytes are the Uint16Array's code units only on a little-endian machine. */
const LITTLE_ENDIAN = endianness() === 'LE';

function codeUnits(text: string): Uint16Array {
  const bytes = 2 * text.length;
  let buf = scratch;
  if (buf.length < bytes) {
    buf = Buffer.from(new ArrayBuffer(Math.max(bytes, Math.min(2 * buf.length, 2 * KEEP_CODE_UNITS))));
    if (text.length <= KEEP_CODE_UNITS) scratch = buf;
  }
  const codes = new Uint16Array(buf.buffer, buf.byteOffset, text.length);
  if (LITTLE_ENDIAN) buf.write(text, 0, bytes, 'utf16le');
  else for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/** Classes probed in one pass at the shortest stride of them all; one bit per class in the table. */
interface ProbeGroup {
  readonly classes: readonly RunClass[];
  readonly stride: number;
  readonly table: Int32Array;
  readonly nonAscii: number;
  /** The probed classes' bits; the rest of the table are riders (the next group's classes). */
  readonly own: number;
  /** The riders' bits (0: none). */
  readonly riders: number;
  /** The shortest run any rider needs (its own group's stride). */
  readonly ridersMin: number;
}

/** Classes per probe group: one bit each in an Int32Array. */
const GROUP_MAX = 31;

const hasLowerCase = (rc: RunClass): boolean => rc.ascii.subarray(97, 123).includes(1);

function probeGroup(probed: readonly RunClass[], riding: readonly RunClass[] = []): ProbeGroup {
  const classes = [...probed, ...riding];
  const table = new Int32Array(128);
  let nonAscii = 0;
  classes.forEach((rc, k) => {
    rc.ascii.forEach((v, c) => (table[c] = (table[c] as number) | (v === 1 ? 1 << k : 0)));
    if (rc.nonAscii) nonAscii |= 1 << k;
  });
  const own = probed.length === 31 ? 0x7fffffff : (1 << probed.length) - 1;
  return { classes, stride: Math.min(...probed.map((rc) => rc.min)), table, nonAscii, own, riders: ((1 << classes.length) - 1) & ~own, ridersMin: Math.min(...riding.map((rc) => rc.min)) };
}

// The runs a group's riders were reported for, [from, to) pairs in text order: the next group skips
// them. One scratch buffer per thread (the scan is synchronous), grown as needed.
let ridden = new Int32Array(256);

// Maximal runs of each class of the group at least its minimum long, from one probe sequence: a stride
// no longer than any class's minimum lands in every run long enough to matter. A probe's classes are
// widened together, one walk each way: a class drops out of the walk where the text leaves it, so a
// digit run is read once for all the digit classes, not once per class. A class already widened past
// the probe is not widened again, so each maximal run is reported once.
function groupRuns(text: Uint16Array, n: number, g: ProbeGroup, ranges: RangeStore, skips: number): void {
  const { classes, stride, table, nonAscii } = g;
  // the runs the previous group's riders were reported for (none unless this group's classes rode there)
  const skip = ridden;
  let q = 0;
  let skipFrom = skips > 0 ? (skip[0] as number) : n;
  const all = classes.length === 31 ? 0x7fffffff : (1 << classes.length) - 1;
  const done = new Int32Array(classes.length);
  /** The latest end in done: a probe at or past it is inside no run already widened. */
  let doneMax = 0;
  // where classes left the walk, forward and back: (mask, position) pairs, one per step that lost any
  const ends = new Int32Array(64);
  const starts = new Int32Array(64);
  for (let i = stride - 1; i < n; i += stride) {
    const c0 = (text[i] as number);
    let want = c0 < 128 ? (table[c0] as number) : nonAscii;
    if (want === 0) continue;
    if (i >= skipFrom) {
      while (q < skips && (skip[q + 1] as number) <= i) q += 2;
      skipFrom = q < skips ? (skip[q] as number) : n;
      // in a run every class of this group was reported for as a rider: on past its end, as the jump below
      if (i >= skipFrom) {
        i = skip[q + 1] as number;
        continue;
      }
    }
    if (i < doneMax) {
      for (let bits = want; bits !== 0; ) {
        const k = 31 - Math.clz32(bits);
        bits ^= 1 << k;
        if (i < (done[k] as number)) want ^= 1 << k;
      }
      if (want === 0) continue;
    }
    let live = want;
    let b = i + 1;
    let ne = 0;
    for (; b < n; b++) {
      const c = (text[b] as number);
      const gone = live & ~(c < 128 ? (table[c] as number) : nonAscii);
      if (gone === 0) continue;
      ends[ne++] = gone;
      ends[ne++] = b;
      live ^= gone;
      if (live === 0) break;
    }
    if (live !== 0) {
      ends[ne++] = live;
      ends[ne++] = n;
    }
    live = want;
    let a = i;
    let ns = 0;
    for (; a > 0; a--) {
      const c = (text[a - 1] as number);
      const gone = live & ~(c < 128 ? (table[c] as number) : nonAscii);
      if (gone === 0) continue;
      starts[ns++] = gone;
      starts[ns++] = a;
      live ^= gone;
      if (live === 0) break;
    }
    if (live !== 0) {
      starts[ns++] = live;
      starts[ns++] = 0;
    }
    // Every class of the group holds text[i] (prose: a probe in a word, for the classes with lower case):
    // each class's next run starts after its end here, the earliest of which is ends[1], and is at least
    // `stride` long, so the next probe that can land in one is ends[1] + stride.
    const next = want === all ? (ends[1] as number) : i;
    // the widest run here (furthest end, earliest start) is shorter than the stride, so than every class's
    // minimum: nothing to report, and no later probe can land in it
    if ((ends[ne - 1] as number) - (starts[ns - 1] as number) < stride) {
      i = next;
      continue;
    }
    for (let bits = want; bits !== 0; ) {
      const k = 31 - Math.clz32(bits);
      const bit = 1 << k;
      bits ^= bit;
      let e = 0;
      while (((ends[e] as number) & bit) === 0) e += 2;
      let s = 0;
      while (((starts[s] as number) & bit) === 0) s += 2;
      const to = ends[e + 1] as number;
      const from = starts[s + 1] as number;
      done[k] = to;
      if (to > doneMax) doneMax = to;
      const rc = classes[k] as RunClass;
      if (to - from >= rc.min) report(rc, from, to, ranges);
    }
    i = next;
  }
}

function ridingRuns(text: Uint16Array, n: number, g: ProbeGroup, ranges: RangeStore, runs: { count: number }): void {
  const { classes, stride, table, nonAscii, own, riders, ridersMin } = g;
  // the runs the previous group's riders were reported for (none unless this group's classes rode there)
  const skip = ridden;
  const skips = riders === 0 ? runs.count : 0;
  let q = 0;
  let skipFrom = skips > 0 ? (skip[0] as number) : n;
  if (riders !== 0) runs.count = 0;
  const done = new Int32Array(classes.length);
  /** The latest end in done: a probe at or past it is inside no run already widened. */
  let doneMax = 0;
  /** The classes whose widened run may still hold the probe (done past it), and the earliest of their ends. */
  let inRun = 0;
  let expiry = n;
  // where classes left the walk, forward and back: (mask, position) pairs, one per step that lost any
  const ends = new Int32Array(64);
  const starts = new Int32Array(64);
  for (let i = stride - 1; i < n; i += stride) {
    const c0 = (text[i] as number);
    let want = c0 < 128 ? (table[c0] as number) : nonAscii;
    if ((want & own) === 0) continue;
    // riders start only at a capital letter: what smtp-source's runs are made of, and rare in prose,
    // whose digit runs (dates, amounts) are too short for them anyway
    if (c0 - 65 > 25 || c0 < 65) want &= own;
    if (i >= skipFrom) {
      while (q < skips && (skip[q + 1] as number) <= i) q += 2;
      skipFrom = q < skips ? (skip[q] as number) : n;
      // in a run every class of this group was reported for as a rider: on past its end
      if (i >= skipFrom) {
        i = skip[q + 1] as number; // as the jump below: the next run starts past the end and is at least `stride` long
        continue;
      }
    }
    if (i < doneMax) {
      if (i >= expiry) {
        // drop the classes whose runs end at or before the probe: one look per class and widened run
        let still = 0;
        let earliest = n;
        for (let bits = inRun; bits !== 0; ) {
          const k = 31 - Math.clz32(bits);
          bits ^= 1 << k;
          const d = done[k] as number;
          if (i < d) {
            still |= 1 << k;
            if (d < earliest) earliest = d;
          }
        }
        inRun = still;
        expiry = earliest;
      }
      want &= ~inRun;
      if ((want & own) === 0) continue;
    } else {
      // past every widened run (prose, mostly): none holds the probe
      inRun = 0;
      expiry = n;
    }
    let live = want;
    let b = i + 1;
    let ne = 0;
    for (; b < n; b++) {
      const c = (text[b] as number);
      const gone = live & ~(c < 128 ? (table[c] as number) : nonAscii);
      if (gone === 0) continue;
      ends[ne++] = gone;
      ends[ne++] = b;
      live ^= gone;
      if ((live & own) === 0) break;
    }
    let dropped = 0;
    if (b < n) dropped = live;
    else if (live !== 0) {
      ends[ne++] = live;
      ends[ne++] = n;
    }
    live = want & ~dropped;
    let a = i;
    let ns = 0;
    for (; a > 0; a--) {
      const c = (text[a - 1] as number);
      const gone = live & ~(c < 128 ? (table[c] as number) : nonAscii);
      if (gone === 0) continue;
      starts[ns++] = gone;
      starts[ns++] = a;
      live ^= gone;
      if ((live & own) === 0) break;
    }
    if (a > 0) dropped |= live;
    else if (live !== 0) {
      starts[ns++] = live;
      starts[ns++] = 0;
    }
    // Riders (the next group's classes, lower case among them) go along in a walk only as far as this
    // group's own classes do, and count only when every one of them was walked and they all share one
    // run: then the run is reported here and the next group skips it (a run of upper case and digits, as
    // in smtp-source's body, is read once for both groups). Otherwise they are left to their own group:
    // a capital letter of prose ('Tuesday') is not followed through the word.
    // A run shorter than every rider's minimum is left to their own group too (prose's digit runs: a
    // probe of it there finds nothing to report, and few of them are probed there at all).
    let riddenFrom = 0;
    let riddenTo = 0;
    if ((want & riders) !== 0) {
      // (the widest run first: cheap, and in prose a run of digits or capitals ends it here)
      const e = (ends[ne - 1] as number) - (starts[ns - 1] as number) >= ridersMin && (want & riders) === riders && (dropped & riders) === 0 ? entryOf(ends, riders) : -1;
      const s = e < 0 ? -1 : entryOf(starts, riders);
      if (s >= 0) {
        riddenFrom = starts[s + 1] as number;
        riddenTo = ends[e + 1] as number;
      }
      if (riddenTo - riddenFrom < ridersMin) want &= ~riders;
    }
    // Every class of the group holds text[i] (prose: a probe in a word, for the classes with lower case):
    // each class's next run starts after its end here, the earliest of which is ends[1], and is at least
    // `stride` long, so the next probe that can land in one is ends[1] + stride.
    const next = (want & own) === own ? (ends[1] as number) : i;
    // the widest run here (furthest end, earliest start) is shorter than the stride, so than every class's
    // minimum: nothing to report, and no later probe can land in it
    if ((ends[ne - 1] as number) - (starts[ns - 1] as number) < stride) {
      i = next;
      continue;
    }
    for (let bits = want; bits !== 0; ) {
      const k = 31 - Math.clz32(bits);
      const bit = 1 << k;
      bits ^= bit;
      let e = 0;
      while (((ends[e] as number) & bit) === 0) e += 2;
      let s = 0;
      while (((starts[s] as number) & bit) === 0) s += 2;
      const to = ends[e + 1] as number;
      const from = starts[s + 1] as number;
      done[k] = to;
      inRun |= bit;
      if (to < expiry) expiry = to;
      if (to > doneMax) doneMax = to;
      const rc = classes[k] as RunClass;
      if (to - from >= rc.min) report(rc, from, to, ranges);
    }
    if ((want & riders) !== 0) {
      if (runs.count + 2 > ridden.length) {
        const grown = new Int32Array(2 * ridden.length);
        grown.set(ridden);
        ridden = grown;
      }
      ridden[runs.count++] = riddenFrom;
      ridden[runs.count++] = riddenTo;
    }
    i = next;
  }
}

/** The (mask, position) pair where the classes of `mask` left the walk, when they all left at one step; else -1. */
function entryOf(pairs: Int32Array, mask: number): number {
  let e = 0;
  while (((pairs[e] as number) & mask) === 0) e += 2;
  return ((pairs[e] as number) & mask) === mask ? e : -1;
}

function pushAll(uses: readonly Use[], at: number, ranges: RangeStore): void {
  for (const u of uses) ranges.push(u.pattern, at - u.maxOffset, at - u.minOffset);
}

function anchored(text: string, g: AnchorGroup, ranges: RangeStore): void {
  const { char, literals } = g;
  for (let at = text.indexOf(char); at !== -1; at = text.indexOf(char, at + 1)) {
    for (const lit of literals) {
      const from = at - lit.anchor;
      if (from >= 0 && text.startsWith(lit.text, from)) pushAll(lit.uses, from, ranges);
    }
  }
}

function folded(text: string, re: RegExp, uses: readonly Use[], ranges: RangeStore): void {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    pushAll(uses, m.index, ranges);
    re.lastIndex = m.index + 1;
  }
}

const escapeRegex = (s: string): string => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
const patternIndex = (byRegex: ReadonlyMap<RegExp, number>, index: ReadonlyMap<string, number>, re: RegExp): number =>
  byRegex.get(re) ?? index.get(`${re.flags}/${re.source}`) ?? -1;

const classKey = (c: CharClass): string => `${c.nonAscii ? 'U' : ''}${c.ascii.join('')}`;

/**
 * The start ranges of one text, per pattern, as [start, end] pairs in one Int32Array per pattern.
 *
 * Why a store that outlives the text: a window of a long text is scanned for some milliseconds, long
 * enough for young-generation collections to run meanwhile, and what is alive then is promoted to the
 * old generation, which is collected only when it reaches its limit (V8 lets it grow to 3-4 times what
 * was live at the last full collection). Plain arrays of one window's ranges were as large as the
 * window's text (the bench body: 53,000 numbers, 0.4 MB, plus the garbage of growing them), so a
 * 50 MB message promoted about 20 MB of dead ranges before the first full collection
 * (docs/benchmarks.md, "The 50 MB regression: cause"). A window scanner keeps one store, so the
 * ranges of every window after the first land in the same buffers.
 */
export class RangeStore {
  #flat: Int32Array[] = [];
  #length: number[] = [];
  #merged: boolean[] = [];
  #keys = new Float64Array(0);
  /** Bumped by each reset: starts of an earlier text refuse to read ranges that are not theirs. */
  #generation = 0;

  /** @internal Empties the store for a text with `patterns` covered patterns. */
  reset(patterns: number): this {
    this.#generation++;
    while (this.#flat.length < patterns) this.#flat.push(new Int32Array(INITIAL_RANGES));
    for (let p = 0; p < patterns; p++) {
      this.#length[p] = 0;
      this.#merged[p] = false;
    }
    return this;
  }

  get generation(): number {
    return this.#generation;
  }

  push(pattern: number, start: number, end: number): void {
    let flat = this.#flat[pattern] as Int32Array;
    const n = this.#length[pattern] as number;
    if (n + 2 > flat.length) {
      const grown = new Int32Array(flat.length * 2);
      grown.set(flat);
      this.#flat[pattern] = flat = grown;
    }
    flat[n] = start;
    flat[n + 1] = end;
    this.#length[pattern] = n + 2;
  }

  /** One pattern's ranges sorted, clamped to the text and joined where they overlap (in place, once). */
  merged(pattern: number, length: number): Int32Array {
    const flat = this.#flat[pattern];
    if (flat === undefined) return new Int32Array(0);
    if (this.#merged[pattern] !== true) {
      this.#length[pattern] = this.#merge(flat, this.#length[pattern] as number, length);
      this.#merged[pattern] = true;
    }
    return flat.subarray(0, this.#length[pattern]);
  }

  // Sorted, clamped, overlapping ranges joined, written over the input (each pair read yields at most
  // one pair written, before it); ends inclusive. Returns the new length.
  #merge(flat: Int32Array, count: number, length: number): number {
    let n = 0;
    const add = (s0: number, e0: number): void => {
      const s = Math.max(0, s0);
      const e = Math.min(length, e0);
      if (s > e) return;
      if (n > 0 && s <= (flat[n - 1] as number) + 1) flat[n - 1] = Math.max(flat[n - 1] as number, e);
      else {
        flat[n++] = s;
        flat[n++] = e;
      }
    };
    let sorted = true;
    for (let i = 2; i < count && sorted; i += 2) sorted = (flat[i] as number) >= (flat[i - 2] as number);
    if (sorted) {
      for (let i = 0; i < count; i += 2) add(flat[i] as number, flat[i + 1] as number);
    } else if (length < PACK) {
      // one number per pair, sorted as a typed array: no pair objects
      const pairs = count >> 1;
      if (this.#keys.length < pairs) this.#keys = new Float64Array(Math.max(pairs, this.#keys.length * 2));
      const keys = this.#keys.subarray(0, pairs);
      for (let i = 0; i < pairs; i++) keys[i] = Math.max(0, (flat[2 * i] as number) + PACK) * PACK + Math.max(0, (flat[2 * i + 1] as number) + 1);
      keys.sort();
      for (const k of keys) add(Math.floor(k / PACK) - PACK, (k % PACK) - 1);
    } else {
      const pairs: [number, number][] = [];
      for (let i = 0; i < count; i += 2) pairs.push([flat[i] as number, flat[i + 1] as number]);
      pairs.sort((a, b) => a[0] - b[0]);
      for (const [s, e] of pairs) add(s, e);
    }
    return n;
  }
}

/** Pairs × 2 per pattern a fresh store starts with; doubled as needed. */
const INITIAL_RANGES = 64;

/** The start ranges of one text, per pattern; each find gets its own cursor. */
export class CandidateStarts {
  readonly #byRegex: ReadonlyMap<RegExp, number>;
  readonly #index: ReadonlyMap<string, number>;
  readonly #ranges: RangeStore;
  readonly #generation: number;
  readonly #length: number;
  readonly #first: readonly Uint8Array[];
  readonly #after: readonly Uint8Array[];

  constructor(byRegex: ReadonlyMap<RegExp, number>, index: ReadonlyMap<string, number>, ranges: RangeStore, length: number, first: readonly Uint8Array[], after: readonly Uint8Array[]) {
    this.#byRegex = byRegex;
    this.#index = index;
    this.#ranges = ranges;
    this.#generation = ranges.generation;
    this.#length = length;
    this.#first = first;
    this.#after = after;
  }

  /** Undefined: the pattern is not covered and is scanned whole. */
  for(re: RegExp): MatchStarts | undefined {
    const p = patternIndex(this.#byRegex, this.#index, re);
    if (p < 0) return undefined;
    // a reused store holds another text's ranges now: reading them would skip real matches
    if (this.#ranges.generation !== this.#generation) throw new Error('RG_POL_INTERNAL: candidate starts used after their store scanned another text');
    return new StartCursor(this.#ranges.merged(p, this.#length), this.#length, this.#first[p] as Uint8Array, this.#after[p] as Uint8Array);
  }
}

/** Packing bound: a start (offset by PACK, so negative ones fit) and an end, each below 2 × PACK. */
const PACK = 2 ** 25;

/**
 * How many starts one probe tries. A long range (or a cluster of short ones) used to go to the global
 * regex, which does not stop at the range's end: where the text holds no match after it (prose with
 * dates, for the personal-number patterns), one exec scanned the whole rest of the text, about 1-4 ms
 * per MiB per pattern. The probe is the pattern behind a lazy prefix, `[^]{0,63}?(?:…)`, sticky: one
 * native call that tries the 64 starts from lastIndex in order, with the pattern's own lookarounds
 * seeing the real text, and stops there. Its prefix group does not capture, so the pattern's
 * backreferences keep their numbers. When it matches, the sticky regex finds which start it was.
 */
const PROBE_SPAN = 63;
const probes = new WeakMap<RegExp, RegExp>();

function probeOf(re: RegExp, first: Uint8Array): RegExp {
  let probe = probes.get(re);
  if (probe === undefined) probes.set(re, (probe = new RegExp(`[^]{0,${PROBE_SPAN}}?${firstLookahead(first)}(?:${re.source})`, `${re.flags.replace(/[gy]/g, '')}y`)));
  return probe;
}

// The probe tries a start only where its first character can begin a match, as #sticky does: a lookahead
// of one class, checked before the pattern's own lookbehinds (es-nie: only X, Y and Z go on). Written
// as the ASCII characters that cannot start a match, negated, when non-ASCII ones can (so in u mode an
// astral character is in the class too).
function firstLookahead(first: Uint8Array): string {
  const hex = (c: number): string => `\\x${c.toString(16).padStart(2, '0')}`;
  const ascii = (v: number): string => [...first.subarray(0, 128)].map((x, c) => (x === v ? hex(c) : '')).join('');
  if (first[128] === 1) {
    const never = ascii(0);
    return never === '' ? '' : `(?=[^${never}])`;
  }
  const can = ascii(1);
  return can === '' ? '(?!)' : `(?=[${can}])`;
}

/** Ranges covering at least 1/DENSE of a text make it dense (see StartCursor.exec). */
const DENSE = 8;

function denseRanges(r: Int32Array, length: number): boolean {
  let covered = 0;
  for (let i = 0; i < r.length; i += 2) covered += (r[i + 1] as number) - (r[i] as number) + 1;
  return covered * DENSE >= length;
}

class StartCursor implements MatchStarts {
  readonly #ranges: Int32Array;
  readonly #length: number;
  readonly #first: Uint8Array;
  readonly #after: Uint8Array;
  #at = 0;
  /** Whether the ranges cover at least 1/DENSE of the text (computed on first use). */
  #dense: boolean | undefined;

  constructor(ranges: Int32Array, length: number, first: Uint8Array, after: Uint8Array) {
    this.#ranges = ranges;
    this.#length = length;
    this.#first = first;
    this.#after = after;
  }

  /** Whether a match can start at p by its first character and the one before it. */
  #can(text: string, p: number): boolean {
    const c = text.charCodeAt(p);
    if (this.#first[c < 128 ? c : 128] === 0) return false;
    if (p === 0) return true;
    const b = text.charCodeAt(p - 1);
    return this.#after[b < 128 ? b : 128] === 1;
  }

  // The leftmost match at or after re.lastIndex, as re.exec would return it: positions outside every
  // range cannot start a match, so skipping them changes nothing but the work.
  exec(re: RegExp, sticky: RegExp, text: string): RegExpExecArray | null {
    let pos = re.lastIndex;
    const r = this.#ranges;
    const dense = (this.#dense ??= denseRanges(r, this.#length));
    while (this.#at < r.length) {
      const s = r[this.#at] as number;
      const e = r[this.#at + 1] as number;
      if (e < pos) {
        this.#at += 2;
        continue;
      }
      const from = Math.max(pos, s);
      if (dense) {
        // where ranges cover much of the text, the global regex running on through a gap or past the last
        // range costs little next to them, and one call beats many (npm run bench's smtp-source body: every
        // line one 78-character candidate run)
        const gap = (r[this.#at + 2] ?? this.#length) - e;
        if (e - from >= STICKY_SPAN || (e - from + 1) * STICKY_WEIGHT > gap) {
          re.lastIndex = from;
          return re.exec(text);
        }
      } else {
        // sparse ranges (prose: a date here and there) are searched 64 starts at a time, never further:
        // position by position where few can start a match, else by one bounded native search
        const to = Math.min(e, from + PROBE_SPAN);
        const tries = this.#tries(text, from, to);
        if (tries * STICKY_WEIGHT > PROBE_SPAN + 1) {
          const probe = probeOf(re, this.#first);
          probe.lastIndex = from;
          if (probe.test(text)) return this.#leftmost(re, sticky, text, from);
          pos = from + PROBE_SPAN + 1; // no match starts in [from, from + PROBE_SPAN]
          continue;
        }
        const m = tries === 0 ? null : this.#sticky(re, sticky, text, from, to);
        if (m !== null) return m;
        if (to < e) {
          pos = to + 1;
          continue;
        }
        this.#at += 2;
        continue;
      }
      const m = this.#sticky(re, sticky, text, from, e);
      if (m !== null) return m;
      this.#at += 2;
    }
    return null;
  }

  /** How many positions of [from, to] can start a match by their first character and the one before (what #sticky would try). */
  #tries(text: string, from: number, to: number): number {
    let n = 0;
    for (let p = from; p <= to; p++) if (this.#can(text, p)) n++;
    return n;
  }

  /** The first match starting in [from, to], tried position by position (skipping impossible first characters). */
  #sticky(re: RegExp, sticky: RegExp, text: string, from: number, to: number): RegExpExecArray | null {
    for (let p = from; p <= to; p++) {
      // a regex call costs far more than these look-ups, and most candidate positions fail on their first character or the one before
      if (!this.#can(text, p)) continue;
      sticky.lastIndex = p;
      const m = sticky.exec(text);
      if (m !== null) {
        re.lastIndex = p + m[0].length;
        return m;
      }
    }
    return null;
  }

  /** The match the probe saw start in [from, from + PROBE_SPAN]: the first position where the pattern matches. */
  #leftmost(re: RegExp, sticky: RegExp, text: string, from: number): RegExpExecArray | null {
    const m = this.#sticky(re, sticky, text, from, from + PROBE_SPAN);
    if (m !== null) return m;
    // unreachable while the probe and the sticky regex agree; the unbounded search is always right
    re.lastIndex = from;
    return re.exec(text);
  }
}
