// Whether a string a content stream shows is seen, for the text as shown (pdf-content.ts): the graphics
// state's render mode, fill and stroke colour, font size and horizontal scaling, and where on the page the
// string can lie. Exact, not generous: a reading that drops text a viewer does show could be combined with a
// real hiding place to defeat both readings, so every doubt keeps the text:
// - render mode 3 (invisible) and 7 (clip only) are not seen; 0 and 4 by their fill, 1 and 5 by their
//   stroke, 2 and 6 by either; any other value is seen;
// - white (within 12 of 255 in each channel, as css-colour's invisibleOn) is unseen only in DeviceGray,
//   DeviceRGB or DeviceCMYK (g, rg, k, sc/scn after cs) and only until the stream has painted anything
//   non-white (a fill, a stroke, a shading, an inline image): a background drawn first may be under it;
// - a size under one point (|Tf|, or its width after Tz) is not seen, nor a size of 0 (pdf.js draws
//   nothing); not where the file sets a /UserUnit (a larger unit than a point);
// - in a stream with a /BBox or /Matrix (a tiling pattern's cell: placed, sized and for an uncoloured one
//   coloured where it is used), only the render mode is judged;
// - off the page: the string's extent lies wholly outside every MediaBox of the file (not only its own
//   page's, which is not looked up), its width bounded by the widest glyph any /Widths or /MissingWidth
//   gives (1.5 em without them) and its TJ gaps; with character or word spacing, a negative size or
//   scaling on its line, only its height is compared.
// Not judged: the CropBox, text drawn and then covered, clipping paths, soft masks and transparency.

export interface PageBox {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

/** The union of the file's MediaBoxes, or undefined when one is no literal array (or there is none). */
export function mediaBoxUnion(objectTexts: readonly string[]): PageBox | undefined {
  let box: PageBox | undefined;
  // pages mostly repeat one box: each written form is read once
  const read = new Set<string>();
  for (const text of objectTexts) {
    for (let at = text.indexOf('/MediaBox'); at >= 0; at = text.indexOf('/MediaBox', at + 9)) {
      const close = text.indexOf(']', at);
      const written = text.slice(at, close < 0 || close - at > 120 ? at + 120 : close + 1);
      if (read.has(written)) continue;
      read.add(written);
      const m = /^\/MediaBox\s*\[\s*([-+.\d]+)\s+([-+.\d]+)\s+([-+.\d]+)\s+([-+.\d]+)\s*\]/.exec(written);
      const v = m === null ? [] : m.slice(1).map(Number);
      if (v.length !== 4 || v.some((n) => !Number.isFinite(n))) return undefined;
      const [a = 0, b = 0, c = 0, d = 0] = v;
      const next = { x0: Math.min(a, c), y0: Math.min(b, d), x1: Math.max(a, c), y1: Math.max(b, d) };
      box = box === undefined ? next : { x0: Math.min(box.x0, next.x0), y0: Math.min(box.y0, next.y0), x1: Math.max(box.x1, next.x1), y1: Math.max(box.y1, next.y1) };
    }
  }
  return box;
}

/** The widest glyph advance any font of the file can give, in em (Infinity when a width is not a literal). */
export function widestGlyph(objectTexts: readonly string[]): number {
  let widest = 1.5;
  for (const text of objectTexts) {
    if (!text.includes('Width')) continue;
    for (const m of text.matchAll(/\/(Widths|MissingWidth)\s*(\[[^\]]*\]|[-+.\d]+(?:\s+\d+\s+R)?)/g)) {
      const value = m[2] ?? '';
      if (/R$/.test(value)) return Infinity;
      // a negative width moves the next glyph back: no bound along the line then
      for (const n of value.match(/[-+]?\d*\.?\d+/g) ?? []) widest = Number(n) < 0 ? Infinity : Math.max(widest, Number(n) / 1000);
    }
    // a /Widths given by reference, or in a form the expression above does not read
    if ((text.match(/\/(?:Widths|MissingWidth)\b/g) ?? []).length !== [...text.matchAll(/\/(Widths|MissingWidth)\s*(\[|[-+.\d])/g)].length) return Infinity;
  }
  return widest;
}

/** The operators TextVisibility.operator reads (besides Tf, BI and the text-positioning ones). */
export const VISIBILITY_OPERATORS: ReadonlySet<string> = new Set(['Tr', 'Tz', 'Ts', 'Tc', 'Tw', 'g', 'G', 'rg', 'RG', 'k', 'K', 'cs', 'CS', 'sc', 'scn', 'SC', 'SCN', 'q', 'Q', 'f', 'F', 'f*', 'S', 's', 'B', 'B*', 'b', 'b*', 'sh', 'BI']);

/**
 * What is judged of a stream's strings: everything ('page'); all but the size ('scaled': the file sets a
 * /UserUnit, a unit larger than a point); only the render mode ('mode': a pattern cell or other stream with
 * a /BBox or /Matrix, drawn where and in the colour and size its use decides).
 */
export type Judged = 'page' | 'scaled' | 'mode';

type Space = 0 | 1 | 3 | 4; // components of DeviceGray, DeviceRGB, DeviceCMYK; 0 any other colour space

interface State {
  mode: number;
  fillWhite: boolean;
  strokeWhite: boolean;
  fillSpace: Space;
  strokeSpace: Space;
  size: number;
  scale: number;
  rise: number;
  charSpacing: number;
  wordSpacing: number;
}

const NEAR_WHITE = 243 / 255;
const MAX_DEPTH = 256;
const white = (space: Space, v: readonly number[]): boolean => {
  if (space === 1) return (v[0] ?? 0) >= NEAR_WHITE;
  if (space === 3) return (v[0] ?? 0) >= NEAR_WHITE && (v[1] ?? 0) >= NEAR_WHITE && (v[2] ?? 0) >= NEAR_WHITE;
  if (space === 4) {
    const k = 1 - Math.min(1, v[3] ?? 1);
    return (1 - Math.min(1, v[0] ?? 1)) * k >= NEAR_WHITE && (1 - Math.min(1, v[1] ?? 1)) * k >= NEAR_WHITE && (1 - Math.min(1, v[2] ?? 1)) * k >= NEAR_WHITE;
  }
  return false;
};
const spaceOf = (name: string): Space => (name === '/DeviceGray' ? 1 : name === '/DeviceRGB' ? 3 : name === '/DeviceCMYK' ? 4 : 0);

/** The graphics state a content stream has set so far, as far as it decides whether text is seen. */
export class TextVisibility {
  #s: State = { mode: 0, fillWhite: false, strokeWhite: false, fillSpace: 1, strokeSpace: 1, size: 12, scale: 1, rise: 0, charSpacing: 0, wordSpacing: 0 };
  readonly #saved: State[] = [];
  #depth = 0;
  #painted = false;
  // bounds of how far the strings shown since the line's start have moved along it
  #advanceMin = 0;
  #advanceMax = 0;
  #lineUnknown = false;
  readonly #box: PageBox | undefined;
  readonly #widest: number;
  readonly #judge: Judged;

  constructor(box: PageBox | undefined, widest: number, judge: Judged) {
    this.#box = box;
    this.#widest = widest;
    this.#judge = judge;
  }

  /**
   * An operator the text reader does not lay out by (`op`, with its last numeric operands `v`, newest last,
   * and the last name operand).
   */
  operator(op: string, v: readonly number[], name: string): void {
    const s = this.#s;
    const last = v[v.length - 1] ?? 0;
    switch (op) {
      case 'Tr': s.mode = last; break;
      case 'Tz': s.scale = last / 100; break;
      case 'Ts': s.rise = last; break;
      case 'Tc': s.charSpacing = last; break;
      case 'Tw': s.wordSpacing = last; break;
      case 'g': s.fillSpace = 1; s.fillWhite = white(1, v.slice(-1)); break;
      case 'G': s.strokeSpace = 1; s.strokeWhite = white(1, v.slice(-1)); break;
      case 'rg': s.fillSpace = 3; s.fillWhite = white(3, v.slice(-3)); break;
      case 'RG': s.strokeSpace = 3; s.strokeWhite = white(3, v.slice(-3)); break;
      case 'k': s.fillSpace = 4; s.fillWhite = white(4, v.slice(-4)); break;
      case 'K': s.strokeSpace = 4; s.strokeWhite = white(4, v.slice(-4)); break;
      // a new colour space starts at its initial colour (black, or full ink)
      case 'cs': s.fillSpace = spaceOf(name); s.fillWhite = false; break;
      case 'CS': s.strokeSpace = spaceOf(name); s.strokeWhite = false; break;
      case 'sc': case 'scn': s.fillWhite = s.fillSpace !== 0 && v.length >= s.fillSpace && white(s.fillSpace, v.slice(-s.fillSpace)); break;
      case 'SC': case 'SCN': s.strokeWhite = s.strokeSpace !== 0 && v.length >= s.strokeSpace && white(s.strokeSpace, v.slice(-s.strokeSpace)); break;
      case 'q':
        if (++this.#depth <= MAX_DEPTH) this.#saved.push({ ...s });
        break;
      case 'Q':
        if (this.#depth > 0 && this.#depth-- <= MAX_DEPTH) this.#s = this.#saved.pop() ?? s;
        break;
      case 'f': case 'F': case 'f*':
        this.#painted ||= !s.fillWhite;
        break;
      case 'S': case 's':
        this.#painted ||= !s.strokeWhite;
        break;
      case 'B': case 'B*': case 'b': case 'b*':
        this.#painted ||= !s.fillWhite || !s.strokeWhite;
        break;
      case 'sh': case 'BI':
        this.#painted = true;
        break;
    }
  }

  /** A Tf: the font's size, as given. */
  font(size: number): void {
    this.#s.size = size;
  }

  /** `"` sets the word and character spacing before it shows its string. */
  spacing(word: number, char: number): void {
    this.#s.wordSpacing = word;
    this.#s.charSpacing = char;
  }

  /** The text line's origin moved (Td, TD, T*, ', "): strings are placed from it again. */
  newLine(): void {
    this.#advanceMin = this.#advanceMax = 0;
    this.#lineUnknown = false;
  }

  /**
   * Whether a string of `chars` characters (a TJ array's strings together, its gaps summing `left` and
   * `right` thousandths of an em each way) shown at the line origin (x, y) is unseen; the position along the
   * line moves on by it either way.
   */
  hides(chars: number, x: number, y: number, left: number, right: number): boolean {
    const s = this.#s;
    const em = s.size * s.scale;
    const gap = ((right - left) * em) / 1000;
    const known = !this.#lineUnknown && Number.isFinite(this.#widest) && s.charSpacing === 0 && s.wordSpacing === 0 && s.size >= 0 && s.scale >= 0;
    const xMin = x + this.#advanceMin - (left * em) / 1000;
    const xMax = x + this.#advanceMax + (right * em) / 1000 + chars * this.#widest * em;
    this.#lineUnknown = !known;
    this.#advanceMin += gap;
    this.#advanceMax += gap + chars * this.#widest * em;
    if (s.mode === 3 || s.mode === 7) return true;
    if (this.#judge === 'mode') return false;
    if (s.size === 0 || (this.#judge === 'page' && (Math.abs(s.size) < 1 || Math.abs(em) < 1))) return true;
    const fillSeen = !s.fillWhite || this.#painted;
    const strokeSeen = !s.strokeWhite || this.#painted;
    const seen = s.mode === 0 || s.mode === 4 ? fillSeen : s.mode === 1 || s.mode === 5 ? strokeSeen : s.mode === 2 || s.mode === 6 ? fillSeen || strokeSeen : true;
    if (!seen) return true;
    const box = this.#box;
    if (box === undefined) return false;
    const base = y + s.rise;
    const reach = 1.5 * Math.abs(s.size);
    if (base + reach < box.y0 || base - reach > box.y1) return true;
    return known && (xMax < box.x0 || xMin > box.x1);
  }
}
