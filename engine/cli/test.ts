// `relayguard test [DIR] [--format text|json|junit]`: runs DIR/tests/*.test.yaml against the compiled policies.
// Exit 0 all pass, 1 a failure (or the policies do not compile), 2 usage / nothing could be loaded.
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatDiagnostics } from '../config/format.js';
import { loadTestConfig } from '../policy/policy-test/test-config.js';
import { basename } from 'node:path';
import type { Change } from '../graph/plan.js';
import type { RoutingGraph } from '../graph/types.js';
import type { PolicyTestFile } from '../config/generated/policy-test.js';
import type { SourceFile } from '../config/source-file.js';
import type { PolicySet } from '../policy/policy-set.js';
import { runPolicyTests, type TestCaseResult } from '../policy/policy-test/policy-tests.js';
import type { CommandOutput } from './graph.js';
import { writeOutput } from './graph.js';
import type { PlanExtension } from './plan.js';
import { compileInspection, inspectionSettingsOf } from '../graph/inspection-settings.js';
import type { Diagnostic } from '../config/diagnostic.js';
import { junitReport, type JunitConfigError } from './test-junit.js';

export type TestFormat = 'text' | 'json' | 'junit';
export const TEST_FORMATS: readonly TestFormat[] = ['text', 'json', 'junit'];

export async function runTest(dir: string, opts: { readonly format?: TestFormat } = {}): Promise<CommandOutput> {
  const format = opts.format ?? 'text';
  const loaded = await loadTestConfig(dir);
  const diagnostics = loaded.diagnostics.length > 0 ? formatDiagnostics(loaded.diagnostics, 'text') : '';
  if (loaded.status !== 'valid') {
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    const stdout = format === 'json' ? jsonReport([], errors.length) : format === 'junit' ? junitReport([], errors.map(junitError)) : '';
    return { exitCode: loaded.status === 'unusable' ? 2 : 1, stdout, stderr: `${diagnostics}relayguard test: ${dir} cannot be tested (${loaded.status} config)\n` };
  }
  // A single upstream is the obvious default for cases that name none.
  const defaultUpstream = loaded.upstreamNames.length === 1 ? (loaded.upstreamNames[0] ?? '') : '';
  const settings = inspectionSettingsOf(compileInspection(loaded.inspection));
  const results = await runPolicyTests(loaded.policySet, loaded.tests, { defaultUpstream, settings });
  const failed = results.filter((r) => !r.passed).length;
  const stderr = diagnostics + (results.length === 0 ? `relayguard test: no test cases in ${dir}/tests (*.test.yaml)\n` : '');
  const stdout = format === 'json' ? jsonReport(results, 0) : format === 'junit' ? junitReport(results) : textReport(results);
  return { exitCode: failed > 0 ? 1 : 0, stdout, stderr };
}

function junitError(d: Diagnostic): JunitConfigError {
  return { file: d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file, message: `${d.code}: ${d.message}` };
}

function textReport(results: readonly TestCaseResult[]): string {
  const lines: string[] = [];
  let file = '';
  for (const r of results) {
    if (r.file !== file) {
      if (file !== '') lines.push('');
      lines.push(r.file);
      file = r.file;
    }
    lines.push(`  ${r.passed ? '✓' : '✗'} ${r.name}`);
    for (const f of r.failures) lines.push(`      ${f}`);
  }
  const failed = results.filter((r) => !r.passed).length;
  lines.push('', `${results.length - failed} passed, ${failed} failed`);
  return `${lines.join('\n')}\n`;
}

function jsonReport(results: readonly TestCaseResult[], configErrors: number): string {
  const failed = results.filter((r) => !r.passed).length;
  return `${JSON.stringify({ passed: results.length - failed, failed, configErrors, cases: results }, null, 2)}\n`;
}

type TestFiles = readonly { source: SourceFile; data: PolicyTestFile }[];

async function outcomes(set: PolicySet, tests: TestFiles, graph: RoutingGraph): Promise<Map<string, TestCaseResult>> {
  const defaultUpstream = graph.upstreams.length === 1 ? (graph.upstreams[0]?.name ?? '') : '';
  const results = await runPolicyTests(set, tests, { defaultUpstream, settings: inspectionSettingsOf(graph.gateway.inspection) });
  return new Map(results.map((r) => [`${basename(r.file)}#${r.name}`, r]));
}

function handling(r: TestCaseResult | undefined): string {
  if (r?.actual === undefined) return 'error';
  return `${r.actual.action} [${[...r.actual.policies].sort().join(', ')}]`;
}

/**
 * For `relayguard plan`: the policy tests of the new revision run against both revisions' policies.
 * A case whose handling changes (action, matched policies) or whose result flips is a `test` change.
 */
export const testPlanExtension: PlanExtension = async (before, after) => {
  const now = await outcomes(after.graph.policies, after.config.tests, after.graph);
  const then = await outcomes(before.graph.policies, before.config.tests, before.graph);
  const nowOnOld = await outcomes(before.graph.policies, after.config.tests, before.graph);
  const changes: Change[] = [];
  for (const [name, result] of now) {
    const old = then.get(name);
    const details: string[] = [];
    const was = handling(nowOnOld.get(name));
    if (was !== handling(result)) details.push(`handling: ${was} → ${handling(result)}`);
    const verdict = (r: TestCaseResult | undefined): string => (r === undefined ? '(none)' : r.passed ? 'pass' : 'fail');
    if (old === undefined) changes.push({ kind: 'added', section: 'test', name, details: [`result: ${verdict(result)}`, ...details] });
    else if (old.passed !== result.passed || details.length > 0) {
      if (old.passed !== result.passed) details.push(`result: ${verdict(old)} → ${verdict(result)}`);
      changes.push({ kind: 'changed', section: 'test', name, details });
    }
  }
  for (const name of then.keys()) if (!now.has(name)) changes.push({ kind: 'removed', section: 'test', name, details: [] });
  return changes;
};

export function register(program: Command): void {
  program
    .command('test')
    .description('run the policy tests in DIR/tests against the policies in DIR (exit 0: all pass, 1: failures)')
    .argument('[dir]', 'config directory', 'policies')
    .addOption(new Option('--format <format>', 'output format').choices([...TEST_FORMATS]).default('text'))
    .action(async (dir: string, options: { format: TestFormat }) => {
      writeOutput(await runTest(dir, { format: options.format }));
    });
}
