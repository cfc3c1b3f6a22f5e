// `relayguard identifiers [--format text|json]`: the built-in data identifiers a policy can name,
// each with its description, confidence levels, sets and an example value; then the sets.
import { Option } from 'commander';
import type { Command } from 'commander';
import { IDENTIFIER_SETS, IDENTIFIERS, V1_ALIASES } from '../policy/detectors/identifiers/catalogue.js';
import { DEFAULT_CONFIDENCE } from '../policy/detectors/identifiers/condition.js';
import type { Identifier } from '../policy/detectors/identifiers/identifier.js';
import { writeOutput, type CommandOutput } from './graph.js';

export const IDENTIFIER_FORMATS = ['text', 'json'] as const;
export type IdentifierFormat = (typeof IDENTIFIER_FORMATS)[number];

function describeIdentifier(id: Identifier) {
  return {
    name: id.name,
    description: id.description,
    checksum: id.checksum,
    confidence: [...id.levels],
    sets: [...id.sets],
    keywords: [...id.keywords],
    window: id.window,
    example: id.example,
    specification: id.spec,
  };
}

export function renderIdentifiers(format: IdentifierFormat): string {
  if (format === 'json') {
    const sets = Object.fromEntries([...IDENTIFIER_SETS].map(([name, members]) => [name, [...members]]));
    return `${JSON.stringify({ defaultConfidence: DEFAULT_CONFIDENCE, identifiers: IDENTIFIERS.map(describeIdentifier), sets, v1Conditions: V1_ALIASES }, null, 2)}\n`;
  }
  const rows = IDENTIFIERS.map((id) => [id.name, id.levels.join('/'), id.sets.join(','), id.example]);
  const head = ['NAME', 'CONFIDENCE', 'SETS', 'EXAMPLE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i < cells.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('  ').trimEnd();
  const out = [line(head)];
  for (const [i, id] of IDENTIFIERS.entries()) out.push(line(rows[i] ?? []), `    ${id.description}`);
  out.push('', `sets (use as identifiers: { set: NAME }); default confidence: ${DEFAULT_CONFIDENCE}`);
  for (const [name, members] of IDENTIFIER_SETS) out.push(`  ${name.padEnd(12)} ${members.join(', ')}`);
  const v1 = Object.entries(V1_ALIASES).map(([cond, name]) => `${cond} (${name})`);
  out.push('', `v1 conditions (own scanners, the same validators as): ${v1.join(', ')}`);
  out.push('', `${IDENTIFIERS.length} identifiers, ${IDENTIFIER_SETS.size} sets`);
  return `${out.join('\n')}\n`;
}

export function runIdentifiers(format: IdentifierFormat): CommandOutput {
  return { exitCode: 0, stdout: renderIdentifiers(format), stderr: '' };
}

export function register(program: Command): void {
  program
    .command('identifiers')
    .description('list the built-in data identifiers (name, description, confidence levels, sets, example)')
    .addOption(new Option('--format <format>', 'output format').choices([...IDENTIFIER_FORMATS]).default('text'))
    .action((options: { format: IdentifierFormat }) => {
      writeOutput(runIdentifiers(options.format));
    });
}
