// Per-MX-host TLS decisions of an `mx` receiver, and the relay TLS settings that enforce them.
// may: STARTTLS when offered; encrypt: STARTTLS required; pkix: required + chain and MX name verified
// (verify, mta-sts enforce), or report-only (mta-sts testing); dane: required + TLSA match.
import { checkServerIdentity } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import type { MxSettings, MxTlsFallback } from '../../graph/types.js';
import type { TlsaData } from '../../dns/dns-types.js';
import { presentedChain, verifyDane } from './tls-dane.js';
import type { RelayTlsPolicy, TlsVerifyResult } from '../relay/relay-tls.js';

export type HostTls =
  | { readonly kind: 'may'; readonly why: string }
  | { readonly kind: 'encrypt'; readonly why: string }
  | { readonly kind: 'pkix'; readonly enforce: boolean; readonly why: string }
  | { readonly kind: 'dane'; readonly records: readonly TlsaData[]; readonly why: string };

export function fallbackTls(fallback: MxTlsFallback, why: string): HostTls {
  switch (fallback) {
    case 'may':
      return { kind: 'may', why };
    case 'encrypt':
      return { kind: 'encrypt', why };
    case 'verify':
      return { kind: 'pkix', enforce: true, why };
    default: {
      const never: never = fallback;
      return never;
    }
  }
}

/** Short text for logs and replies: "dane (TLSA 3 1 1)", "may (no MTA-STS policy)". */
export function hostTlsText(t: HostTls): string {
  return `${t.kind === 'pkix' ? (t.enforce ? 'verify' : 'verify, report only') : t.kind} (${t.why})`;
}

/** Stable identity of a decision, so equal decisions share one leg target (and its pooled connections). */
export function hostTlsKey(t: HostTls): string {
  if (t.kind === 'dane') return `dane:${t.records.map((r) => `${r.usage}${r.selector}${r.matchingType}${r.data.toString('hex')}`).join(',')}`;
  return t.kind === 'pkix' ? `pkix:${String(t.enforce)}` : t.kind;
}

export interface HostTlsContext {
  readonly domain: string;
  readonly policyName: string;
  readonly mxHost: string;
  readonly mx: MxSettings;
  /** The gateway's shared client context (its certificate, no CA list: may, encrypt, dane). */
  readonly baseOptions: ConnectionOptions;
  /** gateway.tls.authenticate: false keeps encryption but verifies nobody. */
  readonly authenticate: boolean;
  /** Report-only findings (mta-sts testing) go to the log. */
  readonly warn: (message: string) => void;
}

export function relayTlsFor(t: HostTls, c: HostTlsContext): RelayTlsPolicy {
  // Names are checked here (RFC 7817, verifyPkix), never by Node's default check, so `authorized` is
  // OpenSSL's chain verdict alone and a wrong name always reads as one.
  const base: ConnectionOptions = { ...c.baseOptions, servername: c.mxHost, rejectUnauthorized: false, checkServerIdentity: () => undefined };
  const prefix = `${c.domain}: tls policy ${c.policyName} for MX ${c.mxHost}`;
  switch (t.kind) {
    case 'may':
      return { starttls: 'optional', options: base };
    case 'encrypt':
      return { starttls: 'required', options: base };
    case 'pkix': {
      const options: ConnectionOptions = { ...base, ...(c.mx.verifyContext === undefined ? {} : { secureContext: c.mx.verifyContext }) };
      if (!c.authenticate) return { starttls: 'required', options };
      if (!t.enforce) return { starttls: 'optional', options, verify: (s) => reportOnly(verifyPkix(s, c.mxHost, prefix), c.warn) };
      return { starttls: 'required', options, verify: (s) => verifyPkix(s, c.mxHost, prefix) };
    }
    case 'dane':
      if (!c.authenticate) return { starttls: 'required', options: base };
      return { starttls: 'required', options: base, verify: (s) => daneVerdict(s, t.records, [c.mxHost, c.domain], prefix) };
    default: {
      const never: never = t;
      return never;
    }
  }
}

function verifyPkix(socket: TLSSocket, host: string, prefix: string): TlsVerifyResult {
  const cert = socket.getPeerCertificate(true);
  if (cert === null || typeof cert !== 'object' || cert.raw === undefined) return { ok: false, code: 'RG_MX_TLS_NO_CERT', message: `${prefix}: the server presented no certificate` };
  if (!socket.authorized) return { ok: false, code: 'RG_MX_TLS_UNTRUSTED', message: `${prefix}: certificate not trusted (${String(socket.authorizationError)}), subject ${cert.subject?.CN ?? '?'}, SHA-256 ${cert.fingerprint256}` };
  // RFC 7817 §3: the MX host name is the reference identity; a wildcard only as the whole left-most label.
  if (checkServerIdentity(host, cert) !== undefined) {
    return { ok: false, code: 'RG_MX_TLS_NAME', message: `${prefix}: the certificate does not name ${host} (SAN ${cert.subjectaltname ?? 'none'}; RFC 7817: the MX host name is the reference identity)` };
  }
  return { ok: true };
}

function reportOnly(v: TlsVerifyResult, warn: (message: string) => void): TlsVerifyResult {
  if (!v.ok) warn(`${v.message} (mta-sts testing: delivered anyway, RFC 8461 section 5)`);
  return { ok: true };
}

function daneVerdict(socket: TLSSocket, records: readonly TlsaData[], names: readonly string[], prefix: string): TlsVerifyResult {
  const r = verifyDane(presentedChain(socket), records, names);
  return r.ok ? { ok: true } : { ok: false, code: 'RG_MX_DANE_MISMATCH', message: `${prefix}: ${r.message}` };
}
