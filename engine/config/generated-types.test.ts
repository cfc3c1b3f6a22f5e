// The committed types must be what the schemas generate (DESIGN.md: types come from schemas).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('generated config types', () => {
  it('are not stale (scripts/gen-types.mjs --check exits 0)', async () => {
    const run = promisify(execFile)(process.execPath, ['scripts/gen-types.mjs', '--check'], { cwd: root });
    await expect(run).resolves.toMatchObject({ stderr: '' });
  });
});
