// Relative paths inside a config file resolve against that file's own directory (CONTRACT.md).
import { dirname, resolve } from 'node:path';
import type { SourceFile } from './source-file.js';

export function resolveConfigPath(source: SourceFile, relative: string): string {
  return resolve(dirname(source.path), relative);
}
