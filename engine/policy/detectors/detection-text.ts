// The text the detectors see: what a reader takes in, not how it is spelled. Invisible format characters
// (soft hyphen, zero-width space and joiners, bidi controls, word joiner, BOM...) go, digits of every
// script (Arabic-Indic, Devanagari, full-width, mathematical...) become 0-9, full-width ASCII becomes
// ASCII, exotic spaces a plain space and every dash a hyphen, so "4111\u200b1111", "٤١١١" or
// "536–22–4417" is read as the number it shows.
// Only detection uses it: a sample is redacted from it, the message itself is never changed.

// Cf (format), the combining grapheme joiner, variation selectors and the other default-ignorable code points draw nothing, enclosing marks (Me:
// the keycap of "4\ufe0f\u20e3", a circle) only decorate the digit they follow; every Nd digit, the
// No digits NFKC folds to one digit (superscripts, circled), full-width forms, spaces and line
// separators are mapped. All of them lie above U+00A0, so ASCII (and the no-break space, which the
// detectors read as a blank already) is passed over by one linear test that allocates nothing. NUL is
// the one control among them that goes too: HTML parsers (and so the readers built on them) drop it from
// text, so "4111\u00001111…" shows as one number.
const BEYOND = /[^\x01-\xa0]/g;
const KEEP = 0;
const DROP = 1;
/** A combining mark (Mn): dropped after a digit, which it only decorates ("4\u0301" still shows a 4); kept
 * after a letter, whose spelling it is part of. */
const MARK = 2;
const isAsciiDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** Where mapped characters can sit: the BMP, plane 1 (digits, format characters) and plane 14 (tags,
 * variation selectors); planes 2-3 are ideographs, 4-13 unassigned, 15-16 private use. */
const PLANES: readonly (readonly [number, number])[] = [[0xa1, 0x1ffff], [0xe0000, 0xe0fff]];

interface Table {
  /** Per BMP code unit: KEEP, DROP, or the ASCII character it becomes. */
  readonly bmp: Uint8Array;
  /** Code points beyond the BMP (mathematical digits, tag characters...) → replacement ('' drops). */
  readonly astral: ReadonlyMap<number, string>;
}

/** Built once, on the first text with a character beyond Latin-1 punctuation. */
let table: Table | undefined;

export function detectionText(text: string): string {
  BEYOND.lastIndex = 0;
  if (!BEYOND.test(text)) return text;
  const { bmp, astral } = (table ??= buildTable());
  const n = text.length;
  let i = BEYOND.lastIndex - 1;
  // most non-ASCII text (accents, CJK prose) has nothing to change: find the first change before copying
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    const v = bmp[c] ?? KEEP;
    if (v === MARK ? isAsciiDigit(text.charCodeAt(i - 1)) : v !== KEEP || (c >= 0xd800 && c <= 0xdbff && astral.has(text.codePointAt(i) ?? 0))) break;
  }
  if (i === n) return text;
  const out = new Uint16Array(n);
  for (let k = 0; k < i; k++) out[k] = text.charCodeAt(k);
  let len = i;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    const v = bmp[c] ?? KEEP;
    if (v === DROP) continue;
    if (v === MARK) {
      // marks in a row after one digit all go: the last character written is still the digit
      if (!isAsciiDigit(len > 0 ? (out[len - 1] ?? 0) : 0)) out[len++] = c;
    } else if (v !== KEEP) out[len++] = v;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && astral.has(text.codePointAt(i) ?? 0)) {
      const r = astral.get(text.codePointAt(i) ?? 0) ?? '';
      if (r !== '') out[len++] = r.charCodeAt(0);
      i++;
    } else out[len++] = c;
  }
  // in slices: fromCharCode takes its units as arguments, and a typed array's byte order is the host's
  const parts: string[] = [];
  for (let k = 0; k < len; k += 0x2000) parts.push(String.fromCharCode(...out.subarray(k, Math.min(k + 0x2000, len))));
  return parts.join('');
}

function buildTable(): Table {
  const bmp = new Uint8Array(0x10000);
  bmp[0] = DROP;
  const astral = new Map<number, string>();
  const set = (cp: number, to: string): void => {
    if (cp > 0xffff) astral.set(cp, to);
    else bmp[cp] = to === '' ? DROP : to.charCodeAt(0);
  };
  // The code points in one string, searched once per class: a regex test per code point is ~20x slower.
  const chunks: string[] = [];
  for (const [lo, hi] of PLANES) {
    for (let from = lo; from <= hi; from += 0x1000) {
      const cps: number[] = [];
      for (let c = from; c <= Math.min(from + 0xfff, hi); c++) if (c < 0xd800 || c > 0xdfff) cps.push(c);
      chunks.push(String.fromCodePoint(...cps));
    }
  }
  const space = chunks.join('');
  // Nd digits come in contiguous runs of ten, 0 to 9 (a Unicode stability guarantee), so in a block of
  // adjacent runs a digit's value is its distance from the block's first code point, modulo ten
  let blockStart = -1;
  let last = -2;
  for (const [ch] of space.matchAll(/\p{Nd}/gu)) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp !== last + 1) blockStart = cp;
    last = cp;
    set(cp, String((cp - blockStart) % 10));
  }
  for (const [ch] of space.matchAll(/\p{Mn}/gu)) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp <= 0xffff) bmp[cp] = MARK;
  }
  for (const [ch] of space.matchAll(/[\p{Cf}\p{Me}\u034f\u180b-\u180f\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/gu)) set(ch.codePointAt(0) ?? 0, '');
  // letters Unicode makes default-ignorable (the Hangul fillers) and its unassigned default-ignorable code
  // points: a reader's renderer draws nothing for them, as for a format character
  for (const cp of [0x115f, 0x1160, 0x3164, 0xffa0, 0x2065, 0xfff0, 0xfff1, 0xfff2, 0xfff3, 0xfff4, 0xfff5, 0xfff6, 0xfff7, 0xfff8]) set(cp, '');
  for (const [ch] of space.matchAll(/\p{Zs}/gu)) set(ch.codePointAt(0) ?? 0, ' ');
  // the blank Braille pattern is drawn as a blank
  set(0x2800, ' ');
  // every dash (Pd: hyphen, non-breaking hyphen, figure, en and em dash, horizontal bar, the small and
  // full-width forms…) and the minus sign read as the hyphen they show: "536–22–4417" is an SSN to a
  // reader, and every detector written with '-' (SSN, NHS, HETU's century sign…) reads it so
  for (const [ch] of space.matchAll(/[\p{Pd}\u2212]/gu)) set(ch.codePointAt(0) ?? 0, '-');
  set(0x2028, '\n');
  set(0x2029, '\n');
  for (let cp = 0xff01; cp <= 0xff5e; cp++) set(cp, String.fromCharCode(cp - 0xfee0));
  // only a No character that folds to one digit ("²", "①"); "⑴" → "(1)" stays as written
  for (const [ch] of space.matchAll(/\p{No}/gu)) {
    const folded = ch.normalize('NFKC');
    if (/^[0-9]$/.test(folded)) set(ch.codePointAt(0) ?? 0, folded);
  }
  return { bmp, astral };
}
