// DANE per MX host (RFC 7672 section 2.2): which TLS a host gets from its TLSA records and how they validated.
//   address records insecure       → tls.fallback (no TLSA lookup: the name could be forged)
//   TLSA lookup fails (bogus, SERVFAIL, timeout) → host not used (the caller tries the next, else 4xx)
//   TLSA insecure, NODATA, NXDOMAIN → tls.fallback
//   TLSA secure, none usable       → TLS required, not authenticated (§2.2, "unusable TLSA")
//   TLSA secure and usable         → TLS required and DANE-authenticated (usages 2, 3)
import type { DnsClient } from '../../dns/dns-client.js';
import type { MxHost } from '../../dns/mx-resolve.js';
import type { Receiver } from '../../graph/types.js';
import { tlsaText, usableTlsa } from './tls-dane.js';
import { fallbackTls } from './tls-policy.js';
import type { HostTls } from './tls-policy.js';

export async function hostTlsForDane(dns: DnsClient, r: Receiver, host: MxHost): Promise<HostTls | { readonly refuse: string }> {
  const fallback = r.mx?.fallback ?? 'may';
  if (host.addressValidation !== 'secure') return fallbackTls(fallback, `addresses of ${host.name} not DNSSEC-validated`);
  const name = `_${r.port}._tcp.${host.name}`;
  const answer = await dns.lookup(name, 'TLSA');
  if (answer.kind === 'failed') return { refuse: `TLSA lookup ${name} failed at ${answer.server} (bogus or unreachable, RFC 7672 section 2.2): ${answer.message}` };
  if (answer.validation !== 'secure') return fallbackTls(fallback, `TLSA ${name} not DNSSEC-validated`);
  if (answer.kind !== 'records') return fallbackTls(fallback, `no TLSA records at ${name} (${answer.kind})`);
  const records = answer.records.flatMap((x) => (x.type === 'TLSA' ? [x.value] : []));
  const usable = usableTlsa(records);
  if (usable.length === 0) return { kind: 'encrypt', why: `TLSA at ${name} present but none usable (${records.map(tlsaText).join(', ')})` };
  return { kind: 'dane', records: usable, why: `TLSA ${usable.map(tlsaText).join(', ')}` };
}
