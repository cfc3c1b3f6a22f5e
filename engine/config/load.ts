// Loading a config directory: read → parse with positions → schema → semantic checks → one frozen, hashed value.
// engine/graph/build.ts (buildGraph) wraps this with graph compilation; validate and serve both go through it.
import type { Diagnostic } from './diagnostic.js';
import { hasErrors, sortDiagnostics } from './diagnostic.js';
import type { PolicyFile } from './generated/policy.js';
import type { PolicyTestFile } from './generated/policy-test.js';
import type { TopologyFile } from './generated/topology.js';
import { readConfigDir } from './read-dir.js';
import type { ConfigDirFiles, RawFile } from './read-dir.js';
import { revisionHash } from './revision.js';
import { checkAgainstSchema } from './schema-check.js';
import { lookupSchema } from './schema-registry.js';
import type { SchemaName } from './schema-registry.js';
import { displayPathOf, parseSourceFile } from './source-file.js';
import type { SourceFile } from './source-file.js';
import { checkTopology } from './topology-checks.js';

export type { SourceFile } from './source-file.js';
export { locate, locateKey } from './locate.js';
export { resolveConfigPath } from './resolve-path.js';
export { formatDiagnostics } from './format.js';

export interface Loaded<T> {
  readonly source: SourceFile;
  readonly data: T;
}

export interface LoadedConfig {
  /** Absolute path. */
  readonly dir: string;
  /** sha256 hex over sorted (relative path, content) of every config file and every referenced certificate/key/trust/secret file. */
  readonly hash: string;
  readonly topology: Loaded<TopologyFile>;
  readonly policies: readonly Loaded<PolicyFile>[];
  readonly tests: readonly Loaded<PolicyTestFile>[];
  /** Absolute paths of the certificate, key, trust and secret files the topology names, for the watcher. */
  readonly referencedFiles: readonly string[];
}

export interface LoadOptions {
  /** The clock for certificate validity (tests pin it). */
  readonly now?: Date;
}

/** valid: no errors (warnings allowed); invalid: the config has errors; unusable: it could not be loaded at all (exit 2). */
export type LoadStatus = 'valid' | 'invalid' | 'unusable';

export interface FileCounts {
  readonly topology: number;
  readonly policies: number;
  readonly tests: number;
}

export interface LoadResult {
  readonly config?: LoadedConfig;
  readonly diagnostics: readonly Diagnostic[];
  readonly status: LoadStatus;
  /** The revision hash, also when the config is invalid (null when nothing could be read). */
  readonly revision: string | null;
  readonly counts: FileCounts;
}

const NO_FILES: FileCounts = { topology: 0, policies: 0, tests: 0 };

export async function loadConfigDir(dir: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const read = await readConfigDir(dir).catch((err: unknown) => ({
    ok: false as const,
    error: { code: 'RG_CFG_DIR_UNREADABLE' as const, message: `config directory ${dir} cannot be read: ${err instanceof Error ? err.message : String(err)}`, hint: 'check the files and their permissions' },
  }));
  if (!read.ok) {
    const d: Diagnostic = { code: read.error.code, severity: 'error', file: displayPathOf(dir), line: 0, column: 0, pointer: '', message: read.error.message, hint: read.error.hint };
    return { diagnostics: [d], status: 'unusable', revision: null, counts: NO_FILES };
  }
  const schemaProblems = (['topology', 'policy', 'policy-test'] as const).flatMap((name) => schemaProblem(name));
  if (schemaProblems.length > 0) return { diagnostics: schemaProblems, status: 'unusable', revision: null, counts: NO_FILES };
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const loaded = loadFiles(read.files, diagnostics);
  let referenced: ReadonlyMap<string, Buffer | undefined> = new Map();
  if (loaded.topology?.valid) {
    const checked = checkTopology({ source: loaded.topology.source, data: loaded.topology.data }, opts.now ?? new Date());
    diagnostics.push(...checked.diagnostics);
    referenced = checked.referenced;
  }
  // Policy-level semantics (duplicate policy names, unknown upstreams in scope, patterns that do not compile) run in
  // graph compilation (engine/policy/compile/compile.ts → checkPolicyFiles), which buildGraph runs right after this.
  return assemble(read.files, loaded, referenced, sortDiagnostics(diagnostics));
}

interface LoadedFiles {
  readonly topology?: FileLoad<TopologyFile>;
  readonly policies: readonly FileLoad<PolicyFile>[];
  readonly tests: readonly FileLoad<PolicyTestFile>[];
}

function loadFiles(files: ConfigDirFiles, diagnostics: Diagnostic[]): LoadedFiles {
  return {
    ...(files.topology ? { topology: loadFile<TopologyFile>(files.topology, 'topology', diagnostics) } : {}),
    policies: files.policies.map((f) => loadFile<PolicyFile>(f, 'policy', diagnostics)),
    tests: files.tests.map((f) => loadFile<PolicyTestFile>(f, 'policy-test', diagnostics)),
  };
}

function assemble(files: ConfigDirFiles, loaded: LoadedFiles, referenced: ReadonlyMap<string, Buffer | undefined>, diagnostics: readonly Diagnostic[]): LoadResult {
  const all = new Map<string, Buffer | undefined>(referenced);
  for (const raw of [files.topology, ...files.policies, ...files.tests]) if (raw) all.set(raw.path, raw.bytes);
  const revision = revisionHash(files.dir, all);
  const counts = { topology: files.topology ? 1 : 0, policies: files.policies.length, tests: files.tests.length };
  const { topology } = loaded;
  if (hasErrors(diagnostics) || !topology?.valid || [...loaded.policies, ...loaded.tests].some((f) => !f.valid)) {
    return { diagnostics, status: 'invalid', revision, counts };
  }
  const config: LoadedConfig = deepFreeze({
    dir: files.dir,
    hash: revision,
    topology: { source: topology.source, data: topology.data },
    policies: loaded.policies.flatMap((p) => (p.valid ? [{ source: p.source, data: p.data }] : [])),
    tests: loaded.tests.flatMap((t) => (t.valid ? [{ source: t.source, data: t.data }] : [])),
    referencedFiles: [...referenced.keys()].sort(),
  });
  return { config, diagnostics, status: 'valid', revision, counts };
}

type FileLoad<T> = { readonly valid: true; readonly source: SourceFile; readonly data: T } | { readonly valid: false; readonly source: SourceFile };

function loadFile<T>(raw: RawFile, kind: SchemaName, diagnostics: Diagnostic[]): FileLoad<T> {
  const parsed = parseSourceFile(raw.path, raw.bytes.toString('utf8'));
  diagnostics.push(...parsed.diagnostics);
  if (parsed.data === undefined && parsed.diagnostics.some((d) => d.severity === 'error')) return { valid: false, source: parsed.source };
  const lookup = lookupSchema(kind);
  if (!lookup.ok) return { valid: true, source: parsed.source, data: parsed.data as T };
  const found = checkAgainstSchema(parsed.source, parsed.data ?? null, lookup.schema);
  diagnostics.push(...found);
  return found.length > 0 ? { valid: false, source: parsed.source } : { valid: true, source: parsed.source, data: parsed.data as T };
}

function schemaProblem(name: SchemaName): Diagnostic[] {
  const lookup = lookupSchema(name);
  if (lookup.ok || lookup.missing) {
    if (!lookup.ok && name === 'topology') return [{ code: 'RG_CFG_SCHEMA_MISSING', severity: 'error', file: `schemas/${name}.schema.json`, line: 0, column: 0, pointer: '', message: 'the topology schema is missing from this installation' }];
    return [];
  }
  return [{ code: 'RG_CFG_SCHEMA_BROKEN', severity: 'error', file: `schemas/${name}.schema.json`, line: 0, column: 0, pointer: '', message: lookup.message }];
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  // Source files hold yaml Document objects, which are left alone; only plain data is frozen.
  if (Object.getPrototypeOf(value) !== Object.prototype && !Array.isArray(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}
