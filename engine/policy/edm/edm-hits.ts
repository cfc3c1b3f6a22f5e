// exactData results in the shape every text detector returns (Hits), so held texts, long texts
// scanned window by window, and the per-message cache all carry them without special cases.
import type { Hits } from '../detectors/hits.js';
import { mergeFound, scanEdm, type EdmFound, type EdmIndex } from './lookup.js';

export function edmHits(index: EdmIndex, text: string): Hits {
  const found = scanEdm(index, text);
  return { count: found.anchors.size, samples: [], edm: found };
}

/** Windows of one long text: the union of what each held. */
export function mergeEdmHits(into: Hits | undefined, next: Hits): Hits {
  if (next.edm === undefined) return into ?? next;
  const found: EdmFound = into?.edm ?? { anchors: new Map(), common: [] };
  mergeFound(found, next.edm);
  return { count: found.anchors.size, samples: [], edm: found };
}
