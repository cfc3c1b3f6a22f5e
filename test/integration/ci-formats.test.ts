// CI formats: validate --format sarif (code scanning), test --format junit (test reporters), relayguard schema.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'htmlparser2';
import { DomUtils } from 'htmlparser2';
import type { Element } from 'domhandler';
import { runValidate } from '../../engine/cli/validate.js';
import { runTest } from '../../engine/cli/test.js';
import { runSchema } from '../../engine/cli/schema.js';
import { buildGraph } from '../../engine/graph/build.js';
import { requireTool } from '../helpers/tools.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-ci-formats-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const python = requireTool('python3', 'python3');

/** A strict XML 1.0 parser (expat through minidom): throws on anything that is not well-formed. */
function assertWellFormedXml(xml: string): void {
  if (python === undefined) return;
  execFileSync(python, ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.buffer.read())'], { input: xml });
}

describe('validate --format sarif', () => {
  it('is a SARIF 2.1.0 log with one result per diagnostic, located, rule ids = RG codes', async () => {
    const dir = join(root, 'invalid');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'topology.yaml'), 'version: 1\ngateway:\n  hostname: gw.example.test\n  listen: [{ address: 127.0.0.1, port: 99999 }]\n  bogus: 1\nupstreams: []\n');
    const built = await buildGraph(dir);
    expect(built.diagnostics.length).toBeGreaterThanOrEqual(2);
    const out = await runValidate(dir, { format: 'sarif' });
    expect(out.exitCode).toBe(1);
    const log = JSON.parse(out.output) as {
      version: string;
      $schema: string;
      runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number; startColumn: number } } }[] }[] }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe('relayguard');
    expect(run.results).toHaveLength(built.diagnostics.length);
    for (const [i, d] of built.diagnostics.entries()) {
      const r = run.results[i]!;
      expect(r.ruleId).toBe(d.code);
      expect(r.ruleId).toMatch(/^RG_[A-Z0-9_]+$/);
      expect(run.tool.driver.rules[r.ruleIndex]?.id).toBe(d.code);
      expect(r.level).toBe(d.severity);
      expect(r.message.text).toContain(d.message);
      const loc = r.locations[0]!.physicalLocation;
      expect(loc.artifactLocation.uri).toBe(d.file.startsWith('/') ? `file://${encodeURI(d.file)}` : encodeURI(d.file));
      if (d.line > 0) expect(loc.region).toEqual({ startLine: d.line, startColumn: d.column });
    }
    const port = run.results.find((r) => r.message.text.includes('99999'));
    expect(port?.locations[0]?.physicalLocation.region?.startLine).toBe(4);
    const unknown = run.results.find((r) => r.ruleId === 'RG_CFG_UNKNOWN_KEY');
    expect(unknown?.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: expect.stringMatching(/topology\.yaml$/) }, region: { startLine: 5, startColumn: 3 } });
    expect(run.results.filter((r) => r.ruleId === 'RG_CFG_SCHEMA').length).toBe(2);
    // Rules are unique and every one is used.
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(run.results.map((r) => r.ruleId))).toEqual(new Set(ids));
  });

  it('is an empty, valid log for a valid config (exit 0, no summary line after the JSON)', async () => {
    const out = await runValidate('policies', { format: 'sarif' });
    expect(out.exitCode).toBe(0);
    expect(JSON.parse(out.output)).toMatchObject({ version: '2.1.0', runs: [{ results: [] }] });
  });
});

describe('test --format junit', () => {
  it('is well-formed JUnit XML: a suite per file, a case per test, failures with every unmet expectation', async () => {
    const dir = join(root, 'junit');
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'topology.yaml'), 'version: 1\ngateway: { hostname: gw.example.test }\nupstreams:\n  - { name: corp, addresses: ["127.0.0.1/32"], mode: reflect, reflect: { port: 10026 } }\n');
    writeFileSync(join(dir, 'c.policy.yaml'), 'version: 1\npolicies:\n  - { name: cards, match: { creditCardNumber: {} }, action: { type: block } }\n');
    writeFileSync(
      join(dir, 'tests', 'c.test.yaml'),
      'version: 1\ncases:\n  - { name: "blocks <cards> & \\"more\\"", message: { body: "4111111111111111" }, expect: { action: block } }\n  - { name: wrong, message: { body: "4111111111111111" }, expect: { action: pass, policies: [] } }\n',
    );
    writeFileSync(join(dir, 'tests', 'd.test.yaml'), 'version: 1\ncases:\n  - { name: clean, message: { body: hello }, expect: { action: pass } }\n');
    const out = await runTest(dir, { format: 'junit' });
    expect(out.exitCode).toBe(1);
    assertWellFormedXml(out.stdout);
    const doc = parseDocument(out.stdout, { xmlMode: true });
    const top = DomUtils.findOne((e) => e.name === 'testsuites', doc.children) as Element;
    expect(top.attribs).toMatchObject({ tests: '3', failures: '1' });
    const suites = DomUtils.findAll((e) => e.name === 'testsuite', doc.children);
    expect(suites.map((s) => s.attribs['name']?.replace(/^.*\//, ''))).toEqual(['c.test.yaml', 'd.test.yaml']);
    const cases = DomUtils.findAll((e) => e.name === 'testcase', doc.children);
    expect(cases.map((c) => c.attribs['name'])).toEqual(['blocks <cards> & "more"', 'wrong', 'clean']);
    const failures = DomUtils.findAll((e) => e.name === 'failure', doc.children);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.parent).toBe(cases[1]);
    expect(DomUtils.textContent(failures[0]!)).toBe('action: expected pass, got block\npolicies: expected [], got [cards]');
    expect(failures[0]?.attribs['message']).toBe('action: expected pass, got block');
  });

  it('reports a config that cannot be tested as one failed case, not an empty green run', async () => {
    const dir = join(root, 'junit-bad');
    mkdirSync(join(dir, 'tests'), { recursive: true });
    writeFileSync(join(dir, 'b.policy.yaml'), 'version: 1\npolicies:\n  - name: bad\n    match: { regex: { pattern: "(?=x)" } }\n    action: { type: block }\n');
    const out = await runTest(dir, { format: 'junit' });
    expect(out.exitCode).toBe(1);
    assertWellFormedXml(out.stdout);
    const doc = parseDocument(out.stdout, { xmlMode: true });
    expect((DomUtils.findOne((e) => e.name === 'testsuites', doc.children) as Element).attribs).toMatchObject({ tests: '1', failures: '1' });
    expect(DomUtils.textContent(DomUtils.findAll((e) => e.name === 'failure', doc.children)[0]!)).toMatch(/b\.policy\.yaml:4:\d+: RG_POL_REGEX/);
  });
});

describe('relayguard schema', () => {
  it('lists the schemas without --out and writes them byte for byte with --out', () => {
    const listing = runSchema({});
    expect(listing.exitCode).toBe(0);
    for (const n of ['topology', 'policy', 'policy-test']) expect(listing.stdout).toContain(`${n}.schema.json`);
    const out = join(root, 'schemas-out', 'nested');
    const written = runSchema({ out });
    expect(written.exitCode).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['policy-test.schema.json', 'policy.schema.json', 'topology.schema.json']);
    for (const f of readdirSync(out)) {
      expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join('schemas', f), 'utf8'));
      expect(JSON.parse(readFileSync(join(out, f), 'utf8'))).toHaveProperty('$schema');
    }
  });

  it('exits 1 when the directory cannot be written', () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    expect(runSchema({ out: join(file, 'x') }).exitCode).toBe(1);
  });
});
