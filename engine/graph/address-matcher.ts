// Longest-prefix match of client addresses against CIDR blocks: one binary trie per family,
// so a lookup costs at most 32 (IPv4) or 128 (IPv6) steps however many blocks there are.
// The tries are flattened into typed arrays after building, and parsing reuses one scratch
// buffer, so a lookup allocates nothing.
import type { AddressMatcher } from './types.js';
import { bitAt, newIpScratch, parseCidr, parseIpInto } from './ip-address.js';
import type { IpPrefix } from './ip-address.js';

export class AddressMatcherError extends Error {
  readonly code = 'RG_GRAPH_CIDR_INVALID';
  constructor(readonly cidr: string) {
    super(`"${cidr}" is not an IPv4/IPv6 address or CIDR block`);
    this.name = 'AddressMatcherError';
  }
}

/** Node n's children are at child[2n] (bit 0) and child[2n+1] (bit 1); -1 = none. */
interface Trie {
  readonly child: Int32Array;
  /** Index into the matcher's values, -1 = no block ends here. */
  readonly value: Int32Array;
}

class TrieBuilder {
  readonly #child: number[] = [-1, -1];
  readonly #value: number[] = [-1];

  insert(prefix: IpPrefix, valueIndex: number): void {
    let node = 0;
    for (let i = 0; i < prefix.length; i++) {
      const slot = 2 * node + bitAt(prefix.words, i);
      let next = this.#child[slot] ?? -1;
      if (next < 0) {
        next = this.#value.length;
        this.#value.push(-1);
        this.#child.push(-1, -1);
        this.#child[slot] = next;
      }
      node = next;
    }
    // The same block listed twice: the first entry (file order) keeps it.
    if ((this.#value[node] ?? -1) < 0) this.#value[node] = valueIndex;
  }

  build(): Trie {
    return { child: Int32Array.from(this.#child), value: Int32Array.from(this.#value) };
  }
}

/** Walks `bits` bits of `word` from node `start`; returns the node reached (-1 = fell off) and updates best[0]. */
function walkWord(trie: Trie, start: number, word: number, best: Int32Array): number {
  const { child, value } = trie;
  let node = start;
  for (let shift = 31; shift >= 0; shift--) {
    node = child[2 * node + ((word >>> shift) & 1)] ?? -1;
    if (node < 0) return -1;
    const v = value[node] ?? -1;
    if (v >= 0) best[0] = v;
  }
  return node;
}

function search(trie: Trie, words: Uint32Array, wordCount: number, best: Int32Array): number {
  best[0] = trie.value[0] ?? -1;
  let node = 0;
  for (let k = 0; k < wordCount && node >= 0; k++) node = walkWord(trie, node, words[k] ?? 0, best);
  return best[0] ?? -1;
}

/**
 * Builds a matcher over `entries`. Plain addresses are /32 or /128; IPv4-mapped IPv6 addresses
 * match IPv4 entries. Throws AddressMatcherError (RG_GRAPH_CIDR_INVALID) on malformed input.
 */
export function compileAddressMatcher<T>(entries: readonly { readonly cidr: string; readonly value: T }[]): AddressMatcher<T> {
  const v4 = new TrieBuilder();
  const v6 = new TrieBuilder();
  const values: T[] = [];
  for (const entry of entries) {
    const prefix = parseCidr(entry.cidr);
    if (!prefix) throw new AddressMatcherError(entry.cidr);
    (prefix.family === 4 ? v4 : v6).insert(prefix, values.length);
    values.push(entry.value);
  }
  const trie4 = v4.build();
  const trie6 = v6.build();
  // Lookups are synchronous, so one scratch buffer per matcher is never shared mid-parse.
  const scratch = newIpScratch();
  const best = new Int32Array(1);
  return Object.freeze({
    lookup(address: string): T | undefined {
      const family = parseIpInto(address, scratch);
      if (family === 0) return undefined;
      const index = family === 4 ? search(trie4, scratch.words, 1, best) : search(trie6, scratch.words, 4, best);
      return index >= 0 ? values[index] : undefined;
    },
  });
}
