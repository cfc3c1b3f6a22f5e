// `relayguard edm index|keygen|info`: exact data matching. The CSV's values never leave `edm index`:
// the output, the messages and the errors name columns, counts and lines, never a value.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { writeNewKey } from '../policy/edm/edm-key.js';
import { FORMAT_VERSION, parseIndex } from '../policy/edm/index-format.js';
import { writeIndexFile } from '../policy/edm/index-file.js';
import type { CommandResult } from './certs.js';

function failure(exitCode: number, e: { code: string; message: string; hint?: string }): CommandResult {
  return { exitCode, output: '', errors: `error ${e.code}: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}` };
}

export interface IndexFlags {
  readonly columns: string;
  readonly keyFile: string;
  readonly out: string;
  readonly json?: boolean;
}

export async function runEdmIndex(csv: string, flags: IndexFlags): Promise<CommandResult> {
  const columns = flags.columns.split(',').map((c) => c.trim()).filter((c) => c !== '');
  const started = performance.now();
  const result = await writeIndexFile({ csv, columns, keyFile: flags.keyFile, out: flags.out });
  if (!result.ok) return failure(1, result.error);
  const s = result.stats;
  const seconds = (performance.now() - started) / 1000;
  if (flags.json) return { exitCode: 0, output: `${JSON.stringify({ out: flags.out, seconds, ...s }, null, 2)}\n` };
  const lines = [
    `wrote ${flags.out}: ${s.records} records, ${s.entries} entries, ${(s.bytes / 1048576).toFixed(1)} MiB in ${seconds.toFixed(1)} s`,
    `key fingerprint ${s.keyFingerprint}`,
    ...s.perColumn.map((c) => `  ${c.column}: ${c.indexed} indexed${c.empty + c.short + c.long > 0 ? `, left out: ${c.empty} empty, ${c.short} under 2 characters, ${c.long} too long` : ''}`),
    ...(s.shortRows > 0 ? [`  ${s.shortRows} rows had fewer fields than the header`] : []),
  ];
  return { exitCode: 0, output: `${lines.join('\n')}\n` };
}

export function runEdmKeygen(flags: { readonly out: string }): CommandResult {
  try {
    writeNewKey(flags.out);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return failure(1, { code: 'RG_EDM_KEY_EXISTS', message: `${flags.out} exists`, hint: 'a new key orphans every index built with the old one; remove the file first if that is what you want' });
    return failure(1, { code: 'RG_EDM_WRITE', message: `${flags.out} cannot be written (${code ?? 'error'})` });
  }
  return { exitCode: 0, output: `wrote ${flags.out} (32 random bytes, mode 0600)\n` };
}

export function runEdmInfo(file: string, flags: { readonly json?: boolean }): CommandResult {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    return failure(1, { code: 'RG_EDM_INDEX_MISSING', message: `${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
  }
  const parsed = parseIndex(bytes, file);
  if (!parsed.ok) return failure(1, parsed.error);
  const i = parsed.index;
  const info = { format: FORMAT_VERSION, columns: i.columns, records: i.records, entries: i.entryCount, bytes: i.bytes, keyFingerprint: i.keyFingerprint, keyFile: i.keyFile, sha256: i.digest };
  if (flags.json) return { exitCode: 0, output: `${JSON.stringify(info, null, 2)}\n` };
  return { exitCode: 0, output: `${Object.entries(info).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`).join('\n')}\n` };
}

function emit(result: CommandResult): void {
  if (result.output) process.stdout.write(result.output);
  if (result.errors) process.stderr.write(result.errors);
  process.exitCode = result.exitCode;
}

export function register(program: Command): void {
  const edm = program.command('edm').description('exact data matching: index a CSV of your own records as keyed hashes');
  edm
    .command('index <csv>')
    .description('build an index of keyed hashes (SipHash-2-4) of the named columns; clear values never leave this command')
    .requiredOption('--columns <list>', 'header names of the columns to index, comma-separated (at most 32)')
    .requiredOption('--key-file <file>', 'secret key file, at least 32 bytes (relayguard edm keygen)')
    .requiredOption('--out <file>', 'index file to write (replaced atomically)')
    .option('--json', 'JSON summary')
    .action(async (csv: string, opts: IndexFlags) => emit(await runEdmIndex(csv, opts)));
  edm
    .command('keygen')
    .description('create a new EDM key: 32 random bytes, mode 0600 (refuses to replace a file)')
    .requiredOption('--out <file>', 'key file to create')
    .action((opts: { out: string }) => emit(runEdmKeygen(opts)));
  edm
    .command('info <index>')
    .description('columns, record count and key fingerprint of an index (checks its integrity)')
    .option('--json', 'JSON output')
    .action((file: string, opts: { json?: boolean }) => emit(runEdmInfo(file, opts)));
}
