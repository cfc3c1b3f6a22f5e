// Located findings for exactData conditions: a missing, corrupt or mismatched index or key, columns
// the index does not have, thresholds that can never be met.
import type { Diagnostic } from '../../config/diagnostic.js';
import { locate } from '../../config/locate.js';
import { joinPointer } from '../../config/pointer.js';
import type { SourceFile } from '../../config/source-file.js';
import { didYouMean, shortList } from '../../config/suggest.js';
import type { PolicyFile } from '../../config/generated/policy.js';
import { exactDataUses, pairKey, type ExactDataFiles } from './exact-data.js';

function diagnostic(source: SourceFile, pointer: string, code: string, message: string, hint?: string): Diagnostic {
  const { line, column } = locate(source, pointer);
  return { code, severity: 'error', file: source.displayPath, line, column, pointer, message, ...(hint ? { hint } : {}) };
}

export function checkExactData(files: readonly { source: SourceFile; data: PolicyFile }[], data: ExactDataFiles): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const { source, pointer, options } of exactDataUses(files)) {
    const loaded = data.pairs.get(pairKey(source, options));
    if (loaded === undefined) {
      out.push(diagnostic(source, joinPointer(pointer, 'index'), 'RG_EDM_INDEX_MISSING', `EDM index ${options.index} was not loaded`));
      continue;
    }
    if (!loaded.ok) {
      out.push(diagnostic(source, joinPointer(pointer, loaded.field), loaded.error.code, loaded.error.message, loaded.error.hint));
      continue;
    }
    const known = loaded.index.data.columns;
    (options.columns ?? []).forEach((c, i) => {
      if (!known.includes(c)) out.push(diagnostic(source, joinPointer(pointer, 'columns', i), 'RG_EDM_COLUMN_UNKNOWN', `index ${options.index} has no column "${c}"${didYouMean(c, known)} (columns: ${shortList([...known])})`));
    });
    const counted = options.columns?.length ?? known.length;
    if (options.minColumns !== undefined && options.minColumns > counted) {
      out.push(diagnostic(source, joinPointer(pointer, 'minColumns'), 'RG_POL_NEVER_MATCHES', `minColumns ${options.minColumns} is more than the ${counted} columns that count, so it can never match`));
    }
  }
  return out;
}
