// Where message bodies are spooled: the configured directory must be ours alone (a directory, not a
// symlink, owned by this user, no access for group or others), and each gateway process gets its own
// 0700 subdirectory `gw-<pid>` in it. At start-up the subdirectories of processes that no longer run —
// full message bodies a crash left behind — are deleted and counted.
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export type SpoolDirErrorCode = 'RG_SPOOL_DIR_UNSAFE' | 'RG_SPOOL_DIR_FAILED';

export class SpoolDirError extends Error {
  constructor(readonly code: SpoolDirErrorCode, readonly path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SpoolDirError';
  }
}

export interface PreparedSpool {
  /** This process's private directory. */
  readonly dir: string;
  /** Files found in the directories of dead processes (and loose message files), now deleted. */
  readonly orphansSwept: number;
}

const OWN = /^gw-(\d+)$/;
/** Files of the layout before per-process directories: rg-<pid>-<random>.eml directly in the parent. */
const LOOSE = /^rg-(\d+)-[0-9a-f]+\.eml$/;

/** Creates (0700) or checks the spool directory, sweeps orphans, and makes this process's subdirectory. */
export async function prepareSpoolDir(parent: string, pid = process.pid): Promise<PreparedSpool> {
  await ensurePrivateDir(parent);
  let orphansSwept = 0;
  for (const name of await readdir(parent)) {
    const own = OWN.exec(name);
    const loose = LOOSE.exec(name);
    const owner = Number(own?.[1] ?? loose?.[1] ?? NaN);
    // Our own pid here is a previous process's directory (pids are reused after a crash): nothing of ours is in it yet.
    if (Number.isNaN(owner) || (owner !== pid && isAlive(owner))) continue;
    const path = join(parent, name);
    orphansSwept += own !== null ? await countFiles(path) : 1;
    await rm(path, { recursive: true, force: true });
  }
  const dir = join(parent, `gw-${pid}`);
  await ensurePrivateDir(dir);
  return { dir, orphansSwept };
}

async function ensurePrivateDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new SpoolDirError('RG_SPOOL_DIR_FAILED', path, `spool directory ${path} cannot be created: ${(err as Error).message}; set gateway.spool.dir to a directory this user may create`, { cause: err });
  }
  const st = await lstat(path);
  const uid = process.geteuid?.();
  const fix = `fix: chown ${uid ?? '<gateway user>'} ${path} && chmod 700 ${path}, or point gateway.spool.dir at a private directory`;
  if (!st.isDirectory()) throw new SpoolDirError('RG_SPOOL_DIR_UNSAFE', path, `spool directory ${path} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; ${fix}`);
  if (uid !== undefined && st.uid !== uid) throw new SpoolDirError('RG_SPOOL_DIR_UNSAFE', path, `spool directory ${path} is owned by uid ${st.uid}, not by the gateway (uid ${uid}): message bodies would be readable or replaceable by another user; ${fix}`);
  // mkdir's 0700 survives any umask (a umask only removes bits), so a wider mode was set by someone else.
  if ((st.mode & 0o077) !== 0) {
    throw new SpoolDirError('RG_SPOOL_DIR_UNSAFE', path, `spool directory ${path} has mode ${(st.mode & 0o7777).toString(8)}: group or others can reach message bodies; ${fix}`);
  }
}

async function countFiles(dir: string): Promise<number> {
  try {
    return (await readdir(dir)).length;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
