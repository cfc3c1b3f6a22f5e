// Watches the config directory and every file the running graph names outside it. Any event is only a
// hint to re-read (the reloader hashes and decides), so the scope errs on the side of more events.
// The config dir's PARENT is watched (filtered down to the dir), so deleting and recreating the
// directory, or a Kubernetes ConfigMap's `..data` symlink swap, is seen like any other change.
import { watch as watchDir } from 'node:fs';
import type { FSWatcher as DirWatcher } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { watch } from 'chokidar';
import type { FSWatcher } from 'chokidar';
import type { Logger } from 'pino';

export interface WatchScope {
  /** Directories handed to chokidar. */
  readonly roots: readonly string[];
  /** Paths under the roots whose events matter; everything else is not even descended into. */
  admits(path: string): boolean;
}

function isWithin(parent: string, path: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (!rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel));
}

/**
 * What to watch for config dir `dir` and the files `files` (absolute) the graph was built from.
 * Next to an outside file, Kubernetes-style `..name` entries are admitted too: a mounted Secret swaps
 * its certificates by renaming a `..data` symlink, not by touching `tls.crt` itself.
 */
export function watchScope(dir: string, files: readonly string[]): WatchScope {
  const root = resolve(dir);
  const outside = [...new Set(files.map((f) => resolve(f)).filter((f) => !isWithin(root, f)))].sort();
  const outsideDirs = [...new Set(outside.map((f) => dirname(f)))];
  const roots = [...new Set([dirname(root), ...outsideDirs])].sort();
  const exact = new Set([...roots, ...outside]);
  const admits = (path: string): boolean => {
    const p = resolve(path);
    if (exact.has(p) || isWithin(root, p)) return true;
    return outsideDirs.some((d) => {
      if (!isWithin(d, p) || p === d) return false;
      const first = relative(d, p).split(sep)[0] ?? '';
      return first.startsWith('..');
    });
  };
  return { roots, admits };
}

export interface ConfigWatcherOptions {
  readonly logger: Logger;
  /** Called for every event in scope (unfiltered bursts: the caller debounces). */
  readonly onEvent: (event: string, path: string) => void;
}

/**
 * A plain fs.watch per watched directory. chokidar follows files by inode and loses a file that is
 * replaced by rename several times in quick succession (editors' atomic saves, `git checkout`,
 * certificate rotation scripts); a directory watch sees every name that changes in it.
 */
class DirSentinels {
  readonly #watchers = new Map<string, DirWatcher>();
  readonly #onEvent: (path: string) => void;

  constructor(onEvent: (path: string) => void) {
    this.#onEvent = onEvent;
  }

  sync(dirs: ReadonlySet<string>, scope: WatchScope): void {
    for (const [dir, w] of this.#watchers) {
      if (dirs.has(dir)) continue;
      w.close();
      this.#watchers.delete(dir);
    }
    for (const dir of dirs) {
      if (this.#watchers.has(dir)) continue;
      try {
        const w = watchDir(dir, { persistent: false }, (_event, name) => {
          const path = name === null ? dir : join(dir, name.toString());
          if (scope.admits(path)) this.#onEvent(path);
        });
        w.on('error', () => {
          w.close();
          if (this.#watchers.get(dir) === w) this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, w);
      } catch {
        // Gone already: chokidar reports the unlinkDir and the next sync drops it.
      }
    }
  }

  close(): void {
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
  }
}

export class ConfigWatcher {
  readonly #opts: ConfigWatcherOptions;
  #watcher: FSWatcher | undefined;
  #sentinels: DirSentinels | undefined;
  #key = '';
  #closed = false;

  constructor(opts: ConfigWatcherOptions) {
    this.#opts = opts;
  }

  /** (Re)points the watcher; resolves once the new one is ready. The old one stops after, so no event falls between. */
  async target(dir: string, files: readonly string[]): Promise<void> {
    const scope = watchScope(dir, files);
    const key = JSON.stringify([scope.roots, resolve(dir), files.map((f) => resolve(f)).sort()]);
    if (key === this.#key || this.#closed) return;
    this.#key = key;
    const next = watch([...scope.roots], {
      ignoreInitial: true,
      followSymlinks: true,
      ignored: (path: string) => !scope.admits(path),
      ignorePermissionErrors: true,
    });
    const sentinels = new DirSentinels((path) => this.#opts.onEvent('raw', path));
    const syncSentinels = (): void => sentinels.sync(watchedDirs(next, scope), scope);
    next.on('all', (event, path) => {
      if (event === 'addDir' || event === 'unlinkDir') syncSentinels();
      this.#opts.onEvent(event, path);
    });
    next.on('error', (err) => this.#opts.logger.warn({ err, code: 'RG_RELOAD_WATCH_ERROR' }, 'file watcher error'));
    await new Promise<void>((done) => next.once('ready', () => done()));
    syncSentinels();
    const previous = this.#watcher;
    const previousSentinels = this.#sentinels;
    this.#watcher = next;
    this.#sentinels = sentinels;
    if (this.#closed) await this.close();
    previousSentinels?.close();
    await previous?.close();
    this.#opts.logger.debug({ roots: scope.roots, dir: basename(dir) }, 'watching config');
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#sentinels?.close();
    this.#sentinels = undefined;
    await this.#watcher?.close();
    this.#watcher = undefined;
  }
}

/** The directories chokidar tracks that are in scope: the roots, the config dir and everything under it. */
function watchedDirs(watcher: FSWatcher, scope: WatchScope): ReadonlySet<string> {
  const dirs = new Set<string>();
  const watched = watcher.getWatched();
  for (const [dir, entries] of Object.entries(watched)) {
    if (scope.admits(dir)) dirs.add(resolve(dir));
    for (const entry of entries) {
      const path = resolve(dir, entry);
      // getWatched lists files and directories alike; a name that is itself a key is a directory.
      if (watched[path] !== undefined && scope.admits(path)) dirs.add(path);
    }
  }
  return dirs;
}
