// smtp-server options for one inbound TLS profile of a generation, and the per-session command set.
import type { SMTPServerOptions } from 'smtp-server';
import type { InboundTls, RoutingGraph, Upstream } from '../../graph/types.js';

/** The prebuilt server TLS options an upstream uses, or null when it gets no STARTTLS at all. */
export function tlsProfileOf(graph: RoutingGraph, u: Upstream): Readonly<NonNullable<InboundTls['serverOptions']>> | null {
  if (u.inbound.starttls === 'disabled' || graph.gateway.tls.identity === undefined) return null;
  return u.inbound.serverOptions ?? null;
}

export function serverOptionsFor(
  graph: RoutingGraph,
  profile: ReturnType<typeof tlsProfileOf>,
  hooks: Partial<SMTPServerOptions>,
): SMTPServerOptions {
  const g = graph.gateway;
  const proxyCommands = graph.upstreams.some((u) => u.xclient);
  // smtp-server keeps and mutates the options object: always hand it a fresh one.
  return {
    name: g.hostname,
    banner: 'relayguard',
    size: g.maxMessageBytes,
    maxRecipients: g.maxRecipients,
    disabledCommands: ['AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    hidePIPELINING: false,
    hide8BITMIME: false,
    hideSMTPUTF8: false,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    hideREQUIRETLS: true,
    hideSTARTTLS: profile === null,
    // Allowed server-wide, then taken away per session from upstreams without xclient: true.
    useXClient: proxyCommands,
    useXForward: proxyCommands,
    socketTimeout: g.timeouts.idleMs,
    ...(g.limits.maxCommandLineBytes === undefined ? {} : { maxCommandLength: g.limits.maxCommandLineBytes }),
    logger: false,
    ...(profile === null ? {} : { ...profile, rejectUnauthorized: false }),
    ...hooks,
  };
}

/** Replaces the server-wide list for this session (smtp-server's session.disabledCommands). */
export function sessionDisabledCommands(graph: RoutingGraph, u: Upstream): string[] {
  const out = ['AUTH'];
  if (!u.xclient) out.push('XCLIENT', 'XFORWARD');
  if (tlsProfileOf(graph, u) === null) out.push('STARTTLS');
  return out;
}
