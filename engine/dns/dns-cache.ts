// The answers cache: bounded, least-recently-used first out, each entry kept for its TTL (negative
// answers for the SOA minimum, RFC 2308 §5). Failures are not cached: the next delivery asks again.
import type { DnsAnswer } from './dns-types.js';

interface Entry {
  readonly answer: DnsAnswer;
  readonly expiresAt: number;
}

export class DnsCache {
  readonly #max: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(maxEntries: number, now: () => number = Date.now) {
    this.#max = maxEntries;
    this.#now = now;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): DnsAnswer | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    this.#entries.delete(key);
    if (e.expiresAt <= this.#now()) return undefined;
    this.#entries.set(key, e);
    return e.answer;
  }

  set(key: string, answer: DnsAnswer, ttlSeconds: number): void {
    if (this.#max === 0 || ttlSeconds <= 0 || answer.kind === 'failed') return;
    this.#entries.delete(key);
    this.#entries.set(key, { answer, expiresAt: this.#now() + ttlSeconds * 1000 });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
