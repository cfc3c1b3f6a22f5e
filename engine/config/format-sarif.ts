// SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps): one run, one rule per RG code that occurs,
// one result per diagnostic with its file, line and column. The same Diagnostic list as every other format.
import type { Diagnostic } from './diagnostic.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

export interface SarifLog {
  readonly $schema: string;
  readonly version: '2.1.0';
  readonly runs: readonly SarifRun[];
}

export interface SarifRun {
  readonly tool: { readonly driver: { readonly name: string; readonly version: string; readonly rules: readonly SarifRule[] } };
  readonly results: readonly SarifResult[];
}

interface SarifRule {
  readonly id: string;
  readonly name: string;
  readonly shortDescription: { readonly text: string };
  readonly defaultConfiguration: { readonly level: 'error' | 'warning' };
}

interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: 'error' | 'warning';
  readonly message: { readonly text: string };
  readonly locations: readonly {
    readonly physicalLocation: {
      readonly artifactLocation: { readonly uri: string };
      readonly region?: { readonly startLine: number; readonly startColumn: number };
    };
    readonly logicalLocations?: readonly { readonly fullyQualifiedName: string; readonly kind: 'member' }[];
  }[];
}

export function sarifLog(ds: readonly Diagnostic[], version: string): SarifLog {
  const codes = [...new Set(ds.map((d) => d.code))].sort();
  const rules = codes.map((code): SarifRule => {
    const first = ds.find((d) => d.code === code);
    return { id: code, name: code, shortDescription: { text: code }, defaultConfiguration: { level: first?.severity ?? 'error' } };
  });
  const results = ds.map((d): SarifResult => ({
    ruleId: d.code,
    ruleIndex: codes.indexOf(d.code),
    level: d.severity,
    message: { text: `${d.message}${d.hint ? `\nhint: ${d.hint}` : ''}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(d.file) },
          // SARIF regions are 1-based; a finding without a position (0) names the file only.
          ...(d.line > 0 ? { region: { startLine: d.line, startColumn: Math.max(1, d.column) } } : {}),
        },
        ...(d.pointer ? { logicalLocations: [{ fullyQualifiedName: d.pointer, kind: 'member' as const }] } : {}),
      },
    ],
  }));
  return { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [{ tool: { driver: { name: 'relayguard', version, rules } }, results }] };
}

/** Relative paths stay relative (code scanning resolves them against the checkout); absolute ones become file URIs. */
function artifactUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  if (slashed.startsWith('/')) return `file://${encodeURI(slashed)}`;
  return encodeURI(slashed.replace(/^\.\//, ''));
}
