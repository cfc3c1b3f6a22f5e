import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfigDir } from './read-dir.js';

let root: string;

function dir(name: string, files: readonly string[]): string {
  const d = join(root, name);
  for (const f of files) {
    mkdirSync(join(d, f, '..'), { recursive: true });
    writeFileSync(join(d, f), 'version: 1\n');
  }
  return d;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'rg-read-dir-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('readConfigDir', () => {
  it('finds the topology, policy files and tests by name, and ignores hidden and other files', async () => {
    const d = dir('kinds', ['topology.yml', 'a.policy.yaml', 'b.policy.json', '.c.policy.yaml', 'README.md', 'tests/a.test.yml', 'tests/messages/m.eml']);
    const read = await readConfigDir(d);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.diagnostics).toEqual([]);
    expect(read.files.topology && basename(read.files.topology.path)).toBe('topology.yml');
    expect(read.files.policies.map((f) => basename(f.path))).toEqual(['a.policy.yaml', 'b.policy.json']);
    expect(read.files.tests.map((f) => basename(f.path))).toEqual(['a.test.yml']);
  });

  it('warns about YAML and JSON files that match no kind, in the directory and in tests/', async () => {
    const read = await readConfigDir(dir('stray', ['topology.yaml', 'cards.yaml', 'tests/cards.yaml']));
    expect(read.ok && read.diagnostics.map((d) => `${d.code} ${basename(d.file)}`)).toEqual(['RG_CFG_UNKNOWN_FILE cards.yaml', 'RG_CFG_UNKNOWN_FILE cards.yaml']);
  });

  it('asks for exactly one topology file', async () => {
    const none = await readConfigDir(dir('none', ['a.policy.yaml']));
    const two = await readConfigDir(dir('two', ['topology.yaml', 'topology.json']));
    expect(none.ok && none.diagnostics.map((d) => d.code)).toEqual(['RG_CFG_NO_TOPOLOGY']);
    expect(two.ok && two.diagnostics.map((d) => d.code)).toEqual(['RG_CFG_MANY_TOPOLOGIES']);
  });

  it('cannot run on a missing directory or a file', async () => {
    expect(await readConfigDir(join(root, 'missing'))).toMatchObject({ ok: false, error: { code: 'RG_CFG_DIR_MISSING' } });
    writeFileSync(join(root, 'file'), '');
    expect(await readConfigDir(join(root, 'file'))).toMatchObject({ ok: false, error: { code: 'RG_CFG_DIR_NOT_A_DIRECTORY' } });
  });
});
