// `certs import`: put a peer's public certificate into certs/trusted/NAME.crt.pem, whatever form
// the admin was handed (PEM, DER, PKCS#12), and refuse clearly what is not a certificate.
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { certificateKindError, classifyCertificateBytes, parseCertificateBytes } from './pem.js';
import type { CertificateFileKind } from './pem.js';
import { certDirLayout, isValidCertName, peerPaths, writeFileMode } from './cert-dir.js';

export interface ImportOptions {
  readonly dir: string;
  readonly file: string;
  readonly name: string;
  readonly password?: string;
  readonly force?: boolean;
  /** Also import CA certificates found next to the peer's own (trusting everything that CA issued). */
  readonly withCa?: boolean;
}

export interface ImportError {
  readonly code: string;
  readonly message: string;
  readonly hint: string;
}

export type ImportResult =
  | {
      readonly ok: true;
      readonly path: string;
      readonly source: 'pem' | 'der' | 'pkcs12' | 'pkcs7';
      readonly certificates: readonly X509Certificate[];
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly error: ImportError };

type Extracted = { readonly ok: true; readonly certificates: readonly X509Certificate[]; readonly notes: readonly string[] } | { readonly ok: false; readonly error: ImportError };

export function importCertificate(opts: ImportOptions): ImportResult {
  if (!isValidCertName(opts.name)) {
    return { ok: false, error: { code: 'RG_CERTS_BAD_NAME', message: `"${opts.name}" is not a usable certificate name`, hint: 'use letters, digits, ".", "_" and "-", e.g. the peer name from topology.yaml' } };
  }
  const target = peerPaths(certDirLayout(opts.dir), opts.name).trusted;
  if (!opts.force && existsSync(target)) {
    return { ok: false, error: { code: 'RG_CERTS_EXISTS', message: `${target} already exists`, hint: 'pass --force to replace it (e.g. after the peer renewed its certificate)' } };
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(opts.file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(err)})`;
    return { ok: false, error: { code: 'RG_TLS_FILE_MISSING', message: `${opts.file} ${reason}`, hint: "check the path to the peer's certificate file" } };
  }
  const kind = classifyCertificateBytes(bytes);
  const extracted = extract(kind, bytes, opts);
  if (!extracted.ok) return extracted;
  const { kept, notes } = selectCertificates(extracted.certificates, opts.withCa ?? false);
  writeFileMode(target, kept.map((c) => c.toString()).join(''), 0o644);
  return { ok: true, path: target, source: sourceOf(kind), certificates: kept, notes: [...extracted.notes, ...notes] };
}

function sourceOf(kind: CertificateFileKind): 'pem' | 'der' | 'pkcs12' | 'pkcs7' {
  return kind === 'der-certificate' ? 'der' : kind === 'pkcs12' ? 'pkcs12' : kind === 'pkcs7' ? 'pkcs7' : 'pem';
}

function extract(kind: CertificateFileKind, bytes: Buffer, opts: ImportOptions): Extracted {
  switch (kind) {
    case 'pem-certificate': {
      const parsed = parseCertificateBytes(bytes, opts.file);
      if (!parsed.ok) return parsed;
      const hasKey = /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(bytes.toString('utf8'));
      return { ok: true, certificates: parsed.certificates, notes: hasKey ? [`${opts.file} also holds a private key; it was NOT copied (only the certificate is needed)`] : [] };
    }
    case 'der-certificate':
      return { ok: true, certificates: [new X509Certificate(bytes)], notes: [`converted from DER (binary) to PEM`] };
    case 'pkcs12':
      return extractPkcs12(bytes, opts);
    case 'pkcs7':
      return extractPkcs7(bytes, opts);
    case 'pem-private-key':
    case 'pem-encrypted-private-key':
      return {
        ok: false,
        error: {
          ...certificateKindError(kind, opts.file, bytes),
          hint: `ask the peer's administrator for its certificate (the .crt/.pem with -----BEGIN CERTIFICATE-----), never its key; or fetch it: relayguard certs probe HOST:PORT --starttls --save ${opts.name}`,
        },
      };
    case 'pem-other':
    case 'empty':
    case 'unknown':
      return { ok: false, error: certificateKindError(kind, opts.file, bytes) };
    default: {
      const never: never = kind;
      throw new Error(`unhandled certificate file kind ${String(never)}`);
    }
  }
}

function extractPkcs12(bytes: Buffer, opts: ImportOptions): Extracted {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString('binary')), opts.password ?? '');
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const badPassword = /MAC could not be verified|Invalid password|decrypt/i.test(detail);
    return {
      ok: false,
      error: badPassword
        ? {
            code: 'RG_TLS_PKCS12_PASSWORD',
            message: `${opts.file} is a PKCS#12 bundle and ${opts.password === undefined ? 'needs a password' : 'the password is wrong'}`,
            hint: `relayguard certs import ${opts.file} --name ${opts.name} --password PASSWORD, or: openssl pkcs12 -in ${opts.file} -nokeys -out ${opts.name}.crt.pem`,
          }
        : { code: 'RG_TLS_PKCS12_PARSE', message: `${opts.file} looks like PKCS#12 but cannot be read: ${detail}`, hint: `extract the certificate: openssl pkcs12 -in ${opts.file} -nokeys -out ${opts.name}.crt.pem` },
    };
  }
  const bags = p12.getBags({ bagType: forge.pki.oids['certBag'] ?? '1.2.840.113549.1.12.10.1.3' });
  const certs = Object.values(bags).flatMap((list) => list ?? []).flatMap((bag) => (bag.cert ? [new X509Certificate(forge.pki.certificateToPem(bag.cert))] : []));
  if (certs.length === 0) {
    return { ok: false, error: { code: 'RG_TLS_PKCS12_NO_CERT', message: `${opts.file} is a PKCS#12 bundle without any certificate`, hint: 'ask the peer for its certificate file' } };
  }
  return { ok: true, certificates: certs, notes: ['extracted from PKCS#12; private keys in the bundle were NOT copied'] };
}

function extractPkcs7(bytes: Buffer, opts: ImportOptions): Extracted {
  try {
    const text = bytes.toString('utf8');
    const message = text.includes('-----BEGIN ')
      ? forge.pkcs7.messageFromPem(text.replace(/(BEGIN|END) CMS/g, '$1 PKCS7'))
      : forge.pkcs7.messageFromAsn1(forge.asn1.fromDer(bytes.toString('binary')));
    const list = 'certificates' in message && Array.isArray(message.certificates) ? message.certificates : [];
    const certs = list.map((c) => new X509Certificate(forge.pki.certificateToPem(c)));
    if (certs.length > 0) return { ok: true, certificates: certs, notes: ['extracted from a PKCS#7 (.p7b) bundle'] };
    return { ok: false, error: { code: 'RG_TLS_PKCS7_NO_CERT', message: `${opts.file} is a PKCS#7 bundle without any certificate`, hint: 'ask the peer for its certificate file' } };
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'RG_TLS_PKCS7_PARSE', message: `${opts.file} looks like PKCS#7 but cannot be read: ${detail}`, hint: `convert it: openssl pkcs7 -print_certs -in ${opts.file} -out ${opts.name}.crt.pem` } };
  }
}

/** Pin the peer's own certificate(s); a file of only CA certificates is a CA bundle and is kept whole. */
function selectCertificates(certs: readonly X509Certificate[], withCa: boolean): { kept: readonly X509Certificate[]; notes: readonly string[] } {
  const leaves = certs.filter((c) => !c.ca);
  if (leaves.length === 0 || withCa || leaves.length === certs.length) return { kept: certs, notes: [] };
  const dropped = certs.length - leaves.length;
  return {
    kept: leaves,
    notes: [`${dropped} CA certificate(s) in the file were not imported, so only this peer's own certificate is trusted (pinned); pass --with-ca to trust everything that CA issued`],
  };
}
