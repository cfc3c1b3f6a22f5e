// The graph as plain JSON data: what `graph --format json` prints, what text and mermaid render
// from, and what `plan` compares. No secrets: no key material, no loop secret, no PEM.
// Paths are shown relative to the config directory (so two checkouts of the same repository
// compare equal), unless they lie more than two levels above it.
import { isAbsolute, relative, sep } from 'node:path';
import type { TrustStore } from '../tls/trust.js';
import type { AdminSettings, InboundTls, MxSettings, OutboundTls, RoutingGraph, Upstream, Receiver, Route, Listener, IncidentSinkSpec } from './types.js';
import type { AdminClientCertificate } from './admin-settings.js';
import { defaultSpoolDir } from './defaults.js';
import { describePolicies } from './policy-description.js';
import type { PolicyDescription } from './policy-description.js';

/** Bumped only when a field is removed or changes meaning; new fields may appear at any time. */
export const GRAPH_DESCRIPTION_VERSION = 1;

export interface TrustFileDescription {
  readonly file: string;
  /** SHA-256 fingerprints (uppercase colon hex) of the certificates in the file, in file order. */
  readonly fingerprints: readonly string[];
}

export interface InboundTlsDescription {
  readonly starttls: InboundTls['starttls'];
  readonly clientCertificate: InboundTls['clientCertificate'];
  readonly trust: readonly TrustFileDescription[];
}

export interface OutboundTlsDescription {
  readonly starttls: OutboundTls['starttls'];
  readonly verifyHostname: boolean;
  readonly serverName?: string;
  readonly trust: readonly TrustFileDescription[];
}

export interface UpstreamDescription {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly mode: Upstream['mode'];
  readonly reflect?: {
    readonly host?: string;
    readonly port: number;
    readonly tls: OutboundTlsDescription;
  };
  readonly tls: InboundTlsDescription;
  readonly xclient: boolean;
  readonly maxConnections: number;
}

/** An `mx` receiver: where its hosts come from and which TLS policy applies to them. */
export interface MxDescription {
  /** "MX of the recipient domain" or "MX of DOMAIN": what `graph` shows as the route's next hop. */
  readonly nextHop: string;
  readonly source: 'recipient' | { readonly domain: string };
  readonly policy: MxSettings['policy'];
  readonly fallback: MxSettings['fallback'];
  /** Which CAs verify MX hosts under verify / mta-sts. */
  readonly ca: 'system' | 'trust list';
}

export interface ReceiverDescription {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly mx?: MxDescription;
  readonly tls: OutboundTlsDescription;
  readonly maxConnections: number;
  readonly maxMessagesPerConnection: number;
}

export interface RouteDescription {
  /** 0-based position in routes[]; text output shows it 1-based ("route #1"). */
  readonly index: number;
  readonly domains: readonly string[];
  readonly receivers: readonly string[];
  readonly strategy: Route['strategy'];
}

export interface ListenerDescription {
  readonly address: string;
  readonly port: number;
  readonly proxyProtocol?: { readonly trusted: readonly string[] };
}

export interface CertificateDescription {
  readonly file: string;
  readonly subject: string;
  readonly fingerprint256: string;
  readonly validTo: string;
  readonly usedBy: readonly string[];
}

export interface GatewayDescription {
  readonly hostname: string;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly greetingDelayMs: number;
  readonly limits: RoutingGraph['gateway']['limits'];
  readonly timeouts: RoutingGraph['gateway']['timeouts'];
  readonly tls: {
    readonly authenticate: boolean;
    readonly minVersion: string;
    readonly ciphers: string;
    readonly certificate?: {
      readonly file: string;
      readonly key: string;
      readonly subject: string;
      readonly fingerprint256: string;
    };
  };
  readonly inspection: RoutingGraph['gateway']['inspection'];
  readonly incidents: { readonly path: string; readonly maxBytes: number; readonly keep: number; readonly sinks: readonly DescribedSink[] };
  readonly drain: RoutingGraph['gateway']['drain'];
  readonly spool: RoutingGraph['gateway']['spool'];
  readonly loop: { readonly secret: 'file' | 'gateway-key' | 'unknown' };
  readonly admin?: {
    readonly address: string;
    readonly port: number;
    readonly auth?: { readonly type: 'bearer'; readonly open: readonly string[] };
    readonly tls?: { readonly certificate: string; readonly subject: string; readonly fingerprint256: string; readonly clientCa?: string; readonly clientCertificate: AdminClientCertificate };
  };
  /** Shown only when a receiver uses mx (resolvers matter only then). */
  readonly dns?: {
    readonly servers: readonly string[] | 'system';
    readonly timeoutMs: number;
    readonly attempts: number;
    readonly cacheEntries: number;
  };
  readonly mtaSts?: {
    readonly port: number;
    readonly timeoutMs: number;
    readonly ca: 'system' | 'trust list';
  };
}

export interface GraphDescription {
  readonly formatVersion: number;
  readonly revision: {
    readonly hash: string;
    readonly gitCommit?: string;
    readonly loadedAt: string;
  };
  readonly gateway: GatewayDescription;
  readonly listeners: readonly ListenerDescription[];
  readonly upstreams: readonly UpstreamDescription[];
  readonly receivers: readonly ReceiverDescription[];
  readonly routes: readonly RouteDescription[];
  readonly policies: readonly PolicyDescription[];
  readonly certificates: readonly CertificateDescription[];
}

export function displayPath(dir: string, file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(dir, file);
  if (rel === '') return '.';
  if (rel.startsWith(`..${sep}..${sep}..`) || isAbsolute(rel)) return file;
  return rel.split(sep).join('/');
}

function describeTrust(dir: string, trust: TrustStore, files: readonly string[]): TrustFileDescription[] {
  const entries = [...trust.anchors, ...trust.pinned.values()];
  return files.map((file) => ({
    file: displayPath(dir, file),
    fingerprints: entries.filter((e) => e.file === file).map((e) => e.fingerprint256),
  }));
}

function describeOutbound(dir: string, tls: OutboundTls): OutboundTlsDescription {
  return {
    starttls: tls.starttls,
    verifyHostname: tls.verifyHostname,
    ...(tls.serverName !== undefined ? { serverName: tls.serverName } : {}),
    trust: describeTrust(dir, tls.trust, tls.trustFiles),
  };
}

function describeUpstream(dir: string, u: Upstream): UpstreamDescription {
  const reflect = u.reflect
    ? {
        reflect: {
          ...(u.reflect.host !== undefined ? { host: u.reflect.host } : {}),
          port: u.reflect.port,
          tls: describeOutbound(dir, u.reflect.tls),
        },
      }
    : {};
  return {
    name: u.name,
    addresses: u.addresses,
    mode: u.mode,
    ...reflect,
    tls: {
      starttls: u.inbound.starttls,
      clientCertificate: u.inbound.clientCertificate,
      trust: describeTrust(dir, u.inbound.trust, u.inbound.trustFiles),
    },
    xclient: u.xclient,
    maxConnections: u.maxConnections,
  };
}

export function mxNextHop(mx: MxSettings): string {
  return mx.source.kind === 'recipient' ? 'MX of the recipient domain' : `MX of ${mx.source.domain}`;
}

function describeMx(mx: MxSettings): MxDescription {
  return {
    nextHop: mxNextHop(mx),
    source: mx.source.kind === 'recipient' ? 'recipient' : { domain: mx.source.domain },
    policy: mx.policy,
    fallback: mx.fallback,
    ca: mx.ca === undefined ? 'system' : 'trust list',
  };
}

function describeReceiver(dir: string, r: Receiver): ReceiverDescription {
  return {
    name: r.name,
    host: r.host,
    port: r.port,
    ...(r.mx === undefined ? {} : { mx: describeMx(r.mx) }),
    tls: describeOutbound(dir, r.tls),
    maxConnections: r.maxConnections,
    maxMessagesPerConnection: r.maxMessagesPerConnection,
  };
}

function describeRoute(r: Route): RouteDescription {
  return {
    index: r.index,
    domains: r.domains,
    receivers: r.receivers.map((x) => x.name),
    strategy: r.strategy,
  };
}

function describeListener(l: Listener): ListenerDescription {
  return {
    address: l.address,
    port: l.port,
    ...(l.proxyProtocol ? { proxyProtocol: { trusted: l.proxyProtocol.trusted } } : {}),
  };
}

function describeGateway(graph: RoutingGraph): GatewayDescription {
  const dir = graph.revision.dir;
  const g = graph.gateway;
  const id = g.tls.identity;
  return {
    hostname: g.hostname,
    maxMessageBytes: g.maxMessageBytes,
    maxRecipients: g.maxRecipients,
    greetingDelayMs: g.greetingDelayMs,
    limits: g.limits,
    timeouts: g.timeouts,
    tls: {
      authenticate: g.tls.authenticate,
      minVersion: g.tls.minVersion,
      ciphers: g.tls.ciphers,
      ...(id
        ? {
            certificate: {
              file: displayPath(dir, id.certificateFile),
              key: displayPath(dir, id.keyFile),
              subject: id.subject,
              fingerprint256: id.fingerprint256,
            },
          }
        : {}),
    },
    inspection: g.inspection,
    incidents: { path: displayPath(dir, g.incidents.path), maxBytes: g.incidents.maxBytes, keep: g.incidents.keep, sinks: g.incidents.sinks.map((s) => describeSink(dir, s)) },
    drain: g.drain,
    // The default spool dir (under the OS temp dir) reads better, and compares equal, when absolute.
    spool: {
      ...g.spool,
      dir: g.spool.dir === defaultSpoolDir() ? g.spool.dir : displayPath(dir, g.spool.dir),
    },
    loop: { secret: g.loopSecretSource ?? 'unknown' },
    ...(graph.admin ? { admin: describeAdmin(dir, graph.admin) } : {}),
    ...describeDns(graph),
  };
}

function describeAdmin(dir: string, a: AdminSettings): NonNullable<GatewayDescription['admin']> {
  const t = a.tls;
  return {
    address: a.address,
    port: a.port,
    ...(a.auth ? { auth: { type: 'bearer' as const, open: a.auth.open } } : {}),
    ...(t
      ? { tls: { certificate: displayPath(dir, t.certificateFile), subject: t.subject, fingerprint256: t.fingerprint256, ...(t.clientCaFile ? { clientCa: displayPath(dir, t.clientCaFile) } : {}), clientCertificate: t.clientCertificate } }
      : {}),
  };
}

function describeDns(graph: RoutingGraph): Pick<GatewayDescription, 'dns' | 'mtaSts'> {
  const g = graph.gateway;
  if (![...graph.receivers.values()].some((r) => r.mx !== undefined) || g.dns === undefined) return {};
  const servers = g.dns.servers === undefined ? 'system' : g.dns.servers.map((s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`));
  return {
    dns: {
      servers,
      timeoutMs: g.dns.timeoutMs,
      attempts: g.dns.attempts,
      cacheEntries: g.dns.cacheEntries,
    },
    ...(g.mtaSts === undefined
      ? {}
      : {
          mtaSts: {
            port: g.mtaSts.port,
            timeoutMs: g.mtaSts.timeoutMs,
            ca: g.mtaSts.ca === undefined ? 'system' : 'trust list',
          },
        }),
  };
}

export function describeGraph(graph: RoutingGraph): GraphDescription {
  const dir = graph.revision.dir;
  return {
    formatVersion: GRAPH_DESCRIPTION_VERSION,
    revision: {
      hash: graph.revision.hash,
      ...(graph.revision.gitCommit !== undefined ? { gitCommit: graph.revision.gitCommit } : {}),
      loadedAt: graph.revision.loadedAt.toISOString(),
    },
    gateway: describeGateway(graph),
    listeners: graph.listeners.map(describeListener),
    upstreams: graph.upstreams.map((u) => describeUpstream(dir, u)),
    receivers: [...graph.receivers.values()].map((r) => describeReceiver(dir, r)),
    routes: graph.routes.map(describeRoute),
    policies: describePolicies(graph.policies, graph.policyDefinitions),
    certificates: graph.certificates.map((c) => ({
      file: displayPath(dir, c.file),
      subject: c.subject,
      fingerprint256: c.fingerprint256,
      validTo: c.validTo.toISOString(),
      usedBy: c.usedBy,
    })),
  };
}

/** A sink as shown by `graph` and /status: no PEM contents, no key. */
export type DescribedSink =
  | { readonly type: 'file'; readonly path: string; readonly maxBytes: number; readonly keep: number }
  | { readonly type: 'syslog'; readonly host: string; readonly port: number; readonly facility: number; readonly appName: string; readonly maxBuffer: number; readonly tls: boolean };

function describeSink(dir: string, s: IncidentSinkSpec): DescribedSink {
  switch (s.type) {
    case 'file':
      return { ...s, path: displayPath(dir, s.path) };
    case 'syslog':
      return { type: 'syslog', host: s.host, port: s.port, facility: s.facility, appName: s.appName, maxBuffer: s.maxBuffer, tls: s.tls !== undefined };
    default: {
      const never: never = s;
      return never;
    }
  }
}
