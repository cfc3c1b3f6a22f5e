// Topology entries → graph nodes, with the schema defaults applied (defaults.ts).
import { compileInspection } from './inspection-settings.js';
import type { GatewaySection, ListenerEntry, ReceiverEntry, ReflectSection, RouteEntry, UpstreamEntry } from '../config/generated/topology.js';
import { DEFAULTS, defaultSpoolDir } from './defaults.js';
import { compileIncidents } from './compile-incidents.js';
import { compileInboundTls, compileOutboundTls, compileTrust } from './compile-tls.js';
import { MX_DEFAULTS, compileDns, compileMtaSts, compileMx } from './compile-mx.js';
import type { CompiledTrust, GatewayTls } from './compile-tls.js';
import { report, resolvePath } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import { parseCidr } from './ip-address.js';
import { didYouMean } from '../config/suggest.js';
import type { GatewaySettings, Listener, Receiver, Route, Upstream } from './types.js';

export function compileSettings(
  ctx: CompileContext,
  g: GatewaySection,
  tls: GatewayTls,
  extra: Pick<GatewaySettings, 'hostname' | 'loopSecret' | 'loopSecretSource'>,
): GatewaySettings {
  const limits = g.limits ?? {};
  return {
    hostname: extra.hostname,
    maxMessageBytes: g.maxMessageBytes ?? DEFAULTS.gateway.maxMessageBytes,
    maxRecipients: g.maxRecipients ?? DEFAULTS.gateway.maxRecipients,
    greetingDelayMs: g.greetingDelayMs ?? DEFAULTS.gateway.greetingDelayMs,
    limits: {
      maxConnections: limits.maxConnections ?? DEFAULTS.limits.maxConnections,
      maxConnectionsPerUpstream: limits.maxConnectionsPerUpstream ?? DEFAULTS.limits.maxConnectionsPerUpstream,
      ...(limits.maxCommandLineBytes !== undefined ? { maxCommandLineBytes: limits.maxCommandLineBytes } : {}),
    },
    timeouts: { ...DEFAULTS.timeouts, ...g.timeouts },
    tls: tls.settings,
    inspection: compileInspection(g.inspection),
    incidents: compileIncidents(ctx, g.incidents),
    drain: { ...DEFAULTS.drain, ...g.drain },
    spool: {
      dir: g.spool?.dir !== undefined ? resolvePath(ctx, g.spool.dir) : defaultSpoolDir(),
      memoryThresholdBytes: g.spool?.memoryThresholdBytes ?? DEFAULTS.spool.memoryThresholdBytes,
    },
    loopSecret: extra.loopSecret,
    loopSecretSource: extra.loopSecretSource,
    loopMaxAgeSeconds: g.loop?.maxAgeSeconds ?? DEFAULTS.loop.maxAgeSeconds,
    ...(g.shadow !== undefined ? { shadow: { dir: resolvePath(ctx, g.shadow.dir) } } : {}),
    dns: compileDns(ctx, g.dns),
    mtaSts: compileMtaSts(g.mtaSts, g.mtaSts?.trust === undefined ? undefined : compileTrust(ctx, '/gateway/mtaSts/trust', g.mtaSts.trust, 'gateway.mtaSts.trust')),
  };
}

function checkBlocks(ctx: CompileContext, pointer: string, blocks: readonly string[]): void {
  blocks.forEach((block, i) => {
    if (!parseCidr(block)) report(ctx, `${pointer}/${i}`, 'RG_GRAPH_CIDR_INVALID', `"${block}" is not an IPv4/IPv6 address or CIDR block`, 'write e.g. 192.0.2.10, 192.0.2.0/24 or 2001:db8::/64');
  });
}

export function compileListeners(ctx: CompileContext, entries: readonly ListenerEntry[]): Listener[] {
  return entries.map((l, i) => {
    if (l.proxyProtocol) checkBlocks(ctx, `/gateway/listen/${i}/proxyProtocol/trusted`, l.proxyProtocol.trusted);
    return { address: l.address, port: l.port, ...(l.proxyProtocol ? { proxyProtocol: { trusted: [...l.proxyProtocol.trusted] } } : {}) };
  });
}

/** The re-injection listener is the upstream MTA itself, so its own trust list verifies it. */
function compileReflect(tls: GatewayTls, r: ReflectSection, trust: CompiledTrust): NonNullable<Upstream['reflect']> {
  const serverName = r.tls?.serverName ?? r.host;
  const settings = {
    starttls: r.tls?.starttls ?? DEFAULTS.reflectTls.starttls,
    verifyHostname: r.tls?.verifyHostname ?? DEFAULTS.reflectTls.verifyHostname,
    ...(serverName !== undefined ? { serverName } : {}),
  };
  return { ...(r.host !== undefined ? { host: r.host } : {}), port: r.port, tls: compileOutboundTls(tls, settings, trust) };
}

export function compileUpstream(ctx: CompileContext, u: UpstreamEntry, i: number, tls: GatewayTls, maxPerUpstream: number): Upstream {
  const pointer = `/upstreams/${i}`;
  checkBlocks(ctx, `${pointer}/addresses`, u.addresses);
  const trust = compileTrust(ctx, `${pointer}/tls/trust`, u.tls?.trust ?? [], `upstreams[${u.name}].tls.trust`);
  const inbound = compileInboundTls(
    ctx,
    `${pointer}/tls`,
    tls,
    // Without a gateway certificate there is nothing to offer: an unset starttls means disabled.
    u.tls?.starttls ?? (tls.settings.identity ? DEFAULTS.upstreamTls.starttls : 'disabled'),
    u.tls?.clientCertificate ?? DEFAULTS.upstreamTls.clientCertificate,
    trust,
  );
  const reflect = u.mode === 'reflect' && u.reflect ? { reflect: compileReflect(tls, u.reflect, trust) } : {};
  return {
    name: u.name,
    addresses: [...u.addresses],
    mode: u.mode,
    ...reflect,
    inbound,
    xclient: u.xclient ?? DEFAULTS.upstream.xclient,
    maxConnections: u.maxConnections ?? maxPerUpstream,
  };
}

export function compileReceiver(ctx: CompileContext, r: ReceiverEntry, i: number, tls: GatewayTls): Receiver {
  const trust = compileTrust(ctx, `/receivers/${i}/tls/trust`, r.tls?.trust ?? [], `receivers[${r.name}].tls.trust`);
  const mx = compileMx(ctx, r, i, tls, trust);
  const host = r.host ?? '';
  const serverName = r.tls?.serverName ?? r.host;
  return {
    name: r.name,
    host,
    port: r.port ?? MX_DEFAULTS.port,
    ...(mx === undefined ? {} : { mx }),
    tls: compileOutboundTls(
      tls,
      {
        starttls: r.tls?.starttls ?? DEFAULTS.receiverTls.starttls,
        verifyHostname: r.tls?.verifyHostname ?? DEFAULTS.receiverTls.verifyHostname,
        ...(serverName === undefined ? {} : { serverName }),
      },
      trust,
    ),
    maxConnections: r.maxConnections ?? DEFAULTS.receiver.maxConnections,
    maxMessagesPerConnection: r.maxMessagesPerConnection ?? DEFAULTS.receiver.maxMessagesPerConnection,
  };
}

export function compileRoute(ctx: CompileContext, route: RouteEntry, index: number, receivers: ReadonlyMap<string, Receiver>): Route {
  const resolved: Receiver[] = [];
  route.receivers.forEach((name, j) => {
    const receiver = receivers.get(name);
    if (receiver) resolved.push(receiver);
    else report(ctx, `/routes/${index}/receivers/${j}`, 'RG_CFG_REF_UNKNOWN', `no receiver named "${name}"${didYouMean(name, receivers.keys())}`);
  });
  return { index, domains: [...route.domains], receivers: resolved, strategy: route.strategy ?? DEFAULTS.route.strategy };
}
