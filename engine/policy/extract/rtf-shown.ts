// RTF text as a reader shows it (rtf.ts reads the full text beside it): what Word, WordPad and LibreOffice
// do not show left out, so that a filler hidden between the digits of a number does not split it there.
// Exact, not generous: a reading that drops text some reader does show could be combined with a real
// hiding place to defeat both readings, so where a reader might show a run, it is kept:
// - hidden: \v (until \v0, \plain or the end of its group), a size of at
//   most one point (\fs0 to \fs2, in half-points), text of a destination no reader lays out (a field's
//   instruction, bookmark names, shape properties, document info, generator, user properties, form-field
//   settings, document variables, the revision and XML namespace tables);
// - white (within a few steps of 255,255,255, as css-colour's invisibleOn) text only where nothing paints
//   a background behind it: no \highlight, \chcbpat, \cb or \chshdng on the run, no \cbpat or \shading
//   on its paragraph, and no table shading or page background anywhere in the document (any of those
//   keeps every white run: which cell a run sits in is not followed);
// - a tracked deletion (\deleted) is left out by Word's Simple Markup view and shown struck through by its
//   All Markup view and by LibreOffice: a document with one has two readings as shown, without and with it;
// - \plain ends every character property above (also \deleted: resetting it keeps more text shown).
import { invisibleOn, WHITE } from './css-colour.js';

export interface Format {
  readonly hidden: boolean;
  readonly deleted: boolean;
  /** \fs: half-points, 24 by default. */
  readonly halfPoints: number;
  /** \cf: an index into the colour table, 0 the automatic colour. */
  readonly colour: number;
  /** The run has a background of its own (highlight, shading). */
  readonly runBackground: boolean;
  /** Its paragraph is shaded. */
  readonly paragraphBackground: boolean;
}

export const PLAIN: Format = { hidden: false, deleted: false, halfPoints: 24, colour: 0, runBackground: false, paragraphBackground: false };

/** Destinations whose text no reader lays out in the document. */
export const NOT_SHOWN = new Set(['fldinst', 'bkmkstart', 'bkmkend', 'sp', 'info', 'generator', 'userprops', 'formfield', 'docvar', 'xmlnstbl', 'revtbl', 'objclass', 'objname', 'background']);

/** Shading a page or a table cell or row: with one anywhere, no white run is taken as hidden. */
const PAGE_OR_TABLE_BACKGROUND = new Set(['background', 'viewbksp', 'clcbpat', 'clcfpat', 'clshdng', 'trcbpat', 'trcfpat', 'trshdng']);

const on = (arg: string | undefined): boolean => arg !== '0';
const nonZero = (arg: string | undefined): boolean => arg !== undefined && Number(arg) !== 0;

/** The format after control word `word` (with its numeric `arg`), or undefined when the word is none of these. */
export function formatAfter(f: Format, word: string, arg: string | undefined): Format | undefined {
  switch (word) {
    case 'v':
      return { ...f, hidden: on(arg) };
    case 'deleted':
      return { ...f, deleted: on(arg) };
    case 'fs':
      return { ...f, halfPoints: arg === undefined ? 24 : Number(arg) };
    case 'cf':
      return { ...f, colour: arg === undefined ? 0 : Number(arg) };
    case 'highlight':
    case 'chcbpat':
    case 'cb':
    case 'chshdng':
    case 'chcfpat':
      return nonZero(arg) ? { ...f, runBackground: true } : f;
    case 'cbpat':
    case 'cfpat':
    case 'shading':
      return nonZero(arg) ? { ...f, paragraphBackground: true } : f;
    case 'plain':
      return { ...PLAIN, paragraphBackground: f.paragraphBackground };
    case 'pard':
      return { ...f, paragraphBackground: false };
    default:
      return undefined;
  }
}

type Rgb = { readonly r: number; readonly g: number; readonly b: number } | undefined;

/**
 * The text as shown, collected run by run beside the full text. A run whose only reason to be unseen is its
 * colour is kept with that colour's index and decided at the end, when the colour table and every background
 * of the document are known.
 */
export class ShownText {
  readonly #text: string[] = [];
  /** Per piece of #text: the colour index it is painted in on the page, or -1 (seen whatever the colours). */
  readonly #colours: number[] = [];
  /** Per piece of #text: a tracked deletion (shown in one view, not in another). */
  readonly #deleted: boolean[] = [];
  #anyDeleted = false;
  #dropped = false;
  #whiteCandidates = false;
  #pageBackground = false;
  readonly #table: Rgb[] = [];
  #entry: { r: number; g: number; b: number } | undefined;

  add(s: string, f: Format, notShown: boolean): void {
    if (notShown || f.hidden || (f.halfPoints >= 0 && f.halfPoints <= 2)) {
      this.#dropped = true;
      return;
    }
    const onPage = f.colour > 0 && !f.runBackground && !f.paragraphBackground;
    this.#whiteCandidates ||= onPage;
    this.#anyDeleted ||= f.deleted;
    this.#text.push(s);
    this.#colours.push(onPage ? f.colour : -1);
    this.#deleted.push(f.deleted);
  }

  /** A control word seen anywhere: page or table shading, or a component of the colour table's entry (`inTable`). */
  control(word: string, arg: string | undefined, inTable: boolean): void {
    if (PAGE_OR_TABLE_BACKGROUND.has(word) && (word === 'background' || word === 'viewbksp' || nonZero(arg))) this.#pageBackground = true;
    if (!inTable || (word !== 'red' && word !== 'green' && word !== 'blue')) return;
    this.#entry ??= { r: 0, g: 0, b: 0 };
    this.#entry[word === 'red' ? 'r' : word === 'green' ? 'g' : 'b'] = Math.max(0, Math.min(255, Number(arg ?? 0)));
  }

  /** Text inside the colour table: each ';' ends an entry (one without components is the automatic colour). */
  tableText(s: string): void {
    for (const c of s) {
      if (c !== ';') continue;
      this.#table.push(this.#entry);
      this.#entry = undefined;
    }
  }

  /**
   * The text as shown (without tracked deletions, then on a line of its own with them, where the document
   * has some), or undefined when it is the full text.
   */
  text(): string | undefined {
    const white = (k: number): boolean => {
      const c = this.#table[k];
      return c !== undefined && invisibleOn({ ...c, a: 1 }, WHITE);
    };
    const whiteDropped = this.#whiteCandidates && !this.#pageBackground && this.#colours.some((k) => k > 0 && white(k));
    if (!this.#dropped && !whiteDropped && !this.#anyDeleted) return undefined;
    const seen = whiteDropped ? this.#text.map((t, i) => (white(this.#colours[i] ?? -1) ? '' : t)) : this.#text;
    const withDeletions = seen.join('');
    if (!this.#anyDeleted) return withDeletions;
    const withoutDeletions = seen.filter((_, i) => this.#deleted[i] !== true).join('');
    return !this.#dropped && !whiteDropped ? withoutDeletions : `${withoutDeletions}\n${withDeletions}`;
  }
}
