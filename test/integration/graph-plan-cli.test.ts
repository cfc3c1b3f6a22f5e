// `relayguard graph` and `relayguard plan` through their command functions and a real commander
// program: exit codes, output formats, and a plan between two revisions of a config repository.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register as registerGraph, runGraph } from '../../engine/cli/graph.js';
import { register as registerPlan, runPlan } from '../../engine/cli/plan.js';
import type { PlanExtension } from '../../engine/cli/plan.js';
import { makeTestPki } from '../helpers/pki.js';

let root: string;

interface Revision {
  readonly receivers: string;
  readonly routes: string;
  readonly policyMode: 'enforce' | 'monitor';
}

const REVISION_A: Revision = {
  receivers: `
  - { name: mx-out-1, host: 127.0.0.1, port: 10030, tls: { starttls: required, trust: [../certs/mx-out-1.crt.pem] } }
  - { name: mx-old, host: 127.0.0.1, port: 10039, tls: { starttls: disabled } }`,
  routes: `
  - { domains: ["example.org"], receivers: [mx-out-1] }
  - { domains: ["*"], receivers: [mx-old] }`,
  policyMode: 'enforce',
};

const REVISION_B: Revision = {
  receivers: `
  - { name: mx-out-1, host: 127.0.0.1, port: 10030, tls: { starttls: required, trust: [../certs/mx-out-1.crt.pem] } }
  - { name: mx-out-2, host: 127.0.0.1, port: 10031, tls: { starttls: disabled } }`,
  routes: `
  - { domains: ["example.org"], receivers: [mx-out-1, mx-out-2] }
  - { domains: ["*"], receivers: [mx-out-2] }`,
  policyMode: 'monitor',
};

/** root/NAME/{policies,certs}: a checkout of the config repository at one revision. */
function writeRevision(name: string, certsFrom: string, rev: Revision): string {
  const checkout = join(root, name);
  const dir = join(checkout, 'policies');
  mkdirSync(dir, { recursive: true });
  cpSync(certsFrom, join(checkout, 'certs'), { recursive: true });
  writeFileSync(
    join(dir, 'topology.yaml'),
    `version: 1
gateway:
  hostname: gw.example.test
  listen: [{ address: 127.0.0.1, port: 10025 }]
  tls: { certificate: ../certs/gateway.crt.pem, key: ../certs/gateway.key.pem }
  incidents: { path: ../var/incidents.jsonl }
  spool: { dir: ../var/spool }
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32"]
    mode: reflect
    reflect: { port: 10026, tls: { starttls: required, verifyHostname: false } }
    tls: { starttls: required, clientCertificate: required, trust: [../certs/corp-postfix.crt.pem] }
receivers:${rev.receivers}
routes:${rev.routes}
`,
  );
  writeFileSync(
    join(dir, 'cards.policy.yaml'),
    `version: 1
policies:
  - name: block-card-numbers
    severity: high
    mode: ${rev.policyMode}
    match: { creditCardNumber: { min: 1 } }
    action: { type: block }
`,
  );
  return dir;
}

let dirA: string;
let dirACopy: string;
let dirB: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-graph-plan-cli-'));
  const pki = makeTestPki(join(root, 'pki'));
  pki.issue('mx-out-1', ['mx-out-1.example.test']);
  pki.issue('corp-postfix', ['corp-postfix.example.test']);
  dirA = writeRevision('rev-a', pki.dir, REVISION_A);
  dirACopy = writeRevision('rev-a-copy', pki.dir, REVISION_A);
  dirB = writeRevision('rev-b', pki.dir, REVISION_B);
  // Revision B also rotates mx-out-1's certificate: same file name, new fingerprint.
  const rotated = pki.issue('mx-out-1-rotated', ['mx-out-1.example.test']);
  writeFileSync(join(root, 'rev-b', 'certs', 'mx-out-1.crt.pem'), rotated.certPem);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Runs argv through a commander program shaped like engine/cli/main.ts. */
async function cli(argv: readonly string[], extensions: readonly PlanExtension[] = []): Promise<number> {
  const program = new Command('relayguard').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerGraph(program);
  registerPlan(program, extensions);
  const saved = process.exitCode;
  const writes = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    process.exitCode = 0;
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
    process.exitCode = saved;
  }
}

describe('relayguard graph', () => {
  it('prints the graph as text, json and mermaid (exit 0)', async () => {
    const text = await runGraph(dirA, { format: 'text' });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('#1 example.org → mx-out-1 (failover)');
    const json = await runGraph(dirA, { format: 'json' });
    expect(JSON.parse(json.stdout).receivers.map((r: { name: string }) => r.name)).toEqual(['mx-out-1', 'mx-old']);
    const mermaid = await runGraph(dirA, { format: 'mermaid' });
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
  });

  it('prints the diagnostics and exits 1 when the config is invalid', async () => {
    const bad = join(root, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'topology.yaml'), 'version: 1\ngateway: { listen: [{ address: 127.0.0.1, port: 10025 }] }\nupstreams:\n  - { name: a, addresses: ["127.0.0.1"], mode: forward }\nroutes:\n  - { domains: ["*"], receivers: [mx-9] }\n');
    const out = await runGraph(bad, { format: 'text' });
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/topology\.yaml:\d+:\d+: .*mx-9/);
  });

  it('exits 2 when the directory does not exist, or the format is unknown', async () => {
    expect((await runGraph(join(root, 'nope'), { format: 'text' })).exitCode).toBe(2);
    expect(await cli(['graph', dirA, '--format', 'svg'])).toBe(2);
    expect(await cli(['graph', dirA, '--format', 'mermaid'])).toBe(0);
  });
});

describe('relayguard plan', () => {
  it('exits 0 with no changes between two checkouts of the same revision', async () => {
    const out = await runPlan(dirA, dirACopy, { format: 'text' });
    expect(out.stdout).toMatch(/^No changes/);
    expect(out.exitCode).toBe(0);
  });

  it('lists each change once, in a stable order, and exits 3', async () => {
    const out = await runPlan(dirA, dirB, { format: 'text' });
    expect(out.exitCode).toBe(3);
    expect(out.stdout).toBe(
      [
        '- receiver mx-old',
        '~ receiver mx-out-1: tls.trust[../certs/mx-out-1.crt.pem].fingerprints: ' + fingerprintChange(out.stdout),
        '+ receiver mx-out-2',
        '~ route #1 (example.org): receivers: mx-out-1 → mx-out-1, mx-out-2',
        '~ route #2 (*): receivers: mx-old → mx-out-2',
        '~ policy block-card-numbers: mode: enforce → monitor',
        '',
        'Plan: 1 to add, 4 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
    const again = await runPlan(dirA, dirB, { format: 'text' });
    expect(again.stdout).toBe(out.stdout);
  });

  it('prints json with a one-line summary', async () => {
    const out = await runPlan(dirA, dirB, { format: 'json' });
    const parsed = JSON.parse(out.stdout) as { summary: string; changes: { kind: string; section: string; name: string }[] };
    expect(parsed.summary).toMatch(/^1 added, 4 changed, 1 removed: -receiver mx-old, ~receiver mx-out-1, \+receiver mx-out-2, /);
    expect(parsed.changes).toHaveLength(6);
  });

  it('exits 1 and shows the invalid side when one revision does not compile', async () => {
    const broken = writeRevision('rev-broken', join(root, 'pki'), { ...REVISION_B, routes: '\n  - { domains: ["*"], receivers: [mx-9] }' });
    const out = await runPlan(dirA, broken, { format: 'text' });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toContain(`NEW_DIR ${broken} is invalid`);
    expect(out.stderr).not.toContain('OLD_DIR');
  });

  it('exits 2 on usage errors and 3 through the command line', async () => {
    expect(await cli(['plan', dirA])).toBe(2);
    expect(await cli(['plan', dirA, dirB, '--format', 'yaml'])).toBe(2);
    expect(await cli(['plan', dirA, dirB])).toBe(3);
    expect(await cli(['plan', dirA, dirACopy])).toBe(0);
  });

  it('adds the changes an extension reports (the policy-test hook)', async () => {
    const extension: PlanExtension = async (before, after) => {
      // Two checkouts of one revision: same content hash, different directories.
      expect(before.graph.revision.hash).toBe(after.graph.revision.hash);
      expect(before.dir).not.toBe(after.dir);
      return [{ kind: 'changed', section: 'test', name: 'cards.test.yaml#1', details: ['outcome: pass → fail'] }];
    };
    const out = await runPlan(dirA, dirACopy, { format: 'text', extensions: [extension] });
    expect(out.exitCode).toBe(3);
    expect(out.stdout).toContain('~ test cards.test.yaml#1: outcome: pass → fail');
  });
});

function fingerprintChange(stdout: string): string {
  const match = /fingerprints: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2}) → ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(stdout);
  expect(match).not.toBeNull();
  expect(match?.[1]).not.toBe(match?.[2]);
  return `${match?.[1]} → ${match?.[2]}`;
}
