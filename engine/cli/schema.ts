// `relayguard schema [--out DIR]`: the JSON Schemas every config file is validated against, for editors
// (yaml-language-server's `$schema` comment) and schema stores. Without --out: a listing of what there is.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { schemaPath } from '../config/schema-registry.js';
import type { SchemaName } from '../config/schema-registry.js';
import type { CommandOutput } from './graph.js';
import { writeOutput } from './graph.js';

const SCHEMAS: readonly { readonly name: SchemaName; readonly files: string }[] = [
  { name: 'topology', files: 'topology.yaml | topology.yml | topology.json' },
  { name: 'policy', files: '*.policy.yaml | *.policy.yml | *.policy.json' },
  { name: 'policy-test', files: 'tests/*.test.yaml | tests/*.test.yml | tests/*.test.json' },
];

export function runSchema(opts: { readonly out?: string }): CommandOutput {
  const read = SCHEMAS.map((s) => ({ ...s, file: `${s.name}.schema.json`, text: readFileSync(schemaPath(s.name), 'utf8') }));
  if (opts.out === undefined) {
    const lines = read.map((s) => `${s.file.padEnd(24)} ${titleOf(s.text).padEnd(22)} ${s.files}`);
    return { exitCode: 0, stdout: `${lines.join('\n')}\nwrite them with: relayguard schema --out DIR\n`, stderr: '' };
  }
  try {
    mkdirSync(opts.out, { recursive: true });
    for (const s of read) writeFileSync(join(opts.out, s.file), s.text);
  } catch (err) {
    return { exitCode: 1, stdout: '', stderr: `relayguard schema: cannot write to ${opts.out}: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { exitCode: 0, stdout: read.map((s) => `wrote ${join(opts.out ?? '', s.file)}`).join('\n'), stderr: '' };
}

function titleOf(text: string): string {
  const title = (JSON.parse(text) as { title?: unknown }).title;
  return typeof title === 'string' ? title : '';
}

export function register(program: Command): void {
  program
    .command('schema')
    .description('write the JSON Schemas of topology, policy and policy-test files (for editors and schema stores)')
    .option('--out <dir>', 'directory to write topology.schema.json, policy.schema.json and policy-test.schema.json to')
    .action((options: { out?: string }) => writeOutput(runSchema(options)));
}
