// What every semantic check of the topology gets: the schema-valid data and its source, to point into.
import type { Diagnostic } from './diagnostic.js';
import type { TopologyFile } from './generated/topology.js';
import { nodeDiagnostic } from './schema-check.js';
import type { SourceFile } from './source-file.js';

export interface TopologyContext {
  readonly source: SourceFile;
  readonly data: TopologyFile;
}

export interface Finding {
  readonly code: string;
  readonly severity?: 'error' | 'warning';
  readonly message: string;
  readonly hint?: string;
  readonly at?: 'key' | 'value';
}

export function report(ctx: TopologyContext, pointer: string, finding: Finding): Diagnostic {
  return nodeDiagnostic(ctx.source, pointer, finding);
}
