// The DNS client every MX delivery uses: configured resolvers (or /etc/resolv.conf's), retries across
// them, a shared TTL cache and one in-flight query per question. node:dns is not used because it
// cannot show the AD bit, and DANE must know whether the validating resolver vouched for an answer.
import type { Answer, DecodedPacket } from 'dns-packet';
import { DnsCache } from './dns-cache.js';
import { exchange } from './dns-transport.js';
import { serverText } from './dns-types.js';
import type { DnsAnswer, DnsRecord, DnsServerAddress, RecordType, Validation } from './dns-types.js';

export interface DnsClientOptions {
  readonly servers: readonly DnsServerAddress[];
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly cacheEntries: number;
  /** Only answers of configured resolvers may be "secure"; the system's are never trusted for DANE. */
  readonly trustAd: boolean;
  readonly now?: () => number;
}

const MAX_CNAME_HOPS = 8;
/** Upper bound for any cached answer: a day, like common resolvers' cache-max-ttl. */
const MAX_TTL = 86_400;

export class DnsClient {
  readonly #opts: DnsClientOptions;
  readonly #cache: DnsCache;
  readonly #inflight = new Map<string, Promise<DnsAnswer>>();

  constructor(opts: DnsClientOptions) {
    this.#opts = opts;
    this.#cache = new DnsCache(opts.cacheEntries, opts.now);
  }

  /** "127.0.0.1:5353, [::1]:53": how DNS failures name the resolver. */
  get serversText(): string {
    return this.#opts.servers.map(serverText).join(', ') || 'no resolver';
  }

  get cacheSize(): number {
    return this.#cache.size;
  }

  /** Records of `type` at `name`, CNAMEs followed; validation is secure only if every hop was. */
  async lookup(name: string, type: RecordType): Promise<DnsAnswer> {
    let current = normalize(name);
    let validation: Validation = 'secure';
    for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
      const answer = await this.query(current, type);
      if (answer.kind === 'failed') return answer;
      if (answer.validation === 'insecure') validation = 'insecure';
      if (answer.kind !== 'records') return { ...answer, validation };
      const target = followChain(answer.records, current, type);
      const found = answer.records.filter((r) => r.type === type && r.name === target);
      if (found.length > 0 || type === 'CNAME') return { ...answer, records: type === 'CNAME' ? answer.records : found, validation };
      if (target === current) return { kind: 'nodata', validation, server: answer.server };
      current = target;
    }
    return { kind: 'failed', code: 'RG_DNS_MALFORMED', message: `more than ${MAX_CNAME_HOPS} CNAMEs from ${name}`, server: this.serversText };
  }

  /** One question, answered from the cache when possible. */
  query(name: string, type: RecordType): Promise<DnsAnswer> {
    const key = `${type} ${normalize(name)}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return Promise.resolve(cached);
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      pending = this.#ask(normalize(name), type).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  async #ask(name: string, type: RecordType): Promise<DnsAnswer> {
    const failures: string[] = [];
    let last: DnsAnswer | undefined;
    for (let round = 0; round < this.#opts.attempts; round++) {
      for (const server of this.#opts.servers) {
        const where = serverText(server);
        const got = await exchange(server, name, type, this.#opts.timeoutMs);
        if (!got.ok) {
          failures.push(`${where}: ${got.message}`);
          last = { kind: 'failed', code: got.code, message: got.message, server: where };
          continue;
        }
        const answer = this.#interpret(got.packet, name, type, where);
        if (answer.answer.kind !== 'failed') {
          this.#cache.set(`${type} ${name}`, answer.answer, Math.min(answer.ttl, MAX_TTL));
          return answer.answer;
        }
        failures.push(`${where}: ${answer.answer.message}`);
        last = answer.answer;
      }
    }
    if (last === undefined || last.kind !== 'failed') return { kind: 'failed', code: 'RG_DNS_NETWORK', message: 'no resolver configured', server: this.serversText };
    return { ...last, message: unique(failures).join('; '), server: this.serversText };
  }

  #interpret(packet: DecodedPacket & { readonly rcode?: string }, name: string, type: RecordType, server: string): { answer: DnsAnswer; ttl: number } {
    const validation: Validation = this.#opts.trustAd && packet.flag_ad ? 'secure' : 'insecure';
    switch (packet.rcode) {
      case 'NOERROR': {
        const records = (packet.answers ?? []).flatMap(toRecord);
        if (records.length === 0) return { answer: { kind: 'nodata', validation, server }, ttl: negativeTtl(packet) };
        return { answer: { kind: 'records', records, validation, server }, ttl: Math.min(...records.map((r) => r.ttl)) };
      }
      case 'NXDOMAIN':
        return { answer: { kind: 'nxdomain', validation, server }, ttl: negativeTtl(packet) };
      case 'SERVFAIL':
        return { answer: { kind: 'failed', code: 'RG_DNS_SERVFAIL', message: `SERVFAIL for ${name} ${type} (a validating resolver's answer to bogus data, or no authoritative answer)`, server }, ttl: 0 };
      case 'REFUSED':
        return { answer: { kind: 'failed', code: 'RG_DNS_REFUSED', message: `REFUSED for ${name} ${type}`, server }, ttl: 0 };
      default:
        return { answer: { kind: 'failed', code: 'RG_DNS_RCODE', message: `${packet.rcode ?? 'unknown rcode'} for ${name} ${type}`, server }, ttl: 0 };
    }
  }
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** The name the CNAME chain starting at `from` ends at, within this answer. */
function followChain(records: readonly DnsRecord[], from: string, type: RecordType): string {
  let current = from;
  for (let i = 0; i < MAX_CNAME_HOPS; i++) {
    if (records.some((r) => r.type === type && r.name === current)) return current;
    const next = records.find((r) => r.type === 'CNAME' && r.name === current);
    if (next === undefined || next.type !== 'CNAME') return current;
    current = normalize(next.value);
  }
  return current;
}

/** RFC 2308 §5: the negative TTL is the smaller of the SOA record's TTL and its minimum field. */
function negativeTtl(packet: DecodedPacket): number {
  const soa = (packet.authorities ?? []).find((a) => a.type === 'SOA');
  if (soa === undefined || soa.type !== 'SOA') return 0;
  return Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0);
}

function toRecord(a: Answer): DnsRecord[] {
  const name = normalize(a.name);
  const ttl = 'ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0;
  switch (a.type) {
    case 'A':
    case 'AAAA':
      return [{ type: a.type, name, ttl, value: a.data }];
    case 'CNAME':
      return [{ type: 'CNAME', name, ttl, value: normalize(a.data) }];
    case 'MX':
      return [{ type: 'MX', name, ttl, value: { preference: a.data.preference ?? 0, exchange: normalize(a.data.exchange) } }];
    case 'TXT': {
      const parts = Array.isArray(a.data) ? a.data : [a.data];
      return [{ type: 'TXT', name, ttl, value: parts.map((p) => (typeof p === 'string' ? p : p.toString('utf8'))).join('') }];
    }
    case 'TLSA':
      return [{ type: 'TLSA', name, ttl, value: { usage: a.data.usage, selector: a.data.selector, matchingType: a.data.matchingType, data: Buffer.from(a.data.certificate) } }];
    default:
      return [];
  }
}
