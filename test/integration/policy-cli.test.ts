import { mkdtemp, mkdir, rm, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { register, runTest, testPlanExtension } from '../../engine/cli/test.js';
import type { PlanSide } from '../../engine/cli/plan.js';
import { loadTestConfig } from '../../engine/policy/policy-test/test-config.js';
import { compileInspection } from '../../engine/graph/inspection-settings.js';

const TOPOLOGY = `version: 1
gateway:
  hostname: gw.example.test
  listen: [{ address: 127.0.0.1, port: 10025 }]
  loop: { secretFile: loop.secret }
upstreams:
  - { name: corp-postfix, addresses: ["127.0.0.1/32"], mode: reflect, reflect: { port: 10026 } }
`;

describe('relayguard test', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rg-policy-cli-'));
    await mkdir(join(dir, 'tests'));
    await writeFile(join(dir, 'topology.yaml'), TOPOLOGY);
    await writeFile(join(dir, 'loop.secret'), 'policy-cli-loop-secret-0123456789abcdef\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the example config in policies/', async () => {
    const out = await runTest('policies');
    expect(out.stdout).toContain('✓ a card number in the body is blocked');
    expect(out.stdout).toMatch(/\n15 passed, 0 failed\n$/);
    expect(out.exitCode).toBe(0);
  });

  it('reports each failed expectation and exits 1', async () => {
    await writeFile(join(dir, 'cards.policy.yaml'), 'version: 1\npolicies:\n  - { name: cards, match: { creditCardNumber: {} }, action: { type: block } }\n');
    await writeFile(
      join(dir, 'tests', 'cards.test.yaml'),
      `version: 1
cases:
  - name: blocks cards
    message: { body: "4111111111111111" }
    expect: { action: block, policies: [cards], reply: "550 5.7.1 Message blocked by data loss prevention policy" }
  - name: wrong expectation
    message: { body: "4111111111111111" }
    expect: { action: pass, policies: [] }
`,
    );
    const out = await runTest(dir);
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toContain('  ✓ blocks cards');
    expect(out.stdout).toContain('  ✗ wrong expectation\n      action: expected pass, got block\n      policies: expected [], got [cards]');
    expect(out.stdout).toMatch(/1 passed, 1 failed\n$/);
    const json = JSON.parse((await runTest(dir, { format: 'json' })).stdout) as { passed: number; failed: number; cases: { name: string; actual: { action: string } }[] };
    expect(json).toMatchObject({ passed: 1, failed: 1 });
    expect(json.cases[1]?.actual.action).toBe('block');
  });

  it('reads .eml fixtures relative to the test file', async () => {
    await writeFile(join(dir, 'p.policy.yaml'), 'version: 1\npolicies:\n  - { name: ibans, match: { iban: {} }, action: { type: modify, addHeaders: { X-IBAN: seen } } }\n');
    await cp(join('test', 'fixtures', 'policy', 'iban-latin1.eml'), join(dir, 'tests', 'iban.eml'));
    await writeFile(join(dir, 'tests', 'eml.test.yaml'), 'version: 1\ncases:\n  - { name: eml, message: { eml: iban.eml }, expect: { action: modify, addedHeaders: { x-iban: seen } } }\n');
    const out = await runTest(dir);
    expect(out.stdout).toContain('✓ eml');
    expect(out.exitCode).toBe(0);
  });

  it('exits 1 with located diagnostics when a policy does not compile', async () => {
    await writeFile(join(dir, 'bad.policy.yaml'), 'version: 1\npolicies:\n  - name: bad\n    match: { regex: { pattern: "(?=x)" } }\n    action: { type: block }\n');
    await writeFile(join(dir, 'tests', 't.test.yaml'), 'version: 1\ncases:\n  - { name: x, message: { body: x }, expect: { action: pass } }\n');
    const out = await runTest(dir);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/bad\.policy\.yaml:4:\d+: .*RG_POL_REGEX/);
  });

  it('exits 2 when the directory does not exist or the usage is wrong', async () => {
    expect((await runTest(join(dir, 'missing'))).exitCode).toBe(2);
    const program = new Command().exitOverride().configureOutput({ writeErr: () => undefined });
    register(program);
    let code: number | undefined;
    try {
      await program.parseAsync(['test', dir, '--format', 'xml'], { from: 'user' });
    } catch (err) {
      code = (err as { exitCode?: number }).exitCode;
    }
    expect(code).toBe(1); // commander's usage error; main.ts maps every usage error to exit 2
  });

  it('reports changed test outcomes between two revisions for relayguard plan', async () => {
    const side = async (sub: string, action: string): Promise<PlanSide> => {
      const d = join(dir, sub);
      await mkdir(join(d, 'tests'), { recursive: true });
      await writeFile(join(d, 'topology.yaml'), TOPOLOGY);
      await writeFile(join(d, 'loop.secret'), 'policy-cli-loop-secret-0123456789abcdef\n');
      await writeFile(join(d, 'c.policy.yaml'), `version: 1\npolicies:\n  - { name: cards, match: { creditCardNumber: {} }, action: { type: ${action} } }\n`);
      await writeFile(join(d, 'tests', 'c.test.yaml'), 'version: 1\ncases:\n  - { name: card, message: { body: "4111111111111111" }, expect: { action: block } }\n  - { name: clean, message: { body: hi }, expect: { action: pass } }\n');
      const loaded = await loadTestConfig(d);
      if (loaded.status !== 'valid') throw new Error('fixture invalid');
      const graph = { policies: loaded.policySet, upstreams: [{ name: 'corp-postfix' }], gateway: { inspection: compileInspection(undefined) } } as unknown as PlanSide['graph'];
      return { dir: d, graph, config: { tests: loaded.tests } as unknown as PlanSide['config'] };
    };
    const changes = await testPlanExtension(await side('old', 'block'), await side('new', 'pass'));
    expect(changes).toEqual([
      { kind: 'changed', section: 'test', name: 'c.test.yaml#card', details: ['handling: block [cards] → pass [cards]', 'result: pass → fail'] },
    ]);
  });
});
