// `relayguard validate` end to end: the three output formats, exit codes, and the commander wiring.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { register, runValidate } from '../../engine/cli/validate.js';
import type { DiagnosticsJson } from '../../engine/config/format.js';

const VALID = `version: 1
gateway:
  hostname: gw.example.test
  listen:
    - { address: 127.0.0.1, port: 10025 }
  loop: { secretFile: loop.secret }
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32"]
    mode: reflect
    reflect: { port: 10026 }
`;

const POLICY = `version: 1
policies:
  - name: block-cards
    match: { creditCardNumber: { min: 1 } }
    action: { type: block }
`;

const TEST_FILE = `version: 1
cases:
  - name: a card number is blocked
    message: { subject: Payment, body: "4111 1111 1111 1111" }
    expect: { action: block }
`;

// Two errors (unknown receiver, bad enum) and one warning (unused receiver) once the enum is fixed; here the enum
// error stops semantic checks, so: one schema error.
const INVALID = `version: 1
gateway:
  listen:
    - { address: 127.0.0.1, port: 10025 }
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32"]
    mode: bounce
`;

const SEMANTIC = `version: 1
gateway:
  listen:
    - { address: 127.0.0.1, port: 10025 }
  loop: { secretFile: loop.secret }
upstreams:
  - name: corp-postfix
    addresses: ["127.0.0.1/32"]
    mode: forward
receivers:
  - { name: mx-out-1, host: 127.0.0.1, port: 10030 }
  - { name: mx-out-2, host: 127.0.0.1, port: 10031 }
routes:
  - domains: ["*"]
    receivers: [mx-out-1, mx-9]
`;

let root: string;

function configDir(name: string, files: Readonly<Record<string, string>>): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'loop.secret'), 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0\n');
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  return dir;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-validate-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('relayguard validate', () => {
  it('accepts a valid directory with exit 0 and a summary naming what it read', async () => {
    const dir = configDir('valid', { 'topology.yaml': VALID, 'cards.policy.yaml': POLICY, 'tests/cards.test.yaml': TEST_FILE });
    const out = await runValidate(dir);
    expect(out.exitCode).toBe(0);
    expect(out.errorOutput).toBe('');
    expect(out.output).toBe(`${dir}/: valid (1 topology, 1 policy, 1 test file)\n`);
  });

  it('prints file:line:col: error: CODE: message [pointer] and exits 1 on a schema error', async () => {
    const dir = configDir('invalid', { 'topology.yaml': INVALID });
    const out = await runValidate(dir);
    expect(out.exitCode).toBe(1);
    const lines = out.output.trimEnd().split('\n');
    expect(lines[0]).toBe(`${dir}/topology.yaml:8:11: error: RG_CFG_SCHEMA: mode must be "reflect" or "forward", got "bounce" [/upstreams/0/mode]`);
    expect(lines[lines.length - 1]).toBe(`${dir}/: 1 error`);
  });

  it('reports semantic errors and warnings with hints, counting both in the summary', async () => {
    const dir = configDir('semantic', { 'topology.yaml': SEMANTIC });
    const out = await runValidate(dir);
    expect(out.exitCode).toBe(1);
    expect(out.output).toContain(`${dir}/topology.yaml:15:27: error: RG_CFG_REF_UNKNOWN: no receiver named "mx-9" (known: mx-out-1, mx-out-2) [/routes/0/receivers/1]\n    hint: `);
    expect(out.output).toContain(`${dir}/topology.yaml:12:13: warning: RG_CFG_RECEIVER_UNUSED: receiver "mx-out-2" is not used by any route [/receivers/1/name]`);
    expect(out.output.trimEnd().split('\n').pop()).toBe(`${dir}/: 1 error, 1 warning`);
  });

  it('--format json prints the documented shape', async () => {
    const dir = configDir('json', { 'topology.yaml': SEMANTIC });
    const out = await runValidate(dir, { format: 'json' });
    expect(out.exitCode).toBe(1);
    const json = JSON.parse(out.output) as DiagnosticsJson;
    expect(Object.keys(json)).toEqual(['valid', 'revision', 'errors', 'warnings', 'diagnostics']);
    expect(json).toMatchObject({ valid: false, revision: null, errors: 1, warnings: 1 });
    expect(json.diagnostics[0]).toEqual({
      code: 'RG_CFG_RECEIVER_UNUSED',
      severity: 'warning',
      file: `${dir}/topology.yaml`,
      line: 12,
      column: 13,
      pointer: '/receivers/1/name',
      message: 'receiver "mx-out-2" is not used by any route',
      hint: 'name it in a route, or remove it',
    });
    expect(json.diagnostics[1]).toMatchObject({ code: 'RG_CFG_REF_UNKNOWN', severity: 'error', line: 15, column: 27, pointer: '/routes/0/receivers/1', hint: 'add it under receivers, or fix the name' });
  });

  it('--format json carries the revision hash of a valid config', async () => {
    const dir = configDir('json-valid', { 'topology.yaml': VALID });
    const out = await runValidate(dir, { format: 'json' });
    const json = JSON.parse(out.output) as DiagnosticsJson;
    expect(out.exitCode).toBe(0);
    expect(json).toMatchObject({ valid: true, errors: 0, warnings: 0, diagnostics: [] });
    expect(json.revision).toMatch(/^[0-9a-f]{64}$/);
  });

  it('--format github prints workflow annotations, warnings as ::warning', async () => {
    const dir = configDir('github', { 'topology.yaml': SEMANTIC });
    const out = await runValidate(dir, { format: 'github' });
    const lines = out.output.trimEnd().split('\n');
    expect(lines[0]).toBe(`::warning file=${dir}/topology.yaml,line=12,col=13,title=RG_CFG_RECEIVER_UNUSED::receiver "mx-out-2" is not used by any route [/receivers/1/name]%0Ahint: name it in a route, or remove it`);
    expect(lines[1]).toMatch(new RegExp(`^::error file=${dir}/topology\\.yaml,line=15,col=27,title=RG_CFG_REF_UNKNOWN::no receiver named "mx-9"`));
    expect(lines[2]).toBe(`${dir}/: 1 error, 1 warning`);
  });

  it('exits 2 with a message on stderr when the directory does not exist', async () => {
    const missing = join(root, 'nope');
    const out = await runValidate(missing);
    expect(out.exitCode).toBe(2);
    expect(out.output).toBe('');
    expect(out.errorOutput).toContain(`config directory ${missing} does not exist`);
  });

  it('exits 2 in json too, with the reason as a diagnostic', async () => {
    const out = await runValidate(join(root, 'nope'), { format: 'json' });
    expect(out.exitCode).toBe(2);
    expect(JSON.parse(out.output)).toMatchObject({ valid: false, errors: 1, diagnostics: [{ code: 'RG_CFG_DIR_MISSING' }] });
  });

  it('exits 2 when DIR is a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    expect((await runValidate(file)).exitCode).toBe(2);
  });
});

describe('validate command registration', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  function program(): Command {
    const p = new Command('relayguard').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
    register(p);
    return p;
  }

  it('parses DIR and --format, prints to stdout and sets the exit code', async () => {
    const dir = configDir('registered', { 'topology.yaml': SEMANTIC });
    const chunks: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    await program().parseAsync(['validate', dir, '--format', 'json'], { from: 'user' });
    expect(process.exitCode).toBe(1);
    expect(JSON.parse(chunks.join(''))).toMatchObject({ valid: false, errors: 1, warnings: 1 });
  });

  it('rejects an unknown --format as a usage error', async () => {
    await expect(program().parseAsync(['validate', root, '--format', 'xml'], { from: 'user' })).rejects.toBeInstanceOf(CommanderError);
  });
});
