// gateway.admin → the admin listener's settings; the bearer token is read here so a missing or short
// token file fails the reload, and only its SHA-256 stays in the graph (never printed, compared in constant time).
// The HTTPS identity and the client CA are read and proven here too: a DER file, a key in the certificate
// slot or a mismatched pair fails the reload, never an admin handshake.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { SecureContextOptions, SecureVersion } from 'node:tls';
import type { AdminSection, AdminTls } from '../config/generated/topology.js';
import { loadTlsIdentity } from '../tls/identity.js';
import { DEFAULT_CIPHERS, DEFAULT_MIN_VERSION } from '../tls/secure-context.js';
import { certificatesAt, recordUsage, report, resolvePath } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import type { AdminClientCertificate, AdminEndpoint, AdminSettings, AdminTlsSettings } from './admin-settings.js';

const MIN_TOKEN_CHARS = 16;
export const DEFAULT_OPEN: readonly AdminEndpoint[] = ['/healthz', '/readyz'];

export function compileAdmin(ctx: CompileContext, admin: AdminSection | undefined): AdminSettings | undefined {
  if (admin === undefined) return undefined;
  const tls = admin.tls === undefined ? undefined : compileAdminTls(ctx, admin.tls);
  const base = { address: admin.address, port: admin.port, ...(tls ? { tls } : {}) };
  if (admin.auth === undefined) return base;
  const pointer = '/gateway/admin/auth/bearerTokenFile';
  const tokenFile = resolvePath(ctx, admin.auth.bearerTokenFile);
  ctx.readFiles.add(tokenFile);
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    report(ctx, pointer, 'RG_GRAPH_ADMIN_TOKEN_UNREADABLE', `cannot read the admin token file ${tokenFile}: ${(err as Error).message}`, 'create it, e.g. `head -c 32 /dev/urandom | base64 > FILE`, or mount the Secret there');
    return base;
  }
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    report(ctx, pointer, 'RG_GRAPH_ADMIN_TOKEN_WEAK', `the admin token in ${tokenFile} must be at least ${MIN_TOKEN_CHARS} characters without whitespace`, 'generate one with `head -c 32 /dev/urandom | base64`');
    return base;
  }
  return { ...base, auth: { tokenSha256: createHash('sha256').update(token).digest(), tokenFile, open: admin.auth.open ?? DEFAULT_OPEN } };
}

function compileAdminTls(ctx: CompileContext, tls: AdminTls): AdminTlsSettings | undefined {
  const certificateFile = resolvePath(ctx, tls.certificate);
  const keyFile = resolvePath(ctx, tls.key);
  ctx.readFiles.add(certificateFile).add(keyFile);
  const loaded = loadTlsIdentity(certificateFile, keyFile, ctx.now);
  if (!loaded.ok) {
    report(ctx, `/gateway/admin/tls/${loaded.error.file}`, loaded.error.code, loaded.error.message, loaded.error.hint);
    return undefined;
  }
  recordUsage(ctx, certificateFile, 'gateway.admin.tls.certificate');
  let ca: readonly string[] | undefined;
  let clientCaFile: string | undefined;
  if (tls.clientCa !== undefined) {
    const read = certificatesAt(ctx, '/gateway/admin/tls/clientCa', tls.clientCa, 'gateway.admin.tls.clientCa');
    if (read === undefined) return undefined;
    clientCaFile = read.path;
    ca = read.certificates.map((c) => c.toString());
  }
  const clientCertificate: AdminClientCertificate = ca === undefined ? 'none' : tls.requireClientCertificate === false ? 'optional' : 'required';
  const id = loaded.identity;
  const options = { cert: id.certPem, key: id.keyPem, ...(ca ? { ca } : {}), minVersion: DEFAULT_MIN_VERSION, ciphers: DEFAULT_CIPHERS };
  try {
    createSecureContext(adminSecureContextOptions(options));
  } catch (err) {
    report(ctx, '/gateway/admin/tls', 'RG_TLS_CONTEXT', `cannot build the admin TLS context: ${(err as Error).message}`, 'check gateway.admin.tls.certificate, key and clientCa (PEM)');
    return undefined;
  }
  return { certificateFile, keyFile, ...(clientCaFile ? { clientCaFile } : {}), clientCertificate, options, subject: id.info.subject, fingerprint256: id.info.fingerprint256 };
}

/** The compiled options in the mutable shape Node's TLS API takes (the graph keeps them frozen). */
export function adminSecureContextOptions(o: AdminTlsSettings['options']): SecureContextOptions {
  return { cert: o.cert, key: o.key, ...(o.ca ? { ca: [...o.ca] } : {}), minVersion: o.minVersion, ciphers: o.ciphers };
}
