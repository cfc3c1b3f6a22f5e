// The product's shape, checked from its source: no module loads in a cycle, the product never reaches
// into test/, and no test doubles live inside engine/.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclesOf, importsOf, readImportGraph, sourceFiles } from '../helpers/import-graph.js';

const ENGINE = resolve(dirname(fileURLToPath(import.meta.url)), '../../engine');

describe('engine import graph', () => {
  it('has no cycle of value imports (a module never loads half-initialised)', () => {
    expect(cyclesOf(readImportGraph(ENGINE, { types: false }))).toEqual([]);
  });

  it('the cycle finder finds a cycle (so the check above can fail)', () => {
    const a = resolve('/x/a.ts');
    const b = resolve('/x/b.ts');
    expect(cyclesOf({ root: '/x', edges: new Map([[a, [b]], [b, [a]]]) })).toEqual([['a.ts', 'b.ts']]);
  });

  it('product code imports nothing from test/ and holds no test doubles', () => {
    const offenders = sourceFiles(ENGINE).filter((f) => importsOf(f).some((i) => /(^|\/)test\//.test(i.specifier)));
    expect(offenders).toEqual([]);
    expect(existsSync(resolve(ENGINE, 'runtime/testing'))).toBe(false);
  });
});
