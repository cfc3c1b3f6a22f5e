// Every TLS object the engine will use, built now: a bad PEM, a key that does not match, a
// cipher string OpenSSL rejects all fail the compile (and so the reload), never a handshake.
import { createSecureContext } from 'node:tls';
import type { SecureContext, TlsOptions } from 'node:tls';
import type { KeyObject } from 'node:crypto';
import type { GatewayTlsSection } from '../config/generated/topology.js';
import { loadTlsIdentity } from '../tls/identity.js';
import { anchorPems, buildTrustStore } from '../tls/trust.js';
import type { TrustSource, TrustStore } from '../tls/trust.js';
import { DEFAULT_CIPHERS, createClientSecureContext, createClientTlsOptions, createServerTlsOptions } from '../tls/secure-context.js';
import { DEFAULTS } from './defaults.js';
import { certificatesAt, recordUsage, report, resolvePath } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import type { ClientCertificateMode, InboundTls, OutboundTls, StartTls, TlsSettings } from './types.js';

export interface GatewayTls {
  readonly settings: TlsSettings;
  readonly key?: KeyObject;
  /** Shared by every outbound connection (receivers and reflect targets); undefined after an error. */
  readonly clientContext?: SecureContext;
  /** Server contexts by (client certificate mode, trust files): upstreams that share a trust list share one. */
  readonly serverCache: Map<string, { readonly options: Readonly<TlsOptions>; readonly context: SecureContext }>;
  /** Client contexts by trust files: each carries its list's anchors as `ca`, for OpenSSL to verify against. */
  readonly clientCache?: Map<string, SecureContext>;
}

export interface CompiledTrust {
  readonly trust: TrustStore;
  readonly files: readonly string[];
  readonly pems: readonly string[];
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function loadIdentity(ctx: CompileContext, tls: GatewayTlsSection): { identity?: TlsSettings['identity']; key?: KeyObject } {
  if (tls.certificate === undefined || tls.key === undefined) return {};
  const certificateFile = resolvePath(ctx, tls.certificate);
  const keyFile = resolvePath(ctx, tls.key);
  ctx.readFiles.add(certificateFile).add(keyFile);
  const loaded = loadTlsIdentity(certificateFile, keyFile, ctx.now);
  if (!loaded.ok) {
    report(ctx, `/gateway/tls/${loaded.error.file}`, loaded.error.code, loaded.error.message, loaded.error.hint);
    return {};
  }
  const id = loaded.identity;
  ctx.certificateFiles.set(certificateFile, { ok: true, certificates: id.certificates, pem: id.certPem });
  recordUsage(ctx, certificateFile, 'gateway.tls.certificate');
  return {
    identity: { certificateFile, keyFile, certPem: id.certPem, keyPem: id.keyPem, subject: id.info.subject, fingerprint256: id.info.fingerprint256 },
    key: id.key,
  };
}

export function compileGatewayTls(ctx: CompileContext, tls: GatewayTlsSection = {}): GatewayTls {
  const { identity, key } = loadIdentity(ctx, tls);
  const settings: TlsSettings = {
    authenticate: tls.authenticate ?? DEFAULTS.tls.authenticate,
    minVersion: tls.minVersion ?? DEFAULTS.tls.minVersion,
    ciphers: tls.ciphers ?? DEFAULT_CIPHERS,
    ...(identity ? { identity } : {}),
  };
  const serverCache: GatewayTls['serverCache'] = new Map();
  try {
    const clientContext = createClientSecureContext(identity, { minVersion: settings.minVersion, ciphers: settings.ciphers });
    return { settings, ...(key ? { key } : {}), clientContext, serverCache, clientCache: new Map() };
  } catch (err) {
    const pointer = tls.ciphers !== undefined ? '/gateway/tls/ciphers' : '/gateway/tls';
    report(ctx, pointer, 'RG_TLS_CONTEXT', `cannot build the TLS context: ${errorText(err)}`, 'check gateway.tls.ciphers (an OpenSSL cipher list) and minVersion');
    return { settings, ...(key ? { key } : {}), serverCache };
  }
}

/** Reads a trust list; `usedBy` names the entry in messages and certificate summaries. */
export function compileTrust(ctx: CompileContext, pointer: string, written: readonly string[], usedBy: string): CompiledTrust {
  const key = JSON.stringify(written.map((file) => resolvePath(ctx, file)));
  const cached = ctx.trustCache.get(key) as CompiledTrust | undefined;
  if (cached) {
    for (const file of cached.files) recordUsage(ctx, file, usedBy);
    return cached;
  }
  const compiled = readTrust(ctx, pointer, written, usedBy);
  // A list with a bad file is not cached, so every entry naming it gets its own diagnostic.
  if (compiled.files.length === written.length) ctx.trustCache.set(key, compiled);
  return compiled;
}

function readTrust(ctx: CompileContext, pointer: string, written: readonly string[], usedBy: string): CompiledTrust {
  const sources: TrustSource[] = [];
  written.forEach((file, i) => {
    const loaded = certificatesAt(ctx, `${pointer}/${i}`, file, usedBy);
    if (loaded) sources.push({ file: loaded.path, certificates: loaded.certificates });
  });
  return {
    trust: buildTrustStore(sources),
    files: sources.map((s) => s.file),
    pems: sources.flatMap((s) => s.certificates.map((c) => c.toString())),
  };
}

export function compileInboundTls(
  ctx: CompileContext,
  pointer: string,
  gateway: GatewayTls,
  starttls: StartTls,
  clientCertificate: ClientCertificateMode,
  trust: CompiledTrust,
): InboundTls {
  const base = { starttls, clientCertificate, trust: trust.trust, trustFiles: trust.files };
  const identity = gateway.settings.identity;
  if (starttls === 'disabled') return base;
  if (!identity) {
    report(ctx, `${pointer}/starttls`, 'RG_CFG_TLS_NO_IDENTITY', `starttls: ${starttls} needs the gateway's own certificate, and gateway.tls names none`, 'set gateway.tls.certificate and gateway.tls.key (relayguard certs init creates both), or set starttls: disabled');
    return base;
  }
  const cacheKey = JSON.stringify([clientCertificate, trust.files]);
  let server = gateway.serverCache.get(cacheKey);
  if (!server) {
    try {
      const options = createServerTlsOptions(identity, {
        requestCert: clientCertificate !== 'none',
        ca: trust.pems,
        minVersion: gateway.settings.minVersion,
        ciphers: gateway.settings.ciphers,
      });
      server = { options, context: createSecureContext(options) };
      gateway.serverCache.set(cacheKey, server);
    } catch (err) {
      report(ctx, pointer, 'RG_TLS_CONTEXT', `cannot build the inbound TLS context: ${errorText(err)}`, 'check the certificates in this trust list and gateway.tls');
      return base;
    }
  }
  return { ...base, secureContext: server.context, serverOptions: server.options };
}

export interface OutboundSettings {
  readonly starttls: StartTls;
  readonly verifyHostname: boolean;
  readonly serverName?: string;
}

export function compileOutboundTls(gateway: GatewayTls, settings: OutboundSettings, trust: CompiledTrust): OutboundTls {
  // Without a client context compile has already failed; the options are never used then.
  const context = gateway.clientContext ? clientContextFor(gateway, trust) : undefined;
  const options = context ? createClientTlsOptions(context, { servername: settings.serverName }) : {};
  return {
    starttls: settings.starttls,
    trust: trust.trust,
    trustFiles: trust.files,
    verifyHostname: settings.verifyHostname,
    ...(settings.serverName !== undefined ? { serverName: settings.serverName } : {}),
    options,
  };
}

/** The shared context when the list has no CA; otherwise one per trust list, built once (and proven here). */
function clientContextFor(gateway: GatewayTls, trust: CompiledTrust): SecureContext | undefined {
  const anchors = anchorPems(trust.trust);
  if (anchors.length === 0 || gateway.clientCache === undefined) return gateway.clientContext;
  const key = JSON.stringify(trust.files);
  let context = gateway.clientCache.get(key);
  if (context === undefined) {
    const s = gateway.settings;
    context = createClientSecureContext(s.identity, { minVersion: s.minVersion, ciphers: s.ciphers }, anchors);
    gateway.clientCache.set(key, context);
  }
  return context;
}
