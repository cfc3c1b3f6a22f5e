// `relayguard certs probe --mx DOMAIN`: each MX host of DOMAIN, the certificate it presents over
// STARTTLS, and what each MX TLS policy (may, encrypt, verify, mta-sts, dane) would decide for it.
// Uses the gateway's own DNS client, MTA-STS fetch and DANE matching, so the answers are the gateway's.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { DnsClient } from '../dns/dns-client.js';
import { resolveMx } from '../dns/mx-resolve.js';
import { systemResolvers } from '../dns/resolv-conf.js';
import { parseDnsServer } from '../graph/compile-mx.js';
import { probePeer } from '../tls/probe.js';
import { buildTrustStore, verifyPeer } from '../tls/trust.js';
import type { PeerChain, TrustStore } from '../tls/trust.js';
import { MtaStsCache } from '../smtp/route/mta-sts-cache.js';
import { stsMxMatches } from '../smtp/route/mta-sts-policy.js';
import { tlsaText, usableTlsa, verifyDane } from '../smtp/route/tls-dane.js';
import type { MxHost } from '../dns/mx-resolve.js';
import type { StsLookup } from '../smtp/route/mta-sts-cache.js';

export interface MxProbeFlags {
  readonly dns: readonly string[];
  readonly port: number;
  readonly mtaStsPort: number;
  readonly trust: readonly string[];
  readonly timeout: number;
}

export interface MxProbeResult {
  readonly exitCode: number;
  readonly output: string;
  readonly errors?: string;
}

/** The trust list's certificates (PEM), or the system's CAs when none is given. */
function readCaPems(files: readonly string[]): string[] {
  return files.length > 0 ? files.flatMap((f) => readFileSync(f, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) : [...rootCertificates];
}

/** What `verify` would find: the gateway's own peer verification (OpenSSL's handshake verdict, EKU, pins, the MX name). */
function pkixProblem(chain: PeerChain, trust: TrustStore, host: string): string | undefined {
  const v = verifyPeer(chain, trust, { hostname: host });
  return v.ok ? undefined : v.message;
}

function stsDecision(sts: StsLookup, host: string, pkixProblem: string | undefined): string {
  if (sts.kind === 'none') return `no policy (${sts.why}) → tls.fallback`;
  const p = sts.policy;
  if (p.mode === 'none') return 'policy mode none → tls.fallback';
  const listed = stsMxMatches(p.mx, host);
  const problem = !listed ? `${host} not in mx: ${p.mx.join(', ')}` : pkixProblem;
  if (problem === undefined) return `${p.mode}: deliver (verified)`;
  return p.mode === 'enforce' ? `enforce: REFUSE (${problem})` : `testing: deliver, report (${problem})`;
}

async function daneDecision(dns: DnsClient, domainSecure: boolean, host: MxHost, port: number, chain: readonly X509Certificate[], domain: string): Promise<string> {
  if (!domainSecure) return 'MX not DNSSEC-validated → tls.fallback';
  if (host.addressValidation !== 'secure') return 'addresses not DNSSEC-validated → tls.fallback';
  const name = `_${port}._tcp.${host.name}`;
  const a = await dns.lookup(name, 'TLSA');
  if (a.kind === 'failed') return `REFUSE host: TLSA lookup failed (${a.message})`;
  if (a.validation !== 'secure') return 'TLSA not DNSSEC-validated → tls.fallback';
  if (a.kind !== 'records') return `no TLSA at ${name} → tls.fallback`;
  const records = a.records.flatMap((r) => (r.type === 'TLSA' ? [r.value] : []));
  const usable = usableTlsa(records);
  if (usable.length === 0) return `TLSA unusable (${records.map(tlsaText).join(', ')}) → TLS required, unauthenticated`;
  const v = verifyDane(chain, usable, [host.name, domain]);
  return v.ok ? `deliver (${v.via} match)` : `REFUSE (${v.message})`;
}

export async function runMxProbe(domain: string, flags: MxProbeFlags): Promise<MxProbeResult> {
  const servers = flags.dns.map((s) => parseDnsServer(s));
  if (servers.some((s) => s === undefined)) return { exitCode: 2, output: '', errors: `error RG_CERTS_USAGE: --dns takes IP[:PORT] or [IPv6]:PORT\n` };
  const configured = servers.length > 0;
  const dns = new DnsClient({ servers: configured ? (servers as { host: string; port: number }[]) : systemResolvers(), timeoutMs: Math.min(flags.timeout, 5000), attempts: 2, cacheEntries: 1000, trustAd: configured });
  const lines: string[] = [`resolver: ${dns.serversText}${configured ? '' : ' (system; its AD bit is not trusted, so dane always falls back)'}`];
  const res = await resolveMx(dns, domain);
  if (res.kind === 'null-mx') return { exitCode: 1, output: `${lines.join('\n')}\n${domain}: null MX (RFC 7505): accepts no mail; every policy: 556 5.1.10\n` };
  if (res.kind === 'no-domain') return { exitCode: 1, output: `${lines.join('\n')}\n${domain}: ${res.why}\n` };
  if (res.kind === 'failed') return { exitCode: 1, output: `${lines.join('\n')}\n`, errors: `error ${res.code}: ${domain}: ${res.message} (resolver ${res.server})\n` };
  lines.push(`${domain}: ${res.implicit ? 'no MX, the domain itself (RFC 5321 §5.1)' : `${res.hosts.length} MX`}; MX ${res.mxValidation === 'secure' ? 'DNSSEC-validated' : 'not validated'}`);
  const sts = await new MtaStsCache().lookup(dns, domain, { port: flags.mtaStsPort, timeoutMs: flags.timeout, ...(flags.trust.length > 0 ? { ca: flags.trust.map((f) => readFileSync(f, 'utf8')) } : {}) });
  lines.push(sts.kind === 'policy' ? `MTA-STS: mode ${sts.policy.mode}, id ${sts.policy.id}, max_age ${sts.policy.maxAgeSeconds}, mx ${sts.policy.mx.join(', ') || '(none)'}` : `MTA-STS: none (${sts.why})`);
  const caPems = readCaPems(flags.trust);
  const trust = buildTrustStore([{ file: flags.trust.join(', ') || 'system CAs', certificates: caPems.map((p) => new X509Certificate(p)) }]);
  let failures = 0;
  for (const host of res.hosts) {
    lines.push(`MX ${host.preference} ${host.name}  ${host.addresses.join(', ') || host.problem || 'no address'}`);
    const address = host.addresses[0];
    if (address === undefined) {
      failures++;
      continue;
    }
    const probe = await probePeer({ host: address, port: flags.port, starttls: true, servername: host.name, timeoutMs: flags.timeout, ehloName: 'relayguard-probe.invalid', ca: caPems });
    if (!probe.ok) {
      failures++;
      lines.push(`  ${probe.error.code}: ${probe.error.message}`, '  may: deliver in clear if STARTTLS is not offered; encrypt, verify, mta-sts enforce, dane with TLSA: REFUSE');
      continue;
    }
    const leaf = probe.chain[0];
    lines.push(`  ${probe.protocol}, ${probe.cipher}; certificate ${leaf?.subject.replace(/\n/g, ', ') ?? '?'}, SAN ${leaf?.subjectAltName ?? 'none'}, SHA-256 ${leaf?.fingerprint256 ?? '?'}, valid to ${leaf?.validTo ?? '?'}`);
    const problem = pkixProblem(probe.chain, trust, host.name);
    lines.push('  may: deliver (TLS, unauthenticated)', '  encrypt: deliver (TLS, unauthenticated)', `  verify: ${problem === undefined ? 'deliver (verified)' : `REFUSE (${problem})`}`);
    lines.push(`  mta-sts: ${stsDecision(sts, host.name, problem)}`);
    lines.push(`  dane: ${await daneDecision(dns, res.mxValidation === 'secure', host, flags.port, probe.chain, domain)}`);
  }
  return { exitCode: failures === 0 ? 0 : 1, output: `${lines.join('\n')}\n` };
}
