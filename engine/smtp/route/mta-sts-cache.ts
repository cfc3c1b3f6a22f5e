// Which MTA-STS policy applies to a domain now (RFC 8461 §5): a cached policy while its max_age runs
// and the TXT id is unchanged; a new fetch when the id changes; the cached policy when the TXT lookup
// or the fetch fails. With neither, the domain has no policy (the RFC's rule, logged by the caller).
// Process-wide like the DNS cache: policies outlive graph generations.
import type { DnsClient } from '../../dns/dns-client.js';
import { fetchStsPolicy, parseStsTxt } from './mta-sts-policy.js';
import type { StsFetchSettings, StsPolicy } from './mta-sts-policy.js';

export type StsLookup =
  | { readonly kind: 'policy'; readonly policy: StsPolicy; readonly source: 'fetched' | 'cache'; readonly note?: string }
  | { readonly kind: 'none'; readonly why: string };

interface Cached {
  readonly policy: StsPolicy;
  readonly expiresAt: number;
}

const MAX_DOMAINS = 10_000;

export class MtaStsCache {
  readonly #policies = new Map<string, Cached>();
  readonly #inflight = new Map<string, Promise<StsLookup>>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  lookup(dns: DnsClient, domain: string, s: StsFetchSettings): Promise<StsLookup> {
    let p = this.#inflight.get(domain);
    if (p === undefined) {
      p = this.#lookup(dns, domain, s).finally(() => this.#inflight.delete(domain));
      this.#inflight.set(domain, p);
    }
    return p;
  }

  async #lookup(dns: DnsClient, domain: string, s: StsFetchSettings): Promise<StsLookup> {
    const cached = this.#valid(domain);
    const txt = await dns.lookup(`_mta-sts.${domain}`, 'TXT');
    const parsed = txt.kind === 'records' ? parseStsTxt(txt.records.flatMap((r) => (r.type === 'TXT' ? [r.value] : []))) : undefined;
    if (parsed === undefined || 'problem' in parsed) {
      const why = txt.kind === 'failed' ? `TXT lookup of _mta-sts.${domain} failed at ${txt.server}: ${txt.message}` : (parsed?.problem ?? `no TXT record at _mta-sts.${domain}`);
      return cached !== undefined ? { kind: 'policy', policy: cached, source: 'cache', note: why } : { kind: 'none', why };
    }
    if (cached !== undefined && cached.id === parsed.id) return { kind: 'policy', policy: cached, source: 'cache' };
    const fetched = await fetchStsPolicy(dns, domain, parsed.id, s);
    if ('problem' in fetched) {
      return cached !== undefined ? { kind: 'policy', policy: cached, source: 'cache', note: `policy fetch failed: ${fetched.problem}` } : { kind: 'none', why: `policy fetch failed: ${fetched.problem}` };
    }
    this.#store(domain, fetched);
    return { kind: 'policy', policy: fetched, source: 'fetched' };
  }

  #valid(domain: string): StsPolicy | undefined {
    const c = this.#policies.get(domain);
    if (c === undefined) return undefined;
    if (c.expiresAt > this.#now()) return c.policy;
    this.#policies.delete(domain);
    return undefined;
  }

  #store(domain: string, policy: StsPolicy): void {
    this.#policies.delete(domain);
    this.#policies.set(domain, { policy, expiresAt: this.#now() + policy.maxAgeSeconds * 1000 });
    if (this.#policies.size > MAX_DOMAINS) {
      const oldest = this.#policies.keys().next().value;
      if (oldest !== undefined) this.#policies.delete(oldest);
    }
  }
}

/** The process's policy cache (see the file comment for why it is process-wide). */
export const sharedStsCache = new MtaStsCache();
