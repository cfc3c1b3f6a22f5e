// `relayguard validate [DIR] [--format text|json|github|sarif]`: the serve loading path, minus the serving.
import { Option } from 'commander';
import type { Command } from 'commander';
import { DIAGNOSTIC_FORMATS, formatDiagnostics, summaryLine } from '../config/format.js';
import type { DiagnosticFormat } from '../config/format.js';
import type { LoadStatus } from '../config/load.js';
import { buildGraph } from '../graph/build.js';

export interface ValidateOutcome {
  /** 0 valid (warnings allowed), 1 invalid, 2 could not run. */
  readonly exitCode: 0 | 1 | 2;
  /** For stdout. */
  readonly output: string;
  /** For stderr: why the tool could not run (text format; json and github keep everything on stdout for tools). */
  readonly errorOutput: string;
}

export interface ValidateOptions {
  readonly format?: DiagnosticFormat;
  /** The clock for certificate validity (tests pin it). */
  readonly now?: Date;
}

const EXIT_CODES: Readonly<Record<LoadStatus, 0 | 1 | 2>> = { valid: 0, invalid: 1, unusable: 2 };

export async function runValidate(dir: string, opts: ValidateOptions = {}): Promise<ValidateOutcome> {
  const format = opts.format ?? 'text';
  // The very loading path serve uses (config load + graph compilation), minus the serving.
  const result = await buildGraph(dir, opts.now ? { now: opts.now } : {});
  const config = result.status === 'valid' ? result.config : undefined;
  const body = formatDiagnostics(result.diagnostics, format, { revision: config?.hash ?? null });
  const counts = { topology: config ? 1 : 0, policies: config?.policies.length ?? 0, tests: config?.tests.length ?? 0 };
  const summary = summaryLine(dir, result.diagnostics, counts);
  const exitCode = EXIT_CODES[result.status];
  if (result.status === 'unusable' && format === 'text') {
    const errorOutput = result.diagnostics.map((d) => `relayguard validate: ${d.message}\n${d.hint ? `    hint: ${d.hint}\n` : ''}`).join('');
    return { exitCode, output: '', errorOutput };
  }
  // json and sarif are whole documents for tools: no summary line after them.
  return { exitCode, output: format === 'json' || format === 'sarif' ? body : `${body}${summary}\n`, errorOutput: '' };
}

export function register(program: Command): void {
  program
    .command('validate')
    .description('check a config directory (schemas, references, certificates) without starting anything')
    .argument('[dir]', 'config directory', 'policies')
    .addOption(new Option('--format <format>', 'output format').choices([...DIAGNOSTIC_FORMATS]).default('text'))
    .action(async (dir: string, options: { format: DiagnosticFormat }) => {
      const outcome = await runValidate(dir, { format: options.format });
      process.stdout.write(outcome.output);
      process.stderr.write(outcome.errorOutput);
      process.exitCode = outcome.exitCode;
    });
}
