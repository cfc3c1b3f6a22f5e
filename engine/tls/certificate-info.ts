// One plain description of a certificate, shared by logs, /status, `certs list` and error messages.
import type { X509Certificate } from 'node:crypto';

export interface CertificateInfo {
  /** One line, most specific first: "CN=gw.example.test,O=relayguard". */
  readonly subject: string;
  readonly issuer: string;
  /** "DNS:gw.example.test", "IP:127.0.0.1", "email:...", "URI:...". */
  readonly sans: readonly string[];
  /** Uppercase colon hex, as `openssl x509 -noout -fingerprint -sha256` prints it. */
  readonly fingerprint256: string;
  readonly serial: string;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** Whole days until validTo; negative once expired. */
  readonly daysToExpiry: number;
  readonly isCA: boolean;
  readonly selfSigned: boolean;
}

export type CertificateValidity = 'valid' | 'expired' | 'not-yet-valid' | 'expiring';

export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export function describeCertificate(cert: X509Certificate, now: Date = new Date()): CertificateInfo {
  const validTo = certificateValidTo(cert);
  return Object.freeze({
    subject: formatDistinguishedName(cert.subject),
    issuer: formatDistinguishedName(cert.issuer),
    sans: Object.freeze(parseSubjectAltName(cert.subjectAltName)),
    fingerprint256: cert.fingerprint256.toUpperCase(),
    serial: cert.serialNumber.toUpperCase(),
    validFrom: certificateValidFrom(cert),
    validTo,
    daysToExpiry: Math.floor((validTo.getTime() - now.getTime()) / DAY_MS),
    isCA: cert.ca,
    selfSigned: isSelfSigned(cert),
  });
}

export function checkValidity(cert: X509Certificate, now: Date = new Date()): CertificateValidity {
  if (now.getTime() < certificateValidFrom(cert).getTime()) return 'not-yet-valid';
  const remaining = certificateValidTo(cert).getTime() - now.getTime();
  if (remaining < 0) return 'expired';
  return remaining < EXPIRY_WARNING_DAYS * DAY_MS ? 'expiring' : 'valid';
}

export function certificateValidFrom(cert: X509Certificate): Date {
  return new Date(cert.validFrom);
}

export function certificateValidTo(cert: X509Certificate): Date {
  return new Date(cert.validTo);
}

/** Issuer equals subject and the certificate's own key verifies it. (checkIssued would also
 * demand keyCertSign, which self-signed end-entity certificates usually lack.) */
export function isSelfSigned(cert: X509Certificate): boolean {
  try {
    return cert.subject === cert.issuer && cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/** Node prints a DN one attribute per line, root first; we print one line, most specific first. */
export function formatDistinguishedName(dn: string): string {
  return dn
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .reverse()
    .join(',');
}

/** Splits Node's "DNS:a, IP Address:1.2.3.4" form; quoted values (Node escapes odd names) stay intact. */
export function parseSubjectAltName(san: string | undefined): string[] {
  if (!san) return [];
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < san.length; i++) {
    const ch = san[i];
    if (ch === '"' && san[i - 1] !== '\\') quoted = !quoted;
    if (!quoted && ch === ',' && san[i + 1] === ' ') {
      entries.push(current);
      current = '';
      i++;
      continue;
    }
    current += ch;
  }
  if (current.length > 0) entries.push(current);
  return entries.map(normaliseSanEntry);
}

function normaliseSanEntry(entry: string): string {
  const colon = entry.indexOf(':');
  if (colon < 0) return entry;
  const type = entry.slice(0, colon);
  let value = entry.slice(colon + 1);
  if (value.startsWith('"') && value.endsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      // keep the escaped form
    }
  }
  return `${type === 'IP Address' ? 'IP' : type}:${value}`;
}

/** "CN=peer.example.test (issuer CN=relayguard CA, SHA-256 AB:CD:..)" for one-line messages. */
export function summarizeCertificate(info: CertificateInfo): string {
  return `subject "${info.subject}", issuer "${info.issuer}", SHA-256 ${info.fingerprint256}`;
}
