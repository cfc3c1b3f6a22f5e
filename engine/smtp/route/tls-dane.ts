// DANE authentication of an SMTP server (RFC 7672 §3): the peer's chain against its TLSA records.
// DANE-EE (3) matches the leaf and ignores names and dates; DANE-TA (2) matches a certificate of the
// presented chain that the leaf chains up to, and the leaf must name the MX host (or the domain).
import { createHash, X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { TlsaData } from '../../dns/dns-types.js';

export type DaneResult = { readonly ok: true; readonly via: 'DANE-EE' | 'DANE-TA'; readonly depth: number } | { readonly ok: false; readonly message: string };

/** Usages 0 and 1 (PKIX-TA, PKIX-EE) are unusable for SMTP (RFC 7672 §3.1.3); unknown selectors and types are skipped. */
export function usableTlsa(records: readonly TlsaData[]): TlsaData[] {
  return records.filter((r) => (r.usage === 2 || r.usage === 3) && (r.selector === 0 || r.selector === 1) && r.matchingType >= 0 && r.matchingType <= 2);
}

export function tlsaText(r: TlsaData): string {
  return `${r.usage} ${r.selector} ${r.matchingType} ${r.data.toString('hex').slice(0, 16)}...`;
}

function selected(cert: X509Certificate, selector: number): Buffer {
  return selector === 0 ? cert.raw : cert.publicKey.export({ type: 'spki', format: 'der' });
}

export function tlsaMatches(cert: X509Certificate, r: TlsaData): boolean {
  const data = selected(cert, r.selector);
  const digest = r.matchingType === 0 ? data : createHash(r.matchingType === 1 ? 'sha256' : 'sha512').update(data).digest();
  return digest.equals(r.data);
}

/** The chain as the server sent it, leaf first. */
export function presentedChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let c = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (c !== null && typeof c === 'object' && c.raw !== undefined && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(new X509Certificate(c.raw));
    const next = c.issuerCertificate;
    if (next === undefined || next === c) break;
    c = next;
  }
  return out;
}

function namesHost(cert: X509Certificate, names: readonly string[]): boolean {
  return names.some((n) => cert.checkHost(n, { wildcards: true, partialWildcards: false, singleLabelSubdomains: false }) !== undefined);
}

function chainsTo(chain: readonly X509Certificate[], depth: number): boolean {
  for (let k = 0; k < depth; k++) {
    const child = chain[k];
    const parent = chain[k + 1];
    if (child === undefined || parent === undefined || !child.checkIssued(parent) || !child.verify(parent.publicKey)) return false;
  }
  return true;
}

export function verifyDane(chain: readonly X509Certificate[], records: readonly TlsaData[], names: readonly string[], now = new Date()): DaneResult {
  const leaf = chain[0];
  if (leaf === undefined) return { ok: false, message: 'the server presented no certificate' };
  const usable = usableTlsa(records);
  if (usable.some((r) => r.usage === 3 && tlsaMatches(leaf, r))) return { ok: true, via: 'DANE-EE', depth: 0 };
  const ta = usable.filter((r) => r.usage === 2);
  for (let depth = 1; depth < chain.length; depth++) {
    const cert = chain[depth];
    if (cert === undefined || !ta.some((r) => tlsaMatches(cert, r))) continue;
    if (!chainsTo(chain, depth)) return { ok: false, message: `the DANE-TA trust anchor at depth ${depth} matches, but the certificate chain to it does not verify` };
    if (new Date(leaf.validTo) < now || new Date(leaf.validFrom) > now) return { ok: false, message: `the certificate (DANE-TA) is outside its validity period ${leaf.validFrom} to ${leaf.validTo}` };
    if (!namesHost(leaf, names)) return { ok: false, message: `the certificate (DANE-TA) names none of ${names.join(', ')} (subject ${leaf.subject.replace(/\n/g, ', ')}, SAN ${leaf.subjectAltName ?? 'none'})` };
    return { ok: true, via: 'DANE-TA', depth };
  }
  const fp = createHash('sha256').update(leaf.publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
  return { ok: false, message: `no TLSA record matches the certificate chain (${usable.map(tlsaText).join(', ')}); leaf SPKI SHA-256 ${fp}` };
}
