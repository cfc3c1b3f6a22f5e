// Validates one parsed file against its JSON Schema and locates every finding in the source.
import type { Diagnostic } from './diagnostic.js';
import { locate, locateKey } from './locate.js';
import { explainErrors } from './messages.js';
import type { SchemaFinding } from './schema-finding.js';
import type { CompiledSchema } from './schema-registry.js';
import type { SourceFile } from './source-file.js';

export function checkAgainstSchema(source: SourceFile, data: unknown, schema: CompiledSchema): Diagnostic[] {
  if (schema.validate(data)) return [];
  const errors = [...(schema.validate.errors ?? [])];
  const findings = explainErrors(errors, (branch, value) => {
    const fn = schema.compileBranch(branch);
    return fn(value) ? [] : [...(fn.errors ?? [])];
  });
  return findings.map((f) => findingDiagnostic(source, f));
}

export function findingDiagnostic(source: SourceFile, finding: SchemaFinding): Diagnostic {
  const { line, column } = finding.at === 'key' ? locateKey(source, finding.pointer) : locate(source, finding.pointer);
  return {
    code: finding.code,
    severity: 'error',
    file: source.displayPath,
    line,
    column,
    pointer: finding.pointer,
    message: finding.message,
    ...(finding.hint ? { hint: finding.hint } : {}),
  };
}

/** A diagnostic pointing at a node of a file; `at: 'key'` points at the entry's key instead of its value. */
export function nodeDiagnostic(
  source: SourceFile,
  pointer: string,
  fields: { readonly code: string; readonly severity?: 'error' | 'warning'; readonly message: string; readonly hint?: string; readonly at?: 'key' | 'value' },
): Diagnostic {
  const { line, column } = fields.at === 'key' ? locateKey(source, pointer) : locate(source, pointer);
  return {
    code: fields.code,
    severity: fields.severity ?? 'error',
    file: source.displayPath,
    line,
    column,
    pointer,
    message: fields.message,
    ...(fields.hint ? { hint: fields.hint } : {}),
  };
}
