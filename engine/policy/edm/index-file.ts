// CSV file → index file, written beside the target and renamed into place, so a gateway watching the
// index never reads half of one.
import { createReadStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { buildIndex, type BuildStats } from './build-index.js';
import { CsvError, parseCsv } from './csv.js';
import { readEdmKey, type EdmError } from './edm-key.js';

export interface IndexFileOptions {
  readonly csv: string;
  readonly columns: readonly string[];
  readonly keyFile: string;
  readonly out: string;
}

export type IndexFileResult = { readonly ok: true; readonly stats: BuildStats } | { readonly ok: false; readonly error: EdmError };

export async function writeIndexFile(o: IndexFileOptions): Promise<IndexFileResult> {
  const key = readEdmKey(o.keyFile);
  if (!key.ok) return key;
  const stream = createReadStream(o.csv, { highWaterMark: 1 << 20 });
  let built;
  try {
    built = await buildIndex(parseCsv(stream), { columns: o.columns, keys: key.keys, keyFile: resolve(o.keyFile) });
  } catch (err) {
    if (err instanceof CsvError) return { ok: false, error: { code: err.code, message: `${o.csv}: ${err.message}` } };
    const code = (err as NodeJS.ErrnoException).code;
    // only the errno: a message could quote content
    if (code !== undefined) return { ok: false, error: { code: 'RG_EDM_CSV_UNREADABLE', message: `${o.csv} cannot be read (${code})` } };
    throw err;
  } finally {
    stream.destroy();
  }
  if (!built.ok) return built;
  const tmp = `${o.out}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, built.bytes, { mode: 0o640 });
    await rename(tmp, o.out);
  } catch (err) {
    await rm(tmp, { force: true });
    return { ok: false, error: { code: 'RG_EDM_WRITE', message: `${o.out} cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})` } };
  }
  return { ok: true, stats: built.stats };
}
