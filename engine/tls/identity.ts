// The gateway's own certificate + key, loaded and proven at compile time (a bad pair fails the reload,
// never a later handshake).
import type { KeyObject, X509Certificate } from 'node:crypto';
import { checkValidity, describeCertificate } from './certificate-info.js';
import type { CertificateInfo } from './certificate-info.js';
import { keyMatchesCertificate, readCertificateFile, readPrivateKeyFile } from './pem.js';
import type { TlsFileErrorCode } from './pem.js';

export type TlsIdentityErrorCode = TlsFileErrorCode | 'RG_TLS_KEY_MISMATCH' | 'RG_TLS_CERT_EXPIRED' | 'RG_TLS_CERT_NOT_YET_VALID';

export interface TlsIdentityError {
  readonly code: TlsIdentityErrorCode;
  /** Which of the two files the problem is in. */
  readonly file: 'certificate' | 'key';
  readonly message: string;
  readonly hint: string;
}

export interface TlsIdentity {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certificates: readonly X509Certificate[];
  readonly key: KeyObject;
  readonly info: CertificateInfo;
}

export type TlsIdentityResult = { readonly ok: true; readonly identity: TlsIdentity } | { readonly ok: false; readonly error: TlsIdentityError };

export function loadTlsIdentity(certPath: string, keyPath: string, now: Date = new Date()): TlsIdentityResult {
  const certs = readCertificateFile(certPath);
  if (!certs.ok) return { ok: false, error: { ...certs.error, file: 'certificate' } };
  const key = readPrivateKeyFile(keyPath);
  if (!key.ok) return { ok: false, error: { ...key.error, file: 'key' } };
  const leaf = certs.certificates[0];
  if (!leaf) return { ok: false, error: { code: 'RG_TLS_EMPTY', file: 'certificate', message: `${certPath} holds no certificate`, hint: 'run: relayguard certs init' } };
  const info = describeCertificate(leaf, now);
  if (!keyMatchesCertificate(key.key, leaf)) {
    return {
      ok: false,
      error: {
        code: 'RG_TLS_KEY_MISMATCH',
        file: 'key',
        message: `${keyPath} is not the private key of ${certPath} (subject "${info.subject}", SHA-256 ${info.fingerprint256})`,
        hint: `the first certificate in the file must be the gateway's own; compare: openssl x509 -noout -pubkey -in ${certPath} and openssl pkey -pubout -in ${keyPath}`,
      },
    };
  }
  const validity = checkValidity(leaf, now);
  if (validity === 'expired' || validity === 'not-yet-valid') {
    const when = validity === 'expired' ? `expired on ${info.validTo.toISOString()}` : `is not valid before ${info.validFrom.toISOString()}`;
    return {
      ok: false,
      error: {
        code: validity === 'expired' ? 'RG_TLS_CERT_EXPIRED' : 'RG_TLS_CERT_NOT_YET_VALID',
        file: 'certificate',
        message: `the gateway certificate ${certPath} (subject "${info.subject}") ${when}`,
        hint: 'renew it (for a local CA: relayguard certs init --force) or check the clock',
      },
    };
  }
  return { ok: true, identity: Object.freeze({ certPem: certs.pem, keyPem: key.pem, certificates: certs.certificates, key: key.key, info }) };
}
