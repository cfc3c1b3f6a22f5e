// Text as a reader sees it once the Unicode Bidirectional Algorithm (UAX #9) has laid it out: under an
// override (U+202E RLO, <bdo dir="rtl">, unicode-bidi: bidi-override) every character runs right to left,
// so "1111 1111 1111 1114" shows as "4111 1111 1111 1111"; in a right-to-left embedding, isolate or
// paragraph European digits keep their order inside a group (W4, W5, W7) but the spaces between groups
// resolve to R (N1) and the groups are laid out right to left (I2, L2): "1111 1111 1111 4111" shows as
// "4111 1111 1111 1111". The detectors read the logical order; this gives them the display order too, as an
// extra reading, and only where a line has something to reorder.
//
// A reduced UBA: bidi classes from a table (the common ranges, not the whole UCD), explicit levels (X1-X8,
// up to depth 125), BN removed (X9), level runs as the run sequences (X10, isolates not bridged), W1-W7,
// N1-N2 (no bracket pairs, N0), I1-I2, trailing white space to the paragraph level (L1), L2 reversal and
// mirrored ASCII brackets (L4). Each line is a paragraph (plain text) or, in markup, a line of a block whose
// direction and open embeddings carry over from the line before.

const enum C {
  L, R, AL, EN, ES, ET, AN, CS, NSM, BN, B, S, WS, ON, LRE, LRO, RLE, RLO, PDF, LRI, RLI, FSI, PDI,
}

/** Something that can change the order: an explicit control, RLM/ALM, or a Hebrew/Arabic-family letter. */
const TRIGGER = /[\u0590-\u08ff\u200f\u202a-\u202e\u2066-\u2069\ufb1d-\ufdff\ufe70-\ufefc]/;
const DIGIT = /\p{Nd}/u;
const LINE = /\r\n|[\n\r\u2029\u0085\u001c-\u001e]/;
const MAX_DEPTH = 125;
/** L4: ( ) [ ] { } < > « » as their twins. */
function mirrored(c: number): number {
  switch (c) {
    case 0x28: return 0x29;
    case 0x29: return 0x28;
    case 0x5b: return 0x5d;
    case 0x5d: return 0x5b;
    case 0x7b: return 0x7d;
    case 0x7d: return 0x7b;
    case 0x3c: return 0x3e;
    case 0x3e: return 0x3c;
    case 0xab: return 0xbb;
    case 0xbb: return 0xab;
    default: return c;
  }
}

/** Work arrays up to this many characters are kept between lines. */
const KEEP_SCRATCH = 1 << 16;
// per-line work arrays, grown as lines need (typed arrays are costly to allocate line after line)
let scratch = { lv: new Uint8Array(256), codes: new Uint16Array(256), order: new Int32Array(256), shown: new Uint16Array(256) };
let lines = { orig: new Uint8Array(256), types: new Uint8Array(256), levels: new Uint8Array(256), kept: new Uint8Array(256), idx: new Int32Array(256) };
function lineScratch(n: number): typeof lines {
  if (lines.orig.length < n) {
    const size = Math.max(n, lines.orig.length * 2);
    const fresh = { orig: new Uint8Array(size), types: new Uint8Array(size), levels: new Uint8Array(size), kept: new Uint8Array(size), idx: new Int32Array(size) };
    // a longer line (markup on one line) gets arrays of its own, not kept for the life of the process
    if (size > KEEP_SCRATCH) return fresh;
    lines = fresh;
  }
  return lines;
}
function scratchFor(m: number): typeof scratch {
  if (scratch.lv.length < m) {
    const size = Math.max(m, scratch.lv.length * 2);
    const fresh = { lv: new Uint8Array(size), codes: new Uint16Array(size), order: new Int32Array(size), shown: new Uint16Array(size) };
    if (size > KEEP_SCRATCH) return fresh;
    scratch = fresh;
  }
  return scratch;
}

let table: Uint8Array | undefined;

function buildTable(): Uint8Array {
  const t = new Uint8Array(0x10000).fill(C.ON);
  const all: string[] = [];
  for (let c = 0; c < 0x10000; c += 0x1000) {
    const cps: number[] = [];
    for (let k = c; k < c + 0x1000; k++) cps.push(k >= 0xd800 && k <= 0xdfff ? 0x20 : k);
    all.push(String.fromCharCode(...cps));
  }
  const bmp = all.join('');
  const each = (re: RegExp, v: C): void => {
    for (const m of bmp.matchAll(re)) t[m.index] = v;
  };
  each(/\p{L}|\p{Nd}|\p{Mc}/gu, C.L);
  each(/[\p{Mn}\p{Me}]/gu, C.NSM);
  each(/\p{Cf}|[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]/gu, C.BN);
  const range = (lo: number, hi: number, v: C, only?: (c: number) => boolean): void => {
    for (let c = lo; c <= hi; c++) if (only === undefined || only(c)) t[c] = v;
  };
  const notMark = (c: number): boolean => t[c] !== C.NSM && t[c] !== C.BN;
  range(0x0590, 0x05ff, C.R, notMark);
  range(0x07c0, 0x085f, C.R, notMark);
  range(0xfb1d, 0xfb4f, C.R, notMark);
  range(0x0600, 0x07bf, C.AL, notMark);
  range(0x0860, 0x08ff, C.AL, notMark);
  range(0xfb50, 0xfdff, C.AL, notMark);
  range(0xfe70, 0xfefe, C.AL, notMark);
  for (const c of [0x0600, 0x0601, 0x0602, 0x0603, 0x0604, 0x0605, 0x066b, 0x066c, 0x06dd, 0x08e2]) t[c] = C.AN;
  range(0x0660, 0x0669, C.AN);
  range(0x30, 0x39, C.EN);
  range(0x06f0, 0x06f9, C.EN);
  range(0xff10, 0xff19, C.EN);
  range(0x2070, 0x2079, C.EN);
  range(0x2080, 0x2089, C.EN);
  for (const c of [0xb2, 0xb3, 0xb9]) t[c] = C.EN;
  for (const c of [0x2b, 0x2d, 0x207a, 0x207b, 0x208a, 0x208b, 0x2212, 0xfe62, 0xfe63, 0xff0b, 0xff0d]) t[c] = C.ES;
  for (const c of [0x23, 0x24, 0x25, 0xa2, 0xa3, 0xa4, 0xa5, 0xb0, 0xb1, 0x066a, 0x2030, 0x2031, 0x2032, 0x2033, 0x2034, 0xfe5f, 0xfe69, 0xfe6a, 0xff03, 0xff04, 0xff05]) t[c] = C.ET;
  range(0x20a0, 0x20cf, C.ET);
  for (const c of [0x2c, 0x2e, 0x2f, 0x3a, 0xa0, 0x060c, 0x202f, 0x2044, 0xfe50, 0xfe52, 0xfe55, 0xff0c, 0xff0e, 0xff0f, 0xff1a]) t[c] = C.CS;
  for (const c of [0x09, 0x0b, 0x1f]) t[c] = C.S;
  for (const c of [0x0a, 0x0d, 0x1c, 0x1d, 0x1e, 0x85, 0x2029]) t[c] = C.B;
  for (const c of [0x20, 0x0c, 0x1680, 0x2028, 0x205f, 0x3000]) t[c] = C.WS;
  range(0x2000, 0x200a, C.WS);
  t[0x200e] = C.L;
  t[0x200f] = C.R;
  t[0x061c] = C.AL;
  t[0x202a] = C.LRE;
  t[0x202b] = C.RLE;
  t[0x202c] = C.PDF;
  t[0x202d] = C.LRO;
  t[0x202e] = C.RLO;
  t[0x2066] = C.LRI;
  t[0x2067] = C.RLI;
  t[0x2068] = C.FSI;
  t[0x2069] = C.PDI;
  range(0xd800, 0xdfff, C.L);
  return t;
}

interface Entry {
  readonly level: number;
  /** C.L or C.R under an override, else -1. */
  readonly override: number;
  readonly isolate: boolean;
}

/** The embedding state a markup line starts in: what the lines before left open. */
export class BidiState {
  stack: Entry[] = [{ level: 0, override: -1, isolate: false }];
}

/**
 * The lines of `text` whose display order differs from their logical order, in display order (explicit
 * controls left out), one per line; '' when there are none. `state`: markup, whose embeddings span lines.
 */
export function bidiReading(text: string, state?: BidiState): string {
  if (!TRIGGER.test(text)) return '';
  const t = (table ??= buildTable());
  const out: string[] = [];
  for (const line of text.split(LINE)) {
    if (state === undefined && (!DIGIT.test(line) || !TRIGGER.test(line) || (!EXPLICIT.test(line) && !digitRunsApart(line)))) continue;
    const shown = reorderLine(line, t, state);
    if (shown !== undefined && (state === undefined || DIGIT.test(line))) out.push(shown);
  }
  return out.join('\n');
}

// Explicit embeddings, overrides, isolates and marks: with one, a line can reorder anything, even one digit group.
const EXPLICIT = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Whether two digit runs of a line stand apart by more than one number separator: without explicit controls,
 * digits keep their order inside a run (W4 joins "1111-2222" and "1,5" into one), and only runs apart can be
 * laid out in the other order ("1111 2222" in a right-to-left run shows as "2222 1111"); a line with one
 * number, as most right-to-left lines with digits have, cannot show another. One pass over the line.
 */
function digitRunsApart(line: string): boolean {
  // after an Arabic letter European digits are Arabic numbers (W2), which only a common separator joins (W4)
  const joins = ARABIC_LETTER.test(line) ? COMMON_SEPARATOR : SEPARATOR;
  let lastDigit = -1;
  let lastKind = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    const kind = digitKind(c);
    if (kind === 0) continue;
    // a digit that is no number to the algorithm (Devanagari and the like are strong left-to-right), or a
    // European digit next to an Arabic one: not one run, whatever stands between
    if (kind === OTHER_DIGIT) return true;
    if (lastDigit >= 0) {
      const gap = i - lastDigit - 1;
      if (kind !== lastKind || gap >= 2 || (gap === 1 && !joins.has(line.charCodeAt(i - 1)))) return true;
    }
    lastDigit = i;
    lastKind = kind;
  }
  return false;
}

// the European (+ -) and common (, . / : no-break space) separators W4 joins two European digits over
const SEPARATOR = new Set([0x2b, 0x2d, 0x2c, 0x2e, 0x2f, 0x3a, 0xa0]);
const COMMON_SEPARATOR = new Set([0x2c, 0x2e, 0x2f, 0x3a, 0xa0]);
// Arabic-letter (AL) blocks: Arabic, Syriac, Thaana, Arabic supplement/extended, presentation forms
const ARABIC_LETTER = /[\u0600-\u07bf\u0860-\u08ff\ufb50-\ufdff\ufe70-\ufefc]/;
const EUROPEAN = 1;
const ARABIC = 2;
const OTHER_DIGIT = 3;
/** 0 for no digit; European numbers (ASCII and extended Arabic-Indic, type EN), Arabic-Indic (AN), other Nd. */
function digitKind(c: number): number {
  if (c >= 0x30 && c <= 0x39) return EUROPEAN;
  if (c < 0x660) return 0;
  if (c <= 0x669) return ARABIC;
  if (c >= 0x6f0 && c <= 0x6f9) return EUROPEAN;
  // a surrogate half may be part of an astral digit (mathematical digits are European numbers): read as one
  if (c >= 0xd800 && c <= 0xdfff) return OTHER_DIGIT;
  return c > 0x7f && DIGIT.test(String.fromCharCode(c)) ? OTHER_DIGIT : 0;
}

function firstStrong(types: Uint8Array, from: number, to: number): number {
  let isolates = 0;
  for (let i = from; i < to; i++) {
    const c = types[i];
    if (c === C.LRI || c === C.RLI || c === C.FSI) isolates++;
    else if (c === C.PDI) {
      if (isolates === 0) return -1;
      isolates--;
    } else if (isolates === 0 && (c === C.L || c === C.R || c === C.AL)) return c === C.L ? C.L : C.R;
  }
  return -1;
}

function reorderLine(line: string, t: Uint8Array, state: BidiState | undefined): string | undefined {
  const n = line.length;
  if (n === 0) return undefined;
  const { orig, types, levels, kept, idx } = lineScratch(n);
  for (let i = 0; i < n; i++) orig[i] = t[line.charCodeAt(i)] ?? C.ON;
  // P2, P3: a plain line's direction is its first strong character's; a markup line's is its block's
  const stack = state?.stack ?? [{ level: firstStrong(orig, 0, n) === C.R ? 1 : 0, override: -1, isolate: false }];
  const para = stack[0]?.level ?? 0;
  const x = explicitLevels(orig, n, stack, para, { types, levels, kept, idx });
  return x === undefined ? undefined : displayOrder(line, orig, x, para);
}

interface Explicit {
  readonly types: Uint8Array;
  readonly levels: Uint8Array;
  /** 1 for a character X9 keeps. */
  readonly kept: Uint8Array;
  readonly idx: Int32Array;
}

/** X1-X9: each character's embedding level and (overridden) type; undefined when all of it is at level 0 and L. */
function explicitLevels(orig: Uint8Array, n: number, stack: Entry[], para: number, x: Explicit): Explicit | undefined {
  const { types, levels, kept } = x;
  kept.fill(0, 0, n);
  let overflow = 0;
  let any = false;
  for (let i = 0; i < n; i++) {
    const c = orig[i] ?? C.ON;
    const top = stack[stack.length - 1] ?? { level: para, override: -1, isolate: false };
    if (c === C.RLE || c === C.LRE || c === C.RLO || c === C.LRO || c === C.RLI || c === C.LRI || c === C.FSI) {
      const isolate = c === C.RLI || c === C.LRI || c === C.FSI;
      let rtl = c === C.RLE || c === C.RLO || c === C.RLI;
      if (c === C.FSI) {
        let end = i + 1;
        for (let depth = 1; end < n; end++) {
          const e = orig[end];
          if (e === C.LRI || e === C.RLI || e === C.FSI) depth++;
          else if (e === C.PDI && --depth === 0) break;
        }
        rtl = firstStrong(orig, i + 1, end) === C.R;
      }
      const level = rtl ? (top.level + 1) | 1 : (top.level + 2) & ~1;
      if (isolate) {
        // an isolate initiator is a neutral of the outer run
        levels[i] = top.level;
        types[i] = top.override >= 0 ? top.override : C.ON;
        kept[i] = 1;
      }
      if (level <= MAX_DEPTH && overflow === 0) stack.push({ level, override: c === C.RLO ? C.R : c === C.LRO ? C.L : -1, isolate });
      else overflow++;
      continue;
    }
    if (c === C.PDF || c === C.PDI) {
      if (overflow > 0) overflow--;
      else if (c === C.PDF ? stack.length > 1 && top.isolate === false : stack.some((e) => e.isolate)) {
        if (c === C.PDI) while (stack.length > 1 && stack.pop()?.isolate === false);
        else stack.pop();
      }
      if (c === C.PDI) {
        const now = stack[stack.length - 1] ?? top;
        levels[i] = now.level;
        types[i] = now.override >= 0 ? now.override : C.ON;
        kept[i] = 1;
      }
      continue;
    }
    if (c === C.BN) continue;
    levels[i] = top.level;
    types[i] = top.override >= 0 ? top.override : c;
    kept[i] = 1;
    if (top.level > 0 || c === C.R || c === C.AL || c === C.AN) any = true;
  }
  return !any && para === 0 ? undefined : x;
}

/** X10, W, N, I and L rules: the line in display order, or undefined when it is its logical order. */
function displayOrder(line: string, orig: Uint8Array, { types, levels, kept, idx }: Explicit, para: number): string | undefined {
  const n = line.length;
  // X9, X10: the kept characters, cut into runs of one level
  let m = 0;
  for (let i = 0; i < n; i++) if (kept[i] === 1) idx[m++] = i;
  let start = 0;
  while (start < m) {
    const level = levels[idx[start] ?? 0] ?? 0;
    let end = start + 1;
    while (end < m && levels[idx[end] ?? 0] === level) end++;
    const before = start === 0 ? para : (levels[idx[start - 1] ?? 0] ?? para);
    const after = end === m ? para : (levels[idx[end] ?? 0] ?? para);
    resolveRun(types, idx, start, end, level, (Math.max(level, before) & 1) === 1 ? C.R : C.L, (Math.max(level, after) & 1) === 1 ? C.R : C.L);
    start = end;
  }
  // I1, I2; the characters as code units (an isolate's controls hold their place but draw nothing: 0)
  const { lv, codes, order, shown } = scratchFor(m);
  for (let k = 0; k < m; k++) {
    const i = idx[k] ?? 0;
    const c = types[i] ?? C.ON;
    let level = levels[i] ?? 0;
    if ((level & 1) === 0) level += c === C.R ? 1 : c === C.AN || c === C.EN ? 2 : 0;
    else if (c === C.L || c === C.EN || c === C.AN) level += 1;
    lv[k] = level;
    const o = orig[i];
    codes[k] = o === C.LRI || o === C.RLI || o === C.FSI || o === C.PDI ? 0 : line.charCodeAt(i);
  }
  // L1: trailing white space, and white space before a tab, at the paragraph level
  for (let k = m - 1, trailing = true; k >= 0; k--) {
    const o = orig[idx[k] ?? 0];
    if (o === C.S) {
      lv[k] = para;
      trailing = true;
    } else if (trailing && (o === C.WS || o === C.LRI || o === C.RLI || o === C.FSI || o === C.PDI)) lv[k] = para;
    else trailing = false;
  }
  let high = 0;
  let lowOdd = 255;
  for (let k = 0; k < m; k++) {
    const l = lv[k] ?? 0;
    if (l > high) high = l;
    if ((l & 1) === 1 && l < lowOdd) lowOdd = l;
  }
  if (high === 0) return undefined;
  // L4: a mirrored bracket shows its twin at an odd level
  for (let k = 0; k < m; k++) {
    if (((lv[k] ?? 0) & 1) === 0) continue;
    codes[k] = mirrored(codes[k] ?? 0);
  }
  // L2: from the highest level to the lowest odd one, every run at that level or above is reversed
  for (let k = 0; k < m; k++) order[k] = k;
  for (let level = high; level >= lowOdd; level--) {
    for (let k = 0; k < m; ) {
      if ((lv[order[k] ?? 0] ?? 0) < level) {
        k++;
        continue;
      }
      let e = k;
      while (e < m && (lv[order[e] ?? 0] ?? 0) >= level) e++;
      order.subarray(k, e).reverse();
      k = e;
    }
  }
  let moved = false;
  let len = 0;
  for (let k = 0; k < m; k++) {
    const at = order[k] ?? 0;
    if (at !== k && codes[at] !== codes[k]) moved = true;
    const c = codes[at] ?? 0;
    if (c !== 0) shown[len++] = c;
  }
  if (!moved) return undefined;
  const parts: string[] = [];
  for (let k = 0; k < len; k += 0x2000) parts.push(String.fromCharCode.apply(null, shown.subarray(k, Math.min(k + 0x2000, len)) as unknown as number[]));
  return parts.join('');
}

const isStrong = (c: number): boolean => c === C.L || c === C.R || c === C.AL;
const isNeutral = (c: number): boolean => c === C.WS || c === C.ON || c === C.S || c === C.B || c === C.LRI || c === C.RLI || c === C.FSI || c === C.PDI;

/** W1-W7 and N1-N2 on the characters idx[from..to) of one level run. */
function resolveRun(types: Uint8Array, idx: Int32Array, from: number, to: number, level: number, sos: number, eos: number): void {
  const at = (k: number): number => types[idx[k] ?? 0] ?? C.ON;
  const set = (k: number, v: number): void => {
    types[idx[k] ?? 0] = v;
  };
  // W1: a mark takes the type before it (ON after an isolate initiator or PDI)
  for (let k = from; k < to; k++) {
    if (at(k) !== C.NSM) continue;
    const prev = k === from ? sos : at(k - 1);
    set(k, prev === C.LRI || prev === C.RLI || prev === C.FSI || prev === C.PDI ? C.ON : prev);
  }
  // W2, W3: European digits after Arabic letters are Arabic digits; AL is R
  let strong = sos;
  for (let k = from; k < to; k++) {
    const c = at(k);
    if (isStrong(c)) strong = c;
    else if (c === C.EN && strong === C.AL) set(k, C.AN);
  }
  for (let k = from; k < to; k++) if (at(k) === C.AL) set(k, C.R);
  // W4: one separator between two numbers of a kind joins them
  for (let k = from + 1; k < to - 1; k++) {
    const c = at(k);
    const a = at(k - 1);
    const b = at(k + 1);
    if (c === C.ES && a === C.EN && b === C.EN) set(k, C.EN);
    else if (c === C.CS && a === b && (a === C.EN || a === C.AN)) set(k, a);
  }
  // W5: terminators next to a European number are part of it
  for (let k = from; k < to; k++) {
    if (at(k) !== C.ET) continue;
    let e = k;
    while (e < to && at(e) === C.ET) e++;
    if ((k > from && at(k - 1) === C.EN) || (e < to && at(e) === C.EN)) for (let j = k; j < e; j++) set(j, C.EN);
    k = e - 1;
  }
  // W6: the separators and terminators left are neutral
  for (let k = from; k < to; k++) {
    const c = at(k);
    if (c === C.ES || c === C.ET || c === C.CS) set(k, C.ON);
  }
  // W7: European digits after an L are L
  strong = sos;
  for (let k = from; k < to; k++) {
    const c = at(k);
    if (c === C.L || c === C.R) strong = c;
    else if (c === C.EN && strong === C.L) set(k, C.L);
  }
  // N1, N2: neutrals between two of one direction take it (numbers count as R), the others the embedding's
  const dir = (c: number): number => (c === C.L ? C.L : C.R);
  const embedding = (level & 1) === 1 ? C.R : C.L;
  for (let k = from; k < to; k++) {
    if (!isNeutral(at(k))) continue;
    let e = k;
    while (e < to && isNeutral(at(e))) e++;
    const before = k === from ? sos : dir(at(k - 1));
    const after = e === to ? eos : dir(at(e));
    const v = before === after ? before : embedding;
    for (let j = k; j < e; j++) set(j, v);
    k = e - 1;
  }
}
