// What a detector found in one text: how many, and a few redacted samples.
import type { EdmFound } from '../edm/lookup.js';

export interface Hits {
  readonly count: number;
  /** Redacted, never the full value; at most MAX_SAMPLES. */
  readonly samples: readonly string[];
  /** exactData detectors: the records found, grouped later per message (never values). */
  readonly edm?: EdmFound;
}

export const MAX_SAMPLES = 3;
export const NO_HITS: Hits = Object.freeze({ count: 0, samples: Object.freeze([]) });

export class HitCollector {
  count = 0;
  readonly samples: string[] = [];
  add(redacted: string): void {
    this.count++;
    if (this.samples.length < MAX_SAMPLES && !this.samples.includes(redacted)) this.samples.push(redacted);
  }
  done(): Hits {
    return this.count === 0 ? NO_HITS : { count: this.count, samples: this.samples };
  }
}

/** Keeps `head` and `tail` characters and stars the rest; short values are starred entirely. */
export function redact(value: string, head: number, tail: number): string {
  if (value.length <= head + tail + 2) return '*'.repeat(value.length);
  return value.slice(0, head) + '*'.repeat(value.length - head - tail) + value.slice(value.length - tail);
}
