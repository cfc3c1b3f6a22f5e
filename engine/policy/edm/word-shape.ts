// Per-column word shapes: which words of a message can be a column's value at all, so the scan hashes
// and probes only those (an e-mail column never looks at a word without @, an IBAN column never at a
// 4-digit group, a surname column never at a number). A shape is the flags a word's characters give
// (T_SHAPE: digit, letter, @, a-z0-9 only) and its length. The index header stores, per column and for
// the first words of multi-word values, the union and intersection of the shapes and the length range
// of its one-word values: classes and lengths, never a value or a fingerprint of one.
import { T_SHAPE } from './normalise.js';

/** One u32: bits 0-7 union of shapes, 8-15 intersection, 16-23 shortest length, 24-31 longest (lengths capped at 255). */
export type ShapeSummary = number;

/** Admits nothing (a column without one-word values). */
export const NO_SHAPES: ShapeSummary = (0 | (0xff << 8) | (0xff << 16)) >>> 0;
/** Admits every word. */
export const ALL_SHAPES: ShapeSummary = (0xff | (0xff << 24)) >>> 0;

const cap = (length: number): number => Math.min(length, 255);

export function addShape(summary: ShapeSummary, shape: number, length: number): ShapeSummary {
  const or = (summary & 0xff) | shape;
  const and = (summary >>> 8) & 0xff & shape;
  const min = Math.min((summary >>> 16) & 0xff, cap(length));
  const max = Math.max(summary >>> 24, cap(length));
  return (or | (and << 8) | (min << 16) | (max << 24)) >>> 0;
}

export function admits(summary: ShapeSummary, shape: number, length: number): boolean {
  const l = cap(length);
  const and = (summary >>> 8) & 0xff;
  return l >= ((summary >>> 16) & 0xff) && l <= summary >>> 24 && (shape & and) === and && (shape & ~summary & 0xff) === 0;
}

export interface ShapeTables {
  /** Per (shape, length) slot: the columns whose one-word values that word may be (bits). */
  readonly columns: Uint32Array;
  /** Per slot: 1 when a multi-word value may start with that word. */
  readonly prefix: Uint8Array;
}

/** What the scan asks per word, answered once per index for all 16 shapes × 256 lengths (20 KiB). */
export function shapeTables(columns: readonly ShapeSummary[], prefixes: ShapeSummary): ShapeTables {
  const out = { columns: new Uint32Array(16 * 256), prefix: new Uint8Array(16 * 256) };
  for (let shape = 0; shape < 32; shape++) {
    if ((shape & ~T_SHAPE) !== 0) continue;
    for (let length = 0; length < 256; length++) {
      let bits = 0;
      columns.forEach((c, i) => {
        if (admits(c, shape, length)) bits |= 1 << i;
      });
      out.columns[shapeSlot(shape, length)] = bits >>> 0;
      out.prefix[shapeSlot(shape, length)] = admits(prefixes, shape, length) ? 1 : 0;
    }
  }
  return Object.freeze(out);
}

/** T_SHAPE is bits 0, 1, 3, 4: packed into 4 bits so the table stays 16 KiB. */
export function shapeSlot(shape: number, length: number): number {
  const packed = (shape & 3) | ((shape >>> 1) & 12);
  return (packed << 8) | cap(length);
}
