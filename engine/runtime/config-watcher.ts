// Watches the config directory and every file the running graph names outside it. Any event is only a
// hint to re-read (the reloader hashes and decides), so the scope errs on the side of more events.
// The config dir's PARENT is watched (filtered down to the dir), so deleting and recreating the
// directory, or a Kubernetes ConfigMap's `..data` symlink swap, is seen like any other change.
import { basename, dirname, relative, resolve, isAbsolute, sep } from 'node:path';
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

export class ConfigWatcher {
  readonly #opts: ConfigWatcherOptions;
  #watcher: FSWatcher | undefined;
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
    next.on('all', (event, path) => this.#opts.onEvent(event, path));
    next.on('error', (err) => this.#opts.logger.warn({ err, code: 'RG_RELOAD_WATCH_ERROR' }, 'file watcher error'));
    await new Promise<void>((done) => next.once('ready', () => done()));
    const previous = this.#watcher;
    this.#watcher = next;
    if (this.#closed) await next.close();
    await previous?.close();
    this.#opts.logger.debug({ roots: scope.roots, dir: basename(dir) }, 'watching config');
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#watcher?.close();
    this.#watcher = undefined;
  }
}
