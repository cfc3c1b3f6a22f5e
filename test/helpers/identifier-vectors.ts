// Table-driven vectors for catalogue identifiers: each valid text holds exactly one value, each
// invalid text none (at any confidence).
import { describe, expect, it } from 'vitest';
import { lookupIdentifier } from '../../engine/policy/detectors/identifiers/catalogue.js';
import { KeywordContext, scanIdentifier } from '../../engine/policy/detectors/identifiers/scan.js';

export interface Vectors {
  readonly name: string;
  readonly valid: readonly string[];
  readonly invalid: readonly string[];
}

export function runVectors(rows: readonly Vectors[]): void {
  for (const row of rows) {
    describe(row.name, () => {
      const id = lookupIdentifier(row.name);
      if (id === undefined) throw new Error(`no identifier ${row.name}`);
      const count = (text: string): number => scanIdentifier(id, text, new KeywordContext(text)).length;
      it.each(row.valid)('finds one in %j', (text) => expect(count(text)).toBe(1));
      it.each(row.invalid)('finds none in %j', (text) => expect(count(text)).toBe(0));
    });
  }
}

