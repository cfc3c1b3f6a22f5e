// Every certificate, key and trust file the topology names: present, PEM, parsable, matching, in date.
import { readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { checkValidity, describeCertificate } from '../tls/certificate-info.js';
import { keyMatchesCertificate, parseCertificateBytes, parsePrivateKeyBytes, readCertificateFile, readPrivateKeyFile } from '../tls/pem.js';
import type { CertificateFileResult, PrivateKeyFileResult } from '../tls/pem.js';
import type { Diagnostic } from './diagnostic.js';
import { joinPointer } from './pointer.js';
import { displayPathOf } from './source-file.js';
import { resolveConfigPath } from './resolve-path.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

export interface TlsFileCheck {
  readonly diagnostics: readonly Diagnostic[];
  /** Absolute path → content (undefined when unreadable), for the revision hash and the watcher. */
  readonly referenced: ReadonlyMap<string, Buffer | undefined>;
}

interface Reader {
  readonly referenced: Map<string, Buffer | undefined>;
  bytes(path: string): Buffer | undefined;
}

function makeReader(): Reader {
  const referenced = new Map<string, Buffer | undefined>();
  return {
    referenced,
    bytes(path) {
      if (!referenced.has(path)) {
        let bytes: Buffer | undefined;
        try {
          bytes = readFileSync(path);
        } catch {
          bytes = undefined;
        }
        referenced.set(path, bytes);
      }
      return referenced.get(path);
    },
  };
}

function certificateFile(reader: Reader, path: string): CertificateFileResult {
  const bytes = reader.bytes(path);
  return bytes ? parseCertificateBytes(bytes, displayPathOf(path)) : readCertificateFile(displayPathOf(path));
}

function keyFile(reader: Reader, path: string): PrivateKeyFileResult {
  const bytes = reader.bytes(path);
  return bytes ? parsePrivateKeyBytes(bytes, displayPathOf(path)) : readPrivateKeyFile(displayPathOf(path));
}

export function checkTlsFiles(ctx: TopologyContext, now: Date): TlsFileCheck {
  const reader = makeReader();
  const out: Diagnostic[] = [...checkGatewayIdentity(ctx, reader, now)];
  const trustLists: { pointer: string; files: readonly string[] }[] = [
    ...ctx.data.upstreams.map((u, i) => ({ pointer: joinPointer('', 'upstreams', i, 'tls', 'trust'), files: u.tls?.trust ?? [] })),
    ...(ctx.data.receivers ?? []).map((r, i) => ({ pointer: joinPointer('', 'receivers', i, 'tls', 'trust'), files: r.tls?.trust ?? [] })),
  ];
  for (const list of trustLists) {
    list.files.forEach((file, j) => out.push(...checkCertificateAt(ctx, reader, joinPointer(list.pointer, j), file, now).diagnostics));
  }
  const secret = ctx.data.gateway.loop?.secretFile;
  if (secret !== undefined) out.push(...checkSecretFile(ctx, reader, secret));
  // Read for the revision hash only (compile checks them): a rotated admin token, admin certificate
  // or syslog certificate is a changed revision, so a reload applies it.
  for (const file of otherSecretFiles(ctx)) reader.bytes(resolveConfigPath(ctx.source, file));
  return { diagnostics: out, referenced: reader.referenced };
}

function checkGatewayIdentity(ctx: TopologyContext, reader: Reader, now: Date): Diagnostic[] {
  const tls = ctx.data.gateway.tls;
  if (tls?.certificate === undefined || tls.key === undefined) return [];
  const cert = checkCertificateAt(ctx, reader, '/gateway/tls/certificate', tls.certificate, now);
  const key = keyFile(reader, resolveConfigPath(ctx.source, tls.key));
  if (!key.ok) return [...cert.diagnostics, report(ctx, '/gateway/tls/key', { code: key.error.code, message: key.error.message, hint: key.error.hint })];
  const leaf = cert.certificates[0];
  if (!leaf || keyMatchesCertificate(key.key, leaf)) return [...cert.diagnostics];
  const info = describeCertificate(leaf, now);
  const mismatch = report(ctx, '/gateway/tls/key', {
    code: 'RG_TLS_KEY_MISMATCH',
    message: `private key ${displayPathOf(resolveConfigPath(ctx.source, tls.key))} does not belong to certificate ${JSON.stringify(info.subject)} (${displayPathOf(resolveConfigPath(ctx.source, tls.certificate))}, SHA-256 ${info.fingerprint256})`,
    hint: 'name the key that was generated together with this certificate (the leaf certificate comes first in the file)',
  });
  return [...cert.diagnostics, mismatch];
}

function checkCertificateAt(ctx: TopologyContext, reader: Reader, pointer: string, file: string, now: Date): { diagnostics: Diagnostic[]; certificates: readonly X509Certificate[] } {
  const result = certificateFile(reader, resolveConfigPath(ctx.source, file));
  if (!result.ok) return { diagnostics: [report(ctx, pointer, { code: result.error.code, message: result.error.message, hint: result.error.hint })], certificates: [] };
  const diagnostics = result.certificates.flatMap((cert, index) => validityDiagnostics(ctx, pointer, file, cert, index, result.certificates.length, now));
  return { diagnostics, certificates: result.certificates };
}

function validityDiagnostics(ctx: TopologyContext, pointer: string, file: string, cert: X509Certificate, index: number, count: number, now: Date): Diagnostic[] {
  const info = describeCertificate(cert, now);
  const which = `certificate ${JSON.stringify(info.subject)}${count > 1 ? ` (${index + 1} of ${count})` : ''} in ${file}`;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const hint = `SHA-256 ${info.fingerprint256}; renew it (relayguard certs issue) or import the peer's current certificate (relayguard certs import)`;
  const validity = checkValidity(cert, now);
  switch (validity) {
    case 'valid':
      return [];
    case 'expired':
      return [report(ctx, pointer, { code: 'RG_TLS_CERT_EXPIRED', message: `${which} expired on ${day(info.validTo)} (${daysAgo(info.validTo, now)})`, hint })];
    case 'not-yet-valid':
      return [report(ctx, pointer, { code: 'RG_TLS_CERT_NOT_YET_VALID', message: `${which} is not valid before ${day(info.validFrom)}`, hint: `check this machine's clock; ${hint}` })];
    case 'expiring':
      return [report(ctx, pointer, { code: 'RG_TLS_CERT_EXPIRING', severity: 'warning', message: `${which} expires on ${day(info.validTo)}, in ${info.daysToExpiry} days`, hint })];
    default: {
      const never: never = validity;
      throw new Error(`unhandled certificate validity ${String(never)}`);
    }
  }
}

function daysAgo(date: Date, now: Date): string {
  const days = Math.floor((now.getTime() - date.getTime()) / 86_400_000);
  return days === 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
}

function checkSecretFile(ctx: TopologyContext, reader: Reader, file: string): Diagnostic[] {
  const bytes = reader.bytes(resolveConfigPath(ctx.source, file));
  if (bytes && bytes.toString('utf8').trim().length > 0) return [];
  return [
    report(ctx, '/gateway/loop/secretFile', {
      code: 'RG_CFG_FILE_MISSING',
      message: bytes ? `loop secret file ${file} is empty` : `loop secret file ${file} does not exist or cannot be read`,
      hint: 'write a long random secret into it, e.g.: openssl rand -hex 32 > FILE',
    }),
  ];
}

function otherSecretFiles(ctx: TopologyContext): string[] {
  const g = ctx.data.gateway;
  const syslog = (g.incidents?.sinks ?? []).flatMap((s) => (s.type === 'syslog' && s.tls ? [...(s.tls.trust ?? []), ...(s.tls.certificate ? [s.tls.certificate] : []), ...(s.tls.key ? [s.tls.key] : [])] : []));
  const adminTls = g.admin?.tls ? [g.admin.tls.certificate, g.admin.tls.key, ...(g.admin.tls.clientCa ? [g.admin.tls.clientCa] : [])] : [];
  return [...(g.admin?.auth ? [g.admin.auth.bearerTokenFile] : []), ...adminTls, ...syslog];
}
