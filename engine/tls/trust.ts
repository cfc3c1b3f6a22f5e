// Peer verification under the contract's trust semantics: CA certificates are anchors for chain
// verification, end-entity certificates are pinned (the peer must present exactly that certificate).
// Node's TLS cannot anchor on an end-entity certificate, so the gateway handshakes with
// rejectUnauthorized:false and calls verifyPeer right after the handshake.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import type { DetailedPeerCertificate, TLSSocket } from 'node:tls';
import { certificateValidFrom, checkValidity, describeCertificate, isSelfSigned } from './certificate-info.js';
import type { CertificateInfo } from './certificate-info.js';

export { describeUnverifiedPeer, describeVerificationFailure } from './verification-message.js';
export type { VerificationContext, VerificationFailureText } from './verification-message.js';

export interface TrustEntry {
  readonly file: string;
  readonly certificate: X509Certificate;
  readonly fingerprint256: string;
}

export interface TrustStore {
  /** CA certificates: they trust what they issued. */
  readonly anchors: readonly TrustEntry[];
  /** End-entity certificates by SHA-256 fingerprint: the peer must present exactly one of these. */
  readonly pinned: ReadonlyMap<string, TrustEntry>;
  /** Every source file, in order, for messages. */
  readonly files: readonly string[];
}

export interface TrustSource {
  readonly file: string;
  readonly certificates: readonly X509Certificate[];
}

export type PeerFailureReason = 'no-certificate' | 'unknown-issuer' | 'self-signed' | 'expired' | 'not-yet-valid' | 'hostname-mismatch' | 'empty-trust';

export type PeerFailureCode =
  | 'RG_TLS_PEER_NO_CERTIFICATE'
  | 'RG_TLS_PEER_UNKNOWN_ISSUER'
  | 'RG_TLS_PEER_SELF_SIGNED'
  | 'RG_TLS_PEER_EXPIRED'
  | 'RG_TLS_PEER_NOT_YET_VALID'
  | 'RG_TLS_PEER_HOSTNAME_MISMATCH'
  | 'RG_TLS_PEER_EMPTY_TRUST';

export type PeerVerificationFailure = {
  readonly ok: false;
  readonly reason: PeerFailureReason;
  readonly code: PeerFailureCode;
  readonly certificate?: CertificateInfo;
  readonly message: string;
};

export type PeerVerification =
  | { readonly ok: true; readonly via: 'pinned' | 'chain'; readonly certificate: CertificateInfo }
  | PeerVerificationFailure;

export interface VerifyOptions {
  readonly hostname?: string;
  readonly now?: Date;
}

const MAX_CHAIN_DEPTH = 10;

const CODES: { readonly [R in PeerFailureReason]: PeerFailureCode } = {
  'no-certificate': 'RG_TLS_PEER_NO_CERTIFICATE',
  'unknown-issuer': 'RG_TLS_PEER_UNKNOWN_ISSUER',
  'self-signed': 'RG_TLS_PEER_SELF_SIGNED',
  expired: 'RG_TLS_PEER_EXPIRED',
  'not-yet-valid': 'RG_TLS_PEER_NOT_YET_VALID',
  'hostname-mismatch': 'RG_TLS_PEER_HOSTNAME_MISMATCH',
  'empty-trust': 'RG_TLS_PEER_EMPTY_TRUST',
};

export function buildTrustStore(entries: readonly TrustSource[]): TrustStore {
  const anchors: TrustEntry[] = [];
  const pinned = new Map<string, TrustEntry>();
  for (const { file, certificates } of entries) {
    for (const certificate of certificates) {
      const entry: TrustEntry = Object.freeze({ file, certificate, fingerprint256: certificate.fingerprint256.toUpperCase() });
      if (certificate.ca) anchors.push(entry);
      else if (!pinned.has(entry.fingerprint256)) pinned.set(entry.fingerprint256, entry);
    }
  }
  const files = [...new Set(entries.map((e) => e.file))];
  return Object.freeze({ anchors: Object.freeze(anchors), pinned: pinned as ReadonlyMap<string, TrustEntry>, files: Object.freeze(files) });
}

export function isTrustStoreEmpty(trust: TrustStore): boolean {
  return trust.anchors.length === 0 && trust.pinned.size === 0;
}

function fail(reason: PeerFailureReason, message: string, certificate?: CertificateInfo): PeerVerificationFailure {
  return certificate ? { ok: false, reason, code: CODES[reason], certificate, message } : { ok: false, reason, code: CODES[reason], message };
}

export function verifyPeer(chain: readonly X509Certificate[], trust: TrustStore, opts: VerifyOptions = {}): PeerVerification {
  const now = opts.now ?? new Date();
  const leaf = chain[0];
  if (!leaf) return fail('no-certificate', 'the peer presented no certificate');
  const info = describeCertificate(leaf, now);
  if (isTrustStoreEmpty(trust)) return fail('empty-trust', 'the trust list is empty, so no peer certificate can be accepted', info);
  const fingerprint = leaf.fingerprint256.toUpperCase();
  const exact = trust.pinned.get(fingerprint) ?? trust.anchors.find((a) => a.fingerprint256 === fingerprint);
  const path = exact ? [leaf] : buildPath(leaf, chain.slice(1), trust);
  if (!path) {
    return isSelfSigned(leaf)
      ? fail('self-signed', 'the certificate is self-signed and is not in the trust list', info)
      : fail('unknown-issuer', `the certificate was issued by "${info.issuer}", which the trust list does not contain`, info);
  }
  const dates = checkPathDates(path, now, info);
  if (dates) return dates;
  if (opts.hostname !== undefined && !matchesHost(leaf, opts.hostname)) {
    const names = info.sans.length > 0 ? info.sans.join(', ') : info.subject;
    return fail('hostname-mismatch', `the certificate does not name ${opts.hostname} (it names ${names})`, info);
  }
  return { ok: true, via: exact ? 'pinned' : 'chain', certificate: info };
}

/** Leaf → presented intermediates → an anchor; undefined when no anchor is reached. */
function buildPath(leaf: X509Certificate, intermediates: readonly X509Certificate[], trust: TrustStore): X509Certificate[] | undefined {
  const path: X509Certificate[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    const anchor = trust.anchors.find((a) => issued(a.certificate, current));
    if (anchor) {
      path.push(anchor.certificate);
      return path;
    }
    const next = intermediates.find((c) => c.ca && !path.includes(c) && issued(c, current));
    if (!next) return undefined;
    path.push(next);
    current = next;
  }
  return undefined;
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function checkPathDates(path: readonly X509Certificate[], now: Date, leafInfo: CertificateInfo): PeerVerificationFailure | undefined {
  for (const [index, cert] of path.entries()) {
    const validity = checkValidity(cert, now);
    const which = index === 0 ? 'the certificate' : `its issuer "${describeCertificate(cert, now).subject}"`;
    if (validity === 'expired') {
      return fail('expired', `${which} expired on ${new Date(cert.validTo).toISOString()}`, leafInfo);
    }
    if (validity === 'not-yet-valid') {
      return fail('not-yet-valid', `${which} is not valid before ${certificateValidFrom(cert).toISOString()} (check both clocks)`, leafInfo);
    }
  }
  return undefined;
}

function matchesHost(cert: X509Certificate, hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) !== 0 ? cert.checkIP(bare) !== undefined : cert.checkHost(bare) !== undefined;
}

/** The peer's chain, leaf first, from the raw DER that Node keeps on the socket. */
export function peerChainOf(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  // An absent certificate comes back as {} (no raw); a self-signed root points at itself.
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current && current.raw && chain.length < MAX_CHAIN_DEPTH + 1) {
    const cert = new X509Certificate(current.raw);
    if (seen.has(cert.fingerprint256)) break;
    seen.add(cert.fingerprint256);
    chain.push(cert);
    const next: DetailedPeerCertificate | undefined = current.issuerCertificate;
    current = next && next !== current ? next : undefined;
  }
  return chain;
}

/** verifyPeer on what a finished handshake presented. */
export function verifyTlsSocket(socket: TLSSocket, trust: TrustStore, opts: VerifyOptions = {}): PeerVerification {
  return verifyPeer(peerChainOf(socket), trust, opts);
}
