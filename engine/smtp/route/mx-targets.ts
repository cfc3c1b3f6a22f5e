// Where an `mx` receiver delivers a recipient domain's mail: its MX hosts (resolved through the
// process-wide DNS client), each with the TLS its policy demands, as leg targets in the order to try.
// Built per domain per delivery from cached DNS answers; equal decisions reuse one target object so
// the relay pool can match idle connections.
import { dnsClientFor } from '../../dns/shared-clients.js';
import { resolveMx } from '../../dns/mx-resolve.js';
import type { MxHost, MxResolution } from '../../dns/mx-resolve.js';
import type { DnsClient } from '../../dns/dns-client.js';
import type { Logger } from 'pino';
import type { Receiver, RoutingGraph } from '../../graph/types.js';
import { reply } from '../reply.js';
import type { SmtpReply } from '../reply.js';
import { sharedStsCache, type StsLookup } from './mta-sts-cache.js';
import { stsMxMatches } from './mta-sts-policy.js';
import { fallbackTls, hostTlsKey, hostTlsText, relayTlsFor } from './tls-policy.js';
import type { HostTls } from './tls-policy.js';
import { hostTlsForDane } from './tls-policy-dane.js';
import type { LegTarget } from './leg-targets.js';

export type MxPlan =
  | { readonly ok: true; readonly key: string; readonly targets: readonly LegTarget[]; readonly skipped: readonly string[] }
  | { readonly ok: false; readonly reply: SmtpReply };

type DomainTls = { readonly kind: 'fixed'; readonly tls: HostTls } | { readonly kind: 'sts'; readonly lookup: Extract<StsLookup, { kind: 'policy' }> } | { readonly kind: 'dane' };

const MAX_TARGETS = 512;

export class MxTargets {
  readonly #graph: RoutingGraph;
  readonly #logger: Logger;
  readonly #dns: DnsClient;
  readonly #targets = new Map<string, LegTarget>();

  constructor(graph: RoutingGraph, logger: Logger, dns?: DnsClient) {
    this.#graph = graph;
    this.#logger = logger;
    this.#dns = dns ?? dnsClientFor(graph.gateway.dns);
  }

  get dns(): DnsClient {
    return this.#dns;
  }

  /** The leg targets for `recipientDomain` through receiver `r` (which has `mx`), or the reply that refuses it. */
  async plan(r: Receiver, recipientDomain: string): Promise<MxPlan> {
    const mx = r.mx;
    if (mx === undefined) return { ok: false, reply: reply(451, '4.3.0', `receiver ${r.name} has no MX settings`) };
    const domain = mx.source.kind === 'recipient' ? recipientDomain : mx.source.domain;
    const resolution = await resolveMx(this.#dns, domain);
    if (resolution.kind !== 'hosts') return { ok: false, reply: refusal(resolution) };
    const domainTls = await this.#domainTls(r, resolution);
    const policy = mx.policy;
    let hosts = resolution.hosts;
    const skipped: string[] = [];
    if (domainTls.kind === 'sts' && domainTls.lookup.policy.mode === 'enforce') {
      const patterns = domainTls.lookup.policy.mx;
      for (const h of hosts) if (!stsMxMatches(patterns, h.name)) skipped.push(`MX ${h.name} is not listed by the MTA-STS policy (mx: ${patterns.join(', ')})`);
      hosts = hosts.filter((h) => stsMxMatches(patterns, h.name));
      if (hosts.length === 0) return { ok: false, reply: policyFailure(domain, policy, `no MX host matches the MTA-STS policy (enforce, mx: ${patterns.join(', ')}); MX: ${resolution.hosts.map((h) => h.name).join(', ')}`) };
    }
    const targets: LegTarget[] = [];
    for (const host of hosts) {
      if (host.addresses.length === 0) {
        skipped.push(`MX ${host.name} ${host.problem ?? 'has no address'}`);
        continue;
      }
      const tls = await this.#hostTls(r, domainTls, host);
      if ('refuse' in tls) {
        skipped.push(`MX ${host.name}: ${tls.refuse}`);
        continue;
      }
      for (const address of host.addresses) targets.push(this.#target(r, domain, host, address, tls));
    }
    if (targets.length === 0) return { ok: false, reply: policyFailure(domain, policy, skipped.join('; ')) };
    return { ok: true, key: this.#key(r, domain, resolution, domainTls), targets, skipped };
  }

  async #domainTls(r: Receiver, res: Extract<MxResolution, { kind: 'hosts' }>): Promise<DomainTls> {
    const mx = r.mx;
    if (mx === undefined) return { kind: 'fixed', tls: { kind: 'may', why: 'no MX settings' } };
    switch (mx.policy) {
      case 'may':
        return { kind: 'fixed', tls: { kind: 'may', why: 'opportunistic' } };
      case 'encrypt':
        return { kind: 'fixed', tls: { kind: 'encrypt', why: 'TLS required, not authenticated' } };
      case 'verify':
        return { kind: 'fixed', tls: { kind: 'pkix', enforce: true, why: 'certificate and MX name verified' } };
      case 'mta-sts': {
        const sts = this.#graph.gateway.mtaSts ?? { port: 443, timeoutMs: 10_000 };
        const lookup = await sharedStsCache.lookup(this.#dns, res.domain, sts);
        if (lookup.kind === 'none') {
          this.#logger.info({ domain: res.domain, policy: 'mta-sts' }, `${res.domain}: no MTA-STS policy (${lookup.why}); using tls.fallback ${mx.fallback}`);
          return { kind: 'fixed', tls: fallbackTls(mx.fallback, `no MTA-STS policy: ${lookup.why}`) };
        }
        if (lookup.note !== undefined) this.#logger.warn({ domain: res.domain, policy: 'mta-sts' }, `${res.domain}: using the cached MTA-STS policy id ${lookup.policy.id}: ${lookup.note}`);
        if (lookup.policy.mode === 'none') return { kind: 'fixed', tls: fallbackTls(mx.fallback, 'MTA-STS policy mode none') };
        return { kind: 'sts', lookup };
      }
      case 'dane':
        // RFC 7672 §2.2.1: an insecure MX RRset makes DANE inapplicable to the whole domain.
        if (res.mxValidation !== 'secure') return { kind: 'fixed', tls: fallbackTls(mx.fallback, `MX of ${res.domain} not DNSSEC-validated`) };
        return { kind: 'dane' };
      default: {
        const never: never = mx.policy;
        return never;
      }
    }
  }

  async #hostTls(r: Receiver, d: DomainTls, host: MxHost): Promise<HostTls | { readonly refuse: string }> {
    if (d.kind === 'fixed') return d.tls;
    if (d.kind === 'sts') {
      const p = d.lookup.policy;
      return { kind: 'pkix', enforce: p.mode === 'enforce', why: `MTA-STS ${p.mode}, policy id ${p.id}${d.lookup.source === 'cache' ? ' (cached)' : ''}` };
    }
    return hostTlsForDane(this.#dns, r, host);
  }

  #key(r: Receiver, domain: string, res: Extract<MxResolution, { kind: 'hosts' }>, d: DomainTls): string {
    // Same hosts share a leg; under mta-sts/dane the domain's own policy joins the key, so a
    // recipient of a domain with a stricter policy never rides on a leg opened under a weaker one.
    const hosts = [...new Set(res.hosts.map((h) => h.name))].sort().join(',');
    const policyPart = d.kind === 'fixed' ? hostTlsKey(d.tls) : `${d.kind}:${domain}`;
    return `mx:${r.name}\n${hosts}\n${policyPart}`;
  }

  #target(r: Receiver, domain: string, host: MxHost, address: string, tls: HostTls): LegTarget {
    const mx = r.mx;
    const key = [r.name, host.name, address, hostTlsKey(tls)].join('\n');
    const label = `${r.name}: MX ${host.name} [${address}]:${r.port} of ${domain}, tls policy ${mx?.policy ?? 'may'} as ${hostTlsText(tls)}`;
    const cached = this.#targets.get(key);
    if (cached !== undefined && cached.label === label) return cached;
    const g = this.#graph.gateway;
    const relayTls = relayTlsFor(tls, {
      domain,
      policyName: mx?.policy ?? 'may',
      mxHost: host.name,
      mx: mx ?? { source: { kind: 'recipient' }, policy: 'may', fallback: 'may' },
      baseOptions: r.tls.options,
      authenticate: g.tls.authenticate,
      warn: (message) => this.#logger.warn({ domain, receiver: r.name, mx: host.name, policy: mx?.policy }, message),
    });
    const target: LegTarget = Object.freeze({
      name: r.name,
      kind: 'receiver',
      label,
      opts: {
        host: address,
        port: r.port,
        ehloName: g.hostname,
        timeouts: { connectMs: g.timeouts.connectMs, greetingMs: g.timeouts.greetingMs, commandMs: g.timeouts.commandMs, dataMs: g.timeouts.dataMs, idleMs: g.timeouts.idleMs },
        tls: relayTls,
        limits: { maxConnections: r.maxConnections, maxMessagesPerConnection: r.maxMessagesPerConnection },
      },
    });
    if (this.#targets.size >= MAX_TARGETS) this.#targets.clear();
    this.#targets.set(key, target);
    return target;
  }
}

function refusal(res: Exclude<MxResolution, { kind: 'hosts' }>): SmtpReply {
  switch (res.kind) {
    case 'null-mx':
      return reply(556, '5.1.10', `Recipient domain ${res.domain} accepts no mail (null MX, RFC 7505)`);
    case 'no-domain':
      return reply(550, '5.1.2', `Recipient domain ${res.domain} cannot receive mail: ${res.why}`);
    case 'failed':
      return reply(451, '4.4.3', `DNS lookup for ${res.domain} failed at resolver ${res.server}: [${res.code}] ${res.message}`);
    default: {
      const never: never = res;
      return never;
    }
  }
}

function policyFailure(domain: string, policy: string, what: string): SmtpReply {
  return reply(451, '4.7.5', `TLS policy ${policy} for ${domain}: no usable MX host: ${what}`);
}
