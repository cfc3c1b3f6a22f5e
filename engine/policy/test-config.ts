// What `relayguard test` loads: policy and test files (schema-checked, with positions) and the upstream names of
// the topology. Certificates are not read, so policy tests run in CI where no keys exist.
import type { Diagnostic } from '../config/diagnostic.js';
import { hasErrors, sortDiagnostics } from '../config/diagnostic.js';
import type { PolicyFile } from '../config/generated/policy.js';
import type { PolicyTestFile } from '../config/generated/policy-test.js';
import { readConfigDir, type RawFile } from '../config/read-dir.js';
import { checkAgainstSchema } from '../config/schema-check.js';
import { lookupSchema, type SchemaName } from '../config/schema-registry.js';
import { displayPathOf, parseSourceFile, type SourceFile } from '../config/source-file.js';
import { compilePolicies } from './compile.js';
import type { PolicySet } from './policy-set.js';

export type TestConfigResult =
  | {
      readonly status: 'valid';
      readonly policySet: PolicySet;
      readonly tests: readonly { source: SourceFile; data: PolicyTestFile }[];
      readonly upstreamNames: readonly string[];
      readonly diagnostics: readonly Diagnostic[];
    }
  | { readonly status: 'invalid' | 'unusable'; readonly diagnostics: readonly Diagnostic[] };

export async function loadTestConfig(dir: string): Promise<TestConfigResult> {
  const read = await readConfigDir(dir);
  if (!read.ok) {
    const d: Diagnostic = { code: read.error.code, severity: 'error', file: displayPathOf(dir), line: 0, column: 0, pointer: '', message: read.error.message, hint: read.error.hint };
    return { status: 'unusable', diagnostics: [d] };
  }
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const upstreamNames = read.files.topology === undefined ? [] : upstreamNamesOf(read.files.topology);
  const policies = read.files.policies.flatMap((f) => load<PolicyFile>(f, 'policy', diagnostics));
  const tests = read.files.tests.flatMap((f) => load<PolicyTestFile>(f, 'policy-test', diagnostics));
  const compiled = compilePolicies(policies, { upstreamNames });
  diagnostics.push(...compiled.diagnostics);
  const sorted = sortDiagnostics(diagnostics);
  if (hasErrors(sorted)) return { status: 'invalid', diagnostics: sorted };
  return { status: 'valid', policySet: compiled.policySet, tests, upstreamNames, diagnostics: sorted };
}

function load<T>(raw: RawFile, kind: SchemaName, diagnostics: Diagnostic[]): { source: SourceFile; data: T }[] {
  const parsed = parseSourceFile(raw.path, raw.bytes.toString('utf8'));
  diagnostics.push(...parsed.diagnostics);
  if (parsed.data === undefined) return [];
  const schema = lookupSchema(kind);
  if (!schema.ok) {
    diagnostics.push({ code: 'RG_CFG_SCHEMA_MISSING', severity: 'error', file: `schemas/${kind}.schema.json`, line: 0, column: 0, pointer: '', message: `the ${kind} schema is not available` });
    return [];
  }
  const found = checkAgainstSchema(parsed.source, parsed.data, schema.schema);
  diagnostics.push(...found);
  return found.length > 0 ? [] : [{ source: parsed.source, data: parsed.data as T }];
}

/** Names only: the topology's own problems are `validate`'s business, not the policy tests'. */
function upstreamNamesOf(raw: RawFile): string[] {
  const data = parseSourceFile(raw.path, raw.bytes.toString('utf8')).data as { upstreams?: unknown } | undefined;
  if (!Array.isArray(data?.upstreams)) return [];
  return data.upstreams.flatMap((u: unknown) => (typeof u === 'object' && u !== null && typeof (u as { name?: unknown }).name === 'string' ? [(u as { name: string }).name] : []));
}
