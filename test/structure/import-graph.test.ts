// The product's shape, checked from its source: no module loads in a cycle, the product never reaches
// into test/, no test doubles live inside engine/, and engine/smtp is layered in protocol order.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclesOf, importsOf, layerViolations, readImportGraph, sourceFiles } from '../helpers/import-graph.js';

const ENGINE = resolve(dirname(fileURLToPath(import.meta.url)), '../../engine');
const SMTP = resolve(ENGINE, 'smtp');

/**
 * engine/smtp from the top down: the generation (and the runtime's contract) wires the inbound side,
 * which drives transactions, which route legs, which run on the relay client; replies, ids and the TLS
 * facts of a leg at the root are shared by all and import none of them.
 */
const SMTP_TOP = new Set(['engine-api.ts', 'generation-engine.ts']);
const SMTP_LAYERS = ['inbound', 'transaction', 'route', 'relay'];

function smtpRank(file: string): number | undefined {
  const parts = file.split('/');
  if (parts.length === 1) return SMTP_TOP.has(file) ? SMTP_LAYERS.length + 1 : 0;
  const i = SMTP_LAYERS.indexOf(parts[0] as string);
  return i < 0 ? undefined : SMTP_LAYERS.length - i;
}

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

describe('engine/smtp layers', () => {
  it('has no import cycle at all, type imports included', () => {
    expect(cyclesOf(readImportGraph(SMTP, { types: true }))).toEqual([]);
  });

  it('imports only downwards: relay ← route ← transaction ← inbound ← generation, shared root files import none of them', () => {
    expect(layerViolations(readImportGraph(SMTP, { types: true }), smtpRank)).toEqual([]);
  });

  it('the layer check finds an upward import and an unplaced folder (so the check above can fail)', () => {
    const f = (p: string): string => resolve('/x', p);
    const edges = new Map([
      [f('relay/a.ts'), [f('inbound/b.ts'), f('reply.ts')]],
      [f('transaction/c.ts'), [f('inbound/b.ts'), f('route/d.ts')]],
      [f('inbound/b.ts'), [f('relay/a.ts'), f('generation-engine.ts')]],
      [f('reply.ts'), [f('route/d.ts')]],
      [f('route/d.ts'), []],
      [f('generation-engine.ts'), [f('inbound/b.ts')]],
      [f('misc/e.ts'), []],
    ]);
    expect(layerViolations({ root: '/x', edges }, smtpRank)).toEqual([
      'inbound/b.ts → generation-engine.ts',
      'misc/e.ts: no layer',
      'relay/a.ts → inbound/b.ts',
      'reply.ts → route/d.ts',
      'transaction/c.ts → inbound/b.ts',
    ]);
  });
});
