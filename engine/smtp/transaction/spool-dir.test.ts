// The spool directory holds whole message bodies: it is created private, refused when it is not, and
// what a crashed process left in it is swept at start-up and counted.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SpoolDirError, prepareSpoolDir } from './spool-dir.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rg-spooldir-'));
  dirs.push(d);
  return d;
}

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('prepareSpoolDir', () => {
  it('creates the directory and a per-process subdirectory, both 0700', async () => {
    const parent = join(tempDir(), 'a', 'spool');
    const p = await prepareSpoolDir(parent);
    expect(p.dir).toBe(join(parent, `gw-${process.pid}`));
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    expect(statSync(p.dir).mode & 0o777).toBe(0o700);
    expect(p.orphansSwept).toBe(0);
  });

  it('refuses a directory group or others can reach, naming the path and the fix', async () => {
    const parent = join(tempDir(), 'spool');
    mkdirSync(parent);
    chmodSync(parent, 0o1777);
    const err = await prepareSpoolDir(parent).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SpoolDirError);
    expect(err).toMatchObject({ code: 'RG_SPOOL_DIR_UNSAFE', path: parent });
    expect((err as Error).message).toContain(parent);
    expect((err as Error).message).toMatch(/mode 1777.*chmod 700/);
  });

  it('refuses a symbolic link and a regular file', async () => {
    const base = tempDir();
    mkdirSync(join(base, 'real'), { mode: 0o700 });
    symlinkSync(join(base, 'real'), join(base, 'link'));
    writeFileSync(join(base, 'file'), 'x');
    await expect(prepareSpoolDir(join(base, 'link'))).rejects.toMatchObject({ code: 'RG_SPOOL_DIR_UNSAFE', message: expect.stringMatching(/symbolic link/) });
    await expect(prepareSpoolDir(join(base, 'file'))).rejects.toMatchObject({ code: expect.stringMatching(/^RG_SPOOL_DIR_/) });
  });

  it.runIf(process.geteuid?.() === 0)('refuses a directory owned by another user (run as root: chown to nobody)', async () => {
    const parent = join(tempDir(), 'spool');
    mkdirSync(parent, { mode: 0o700 });
    const { chownSync } = await import('node:fs');
    chownSync(parent, 65534, 65534);
    await expect(prepareSpoolDir(parent)).rejects.toMatchObject({ code: 'RG_SPOOL_DIR_UNSAFE', message: expect.stringMatching(/owned by uid 65534/) });
  });

  it('sweeps the files of processes that no longer run, and leaves a live process alone', async () => {
    const parent = join(tempDir(), 'spool');
    const dead = deadPid();
    mkdirSync(join(parent, `gw-${dead}`), { recursive: true, mode: 0o700 });
    chmodSync(parent, 0o700);
    writeFileSync(join(parent, `gw-${dead}`, 'rg-a.eml'), 'body');
    writeFileSync(join(parent, `gw-${dead}`, 'rg-b.eml'), 'body');
    writeFileSync(join(parent, `rg-${dead}-00ff.eml`), 'body');
    // The test runner's parent process is alive.
    mkdirSync(join(parent, `gw-${process.ppid}`), { mode: 0o700 });
    writeFileSync(join(parent, `gw-${process.ppid}`, 'rg-c.eml'), 'in flight');
    const p = await prepareSpoolDir(parent);
    expect(p.orphansSwept).toBe(3);
    expect(readdirSync(parent).sort()).toEqual([`gw-${process.pid}`, `gw-${process.ppid}`].sort());
    expect(existsSync(join(parent, `gw-${process.ppid}`, 'rg-c.eml'))).toBe(true);
  });
});
