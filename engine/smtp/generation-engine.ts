// One SMTP engine per graph generation: inbound servers (one per TLS profile, built once), session
// admission (upstream lookup, connection limits), per-session wiring, counters and drain.
import { inspectionSettingsOf } from '../graph/inspection-settings.js';
import { admissionBudget } from './inbound/admission.js';
import { nextId } from './ids.js';
import { InboundServer, installReplyOverride } from './inbound/inbound-server.js';
import { RefusedSockets } from './inbound/refused-sockets.js';
import { InboundSession } from './inbound/inbound-session.js';
import { sessionHooks } from './inbound/inbound-hooks.js';
import { LegTargets } from './route/leg-targets.js';
import { MxTargets } from './route/mx-targets.js';
import { RouteCursor } from './route/route-cursor.js';
import { reply } from './reply.js';
import { endTransaction } from './transaction/transaction-end.js';
import { SHUTTING_DOWN } from './inbound/command-mail.js';
import { serverOptionsFor, tlsProfileOf } from './inbound/server-options.js';
import type { Socket } from 'node:net';
import type { SMTPServerSession } from 'smtp-server';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { RoutingGraph, Upstream } from '../graph/types.js';
import type { ConnectionMeta, EngineServices, GenerationEngine, RefusalReason } from './engine-api.js';
import type { EngineContext } from './inbound/engine-context.js';
import type { TransactionSession } from './transaction/transaction-context.js';
import type { SmtpReply } from './reply.js';

type Admission = { readonly ok: true; readonly upstream: Upstream } | { readonly ok: false; readonly reason: RefusalReason; readonly reply: SmtpReply };

const SESSION_EXPIRED: SmtpReply = reply(421, '4.4.2', 'session time limit reached, closing connection');
/** After the drain deadline, how long stragglers get to read their 421 before their sockets are destroyed. */
const STRAGGLER_GRACE_MS = 1_000;

export function createGenerationEngine(graph: RoutingGraph, services: EngineServices): GenerationEngine {
  return new SmtpGeneration(graph, services);
}

class SmtpGeneration implements GenerationEngine {
  readonly #graph: RoutingGraph;
  readonly #services: EngineServices;
  readonly #ctx: EngineContext;
  /** One server per TLS profile (keyed by the profile object, or this for none) and xclient setting. */
  readonly #servers = new Map<object, { proxy?: InboundServer; plain?: InboundServer }>();
  readonly #sessions = new Set<InboundSession>();
  readonly #byLibrarySession = new WeakMap<SMTPServerSession, InboundSession>();
  readonly #perUpstream = new Map<string, number>();
  readonly #idle = new Set<() => void>();
  readonly #refusals: RefusedSockets;
  #transactions = 0;
  #draining = false;
  /** The drain deadline passed: a session whose last committed transaction ended goes at once. */
  #expired = false;

  constructor(graph: RoutingGraph, services: EngineServices) {
    this.#graph = graph;
    this.#services = services;
    this.#refusals = services.refusals ?? new RefusedSockets();
    const g = graph.gateway;
    this.#ctx = {
      graph,
      services,
      logger: services.logger,
      targets: new LegTargets(graph, services.logger, services.observer),
      mx: new MxTargets(graph, services.logger),
      cursor: new RouteCursor(),
      spool: { dir: services.spoolDir?.(g.spool.dir) ?? g.spool.dir, memoryThresholdBytes: g.spool.memoryThresholdBytes, maxBytes: g.maxMessageBytes },
      analysisLimits: inspectionSettingsOf(g.inspection).limits,
      admission: admissionBudget(services, g.inspection.maxConcurrentBytes),
      isDraining: () => this.#draining,
      transactionStarted: () => void this.#transactions++,
      transactionEnded: (s) => this.#transactionEnded(s),
    };
    const hooks = sessionHooks(
      this.#ctx,
      (session) => this.#byLibrarySession.get(session),
      (s) => this.#closed(s),
    );
    for (const u of graph.upstreams) this.#serverFor(u, hooks);
  }

  get activeSessions(): number {
    return this.#sessions.size;
  }

  get activeTransactions(): number {
    return this.#transactions;
  }

  accept(socket: Socket, meta: ConnectionMeta): void {
    // A socket that died in the runtime's hands (PROXY header, peer reset) would never report 'close' to a session.
    if (socket.destroyed) return;
    const admission = this.#admit(meta);
    if (admission.ok) return this.#open(socket, meta, admission.upstream);
    this.#services.observer.sessionRefused({ remoteAddress: meta.remoteAddress, reason: admission.reason });
    this.#services.logger.info({ remoteAddress: meta.remoteAddress, reason: admission.reason }, `connection refused: ${admission.reply.lines.join(' ')}`);
    this.#refusals.refuse(socket, admission.reply);
  }

  drain(deadline: number): Promise<void> {
    this.#draining = true;
    for (const s of this.#sessions) if (s.transaction === null) s.shutdown(SHUTTING_DOWN);
    if (this.#sessions.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#idle.delete(done);
        resolve();
      };
      const timer = setTimeout(() => this.#expire(done), Math.max(0, deadline - Date.now()));
      timer.unref();
      this.#idle.add(done);
    });
  }

  /**
   * The drain deadline: 421 to everyone left, in-flight relays aborted, sockets destroyed shortly after —
   * except a transaction whose final dot already went out. The receiver may have queued it, so cutting
   * the leg and answering 421 would make the upstream send it again. It gets the receiver's own reply
   * (bounded by the leg's dataMs), then the 421 (#transactionEnded).
   */
  #expire(done: () => void): void {
    this.#expired = true;
    for (const s of this.#sessions) {
      const tx = s.transaction;
      if (tx?.committed === true) continue;
      tx?.abort('drain deadline');
      // Now, not when the upstream socket has closed: the body may still be streaming to the receiver,
      // and its dot must not follow the 421 the upstream is about to get.
      tx?.leg?.conn.close();
      s.shutdown(SHUTTING_DOWN);
    }
    const hard = setTimeout(() => {
      for (const s of this.#sessions) if (s.transaction?.committed !== true) s.connection._socket.destroy();
      if (this.#sessions.size === 0) done();
    }, STRAGGLER_GRACE_MS);
    hard.unref();
  }

  #admit(meta: ConnectionMeta): Admission {
    if (this.#draining) return { ok: false, reason: 'draining', reply: SHUTTING_DOWN };
    const u = this.#graph.upstreamByAddress.lookup(meta.remoteAddress);
    if (u === undefined) return { ok: false, reason: 'unknown-client', reply: reply(554, '5.7.1', `${meta.remoteAddress} is not an allowed upstream of this gateway`) };
    const limits = this.#graph.gateway.limits;
    // upstream.maxConnections already defaults to limits.maxConnectionsPerUpstream in compile.
    if (this.#sessions.size >= limits.maxConnections || (this.#perUpstream.get(u.name) ?? 0) >= u.maxConnections) {
      return { ok: false, reason: 'limit', reply: reply(421, '4.7.0', `too many connections from ${u.name}, try again later`) };
    }
    return { ok: true, upstream: u };
  }

  #serverFor(u: Upstream, hooks: ReturnType<typeof sessionHooks>): InboundServer {
    const profile = tlsProfileOf(this.#graph, u);
    const key = profile ?? this;
    let byKind = this.#servers.get(key);
    if (byKind === undefined) {
      byKind = {};
      this.#servers.set(key, byKind);
    }
    const kind = u.xclient ? 'proxy' : 'plain';
    let server = byKind[kind];
    if (server === undefined) {
      server = new InboundServer(serverOptionsFor(this.#graph, profile, u.xclient, hooks), this.#graph.gateway.greetingDelayMs);
      server.on('error', (err: Error) => this.#services.logger.debug({ err }, `inbound connection error: ${err.message}`));
      byKind[kind] = server;
    }
    return server;
  }

  #open(socket: Socket, meta: ConnectionMeta, u: Upstream): void {
    const server = this.#servers.get(tlsProfileOf(this.#graph, u) ?? this)?.[u.xclient ? 'proxy' : 'plain'];
    if (server === undefined) return this.#refusals.refuse(socket, reply(421, '4.3.0', 'no inbound profile for this upstream'));
    const id = nextId();
    server.startSession(socket, meta, id, (connection) => this.#bind(connection, id, u, meta));
    // After the greeting, which startSession has written unless gateway.greetingDelayMs holds it: the
    // observer's work (metrics labels, a debug line) is not on the client's wait for its 220.
    this.#services.observer.sessionOpened({ sessionId: id, upstream: u.name, remoteAddress: meta.remoteAddress });
  }

  #bind(connection: SMTPConnection, id: string, u: Upstream, meta: ConnectionMeta): void {
    const s = new InboundSession(id, u, meta, connection);
    this.#sessions.add(s);
    this.#perUpstream.set(u.name, (this.#perUpstream.get(u.name) ?? 0) + 1);
    this.#byLibrarySession.set(connection.session, s);
    connection.on('error', (err: Error) => this.#connectionError(s, err));
    installReplyOverride(connection, () => s.takeReply(), () => s.replies.written());
    const reset = connection._resetSession.bind(connection);
    connection._resetSession = (): void => {
      reset();
      this.#onReset(s);
    };
    this.#armSessionLimit(s);
    s.ready();
  }

  /** A failed STARTTLS handshake surfaces as a connection error while the upgrade is in progress. */
  #connectionError(s: InboundSession, err: Error): void {
    if (!s.connection._upgrading) return;
    const address = `${s.meta.remoteAddress}:${s.meta.remotePort}`;
    this.#services.observer.tlsHandshake({ leg: 'inbound', peer: s.upstream.name, address, result: 'failed', reason: err.message });
    this.#services.logger.warn({ leg: 'inbound', peer: s.upstream.name, address, code: 'RG_TLS_INBOUND_HANDSHAKE' }, `inbound TLS handshake with upstream ${s.upstream.name} (${address}) failed: ${err.message}`);
  }

  /** RSET, HELO/EHLO, STARTTLS, XCLIENT: an envelope in progress is abandoned and its leg reset. */
  #onReset(s: InboundSession): void {
    const tx = s.transaction;
    if (tx !== null && tx.stage === 'envelope') endTransaction(this.#ctx, s, tx, 'aborted', 'transaction reset by the upstream', { reusable: true });
  }

  #closed(s: InboundSession): void {
    if (s.closed) return;
    const tx = s.close();
    if (tx !== null) {
      // Envelope only (a callout, a client giving up): ended before the abort, so an idle leg is RSET back into
      // the pool rather than closed (a busy one is closed by the pool); the abort then stops any RCPT in flight.
      const stage = tx.stage;
      if (stage === 'envelope') endTransaction(this.#ctx, s, tx, 'aborted', 'connection closed by the upstream', { reusable: true });
      tx.abort('upstream connection closed');
      // stage data: the DATA handler sees the abort and ends the transaction itself.
      // A committed leg stays: closing it cannot take the message back, and its reply goes into the record.
      if (tx.leg !== null && (stage === 'receiving' || stage === 'data') && !tx.committed) tx.leg.conn.close();
    }
    this.#sessions.delete(s);
    const n = (this.#perUpstream.get(s.upstream.name) ?? 1) - 1;
    if (n <= 0) this.#perUpstream.delete(s.upstream.name);
    else this.#perUpstream.set(s.upstream.name, n);
    this.#services.observer.sessionClosed({ sessionId: s.id, upstream: s.upstream.name });
    if (this.#sessions.size === 0) for (const done of [...this.#idle]) done();
  }

  #transactionEnded(s: TransactionSession): void {
    this.#transactions = Math.max(0, this.#transactions - 1);
    // After the reply to the command that ended it has been written.
    if (this.#draining) setImmediate(() => s.transaction === null && s.shutdown(SHUTTING_DOWN));
    // Past the deadline the upstream gets a moment to read both replies, then the socket goes.
    if (this.#expired) setTimeout(() => s.closed || s.connection._socket.destroy(), STRAGGLER_GRACE_MS).unref();
  }

  #armSessionLimit(s: InboundSession): void {
    const ms = this.#graph.gateway.timeouts.sessionMs;
    if (ms <= 0) return;
    const expire = (): void => {
      if (s.closed) return;
      // A message fully received is being inspected or relayed: let it finish. One still
      // arriving is not protected, or a client dripping its body could hold the session forever.
      if (s.transaction?.stage === 'data') {
        s.limitTimer = setTimeout(expire, 1_000).unref();
        return;
      }
      s.transaction?.abort('session time limit');
      s.shutdown(SESSION_EXPIRED);
    };
    s.limitTimer = setTimeout(expire, ms).unref();
  }
}
