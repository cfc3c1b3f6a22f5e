// Longest-prefix match of client addresses against CIDR blocks: one binary trie per family,
// so a lookup costs at most 32 (IPv4) or 128 (IPv6) steps however many blocks there are.
import type { AddressMatcher } from './types.js';
import { bitAt, parseCidr, parseIp } from './ip-address.js';
import type { IpPrefix } from './ip-address.js';

export class AddressMatcherError extends Error {
  readonly code = 'RG_GRAPH_CIDR_INVALID';
  constructor(readonly cidr: string) {
    super(`"${cidr}" is not an IPv4/IPv6 address or CIDR block`);
    this.name = 'AddressMatcherError';
  }
}

/** Nodes live in parallel arrays (children and value index per node): compact and monomorphic. */
interface Trie {
  readonly zero: number[];
  readonly one: number[];
  readonly value: number[];
}

function newTrie(): Trie {
  return { zero: [-1], one: [-1], value: [-1] };
}

function insert(trie: Trie, prefix: IpPrefix, valueIndex: number): void {
  let node = 0;
  for (let i = 0; i < prefix.length; i++) {
    const branch = bitAt(prefix.words, i) === 0 ? trie.zero : trie.one;
    let next = branch[node] ?? -1;
    if (next < 0) {
      next = trie.value.length;
      trie.zero.push(-1);
      trie.one.push(-1);
      trie.value.push(-1);
      branch[node] = next;
    }
    node = next;
  }
  // The same block listed twice: the first entry (file order) keeps it.
  if ((trie.value[node] ?? -1) < 0) trie.value[node] = valueIndex;
}

function search(trie: Trie, words: IpPrefix['words'], bits: number): number {
  let node = 0;
  let best = trie.value[0] ?? -1;
  for (let i = 0; i < bits; i++) {
    node = (bitAt(words, i) === 0 ? trie.zero[node] : trie.one[node]) ?? -1;
    if (node < 0) break;
    const v = trie.value[node] ?? -1;
    if (v >= 0) best = v;
  }
  return best;
}

/**
 * Builds a matcher over `entries`. Plain addresses are /32 or /128; IPv4-mapped IPv6 addresses
 * match IPv4 entries. Throws AddressMatcherError (RG_GRAPH_CIDR_INVALID) on malformed input.
 */
export function compileAddressMatcher<T>(entries: readonly { readonly cidr: string; readonly value: T }[]): AddressMatcher<T> {
  const v4 = newTrie();
  const v6 = newTrie();
  const values: T[] = [];
  for (const entry of entries) {
    const prefix = parseCidr(entry.cidr);
    if (!prefix) throw new AddressMatcherError(entry.cidr);
    insert(prefix.family === 4 ? v4 : v6, prefix, values.length);
    values.push(entry.value);
  }
  return Object.freeze({
    lookup(address: string): T | undefined {
      const ip = parseIp(address);
      if (!ip) return undefined;
      const index = ip.family === 4 ? search(v4, ip.words, 32) : search(v6, ip.words, 128);
      return index >= 0 ? values[index] : undefined;
    },
  });
}
