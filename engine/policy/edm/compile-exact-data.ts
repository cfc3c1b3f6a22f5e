// exactData condition → compiled condition over a shared per-index detector, and its evaluation.
import type { ExactDataOptions } from '../../config/generated/policy.js';
import type { SourceFile } from '../../config/source-file.js';
import type { Location } from '../analysis.js';
import type { Hits } from '../detectors/hits.js';
import type { CompiledCondition, TextDetector } from '../policy-set.js';
import { pairKey, type ExactDataFiles } from './exact-data.js';
import { countRecords } from './count-records.js';
import { emptyFound, mergeFound, type EdmFound } from './lookup.js';

const DEFAULT_LOCATIONS: ReadonlySet<Location> = new Set<Location>(['subject', 'body', 'attachments']);

interface ExactDataBuilder {
  readonly source: SourceFile | undefined;
  readonly exactData: ExactDataFiles | undefined;
  detector(key: string, make: () => TextDetector): number;
}

export function compileExactData(o: ExactDataOptions, b: ExactDataBuilder): CompiledCondition {
  const loaded = b.source === undefined ? undefined : b.exactData?.pairs.get(pairKey(b.source, o));
  // check-exact-data.ts reported a missing or bad index; the policy is skipped before we get here
  if (loaded === undefined || !loaded.ok) throw new Error(`RG_EDM_INTERNAL: index ${o.index} is not loaded`);
  const index = loaded.index;
  const columns = o.columns ?? index.data.columns;
  let columnBits = 0;
  for (const c of columns) columnBits |= 1 << index.data.columns.indexOf(c);
  const detector = b.detector(`exactData:${index.path}`, () => ({ kind: 'exactData', index }));
  return {
    kind: 'exactData',
    detector,
    index,
    locations: o.in === undefined ? DEFAULT_LOCATIONS : new Set(o.in),
    columnBits: columnBits >>> 0,
    minColumns: o.minColumns ?? Math.min(2, columns.length),
    minRecords: o.minRecords ?? 1,
  };
}

/** Count = records with enough columns; samples name the column sets ("email+iban"), never a value. */
export function exactDataHits(c: Extract<CompiledCondition, { kind: 'exactData' }>, found: readonly EdmFound[]): Hits {
  const all = emptyFound();
  for (const f of found) mergeFound(all, f);
  const counted = countRecords(c.index, all, c.columnBits, c.minColumns);
  return { count: counted.records, samples: counted.columnSets.slice(0, 3).map((s) => `columns ${s}`) };
}
