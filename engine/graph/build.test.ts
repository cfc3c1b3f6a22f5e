import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraph, findGitCommit } from './build.js';

const outside = mkdtempSync(join(tmpdir(), 'rg-graph-build-'));

afterAll(() => {
  rmSync(outside, { recursive: true, force: true });
});

function gitHead(dir: string): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

describe('findGitCommit', () => {
  it('finds nothing outside a git work tree', async () => {
    expect(await findGitCommit(outside)).toBeUndefined();
  });

  it('finds nothing for a directory that does not exist', async () => {
    expect(await findGitCommit(join(outside, 'missing'))).toBeUndefined();
  });

  it('agrees with git rev-parse inside this repository', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    expect(await findGitCommit(here)).toBe(gitHead(here));
  });
});

describe('buildGraph', () => {
  it('reports a missing directory as unusable, without a graph', async () => {
    const result = await buildGraph(join(outside, 'missing'));
    expect(result.status).toBe('unusable');
    expect(result.graph).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toEqual(['RG_CFG_DIR_MISSING']);
  });

  it('reports an empty directory as invalid', async () => {
    const result = await buildGraph(outside);
    expect(result.status).toBe('invalid');
    expect(result.diagnostics.map((d) => d.code)).toContain('RG_CFG_NO_TOPOLOGY');
  });
});
