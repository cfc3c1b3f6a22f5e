// A small local certificate authority for development and tests (`certs init`, `certs issue`).
// node:crypto makes the RSA keys (much faster than forge); forge builds and signs the certificates.
import { generateKeyPairSync, randomBytes, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface IssuedCertificate {
  readonly certPem: string;
  /** PKCS#8 PEM, unencrypted. */
  readonly keyPem: string;
}

/** A CA is just its certificate and key; pass one from `createCertificateAuthority` or read from disk. */
export type CertificateAuthority = IssuedCertificate;

export interface ValidityOptions {
  /** Days from now (or from notBefore); ignored when notAfter is given. */
  readonly days?: number;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface CaOptions extends ValidityOptions {
  readonly commonName: string;
  readonly organization?: string;
  /** Reuse an existing key (PEM or KeyObject) instead of generating one. */
  readonly key?: string | KeyObject;
}

export interface IssueOptions extends ValidityOptions {
  readonly commonName: string;
  /** DNS names become DNS SANs, IP literals become IP SANs. */
  readonly hostnames: readonly string[];
  readonly organization?: string;
  readonly isCA?: boolean;
  readonly key?: string | KeyObject;
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 825;

export function generateRsaKeyPem(bits = 2048): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function resolveKeyPem(key: string | KeyObject | undefined): string {
  if (key === undefined) return generateRsaKeyPem();
  const object = typeof key === 'string' ? createPrivateKey(key) : key;
  return object.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function createCertificateAuthority(opts: CaOptions): CertificateAuthority {
  const keyPem = resolveKeyPem(opts.key);
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = baseCertificate(key, opts, opts.days ?? 3650);
  const subject = distinguishedName(opts.commonName, opts.organization ?? 'relayguard');
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: certificatePem(cert), keyPem };
}

export function issueCertificate(ca: CertificateAuthority, opts: IssueOptions): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  const keyPem = resolveKeyPem(opts.key);
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = baseCertificate(key, opts, opts.days ?? DEFAULT_DAYS);
  cert.setSubject(distinguishedName(opts.commonName, opts.organization));
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    ...leafExtensions(opts),
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: certificatePem(cert), keyPem };
}

/** A self-signed end-entity certificate: what many MTAs generate on install (the "snakeoil" cert). */
export function createSelfSignedCertificate(opts: IssueOptions): IssuedCertificate {
  const keyPem = resolveKeyPem(opts.key);
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = baseCertificate(key, opts, opts.days ?? DEFAULT_DAYS);
  const subject = distinguishedName(opts.commonName, opts.organization);
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions(leafExtensions(opts));
  cert.sign(key, forge.md.sha256.create());
  return { certPem: certificatePem(cert), keyPem };
}

/** forge writes CRLF line endings; everything else in the toolchain writes LF. */
function certificatePem(cert: forge.pki.Certificate): string {
  return forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
}

function baseCertificate(key: forge.pki.rsa.PrivateKey, validity: ValidityOptions, defaultDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = randomSerial();
  // Backdate a little so a peer with a slightly slow clock still accepts a fresh certificate.
  const notBefore = validity.notBefore ?? new Date(Date.now() - 60 * 60 * 1000);
  const notAfter = validity.notAfter ?? new Date(notBefore.getTime() + (validity.days ?? defaultDays) * DAY_MS);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return cert;
}

function leafExtensions(opts: IssueOptions): object[] {
  const isCA = opts.isCA ?? false;
  const extensions: object[] = [
    { name: 'basicConstraints', cA: isCA, critical: true },
    isCA
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ];
  const altNames = opts.hostnames.map(subjectAltName);
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  return extensions;
}

function subjectAltName(host: string): object {
  // forge types: 2 = dNSName, 7 = iPAddress.
  return isIP(host) !== 0 ? { type: 7, ip: host } : { type: 2, value: host };
}

function distinguishedName(commonName: string, organization: string | undefined): forge.pki.CertificateField[] {
  const attrs: forge.pki.CertificateField[] = [];
  if (organization) attrs.push({ name: 'organizationName', value: organization });
  attrs.push({ name: 'commonName', value: commonName });
  return attrs;
}

/** 16 random bytes, high bit cleared so the DER INTEGER stays positive. */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x01;
  return bytes.toString('hex');
}
