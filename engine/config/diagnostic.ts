// One shape for every finding, whatever the output format (text, json, github).

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable code, e.g. RG_CFG_SCHEMA, RG_CFG_REF_UNKNOWN, RG_TLS_KEY_MISMATCH. */
  readonly code: string;
  readonly severity: Severity;
  /** Path relative to the working directory (or absolute when outside it). */
  readonly file: string;
  /** 1-based; 0 when the finding has no position (e.g. a missing file). */
  readonly line: number;
  /** 1-based; 0 when the finding has no position. */
  readonly column: number;
  /** RFC 6901 JSON pointer into the document, '' for the whole file. */
  readonly pointer: string;
  readonly message: string;
  readonly hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Stable order: file, line, column, code. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}
