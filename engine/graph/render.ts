// `relayguard graph`: one description (describe.ts), three renderings.
import { describeGraph } from './describe.js';
import type { GraphDescription, InboundTlsDescription, OutboundTlsDescription, TrustFileDescription, DescribedSink } from './describe.js';
import { renderMermaid } from './render-mermaid.js';
import type { RoutingGraph } from './types.js';

export type GraphFormat = 'text' | 'json' | 'mermaid';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'json', 'mermaid'];

export function renderGraph(graph: RoutingGraph, format: GraphFormat): string {
  return renderDescription(describeGraph(graph), format);
}

export function renderDescription(d: GraphDescription, format: GraphFormat): string {
  switch (format) {
    case 'text':
      return renderText(d);
    case 'json':
      return `${JSON.stringify(d, null, 2)}\n`;
    case 'mermaid':
      return renderMermaid(d);
    default: {
      const never: never = format;
      throw new Error(`unknown graph format ${String(never)}`);
    }
  }
}

/** "127.0.0.1:25", "[::1]:25". */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function trustText(trust: readonly TrustFileDescription[]): string {
  if (trust.length === 0) return 'trust (none)';
  return `trust ${trust.map((t) => `${t.file} (${t.fingerprints.length} cert${t.fingerprints.length === 1 ? '' : 's'})`).join(', ')}`;
}

export function inboundTlsText(tls: InboundTlsDescription): string {
  if (tls.starttls === 'disabled') return 'starttls disabled';
  return `starttls ${tls.starttls}, client certificate ${tls.clientCertificate}, ${trustText(tls.trust)}`;
}

export function outboundTlsText(tls: OutboundTlsDescription): string {
  if (tls.starttls === 'disabled') return 'starttls disabled';
  const name = tls.serverName !== undefined ? ` as ${tls.serverName}` : '';
  return `starttls ${tls.starttls}, verify hostname ${tls.verifyHostname ? 'yes' : 'no'}${name}, ${trustText(tls.trust)}`;
}

function adminGuards(a: NonNullable<GraphDescription['gateway']['admin']>): string {
  const guards = [
    ...(a.tls && a.tls.clientCertificate !== 'none' ? [`client certificate ${a.tls.clientCertificate}`] : []),
    ...(a.auth ? [`bearer token; open: ${a.auth.open.join(' ') || 'none'}`] : []),
  ];
  return guards.length > 0 ? ` (${guards.join('; ')})` : '';
}

function gatewayLines(d: GraphDescription): string[] {
  const g = d.gateway;
  const cert = g.tls.certificate;
  const identity = cert ? `certificate ${cert.file} (${cert.subject}, SHA-256 ${cert.fingerprint256})` : 'no certificate';
  return [
    `gateway ${g.hostname}`,
    `  tls: ${identity}; authenticate peers ${g.tls.authenticate ? 'yes' : 'NO'}; min ${g.tls.minVersion}`,
    `  limits: ${g.maxMessageBytes} bytes/message, ${g.maxRecipients} recipients, ${g.limits.maxConnections} connections (${g.limits.maxConnectionsPerUpstream} per upstream)`,
    `  inspection: budget ${g.inspection.budgetMs} ms, on failure ${g.inspection.onFailure}`,
    `  incidents: ${g.incidents.sinks.map(sinkText).join(', ')}; spool: ${g.spool.dir}; loop secret from ${g.loop.secret}`,
    ...(g.admin ? [`  admin: ${g.admin.tls ? 'https' : 'http'}://${hostPort(g.admin.address, g.admin.port)}${adminGuards(g.admin)}`] : []),
    ...(g.dns
      ? [
          `  dns: ${g.dns.servers === 'system' ? 'system resolvers (/etc/resolv.conf; AD bit not trusted)' : g.dns.servers.join(', ')}, timeout ${g.dns.timeoutMs} ms x ${g.dns.attempts}, cache ${g.dns.cacheEntries} answers`,
        ]
      : []),
    ...(g.mtaSts ? [`  mta-sts: policy fetch on port ${g.mtaSts.port}, timeout ${g.mtaSts.timeoutMs} ms, ${g.mtaSts.ca === 'system' ? 'system CAs' : 'CAs from the trust list'}`] : []),
  ];
}

function listenerLines(d: GraphDescription): string[] {
  return d.listeners.map((l) => `  ${hostPort(l.address, l.port)}${l.proxyProtocol ? `  PROXY protocol from ${l.proxyProtocol.trusted.join(', ')}` : ''}`);
}

function upstreamLines(d: GraphDescription): string[] {
  return d.upstreams.flatMap((u) => {
    const head = `  ${u.name}  ${u.addresses.join(', ')}  ${u.mode}${u.xclient ? '  xclient' : ''}  max ${u.maxConnections} connections`;
    const lines = [head, `    inbound tls: ${inboundTlsText(u.tls)}`];
    if (u.reflect) {
      lines.push(`    reflect to ${hostPort(u.reflect.host ?? '(connecting address)', u.reflect.port)}: ${outboundTlsText(u.reflect.tls)}`);
    }
    return lines;
  });
}

function routeLines(d: GraphDescription): string[] {
  const nextHop = new Map(d.receivers.map((r) => [r.name, r.mx?.nextHop]));
  const shown = (name: string): string => {
    const hop = nextHop.get(name);
    return hop === undefined ? name : `${name} (${hop})`;
  };
  return d.routes.map((r) => `  #${r.index + 1} ${r.domains.join(', ')} → ${r.receivers.map(shown).join(', ')} (${r.strategy})`);
}

function mxTlsText(mx: NonNullable<GraphDescription['receivers'][number]['mx']>): string {
  const fallback = mx.policy === 'dane' || mx.policy === 'mta-sts' ? `, without a policy: ${mx.fallback}` : '';
  return `policy ${mx.policy}${fallback}; certificates verified against ${mx.ca === 'system' ? 'the system CAs' : 'the trust list'}`;
}

function receiverLines(d: GraphDescription): string[] {
  return d.receivers.flatMap((r) =>
    r.mx !== undefined
      ? [`  ${r.name}  ${r.mx.nextHop}, port ${r.port}  max ${r.maxConnections} connections per MX host, ${r.maxMessagesPerConnection} messages/connection`, `    tls: ${mxTlsText(r.mx)}`]
      : [`  ${r.name}  ${hostPort(r.host, r.port)}  max ${r.maxConnections} connections, ${r.maxMessagesPerConnection} messages/connection`, `    tls: ${outboundTlsText(r.tls)}`],
  );
}

function policyLines(d: GraphDescription): string[] {
  return d.policies.map((p) => `  ${p.name}  severity ${p.severity}  ${p.mode}  ${p.action}`);
}

function certificateLines(d: GraphDescription): string[] {
  return d.certificates.map((c) => `  ${c.file}  ${c.subject}  valid to ${c.validTo.slice(0, 10)}  SHA-256 ${c.fingerprint256}  used by ${c.usedBy.join(', ')}`);
}

function section(title: string, lines: readonly string[]): string[] {
  return [`${title}${lines.length === 0 ? ' (none)' : ''}`, ...lines];
}

function renderText(d: GraphDescription): string {
  const git = d.revision.gitCommit !== undefined ? ` (git ${d.revision.gitCommit.slice(0, 12)})` : '';
  return [
    `revision ${d.revision.hash.slice(0, 12)}${git}, loaded ${d.revision.loadedAt}`,
    ...gatewayLines(d),
    ...section('listeners', listenerLines(d)),
    ...section('upstreams', upstreamLines(d)),
    ...section('routes', routeLines(d)),
    ...section('receivers', receiverLines(d)),
    ...section('policies', policyLines(d)),
    ...section('certificates', certificateLines(d)),
    '',
  ].join('\n');
}

function sinkText(s: DescribedSink): string {
  return s.type === 'file' ? s.path : `syslog${s.tls ? '+tls' : ''}://${hostPort(s.host, s.port)}`;
}
