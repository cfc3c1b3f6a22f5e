// One result shape behind four output formats: text (people), json (tools), github (workflow annotations),
// sarif (code scanning).
import type { Diagnostic } from './diagnostic.js';
import { hasErrors } from './diagnostic.js';
import { sarifLog } from './format-sarif.js';

export type DiagnosticFormat = 'text' | 'json' | 'github' | 'sarif';

export const DIAGNOSTIC_FORMATS: readonly DiagnosticFormat[] = ['text', 'json', 'github', 'sarif'];

/** Reported as the SARIF tool version. */
const TOOL_VERSION = '0.1.0';

export interface FormatContext {
  /** Config revision hash for json output. */
  readonly revision?: string | null;
}

/**
 * The json format (stable, versioned by the contract):
 * { "valid": boolean, "revision": string | null, "errors": number, "warnings": number,
 *   "diagnostics": [{ "code", "severity", "file", "line", "column", "pointer", "message", "hint" }] }
 * line and column are 1-based, 0 when the finding has no position; hint is null when absent.
 */
export interface DiagnosticsJson {
  readonly valid: boolean;
  readonly revision: string | null;
  readonly errors: number;
  readonly warnings: number;
  readonly diagnostics: readonly {
    readonly code: string;
    readonly severity: 'error' | 'warning';
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly pointer: string;
    readonly message: string;
    readonly hint: string | null;
  }[];
}

export function formatDiagnostics(ds: readonly Diagnostic[], format: DiagnosticFormat, context: FormatContext = {}): string {
  switch (format) {
    case 'text':
      return ds.map(textLine).join('');
    case 'json':
      return `${JSON.stringify(diagnosticsJson(ds, context), null, 2)}\n`;
    case 'github':
      return ds.map(githubLine).join('');
    case 'sarif':
      return `${JSON.stringify(sarifLog(ds, TOOL_VERSION), null, 2)}\n`;
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

export function diagnosticsJson(ds: readonly Diagnostic[], context: FormatContext = {}): DiagnosticsJson {
  return {
    valid: !hasErrors(ds),
    revision: context.revision ?? null,
    errors: ds.filter((d) => d.severity === 'error').length,
    warnings: ds.filter((d) => d.severity === 'warning').length,
    diagnostics: ds.map((d) => ({ code: d.code, severity: d.severity, file: d.file, line: d.line, column: d.column, pointer: d.pointer, message: d.message, hint: d.hint ?? null })),
  };
}

/** `file:line:col: error: RG_CODE: message [pointer]` (CONTRACT.md's shape, with the stable code up front), then an indented hint. */
function textLine(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const hint = d.hint ? `    hint: ${d.hint}\n` : '';
  return `${where}: ${d.severity}: ${d.code}: ${d.message} [${d.pointer}]\n${hint}`;
}

function githubLine(d: Diagnostic): string {
  const props = [`file=${escapeProperty(d.file)}`];
  if (d.line > 0) props.push(`line=${d.line}`, `col=${d.column}`);
  props.push(`title=${escapeProperty(d.code)}`);
  const text = `${d.message}${d.pointer ? ` [${d.pointer}]` : ''}${d.hint ? `\nhint: ${d.hint}` : ''}`;
  return `::${d.severity} ${props.join(',')}::${escapeData(text)}\n`;
}

// Workflow-command escaping as the GitHub Actions toolkit does it.
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** "policies/: 2 errors, 1 warning" or "policies/: valid (1 topology, 3 policies, 1 test file)". */
export function summaryLine(dir: string, ds: readonly Diagnostic[], counts: { readonly topology: number; readonly policies: number; readonly tests: number }): string {
  const label = dir.endsWith('/') ? dir : `${dir}/`;
  const errors = ds.filter((d) => d.severity === 'error').length;
  const warnings = ds.filter((d) => d.severity === 'warning').length;
  const warningText = `${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`;
  if (errors > 0) return `${label}: ${errors} ${errors === 1 ? 'error' : 'errors'}${warnings > 0 ? `, ${warningText}` : ''}`;
  const files = `${counts.topology} topology, ${counts.policies} ${counts.policies === 1 ? 'policy' : 'policies'}, ${counts.tests} test ${counts.tests === 1 ? 'file' : 'files'}`;
  return `${label}: valid${warnings > 0 ? ` with ${warningText}` : ''} (${files})`;
}
