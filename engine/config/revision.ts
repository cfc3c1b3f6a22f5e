// The config revision: one hash over every file that shapes the running gateway, so unchanged content is recognised.
import { createHash } from 'node:crypto';
import { relative } from 'node:path';

/** sha256 hex over (path relative to the config dir, content) pairs sorted by path; unreadable files count as absent. */
export function revisionHash(dir: string, files: ReadonlyMap<string, Buffer | undefined>): string {
  const entries = [...files]
    .map(([path, bytes]) => [relative(dir, path).split('\\').join('/'), bytes] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const [path, bytes] of entries) {
    // Length prefixes keep ("ab","c") and ("a","bc") apart.
    hash.update(`${Buffer.byteLength(path)}:${path}\0`);
    if (bytes) hash.update(`${bytes.length}:`).update(bytes);
    else hash.update('-:');
  }
  return hash.digest('hex');
}
