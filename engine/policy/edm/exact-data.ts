// The index and key files the policies name, read once per build (one read per file however many
// conditions name it) and checked before compile, so a graph that exists holds searchable indexes.
// Their digests join the config revision: replacing an index is a config change like any other.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Condition, ExactDataOptions, PolicyFile } from '../../config/generated/policy.js';
import { joinPointer } from '../../config/pointer.js';
import type { SourceFile } from '../../config/source-file.js';
import { displayPathOf } from '../../config/source-file.js';
import { readEdmKey, type EdmError } from './edm-key.js';
import { parseIndex } from './index-format.js';
import type { EdmIndex } from './lookup.js';

/** A loaded pair, or what is wrong with it and which written field (index or keyFile) to point at. */
export type LoadedEdm = { readonly ok: true; readonly index: EdmIndex } | { readonly ok: false; readonly field: 'index' | 'keyFile'; readonly error: EdmError };

export interface ExactDataFiles {
  /** By pairKey(index path, written key path). */
  readonly pairs: ReadonlyMap<string, LoadedEdm>;
  /** Every file read (absolute) → SHA-256 hex, undefined when unreadable: for the revision and the watcher. */
  readonly digests: ReadonlyMap<string, string | undefined>;
}

export const NO_EXACT_DATA: ExactDataFiles = Object.freeze({ pairs: new Map(), digests: new Map() });

export interface ExactDataUse {
  readonly source: SourceFile;
  /** Pointer of the exactData object. */
  readonly pointer: string;
  readonly options: ExactDataOptions;
}

/** Every exactData condition of every policy, with its pointer (same walk as check.ts). */
export function exactDataUses(files: readonly { source: SourceFile; data: PolicyFile }[]): ExactDataUse[] {
  const out: ExactDataUse[] = [];
  const walk = (source: SourceFile, c: Condition, at: string): void => {
    if ('any' in c) c.any.forEach((x, i) => walk(source, x, joinPointer(at, 'any', i)));
    else if ('all' in c) c.all.forEach((x, i) => walk(source, x, joinPointer(at, 'all', i)));
    else if ('not' in c) walk(source, c.not, joinPointer(at, 'not'));
    else if ('exactData' in c) out.push({ source, pointer: joinPointer(at, 'exactData'), options: c.exactData });
  };
  for (const { source, data } of files) data.policies.forEach((p, i) => walk(source, p.match, joinPointer('', 'policies', i, 'match')));
  return out;
}

export function indexPathOf(source: SourceFile, written: string): string {
  return resolve(dirname(source.path), written);
}

export function pairKey(source: SourceFile, options: ExactDataOptions): string {
  return `${indexPathOf(source, options.index)}\0${options.keyFile === undefined ? '' : indexPathOf(source, options.keyFile)}`;
}

export function readExactData(files: readonly { source: SourceFile; data: PolicyFile }[]): ExactDataFiles {
  const uses = exactDataUses(files);
  if (uses.length === 0) return NO_EXACT_DATA;
  const pairs = new Map<string, LoadedEdm>();
  const digests = new Map<string, string | undefined>();
  const indexes = new Map<string, ReturnType<typeof loadIndexFile>>();
  for (const use of uses) {
    const key = pairKey(use.source, use.options);
    if (pairs.has(key)) continue;
    const indexPath = indexPathOf(use.source, use.options.index);
    let parsed = indexes.get(indexPath);
    if (parsed === undefined) {
      parsed = loadIndexFile(indexPath);
      indexes.set(indexPath, parsed);
      digests.set(indexPath, parsed.digest);
    }
    if (!parsed.result.ok) {
      pairs.set(key, { ok: false, field: 'index', error: parsed.result.error });
      continue;
    }
    const data = parsed.result.index;
    const keyPath = use.options.keyFile === undefined ? data.keyFile : indexPathOf(use.source, use.options.keyFile);
    const keyBytes = keyDigest(keyPath);
    digests.set(keyPath, keyBytes);
    const k = readEdmKey(keyPath, displayPathOf(keyPath));
    if (!k.ok) {
      const hint = use.options.keyFile === undefined ? `the index recorded this key file when it was built; name the key with keyFile: in the condition` : k.error.hint;
      pairs.set(key, { ok: false, field: use.options.keyFile === undefined ? 'index' : 'keyFile', error: { ...k.error, ...(hint ? { hint } : {}) } });
      continue;
    }
    if (k.keys.fingerprint !== data.keyFingerprint) {
      pairs.set(key, {
        ok: false,
        field: use.options.keyFile === undefined ? 'index' : 'keyFile',
        error: {
          code: 'RG_EDM_KEY_MISMATCH',
          message: `index ${displayPathOf(indexPath)} was built with another key (fingerprint ${data.keyFingerprint}) than ${displayPathOf(keyPath)} (fingerprint ${k.keys.fingerprint})`,
          hint: 'name the key file the index was built with, or rebuild the index with this key (relayguard edm index ... --key-file)',
        },
      });
      continue;
    }
    pairs.set(key, { ok: true, index: Object.freeze({ data, keys: k.keys, path: indexPath }) });
  }
  return { pairs, digests };
}

function keyDigest(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

function loadIndexFile(path: string): { result: ReturnType<typeof parseIndex>; digest: string | undefined } {
  const shown = displayPathOf(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      result: { ok: false, error: { code: 'RG_EDM_INDEX_MISSING', message: code === 'ENOENT' ? `EDM index ${shown} does not exist` : `EDM index ${shown} cannot be read (${code ?? 'error'})`, hint: 'build it with relayguard edm index CSV --columns ... --key-file ... --out FILE' } },
      digest: undefined,
    };
  }
  const result = parseIndex(bytes, shown);
  // a broken index still has a digest, so replacing it with a good one is seen as a change
  return { result, digest: result.ok ? result.index.digest : createHash('sha256').update(bytes).digest('hex') };
}

/** The config revision with the data files folded in; unchanged when no policy names an index. */
export function revisionWithData(base: string, data: ExactDataFiles, dir: string): string {
  if (data.digests.size === 0) return base;
  const h = createHash('sha256').update(`${base}\0edm\0`);
  for (const [path, digest] of [...data.digests].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${relative(dir, path)}\0${digest ?? '-'}\0`);
  return h.digest('hex');
}

export function dataFiles(data: ExactDataFiles): string[] {
  return [...data.digests.keys()];
}
