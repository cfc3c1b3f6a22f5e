// MX delivery settings: gateway.dns and gateway.mtaSts, and the lookup + TLS policy of an `mx` receiver.
// The verify context (gateway certificate + CAs, or the system CAs) is built here so a bad CA file fails
// the reload, never a delivery.
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import type { DnsSection, MtaStsSection, ReceiverEntry } from '../config/generated/topology.js';
import { DEFAULT_CIPHERS } from '../tls/secure-context.js';
import { report } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import type { CompiledTrust, GatewayTls } from './compile-tls.js';
import type { DnsServer, DnsSettings, MtaStsSettings, MxSettings } from './types.js';

export const MX_DEFAULTS = Object.freeze({
  port: 25,
  policy: 'may' as const,
  fallback: 'may' as const,
  dns: Object.freeze({ timeoutMs: 3000, attempts: 2, cacheEntries: 10_000 }),
  mtaSts: Object.freeze({ port: 443, timeoutMs: 10_000 }),
});

/** "127.0.0.1", "127.0.0.1:5353", "[::1]:5353", "::1" → host and port (53 by default). */
export function parseDnsServer(text: string): DnsServer | undefined {
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(text);
  if (v6) return withPort(v6[1] ?? '', v6[2]);
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  if (v4) return withPort(v4[1] ?? '', v4[2]);
  if (/^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/.test(text)) return { host: text, port: 53 };
  return undefined;
}

function withPort(host: string, port: string | undefined): DnsServer | undefined {
  const n = port === undefined ? 53 : Number(port);
  return n >= 1 && n <= 65535 ? { host, port: n } : undefined;
}

export function compileDns(ctx: CompileContext, dns: DnsSection | undefined): DnsSettings {
  const servers: DnsServer[] = [];
  (dns?.servers ?? []).forEach((text, i) => {
    const s = parseDnsServer(text);
    if (s) servers.push(s);
    else report(ctx, `/gateway/dns/servers/${i}`, 'RG_CFG_DNS_SERVER', `"${text}" is not a resolver address`, 'write an IP address, optionally with a port: 127.0.0.1:5353 or [::1]:5353');
  });
  return {
    ...(dns?.servers === undefined ? {} : { servers }),
    timeoutMs: dns?.timeoutMs ?? MX_DEFAULTS.dns.timeoutMs,
    attempts: dns?.attempts ?? MX_DEFAULTS.dns.attempts,
    cacheEntries: dns?.cacheEntries ?? MX_DEFAULTS.dns.cacheEntries,
  };
}

export function compileMtaSts(m: MtaStsSection | undefined, trust: CompiledTrust | undefined): MtaStsSettings {
  return {
    port: m?.port ?? MX_DEFAULTS.mtaSts.port,
    timeoutMs: m?.timeoutMs ?? MX_DEFAULTS.mtaSts.timeoutMs,
    ...(trust !== undefined && trust.pems.length > 0 ? { ca: trust.pems } : {}),
  };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function verifyContextFor(ctx: CompileContext, pointer: string, gateway: GatewayTls, ca: readonly string[] | undefined): SecureContext | undefined {
  const id = gateway.settings.identity;
  try {
    return createSecureContext({
      ...(id ? { key: id.keyPem, cert: id.certPem } : {}),
      ...(ca === undefined ? {} : { ca: [...ca] }),
      minVersion: gateway.settings.minVersion,
      ciphers: gateway.settings.ciphers || DEFAULT_CIPHERS,
    });
  } catch (err) {
    report(ctx, pointer, 'RG_TLS_CONTEXT', `cannot build the TLS context for MX verification: ${errorText(err)}`, 'check the certificates in this trust list');
    return undefined;
  }
}

export function compileMx(ctx: CompileContext, r: ReceiverEntry, i: number, gateway: GatewayTls, trust: CompiledTrust): MxSettings | undefined {
  if (r.mx === undefined) return undefined;
  const mx = r.mx.toLowerCase().replace(/\.$/, '');
  const ca = trust.pems.length > 0 ? trust.pems : undefined;
  const verifyContext = verifyContextFor(ctx, `/receivers/${i}/tls/trust`, gateway, ca);
  return {
    source: mx === 'recipient' ? { kind: 'recipient' } : { kind: 'domain', domain: mx },
    policy: r.tls?.policy ?? MX_DEFAULTS.policy,
    fallback: r.tls?.fallback ?? MX_DEFAULTS.fallback,
    ...(ca === undefined ? {} : { ca }),
    ...(verifyContext === undefined ? {} : { verifyContext }),
  };
}
