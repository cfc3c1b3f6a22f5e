// THE loading function: validate, graph, plan, test and serve all build the graph through
// here, so what `validate` accepts is exactly what `serve` runs (Caddy's lesson).
import { execFile } from 'node:child_process';
import { hasErrors } from '../config/diagnostic.js';
import type { Diagnostic } from '../config/diagnostic.js';
import { loadConfigDir } from '../config/load.js';
import type { LoadedConfig } from '../config/load.js';
import { compileGraph } from './compile.js';
import type { RoutingGraph } from './types.js';

export interface BuildOptions {
  readonly now?: Date;
}

export interface BuildResult {
  readonly graph?: RoutingGraph;
  readonly config?: LoadedConfig;
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
  const [loaded, gitCommit] = await Promise.all([loadConfigDir(dir), findGitCommit(dir)]);
  const { config } = loaded;
  if (!config || hasErrors(loaded.diagnostics)) return { ...(config ? { config } : {}), diagnostics: loaded.diagnostics };
  const compiled = compileGraph(config, { ...(opts.now ? { now: opts.now } : {}), ...(gitCommit !== undefined ? { gitCommit } : {}) });
  return {
    ...(compiled.graph ? { graph: compiled.graph } : {}),
    config,
    diagnostics: [...loaded.diagnostics, ...compiled.diagnostics],
  };
}
