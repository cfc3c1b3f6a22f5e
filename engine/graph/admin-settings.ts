// The compiled admin listener (gateway.admin): what the runtime's admin server is built from.
import type { SecureVersion } from 'node:tls';

export type AdminEndpoint = '/healthz' | '/readyz' | '/metrics' | '/status';

/** none: no certificate asked for; required: refused at the handshake without one; optional: verified when presented. */
export type AdminClientCertificate = 'none' | 'required' | 'optional';

export interface AdminTlsSettings {
  readonly certificateFile: string;
  readonly keyFile: string;
  readonly clientCaFile?: string;
  readonly clientCertificate: AdminClientCertificate;
  /** What https.createServer / setSecureContext take; proven by createSecureContext at compile. */
  readonly options: { readonly cert: string; readonly key: string; readonly ca?: readonly string[]; readonly minVersion: SecureVersion; readonly ciphers: string };
  readonly subject: string;
  readonly fingerprint256: string;
}

export interface AdminSettings {
  readonly address: string;
  readonly port: number;
  readonly auth?: { readonly tokenSha256: Buffer; readonly tokenFile: string; readonly open: readonly AdminEndpoint[] };
  readonly tls?: AdminTlsSettings;
}
