// exactData results in the shape every text detector returns (Hits), so held texts, long texts
// scanned window by window, and the per-message cache all carry them without special cases.
import type { Hits } from '../detectors/hits.js';
import { emptyFound, mergeFound, resolvePending, scanEdm, type EdmIndex } from './lookup.js';

/** Pending candidates of a long text beyond this are looked up at once, so a window costs bounded memory. */
const MAX_PENDING = 20_000;

/** `ascii`: true when the caller already knows the text is ASCII only. */
export function edmHits(index: EdmIndex, text: string, ascii?: true): Hits {
  const found = scanEdm(index, text, ascii);
  return { count: found.anchors.size, samples: [], edm: found };
}

/** Windows of one long text: the union of what each held. */
export function mergeEdmHits(index: EdmIndex, into: Hits | undefined, next: Hits): Hits {
  if (next.edm === undefined) return into ?? next;
  const found = into?.edm ?? emptyFound();
  mergeFound(found, next.edm);
  if (found.pending.size > MAX_PENDING) resolvePending(index, found);
  return { count: found.anchors.size, samples: [], edm: found };
}
