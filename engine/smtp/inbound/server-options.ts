// smtp-server options for one inbound TLS profile of a generation, and the per-session command set.
import type { SMTPServerOptions } from 'smtp-server';
import type { InboundTls, RoutingGraph, Upstream } from '../../graph/types.js';

/** The prebuilt server TLS options an upstream uses, or null when it gets no STARTTLS at all. */
export function tlsProfileOf(graph: RoutingGraph, u: Upstream): Readonly<NonNullable<InboundTls['serverOptions']>> | null {
  if (u.inbound.starttls === 'disabled' || graph.gateway.tls.identity === undefined) return null;
  return u.inbound.serverOptions ?? null;
}

/**
 * Options of the inbound server for the upstreams with this TLS profile and this `xclient` setting. The
 * commands an upstream may not use are the server's own disabledCommands, not a per-session list:
 * smtp-server checks a session's list (`session.disabledCommands`) by trimming and upper-casing each
 * entry on every lookup, several lookups per command, while the server-wide list is a plain `includes`.
 */
export function serverOptionsFor(
  graph: RoutingGraph,
  profile: ReturnType<typeof tlsProfileOf>,
  xclient: boolean,
  hooks: Partial<SMTPServerOptions>,
): SMTPServerOptions {
  const g = graph.gateway;
  // smtp-server keeps and mutates the options object: always hand it a fresh one.
  return {
    name: g.hostname,
    banner: 'relayguard',
    size: g.maxMessageBytes,
    maxRecipients: g.maxRecipients,
    disabledCommands: disabledCommands(profile, xclient),
    authOptional: true,
    disableReverseLookup: true,
    hidePIPELINING: false,
    hide8BITMIME: false,
    hideSMTPUTF8: false,
    hideENHANCEDSTATUSCODES: false,
    hideDSN: false,
    hideREQUIRETLS: true,
    hideSTARTTLS: profile === null,
    // Only the servers of upstreams with xclient: true offer and accept XCLIENT/XFORWARD.
    useXClient: xclient,
    useXForward: xclient,
    socketTimeout: g.timeouts.idleMs,
    ...(g.limits.maxCommandLineBytes === undefined ? {} : { maxCommandLength: g.limits.maxCommandLineBytes }),
    logger: false,
    ...(profile === null ? {} : { ...profile, rejectUnauthorized: false }),
    ...hooks,
  };
}

/** AUTH always; XCLIENT/XFORWARD without xclient: true; STARTTLS without a TLS profile. */
export function disabledCommands(profile: ReturnType<typeof tlsProfileOf>, xclient: boolean): string[] {
  const out = ['AUTH'];
  if (!xclient) out.push('XCLIENT', 'XFORWARD');
  if (profile === null) out.push('STARTTLS');
  return out;
}
