// The text a mail admin reads when a peer certificate is refused: which leg, which peer, which
// certificate, why, and the command that fixes it.
import type { X509Certificate } from 'node:crypto';
import type { PeerVerificationFailure } from './peer-failure.js';
import { describeCertificate } from './certificate-info.js';
import type { CertificateInfo } from './certificate-info.js';

export interface VerificationContext {
  readonly leg: 'inbound' | 'receiving';
  readonly peerName: string;
  /** "host:port" of the peer as connected. */
  readonly address: string;
  readonly trustFiles: readonly string[];
  /** Topology key listing the trust files; defaults to upstreams[NAME].tls.trust (inbound) or receivers[NAME].tls.trust. */
  readonly trustKey?: string;
  /** Topology key holding this leg's TLS settings, for hostname hints; defaults to receivers[NAME].tls / upstreams[NAME].tls. */
  readonly settingsKey?: string;
  /** Whether the receiving leg talks STARTTLS (default) or implicit TLS; only shapes the probe command. */
  readonly starttls?: boolean;
}

export interface VerificationFailureText {
  readonly message: string;
  readonly hint: string;
}

export function describeVerificationFailure(v: PeerVerificationFailure, ctx: VerificationContext): VerificationFailureText {
  const legText = ctx.leg === 'inbound' ? `inbound TLS from upstream ${ctx.peerName}` : `TLS to receiving MTA ${ctx.peerName}`;
  const cert = v.certificate ? `; peer certificate: ${certificateText(v.certificate)}` : '';
  const trust = `; trust list ${trustKeyOf(ctx)}: ${ctx.trustFiles.length > 0 ? ctx.trustFiles.join(', ') : '(none)'}`;
  return {
    message: `${legText} (${ctx.address}) failed verification [${v.code}]: ${v.message}${cert}${trust}`,
    hint: hintFor(v, ctx),
  };
}

/** The per-session log line under gateway.tls.authenticate: false: encrypted, peer not verified. */
export function describeUnverifiedPeer(chain: readonly X509Certificate[], ctx: Pick<VerificationContext, 'leg' | 'peerName' | 'address'>): string {
  const legText = ctx.leg === 'inbound' ? `inbound TLS from upstream ${ctx.peerName}` : `TLS to receiving MTA ${ctx.peerName}`;
  const leaf = chain[0];
  const cert = leaf ? `peer certificate ${certificateText(describeCertificate(leaf))}` : 'no peer certificate';
  return `${legText} (${ctx.address}) is encrypted but NOT authenticated (gateway.tls.authenticate: false) [RG_TLS_PEER_UNVERIFIED]: ${cert}`;
}

function certificateText(info: CertificateInfo): string {
  return `subject "${info.subject}", issuer "${info.issuer}", SHA-256 ${info.fingerprint256}`;
}

function trustKeyOf(ctx: VerificationContext): string {
  return ctx.trustKey ?? (ctx.leg === 'inbound' ? `upstreams[${ctx.peerName}].tls.trust` : `receivers[${ctx.peerName}].tls.trust`);
}

function settingsKeyOf(ctx: VerificationContext): string {
  return ctx.settingsKey ?? (ctx.leg === 'inbound' ? `upstreams[${ctx.peerName}].tls` : `receivers[${ctx.peerName}].tls`);
}

function safeName(name: string): string {
  return /^[A-Za-z0-9._-]+$/.test(name) ? name : 'NAME';
}

/** How to get the peer's certificate into certs/trusted/NAME.crt.pem. */
function importCommand(ctx: VerificationContext): string {
  const name = safeName(ctx.peerName);
  if (ctx.leg === 'receiving') {
    const starttls = ctx.starttls === false ? '' : ' --starttls';
    return `relayguard certs probe ${ctx.address}${starttls} --save ${name} (or: relayguard certs import THEIR_CERT.pem --name ${name})`;
  }
  return `relayguard certs import THEIR_CLIENT_CERT.pem --name ${name} (the certificate the upstream MTA presents as client, e.g. Postfix smtp_tls_cert_file)`;
}

function addToTrust(ctx: VerificationContext): string {
  return `and make sure ${trustKeyOf(ctx)} lists certs/trusted/${safeName(ctx.peerName)}.crt.pem`;
}

const AUTH_OFF = 'while certificates are being imported, gateway.tls.authenticate: false keeps encryption without verifying peers';

function hintFor(v: PeerVerificationFailure, ctx: VerificationContext): string {
  switch (v.reason) {
    case 'unknown-issuer':
    case 'self-signed':
    case 'empty-trust':
      return `trust this peer: ${importCommand(ctx)}, ${addToTrust(ctx)}; ${AUTH_OFF}`;
    case 'expired':
      return `renew the certificate on ${ctx.peerName} (then re-import it if it is pinned: ${importCommand(ctx)}); ${AUTH_OFF}`;
    case 'not-yet-valid':
      return `check the clocks of the gateway and of ${ctx.peerName} (NTP); the certificate's validity has not started yet`;
    case 'hostname-mismatch':
      return `set ${settingsKeyOf(ctx)}.serverName to a name the certificate carries, or ${settingsKeyOf(ctx)}.verifyHostname: false if the certificate is pinned`;
    case 'invalid-ca':
      return `the issuer that signed ${ctx.peerName}'s certificate is not a CA (or the chain is too long for its path length): have it reissued by a real CA, or pin the certificate itself: ${importCommand(ctx)}`;
    case 'name-constraints':
      return `the CA in ${trustKeyOf(ctx)} is name-constrained and ${ctx.peerName}'s certificate names something outside its constraints: have it issued by a CA allowed to name it`;
    case 'wrong-purpose':
      return ctx.leg === 'inbound'
        ? `${ctx.peerName} must present a certificate allowed for TLS clients (extendedKeyUsage clientAuth), e.g. a separate Postfix smtp_tls_cert_file`
        : `${ctx.peerName} must present a certificate allowed for TLS servers (extendedKeyUsage serverAuth)`;
    case 'rejected':
      return `check ${ctx.peerName}'s certificate chain (relayguard certs probe ${ctx.address}); ${AUTH_OFF}`;
    case 'no-certificate':
      return ctx.leg === 'inbound'
        ? `configure ${ctx.peerName} to present a client certificate (Postfix: smtp_tls_cert_file and smtp_tls_key_file), or set upstreams[${ctx.peerName}].tls.clientCertificate: optional`
        : `${ctx.peerName} presented no certificate; check its TLS configuration`;
    default: {
      const never: never = v.reason;
      throw new Error(`unhandled verification failure ${String(never)}`);
    }
  }
}
