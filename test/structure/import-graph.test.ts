// The product's shape, checked from its source: no module loads in a cycle, the product never reaches
// into test/, no test doubles live inside engine/, engine/smtp is layered in protocol order and
// engine/policy in stage order.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cyclesOf, importsOf, layerViolations, readImportGraph, sourceFiles } from '../helpers/import-graph.js';

const ENGINE = resolve(dirname(fileURLToPath(import.meta.url)), '../../engine');
const SMTP = resolve(ENGINE, 'smtp');
const POLICY = resolve(ENGINE, 'policy');

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

/**
 * engine/policy in stage order, from the top down: `relayguard test` runs cases through the one
 * inspection function; inspect (and incidents, which record its verdict) and compile are the two entry
 * points; decide evaluates the policies over what extract produced; extract streams text through the
 * detectors' scanner. The vocabulary at the root (analysis, policy-set, glob) shares the bottom with
 * detectors/ and edm/: the compiled policy set is made of detector values (keyword index, identifier
 * detectors, EDM index) and the scanner reads it, so they may import each other — never in a cycle.
 */
const POLICY_TOP = new Set(['inspect.ts', 'incidents.ts']);
/** compile/ sits beside inspect and incidents: neither imports the other. */
const POLICY_RANK: Readonly<Record<string, number>> = Object.freeze({ 'policy-test': 5, compile: 4, decide: 3, extract: 2, detectors: 1, edm: 1 });

function policyRank(file: string): number | undefined {
  const parts = file.split('/');
  if (parts.length === 1) return POLICY_TOP.has(file) ? 4 : 1;
  return POLICY_RANK[parts[0] as string];
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

  it('has no cycle at all, type imports included (each type lives in the module that owns it)', () => {
    expect(cyclesOf(readImportGraph(ENGINE, { types: true }))).toEqual([]);
  });

  it('a cycle of type-only imports counts when types are included (so the check above can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rg-import-graph-'));
    try {
      writeFileSync(join(dir, 'a.ts'), "import type { B } from './b.js';\nexport interface A { readonly b: B }\n");
      writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.js';\nexport interface B { readonly a?: A }\n");
      expect(cyclesOf(readImportGraph(dir, { types: false }))).toEqual([]);
      expect(cyclesOf(readImportGraph(dir, { types: true }))).toEqual([['a.ts', 'b.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

describe('engine/policy stages', () => {
  it('has no import cycle at all, type imports included', () => {
    expect(cyclesOf(readImportGraph(POLICY, { types: true }))).toEqual([]);
  });

  it('imports only downwards: detectors/edm/vocabulary ← extract ← decide ← compile, inspect, incidents ← policy-test', () => {
    expect(layerViolations(readImportGraph(POLICY, { types: true }), policyRank)).toEqual([]);
  });

  it('the stage check finds an upward import and an unplaced folder (so the check above can fail)', () => {
    const f = (p: string): string => resolve('/x', p);
    const edges = new Map([
      [f('detectors/a.ts'), [f('extract/b.ts'), f('policy-set.ts'), f('edm/c.ts')]],
      [f('policy-set.ts'), [f('decide/d.ts'), f('detectors/a.ts')]],
      [f('extract/b.ts'), [f('inspect.ts'), f('analysis.ts')]],
      [f('decide/d.ts'), [f('compile/e.ts'), f('extract/b.ts')]],
      [f('compile/e.ts'), [f('decide/d.ts'), f('policy-test/g.ts')]],
      [f('inspect.ts'), [f('decide/d.ts')]],
      [f('edm/c.ts'), [f('detectors/a.ts')]],
      [f('analysis.ts'), []],
      [f('policy-test/g.ts'), [f('inspect.ts'), f('compile/e.ts')]],
      [f('detect/h.ts'), []],
    ]);
    expect(layerViolations({ root: '/x', edges }, policyRank)).toEqual([
      'compile/e.ts → policy-test/g.ts',
      'decide/d.ts → compile/e.ts',
      'detect/h.ts: no layer',
      'detectors/a.ts → extract/b.ts',
      'extract/b.ts → inspect.ts',
      'policy-set.ts → decide/d.ts',
    ]);
  });
});
