// `relayguard test [DIR] [--format text|json]`: runs DIR/tests/*.test.yaml against the compiled policies.
// Exit 0 all pass, 1 a failure (or the policies do not compile), 2 usage / nothing could be loaded.
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatDiagnostics } from '../config/format.js';
import { loadTestConfig } from '../policy/test-config.js';
import { runPolicyTests, type TestCaseResult } from '../policy/policy-tests.js';
import type { CommandOutput } from './graph.js';
import { writeOutput } from './graph.js';

export type TestFormat = 'text' | 'json';
export const TEST_FORMATS: readonly TestFormat[] = ['text', 'json'];

export async function runTest(dir: string, opts: { readonly format?: TestFormat } = {}): Promise<CommandOutput> {
  const format = opts.format ?? 'text';
  const loaded = await loadTestConfig(dir);
  const diagnostics = loaded.diagnostics.length > 0 ? formatDiagnostics(loaded.diagnostics, 'text') : '';
  if (loaded.status !== 'valid') {
    const stdout = format === 'json' ? jsonReport([], loaded.diagnostics.length) : '';
    return { exitCode: loaded.status === 'unusable' ? 2 : 1, stdout, stderr: `${diagnostics}relayguard test: ${dir} cannot be tested (${loaded.status} config)\n` };
  }
  // A single upstream is the obvious default for cases that name none.
  const defaultUpstream = loaded.upstreamNames.length === 1 ? (loaded.upstreamNames[0] ?? '') : '';
  const results = await runPolicyTests(loaded.policySet, loaded.tests, { defaultUpstream });
  const failed = results.filter((r) => !r.passed).length;
  const stderr = diagnostics + (results.length === 0 ? `relayguard test: no test cases in ${dir}/tests (*.test.yaml)\n` : '');
  const stdout = format === 'json' ? jsonReport(results, 0) : textReport(results);
  return { exitCode: failed > 0 ? 1 : 0, stdout, stderr };
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
