// TLS options for both legs. The contexts carry the trust list's CA certificates, so OpenSSL verifies
// the chain in the handshake; Node is told rejectUnauthorized:false so that verifyPeer (trust.ts) can
// accept pinned certificates and word a refusal, from OpenSSL's verdict on the socket.
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { ConnectionOptions, SecureContext, SecureVersion, TlsOptions } from 'node:tls';

export const DEFAULT_MIN_VERSION: SecureVersion = 'TLSv1.2';

/** TLS 1.2 suites (TLS 1.3 suites are Node's defaults): ECDHE with AEAD first, ECDHE-CBC for older MTAs,
 * plain-RSA AEAD last; never RC4, 3DES, NULL, EXPORT or anonymous. */
export const DEFAULT_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  '!aNULL',
  '!eNULL',
  '!EXPORT',
  '!DES',
  '!3DES',
  '!RC4',
  '!MD5',
  '!PSK',
].join(':');

/** The gateway's own certificate (PEM, leaf first, chain allowed) and key (PEM). */
export interface TlsIdentityPem {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TlsProtocolSettings {
  readonly minVersion?: SecureVersion;
  readonly ciphers?: string;
}

export interface ServerTlsSettings extends TlsProtocolSettings {
  /** Ask the upstream for a client certificate (clientCertificate: required | optional). */
  readonly requestCert: boolean;
  /** PEM certificates announced as acceptable issuers in the CertificateRequest; verification stays ours. */
  readonly ca?: readonly string[];
}

export interface ClientTlsSettings {
  /** SNI; omitted for IP literals, which TLS forbids as server names. */
  readonly servername?: string;
}

/** Options for smtp-server (inbound leg): it builds its own secure context from these. */
export function createServerTlsOptions(identity: TlsIdentityPem, settings: ServerTlsSettings): Readonly<TlsOptions> {
  const options: TlsOptions = {
    key: identity.keyPem,
    cert: identity.certPem,
    minVersion: settings.minVersion ?? DEFAULT_MIN_VERSION,
    ciphers: settings.ciphers ?? DEFAULT_CIPHERS,
    honorCipherOrder: true,
    requestCert: settings.requestCert,
    rejectUnauthorized: false,
  };
  if (settings.ca && settings.ca.length > 0) {
    options.ca = [...settings.ca];
    // A CA in the trust list is an anchor even when it is an intermediate (the contract's semantics).
    options.allowPartialTrustChain = true;
  }
  return Object.freeze(options);
}

/** Built once per graph and shared by every outbound connection: the gateway presents its certificate as client. */
export function createClientSecureContext(identity: TlsIdentityPem | undefined, settings: TlsProtocolSettings = {}, ca: readonly string[] = []): SecureContext {
  return createSecureContext({
    ...(identity ? { key: identity.keyPem, cert: identity.certPem } : {}),
    // Without anchors the context keeps Node's default roots; verifyPeer never accepts a chain then.
    ...(ca.length > 0 ? { ca: [...ca], allowPartialTrustChain: true } : {}),
    minVersion: settings.minVersion ?? DEFAULT_MIN_VERSION,
    ciphers: settings.ciphers ?? DEFAULT_CIPHERS,
  });
}

/** Per-connection options for tls.connect / STARTTLS upgrade on the receiving leg. */
export function createClientTlsOptions(secureContext: SecureContext, settings: ClientTlsSettings): Readonly<ConnectionOptions> {
  // Names are checked by verifyPeer, only where verifyHostname says so; SNI alone must not fail a chain.
  const options: ConnectionOptions = { secureContext, rejectUnauthorized: false, checkServerIdentity: () => undefined };
  const name = settings.servername;
  if (name !== undefined && name.length > 0 && !isIpLiteral(name)) options.servername = name;
  return Object.freeze(options);
}

/** Plain client options without a prebuilt context (for one-off connections like `certs probe`). */
export function createStandaloneClientTlsOptions(identity: TlsIdentityPem | undefined, settings: ClientTlsSettings & TlsProtocolSettings & { readonly ca?: readonly string[] }): Readonly<ConnectionOptions> {
  const options: ConnectionOptions = {
    ...(identity ? { key: identity.keyPem, cert: identity.certPem } : {}),
    ...(settings.ca && settings.ca.length > 0 ? { ca: [...settings.ca], allowPartialTrustChain: true } : {}),
    checkServerIdentity: () => undefined,
    minVersion: settings.minVersion ?? DEFAULT_MIN_VERSION,
    ciphers: settings.ciphers ?? DEFAULT_CIPHERS,
    rejectUnauthorized: false,
  };
  const name = settings.servername;
  if (name !== undefined && name.length > 0 && !isIpLiteral(name)) options.servername = name;
  return Object.freeze(options);
}

function isIpLiteral(name: string): boolean {
  return isIP(name.replace(/^\[|\]$/g, '')) !== 0;
}
