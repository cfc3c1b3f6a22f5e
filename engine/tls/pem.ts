// Reading certificate and key files, and saying exactly what a wrong file is and how to fix it.
import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import {
  describePemLabel,
  hasPemMarker,
  isCertificateLabel,
  isEncryptedKeyBlock,
  isPrivateKeyLabel,
  parsePemBlocks,
} from './pem-blocks.js';
import type { PemBlock } from './pem-blocks.js';

export type CertificateFileKind =
  | 'pem-certificate'
  | 'pem-private-key'
  | 'pem-encrypted-private-key'
  | 'pem-other'
  | 'der-certificate'
  | 'pkcs12'
  /** A PKCS#7 certificate bundle (.p7b/.p7c), DER or PEM: what Windows exports as "Cryptographic Message Syntax". */
  | 'pkcs7'
  | 'empty'
  | 'unknown';

export type TlsFileErrorCode =
  | 'RG_TLS_FILE_MISSING'
  | 'RG_TLS_NOT_PEM_DER'
  | 'RG_TLS_NOT_PEM_PKCS12'
  | 'RG_TLS_NOT_PEM_PKCS7'
  | 'RG_TLS_NOT_A_CERTIFICATE'
  | 'RG_TLS_PEM_PARSE'
  | 'RG_TLS_EMPTY'
  | 'RG_TLS_NOT_A_KEY'
  | 'RG_TLS_KEY_PARSE'
  | 'RG_TLS_KEY_ENCRYPTED';

export interface TlsFileError {
  readonly code: TlsFileErrorCode;
  readonly message: string;
  readonly hint: string;
}

export type CertificateFileResult =
  | { readonly ok: true; readonly certificates: readonly X509Certificate[]; readonly pem: string }
  | { readonly ok: false; readonly error: TlsFileError };

export type PrivateKeyFileResult =
  | { readonly ok: true; readonly key: KeyObject; readonly pem: string }
  | { readonly ok: false; readonly error: TlsFileError };

const PKCS7_DATA_OID = '1.2.840.113549.1.7.1';
const PKCS7_SIGNED_DATA_OID = '1.2.840.113549.1.7.2';

export function classifyCertificateBytes(buf: Buffer): CertificateFileKind {
  if (buf.toString('latin1').trim().length === 0) return 'empty';
  const text = buf.toString('utf8');
  if (hasPemMarker(text)) return classifyPemText(text);
  if (buf[0] !== 0x30) return 'unknown';
  if (isDerCertificate(buf)) return 'der-certificate';
  if (isPkcs12(buf)) return 'pkcs12';
  if (isPkcs7(buf)) return 'pkcs7';
  return 'unknown';
}

function classifyPemText(text: string): CertificateFileKind {
  const blocks = parsePemBlocks(text);
  if (blocks.some((b) => isCertificateLabel(b.label))) return 'pem-certificate';
  if (blocks.some(isEncryptedKeyBlock)) return 'pem-encrypted-private-key';
  if (blocks.some((b) => isPrivateKeyLabel(b.label))) return 'pem-private-key';
  if (blocks.some((b) => b.label === 'PKCS7' || b.label === 'CMS')) return 'pkcs7';
  return blocks.length > 0 ? 'pem-other' : 'unknown';
}

function isDerCertificate(buf: Buffer): boolean {
  try {
    new X509Certificate(buf);
    return true;
  } catch {
    return false;
  }
}

/** PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo (data or signedData), macData? } */
export function isPkcs12(buf: Buffer): boolean {
  try {
    const asn = forge.asn1.fromDer(forge.util.createBuffer(buf.toString('binary')), false);
    const parts = asn.value;
    if (!Array.isArray(parts) || parts.length < 2) return false;
    const [version, authSafe] = parts;
    if (!version || version.type !== forge.asn1.Type.INTEGER || typeof version.value !== 'string') return false;
    if (forge.asn1.derToInteger(version.value) !== 3) return false;
    const contentType = Array.isArray(authSafe?.value) ? authSafe.value[0] : undefined;
    if (!contentType || contentType.type !== forge.asn1.Type.OID || typeof contentType.value !== 'string') return false;
    const oid = forge.asn1.derToOid(contentType.value);
    return oid === PKCS7_DATA_OID || oid === PKCS7_SIGNED_DATA_OID;
  } catch {
    return false;
  }
}

/** ContentInfo ::= SEQUENCE { contentType OID signedData, content [0] EXPLICIT ... } */
function isPkcs7(buf: Buffer): boolean {
  try {
    const asn = forge.asn1.fromDer(forge.util.createBuffer(buf.toString('binary')), false);
    const first = Array.isArray(asn.value) ? asn.value[0] : undefined;
    if (!first || first.type !== forge.asn1.Type.OID || typeof first.value !== 'string') return false;
    return forge.asn1.derToOid(first.value) === PKCS7_SIGNED_DATA_OID;
  } catch {
    return false;
  }
}

type ReadResult = { readonly ok: true; readonly bytes: Buffer } | { readonly ok: false; readonly error: TlsFileError };

function readBytes(path: string, what: 'certificate' | 'private key'): ReadResult {
  try {
    return { ok: true, bytes: readFileSync(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const reason =
      code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'cannot be read (permission denied)' : `cannot be read (${code})`;
    const hint =
      what === 'certificate'
        ? 'check the path (relative paths resolve against the config file that names them), or import the peer certificate: relayguard certs import FILE --name NAME'
        : 'check the path (relative paths resolve against the config file that names them), or create a key and certificate: relayguard certs init';
    return { ok: false, error: { code: 'RG_TLS_FILE_MISSING', message: `${what} file ${path} ${reason}`, hint } };
  }
}

export function readCertificateFile(path: string): CertificateFileResult {
  const read = readBytes(path, 'certificate');
  if (!read.ok) return read;
  return parseCertificateBytes(read.bytes, path);
}

/** Parses certificate file content; `path` is only used in messages. */
export function parseCertificateBytes(bytes: Buffer, path: string): CertificateFileResult {
  const kind = classifyCertificateBytes(bytes);
  if (kind === 'pem-certificate') return parseCertificateBlocks(parsePemBlocks(bytes.toString('utf8')), path);
  return { ok: false, error: certificateKindError(kind, path, bytes) };
}

function parseCertificateBlocks(blocks: readonly PemBlock[], path: string): CertificateFileResult {
  const certificates: X509Certificate[] = [];
  let index = 0;
  for (const block of blocks) {
    if (!isCertificateLabel(block.label)) continue;
    index++;
    try {
      certificates.push(new X509Certificate(block.text.replace(/(BEGIN|END) (X509 |TRUSTED )CERTIFICATE/g, '$1 CERTIFICATE')));
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return {
        ok: false,
        error: {
          code: 'RG_TLS_PEM_PARSE',
          message: `${path}: certificate block ${index} is damaged and cannot be parsed (${detail})`,
          hint: `re-export the certificate from its source, or check it with: openssl x509 -noout -text -in ${path}`,
        },
      };
    }
  }
  const pem = certificates.map((c) => c.toString()).join('');
  return { ok: true, certificates: Object.freeze(certificates), pem };
}

/** What a file that is not a PEM certificate is, and how to turn it into one. */
export function certificateKindError(kind: Exclude<CertificateFileKind, 'pem-certificate'>, path: string, bytes: Buffer): TlsFileError {
  const importHint = `relayguard certs import ${path} --name NAME`;
  switch (kind) {
    case 'empty':
      return { code: 'RG_TLS_EMPTY', message: `${path} is empty`, hint: `put the peer's PEM certificate in it, or run: ${importHint}` };
    case 'der-certificate':
      return {
        code: 'RG_TLS_NOT_PEM_DER',
        message: `${path} is a DER (binary) certificate, not PEM`,
        hint: `convert it: openssl x509 -inform der -in ${path} -out ${path}.pem, or run: ${importHint}`,
      };
    case 'pkcs12':
      return {
        code: 'RG_TLS_NOT_PEM_PKCS12',
        message: `${path} is a PKCS#12 (.p12/.pfx) bundle, not a PEM certificate`,
        hint: `extract the certificate: relayguard certs import ${path} --name NAME --password PASSWORD, or: openssl pkcs12 -in ${path} -nokeys -out ${path}.crt.pem`,
      };
    case 'pkcs7':
      return {
        code: 'RG_TLS_NOT_PEM_PKCS7',
        message: `${path} is a PKCS#7 (.p7b) certificate bundle, not a PEM certificate`,
        hint: `convert it: openssl pkcs7 -print_certs ${bytes[0] === 0x30 ? '-inform der ' : ''}-in ${path} -out ${path}.crt.pem, or run: ${importHint}`,
      };
    case 'pem-private-key':
    case 'pem-encrypted-private-key':
      return {
        code: 'RG_TLS_NOT_A_CERTIFICATE',
        message: `${path} holds a private key, not a certificate`,
        hint: 'name the certificate file here (-----BEGIN CERTIFICATE-----); keys belong only in gateway.tls.key, and a peer\'s private key should never be copied to the gateway',
      };
    case 'pem-other':
      return pemOtherError(path, bytes);
    case 'unknown':
      return {
        code: 'RG_TLS_NOT_A_CERTIFICATE',
        message: `${path} is not a certificate (neither PEM, DER nor PKCS#12)`,
        hint: `a PEM certificate starts with -----BEGIN CERTIFICATE-----; get the peer's certificate with: relayguard certs probe HOST:PORT --starttls --save NAME`,
      };
    default: {
      const never: never = kind;
      throw new Error(`unhandled certificate file kind ${String(never)}`);
    }
  }
}

function pemOtherError(path: string, bytes: Buffer): TlsFileError {
  const first = parsePemBlocks(bytes.toString('utf8'))[0];
  const what = first ? describePemLabel(first.label) : 'not a certificate';
  const hint = 'name a file that contains -----BEGIN CERTIFICATE-----, or import one: relayguard certs import FILE --name NAME';
  return { code: 'RG_TLS_NOT_A_CERTIFICATE', message: `${path} is ${what}`, hint };
}

export function readPrivateKeyFile(path: string): PrivateKeyFileResult {
  const read = readBytes(path, 'private key');
  if (!read.ok) return read;
  return parsePrivateKeyBytes(read.bytes, path);
}

/** Parses private key file content; `path` is only used in messages. */
export function parsePrivateKeyBytes(bytes: Buffer, path: string): PrivateKeyFileResult {
  if (bytes.toString('latin1').trim().length === 0) {
    return { ok: false, error: { code: 'RG_TLS_EMPTY', message: `${path} is empty`, hint: 'put the PEM private key in it, or create one: relayguard certs init' } };
  }
  const text = bytes.toString('utf8');
  if (!hasPemMarker(text)) return binaryKeyError(bytes, path);
  const blocks = parsePemBlocks(text);
  const keyBlock = blocks.find((b) => isPrivateKeyLabel(b.label));
  if (!keyBlock) return { ok: false, error: notAKeyError(path, blocks) };
  if (isEncryptedKeyBlock(keyBlock)) {
    return {
      ok: false,
      error: {
        code: 'RG_TLS_KEY_ENCRYPTED',
        message: `${path} is a passphrase-protected private key; the gateway needs it unencrypted`,
        hint: `decrypt it: openssl pkey -in ${path} -out ${path}.plain && chmod 600 ${path}.plain`,
      },
    };
  }
  return parseKeyObject(keyBlock.text, path);
}

function parseKeyObject(pem: string, path: string): PrivateKeyFileResult {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    return { ok: true, key, pem: key.export({ type: 'pkcs8', format: 'pem' }).toString() };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      error: { code: 'RG_TLS_KEY_PARSE', message: `${path}: the private key cannot be parsed (${detail})`, hint: `check it with: openssl pkey -noout -in ${path}` },
    };
  }
}

function notAKeyError(path: string, blocks: readonly PemBlock[]): TlsFileError {
  const isCert = blocks.some((b) => isCertificateLabel(b.label));
  return {
    code: 'RG_TLS_NOT_A_KEY',
    message: isCert ? `${path} holds a certificate, not a private key` : `${path} does not contain a PEM private key`,
    hint: 'name the file with -----BEGIN PRIVATE KEY----- in gateway.tls.key (and the certificate in gateway.tls.certificate)',
  };
}

function binaryKeyError(bytes: Buffer, path: string): PrivateKeyFileResult {
  if (isPkcs12(bytes)) {
    return {
      ok: false,
      error: {
        code: 'RG_TLS_NOT_PEM_PKCS12',
        message: `${path} is a PKCS#12 (.p12/.pfx) bundle, not a PEM private key`,
        hint: `extract the key: openssl pkcs12 -in ${path} -nocerts -nodes -out ${path}.key.pem`,
      },
    };
  }
  if (isDerPrivateKey(bytes)) {
    return {
      ok: false,
      error: { code: 'RG_TLS_NOT_PEM_DER', message: `${path} is a DER (binary) private key, not PEM`, hint: `convert it: openssl pkey -inform der -in ${path} -out ${path}.pem` },
    };
  }
  if (isDerCertificate(bytes)) {
    return { ok: false, error: { code: 'RG_TLS_NOT_A_KEY', message: `${path} is a DER certificate, not a private key`, hint: 'name the PEM private key file in gateway.tls.key' } };
  }
  return { ok: false, error: { code: 'RG_TLS_KEY_PARSE', message: `${path} is not a private key (neither PEM nor DER)`, hint: 'a PEM key starts with -----BEGIN PRIVATE KEY-----' } };
}

function isDerPrivateKey(bytes: Buffer): boolean {
  for (const type of ['pkcs8', 'pkcs1', 'sec1'] as const) {
    try {
      createPrivateKey({ key: bytes, format: 'der', type });
      return true;
    } catch {
      // try the next encoding
    }
  }
  return false;
}

export function keyMatchesCertificate(key: KeyObject, cert: X509Certificate): boolean {
  try {
    return cert.checkPrivateKey(key);
  } catch {
    return false;
  }
}
