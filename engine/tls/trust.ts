// Peer verification under the contract's trust semantics: CA certificates are anchors, end-entity
// certificates are pinned (the peer must present exactly that certificate). Chain verification is
// OpenSSL's, done in the handshake: the secure context carries the anchors as `ca` (secure-context.ts)
// and Node records OpenSSL's verdict on the socket (authorized / authorizationError), which covers
// signatures, validity, basicConstraints and path length, keyUsage, name constraints and purpose.
// Our code only matches pinned fingerprints, checks the extended key usage of the leg explicitly
// (Node sets no purpose for client certificates) and names via tls.checkServerIdentity.
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import { certificateValidFrom, checkValidity, describeCertificate, isSelfSigned } from './certificate-info.js';
import type { CertificateInfo } from './certificate-info.js';
import { failureFromOpenSsl } from './openssl-verdict.js';
import { failure } from './peer-failure.js';
import type { PeerVerificationFailure } from './peer-failure.js';
export type { PeerFailureCode, PeerFailureReason, PeerVerificationFailure } from './peer-failure.js';

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

export type PeerVerification =
  | { readonly ok: true; readonly via: 'pinned' | 'chain'; readonly certificate: CertificateInfo }
  | PeerVerificationFailure;

/** Which end the peer is: a server we connect to (serverAuth) or a client connecting to us (clientAuth). */
export type PeerRole = 'server' | 'client';

export interface VerifyOptions {
  readonly hostname?: string;
  readonly now?: Date;
  /** Default 'server' (receiving MTAs, `certs probe`); the inbound leg verifies clients. */
  readonly peerRole?: PeerRole;
}

/** What OpenSSL decided in the handshake, kept with the chain it was about. */
export interface HandshakeVerdict {
  readonly authorized: boolean;
  readonly error?: string;
  readonly peer: PeerCertificate;
}

/** The presented chain (leaf first, completed by Node from the context's store) and OpenSSL's verdict on it. */
export type PeerChain = readonly X509Certificate[] & { readonly handshake?: HandshakeVerdict };

const MAX_CHAIN_DEPTH = 10;
const EKU = { server: '1.3.6.1.5.5.7.3.1', client: '1.3.6.1.5.5.7.3.2' } as const;
const ANY_EKU = '2.5.29.37.0';


/** The PEM of every anchor: what a secure context needs as `ca` for OpenSSL to verify against this list. */
export function anchorPems(trust: TrustStore): string[] {
  return trust.anchors.map((a) => a.certificate.toString());
}

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

export function verifyPeer(chain: PeerChain, trust: TrustStore, opts: VerifyOptions = {}): PeerVerification {
  const now = opts.now ?? new Date();
  const leaf = chain[0];
  if (!leaf) return failure('no-certificate', 'the peer presented no certificate');
  const info = describeCertificate(leaf, now);
  if (isTrustStoreEmpty(trust)) return failure('empty-trust', 'the trust list is empty, so no peer certificate can be accepted', info);
  const fingerprint = leaf.fingerprint256.toUpperCase();
  const pinned = trust.pinned.get(fingerprint) ?? trust.anchors.find((a) => a.fingerprint256 === fingerprint);
  const trusted = pinned ? checkPinnedDates(leaf, now, info) : checkChain(chain, trust, now, info);
  if (trusted) return trusted;
  const purpose = checkPurpose(leaf, opts.peerRole ?? 'server', info);
  if (purpose) return purpose;
  if (opts.hostname !== undefined && !matchesHost(leaf, chain.handshake?.peer, opts.hostname)) {
    const names = info.sans.length > 0 ? info.sans.join(', ') : info.subject;
    return failure('hostname-mismatch', `the certificate does not name ${opts.hostname} (it names ${names})`, info);
  }
  return { ok: true, via: pinned ? 'pinned' : 'chain', certificate: info };
}

/** OpenSSL's verdict, accepted only when the chain it verified ends in one of this list's anchors. */
function checkChain(chain: PeerChain, trust: TrustStore, now: Date, info: CertificateInfo): PeerVerificationFailure | undefined {
  const leaf = chain[0] as X509Certificate;
  const unknown = (): PeerVerificationFailure =>
    isSelfSigned(leaf)
      ? failure('self-signed', 'the certificate is self-signed and is not in the trust list', info)
      : failure('unknown-issuer', `the certificate was issued by "${info.issuer}", which the trust list does not contain`, info);
  if (trust.anchors.length === 0) return unknown();
  const verdict = chain.handshake;
  if (verdict === undefined) return failure('rejected', 'no TLS handshake verified this chain (CA trust is checked by OpenSSL during the handshake)', info);
  if (!verdict.authorized) return failureFromOpenSsl(verdict.error ?? 'unknown', chain, now, info) ?? unknown();
  // The handshake's store must have been this list's anchors (a default root store would verify too).
  const anchors = new Set(trust.anchors.map((a) => a.fingerprint256));
  if (!chain.some((c) => anchors.has(c.fingerprint256.toUpperCase()))) return unknown();
  return undefined;
}

function checkPinnedDates(leaf: X509Certificate, now: Date, info: CertificateInfo): PeerVerificationFailure | undefined {
  const validity = checkValidity(leaf, now);
  if (validity === 'expired') return failure('expired', `the certificate expired on ${new Date(leaf.validTo).toISOString()}`, info);
  if (validity === 'not-yet-valid') return failure('not-yet-valid', `the certificate is not valid before ${certificateValidFrom(leaf).toISOString()} (check both clocks)`, info);
  return undefined;
}

/** A leaf with an extendedKeyUsage extension must allow this leg's purpose; without one, any purpose is allowed. */
function checkPurpose(leaf: X509Certificate, role: PeerRole, info: CertificateInfo): PeerVerificationFailure | undefined {
  const usages = leaf.keyUsage as readonly string[] | undefined;
  if (usages === undefined || usages.length === 0 || usages.includes(EKU[role]) || usages.includes(ANY_EKU)) return undefined;
  const wanted = role === 'server' ? 'serverAuth (TLS server)' : 'clientAuth (TLS client)';
  return failure('wrong-purpose', `the certificate's extended key usage (${usages.join(', ')}) does not include ${wanted}`, info);
}

function matchesHost(cert: X509Certificate, peer: PeerCertificate | undefined, hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  // Node's own name check when we have the handshake's view of the certificate.
  if (peer !== undefined && 'subject' in peer) return checkServerIdentity(bare, peer) === undefined;
  return isIP(bare) !== 0 ? cert.checkIP(bare) !== undefined : cert.checkHost(bare) !== undefined;
}

/** The peer's chain, leaf first, from the raw DER that Node keeps on the socket, with OpenSSL's verdict. */
export function peerChainOf(socket: TLSSocket): PeerChain {
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
  if (chain.length === 0) return chain;
  const error = socket.authorizationError as unknown;
  const handshake: HandshakeVerdict = {
    authorized: socket.authorized,
    ...(error === undefined || error === null ? {} : { error: error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error) }),
    peer: socket.getPeerCertificate(),
  };
  return Object.assign(chain, { handshake });
}

/** verifyPeer on what a finished handshake presented. */
export function verifyTlsSocket(socket: TLSSocket, trust: TrustStore, opts: VerifyOptions = {}): PeerVerification {
  return verifyPeer(peerChainOf(socket), trust, opts);
}
