// What `relayguard test` loads: policy and test files (schema-checked, with positions), the upstream names of
// the topology and its gateway.inspection section (the limits, budget and onFailure serve inspects with).
// Certificates are not read, so policy tests run in CI where no keys exist.
import type { Diagnostic } from '../../config/diagnostic.js';
import { hasErrors, sortDiagnostics } from '../../config/diagnostic.js';
import type { PolicyFile } from '../../config/generated/policy.js';
import type { PolicyTestFile } from '../../config/generated/policy-test.js';
import type { InspectionSection } from '../../config/generated/topology.js';
import { readConfigDir, type RawFile } from '../../config/read-dir.js';
import { checkAgainstSchema } from '../../config/schema-check.js';
import { lookupSchema, type SchemaName } from '../../config/schema-registry.js';
import { displayPathOf, parseSourceFile, type SourceFile } from '../../config/source-file.js';
import { compilePolicies } from '../compile/compile.js';
import type { PolicySet } from '../policy-set.js';

export type TestConfigResult =
  | {
      readonly status: 'valid';
      readonly policySet: PolicySet;
      readonly tests: readonly { source: SourceFile; data: PolicyTestFile }[];
      readonly upstreamNames: readonly string[];
      /** The topology's gateway.inspection as written (defaults not filled in), undefined when absent. */
      readonly inspection: InspectionSection | undefined;
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
  const topology = read.files.topology === undefined ? undefined : readTopologyParts(read.files.topology, diagnostics);
  const policies = read.files.policies.flatMap((f) => load<PolicyFile>(f, 'policy', diagnostics));
  const tests = read.files.tests.flatMap((f) => load<PolicyTestFile>(f, 'policy-test', diagnostics));
  const upstreamNames = topology?.upstreamNames ?? [];
  const compiled = compilePolicies(policies, { upstreamNames });
  diagnostics.push(...compiled.diagnostics);
  const sorted = sortDiagnostics(diagnostics);
  if (hasErrors(sorted)) return { status: 'invalid', diagnostics: sorted };
  return { status: 'valid', policySet: compiled.policySet, tests, upstreamNames, inspection: topology?.inspection, diagnostics: sorted };
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

/**
 * Upstream names and gateway.inspection only: the topology's other problems are `validate`'s business, not the
 * policy tests'. A schema error inside gateway.inspection is one, though: the tests would run under other limits.
 */
function readTopologyParts(raw: RawFile, diagnostics: Diagnostic[]): { upstreamNames: string[]; inspection: InspectionSection | undefined } {
  const parsed = parseSourceFile(raw.path, raw.bytes.toString('utf8'));
  const data = parsed.data as { upstreams?: unknown; gateway?: { inspection?: unknown } } | undefined;
  const upstreams = Array.isArray(data?.upstreams) ? (data.upstreams as unknown[]) : [];
  const upstreamNames = upstreams.flatMap((u: unknown) => (typeof u === 'object' && u !== null && typeof (u as { name?: unknown }).name === 'string' ? [(u as { name: string }).name] : []));
  const section = typeof data?.gateway === 'object' && data.gateway !== null ? data.gateway.inspection : undefined;
  if (section === undefined) return { upstreamNames, inspection: undefined };
  const schema = lookupSchema('topology');
  const found = schema.ok ? checkAgainstSchema(parsed.source, data, schema.schema).filter((d) => d.pointer.startsWith('/gateway/inspection')) : [];
  diagnostics.push(...found);
  return { upstreamNames, inspection: found.length > 0 ? undefined : (section as InspectionSection) };
}
