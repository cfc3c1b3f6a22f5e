// `certs list`: every certificate under the certs directory (and every certificate file the topology
// names elsewhere), with expiry status and the topology keys that use it.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { displayPath } from './cert-format.js';
import { checkValidity, describeCertificate } from './certificate-info.js';
import type { CertificateInfo, CertificateValidity } from './certificate-info.js';
import { classifyCertificateBytes, keyMatchesCertificate, parseCertificateBytes, readCertificateFile, readPrivateKeyFile } from './pem.js';
import { readTopologyTlsRefs } from './topology-refs.js';

export interface ListedCertificate {
  readonly file: string;
  /** Position in a multi-certificate file, from 0. */
  readonly index: number;
  readonly info: CertificateInfo;
  readonly status: CertificateValidity;
  readonly usedBy: readonly string[];
}

export interface ListedProblem {
  readonly file: string;
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  readonly usedBy: readonly string[];
}

export interface CertificateListing {
  readonly certificates: readonly ListedCertificate[];
  readonly problems: readonly ListedProblem[];
  /** gateway.tls.key and whether it belongs to gateway.tls.certificate. */
  readonly gatewayKey?: { readonly file: string; readonly status: 'matches' | 'mismatch' | 'unreadable'; readonly message?: string };
  /** The topology file that usedBy comes from, or why there is none. */
  readonly topology?: { readonly file: string } | { readonly problem: string };
}

export interface ListOptions {
  readonly dir: string;
  readonly configDir?: string;
  readonly now?: Date;
}

const CERT_EXTENSIONS = /\.(pem|crt|cer|der|p12|pfx)$/i;
const MAX_DEPTH = 4;

export function listCertificates(opts: ListOptions): CertificateListing {
  const now = opts.now ?? new Date();
  const topo = opts.configDir !== undefined ? readTopologyTlsRefs(opts.configDir) : undefined;
  const usedBy = topo?.ok ? topo.refs.usedBy : new Map<string, readonly string[]>();
  const keyFiles = new Set(topo?.ok && topo.refs.key ? [topo.refs.key] : []);
  const files = new Set(existsSync(opts.dir) ? walk(resolve(opts.dir), 0) : []);
  for (const path of usedBy.keys()) if (!keyFiles.has(path)) files.add(path);
  const certificates: ListedCertificate[] = [];
  const problems: ListedProblem[] = [];
  for (const path of [...files].sort()) {
    const refs = usedBy.get(path) ?? [];
    const shown = displayPath(path);
    if (!existsSync(path)) {
      problems.push({ file: shown, code: 'RG_TLS_FILE_MISSING', message: `${shown} does not exist`, hint: 'import or issue it: relayguard certs import FILE --name NAME', usedBy: refs });
      continue;
    }
    const bytes = readFileSync(path);
    const kind = classifyCertificateBytes(bytes);
    if (kind === 'pem-private-key' || kind === 'pem-encrypted-private-key') continue;
    const parsed = parseCertificateBytes(bytes, shown);
    if (!parsed.ok) {
      problems.push({ file: shown, ...parsed.error, usedBy: refs });
      continue;
    }
    parsed.certificates.forEach((cert, index) => {
      certificates.push({ file: shown, index, info: describeCertificate(cert, now), status: checkValidity(cert, now), usedBy: refs });
    });
  }
  const topology = topo === undefined ? undefined : topo.ok ? { file: displayPath(topo.refs.file) } : { problem: topo.message };
  const gatewayKey = topo?.ok ? checkGatewayKey(topo.refs.certificate, topo.refs.key) : undefined;
  return { certificates, problems, ...(topology ? { topology } : {}), ...(gatewayKey ? { gatewayKey } : {}) };
}

function checkGatewayKey(certificate: string | undefined, key: string | undefined): CertificateListing['gatewayKey'] {
  if (key === undefined) return undefined;
  const file = displayPath(key);
  const keyRead = readPrivateKeyFile(key);
  if (!keyRead.ok) return { file, status: 'unreadable', message: `${keyRead.error.code}: ${keyRead.error.message}` };
  const certRead = certificate !== undefined ? readCertificateFile(certificate) : undefined;
  const leaf = certRead?.ok ? certRead.certificates[0] : undefined;
  if (!leaf) return { file, status: 'unreadable', message: 'gateway.tls.certificate cannot be read' };
  return keyMatchesCertificate(keyRead.key, leaf) ? { file, status: 'matches' } : { file, status: 'mismatch', message: `RG_TLS_KEY_MISMATCH: ${file} is not the key of gateway.tls.certificate` };
}

function walk(dir: string, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, depth + 1);
    return entry.isFile() && CERT_EXTENSIONS.test(entry.name) && statSync(path).size < 1_000_000 ? [path] : [];
  });
}
