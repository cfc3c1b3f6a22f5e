// The filter words of many candidates, read in one loop: each read of the large filter is a cache miss,
// and independent reads in a tight loop overlap (the scan of one text hashes its candidates first,
// reads their filter words here, then answers them).
import { filterWord } from './filter.js';

/**
 * Candidates of one text waiting for their filter words (reused between texts). The filter is large
 * (16 bits per value: about 6 MB at 1M records × 3 columns) and each read is a cache miss; read in one tight
 * loop over many candidates (readFilterWords), the misses overlap instead of each stalling the scan.
 */
export class FilterBatch {
  count = 0;
  /** The candidate's token (words) or its offset in runBytes (identifiers). */
  at = new Int32Array(256);
  /** Words: the memo slot + 1, negated (-(slot + 2)) when the word may start n-grams; identifiers: the length. */
  aux = new Int32Array(256);
  /** Words: the columns its shape admits. */
  admitted = new Uint32Array(256);
  hash = new Uint32Array(256);
  word = new Uint32Array(256);

  begin(capacity: number): void {
    this.count = 0;
    if (this.at.length < capacity) this.#resize(Math.max(capacity, this.at.length * 2));
  }

  /** Twice the room, keeping the candidates so far. */
  grow(): void {
    this.#resize(this.at.length * 2);
  }

  #resize(capacity: number): void {
    const copy = <T extends Int32Array | Uint32Array>(a: T, b: T): T => {
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.at = copy(this.at, new Int32Array(capacity));
    this.aux = copy(this.aux, new Int32Array(capacity));
    this.admitted = copy(this.admitted, new Uint32Array(capacity));
    this.hash = copy(this.hash, new Uint32Array(capacity));
    this.word = new Uint32Array(capacity);
  }
}

/** batch.word[k] = the filter word of batch.hash[k], for every candidate (independent loads: they overlap). */
export function readFilterWords(filter: Uint32Array, batch: FilterBatch): void {
  const { hash, word, count } = batch;
  for (let k = 0; k < count; k++) word[k] = filterWord(filter, hash[k] ?? 0);
}
