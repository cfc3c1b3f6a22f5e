// Finds the files of a config directory: exactly one topology, any policy files, any policy tests.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Diagnostic } from './diagnostic.js';
import { displayPathOf } from './source-file.js';

export interface RawFile {
  /** Absolute path. */
  readonly path: string;
  readonly bytes: Buffer;
}

export interface ConfigDirFiles {
  /** Absolute path. */
  readonly dir: string;
  readonly topology?: RawFile;
  readonly policies: readonly RawFile[];
  readonly tests: readonly RawFile[];
}

export type ConfigDirErrorCode = 'RG_CFG_DIR_MISSING' | 'RG_CFG_DIR_NOT_A_DIRECTORY' | 'RG_CFG_DIR_UNREADABLE';

export type ReadConfigDirResult =
  | { readonly ok: true; readonly files: ConfigDirFiles; readonly diagnostics: readonly Diagnostic[] }
  | { readonly ok: false; readonly error: { readonly code: ConfigDirErrorCode; readonly message: string; readonly hint: string } };

const TOPOLOGY_NAMES = ['topology.yaml', 'topology.yml', 'topology.json'] as const;
const POLICY_FILE = /^[^.].*\.policy\.(ya?ml|json)$/;
const TEST_FILE = /^[^.].*\.test\.(ya?ml|json)$/;
const DATA_FILE = /^[^.].*\.(ya?ml|json)$/;

export async function readConfigDir(dir: string): Promise<ReadConfigDirResult> {
  const abs = resolve(dir);
  const problem = await dirProblem(abs, dir);
  if (problem) return { ok: false, error: problem };
  const names = (await readdir(abs)).sort();
  const diagnostics: Diagnostic[] = [];
  const topologyNames = names.filter((n) => (TOPOLOGY_NAMES as readonly string[]).includes(n));
  if (topologyNames.length === 0) diagnostics.push(dirDiagnostic(abs, 'RG_CFG_NO_TOPOLOGY', `no topology file in ${displayPathOf(abs)} (expected topology.yaml, topology.yml or topology.json)`, 'create topology.yaml; see the example in policies/'));
  if (topologyNames.length > 1) diagnostics.push(dirDiagnostic(abs, 'RG_CFG_MANY_TOPOLOGIES', `several topology files in ${displayPathOf(abs)}: ${topologyNames.join(', ')}`, 'keep exactly one of them'));
  for (const name of names) {
    if (DATA_FILE.test(name) && !POLICY_FILE.test(name) && !topologyNames.includes(name)) {
      diagnostics.push(ignoredFileDiagnostic(join(abs, name), 'policy files are named NAME.policy.yaml (or .yml, .json)'));
    }
  }
  const first = topologyNames.length === 1 ? topologyNames[0] : undefined;
  const topology = first === undefined ? undefined : await readRaw(join(abs, first));
  const policies = await Promise.all(names.filter((n) => POLICY_FILE.test(n)).map((n) => readRaw(join(abs, n))));
  const tests = await readTests(join(abs, 'tests'), diagnostics);
  return { ok: true, files: { dir: abs, ...(topology ? { topology } : {}), policies, tests }, diagnostics };
}

async function dirProblem(abs: string, given: string): Promise<{ code: ConfigDirErrorCode; message: string; hint: string } | undefined> {
  try {
    const info = await stat(abs);
    if (!info.isDirectory()) return { code: 'RG_CFG_DIR_NOT_A_DIRECTORY', message: `${given} is a file, not a config directory`, hint: 'pass the directory that holds topology.yaml' };
    return undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { code: 'RG_CFG_DIR_MISSING', message: `config directory ${given} does not exist`, hint: 'pass the directory that holds topology.yaml (default: policies)' };
    return { code: 'RG_CFG_DIR_UNREADABLE', message: `config directory ${given} cannot be read (${code ?? 'error'})`, hint: 'check its permissions' };
  }
}

async function readTests(testsDir: string, diagnostics: Diagnostic[]): Promise<RawFile[]> {
  let names: string[];
  try {
    names = (await readdir(testsDir)).sort();
  } catch {
    return [];
  }
  for (const name of names) {
    if (DATA_FILE.test(name) && !TEST_FILE.test(name)) diagnostics.push(ignoredFileDiagnostic(join(testsDir, name), 'policy test files are named NAME.test.yaml (or .yml, .json)'));
  }
  return Promise.all(names.filter((n) => TEST_FILE.test(n)).map((n) => readRaw(join(testsDir, n))));
}

async function readRaw(path: string): Promise<RawFile> {
  return { path, bytes: await readFile(path) };
}

function dirDiagnostic(dir: string, code: string, message: string, hint: string): Diagnostic {
  return { code, severity: 'error', file: displayPathOf(dir), line: 0, column: 0, pointer: '', message, hint };
}

function ignoredFileDiagnostic(path: string, hint: string): Diagnostic {
  return { code: 'RG_CFG_UNKNOWN_FILE', severity: 'warning', file: displayPathOf(path), line: 0, column: 0, pointer: '', message: `${displayPathOf(path)} is ignored: its name matches no config file kind`, hint };
}
