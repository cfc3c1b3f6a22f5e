// THE loading function: validate, graph, plan, test and serve all build the graph through
// here, so what `validate` accepts is exactly what `serve` runs (Caddy's lesson).
import { execFile } from 'node:child_process';
import { hasErrors } from '../config/diagnostic.js';
import type { Diagnostic } from '../config/diagnostic.js';
import { loadConfigDir } from '../config/load.js';
import type { LoadStatus, LoadedConfig } from '../config/load.js';
import { compileGraph } from './compile.js';
import { readExactData, revisionWithData } from '../policy/edm/exact-data.js';
import type { RoutingGraph } from './types.js';

export interface BuildOptions {
  readonly now?: Date;
}

export interface BuildResult {
  /** valid: a graph was built; invalid: the config has errors (exit 1); unusable: nothing could be loaded (exit 2). */
  readonly status: LoadStatus;
  readonly graph?: RoutingGraph;
  readonly config?: LoadedConfig;
  /** The content hash, also when the config is invalid; null when nothing could be read. */
  readonly revision: string | null;
  readonly diagnostics: readonly Diagnostic[];
}

const GIT_TIMEOUT_MS = 5000;

/** HEAD of the git work tree holding `dir`, or undefined (not a work tree, no git, no commit yet). */
export function findGitCommit(dir: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['-C', dir, 'rev-parse', '--verify', '--quiet', 'HEAD'], { timeout: GIT_TIMEOUT_MS, windowsHide: true }, (err, stdout) => {
      const commit = String(stdout).trim();
      resolve(!err && /^[0-9a-f]{40,64}$/.test(commit) ? commit : undefined);
    });
  });
}

export async function buildGraph(dir: string, opts: BuildOptions = {}): Promise<BuildResult> {
  const now = opts.now ?? new Date();
  const [loaded, gitCommit] = await Promise.all([loadConfigDir(dir, { now }), findGitCommit(dir)]);
  const { config } = loaded;
  if (!config || hasErrors(loaded.diagnostics)) {
    return { status: loaded.status === 'valid' ? 'invalid' : loaded.status, ...(config ? { config } : {}), revision: loaded.revision, diagnostics: loaded.diagnostics };
  }
  // index files are data the policies name: read once here so their digests join the revision even when compile fails
  const exactData = readExactData(config.policies);
  const compiled = compileGraph(config, { now, exactData, ...(gitCommit !== undefined ? { gitCommit } : {}) });
  return {
    status: compiled.graph ? 'valid' : 'invalid',
    ...(compiled.graph ? { graph: compiled.graph } : {}),
    config,
    revision: loaded.revision === null ? null : revisionWithData(loaded.revision, exactData, config.dir),
    diagnostics: [...loaded.diagnostics, ...compiled.diagnostics],
  };
}
