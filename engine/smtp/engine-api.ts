// The contract between the runtime (listeners, graph holder, metrics, logs) and the SMTP engine.
// The runtime owns sockets and generations; the engine owns everything SMTP on an accepted socket.
// The types a lower layer of the engine needs are declared there and re-exported here, so that this
// file sits on top of engine/smtp and nothing in it imports it back.
import type { Socket } from 'node:net';
import type { RoutingGraph } from '../graph/types.js';
import type { ConnectionMeta } from './inbound/connection-meta.js';
import type { RefusedSockets } from './inbound/refused-sockets.js';
import type { TransactionObserver, TransactionServices } from './transaction/transaction-context.js';

export type { ConnectionMeta } from './inbound/connection-meta.js';
export type { LegTls, TlsHandshakeEvent, TlsLeg, TlsResult } from './leg-tls.js';
export type { IncidentSink } from './transaction/transaction-context.js';
export type { TransactionOutcome, TransactionRecord } from './transaction/transaction-record.js';

export type RefusalReason = 'unknown-client' | 'limit' | 'draining';

/** Implemented by the runtime (metrics + logs); every method is synchronous and cheap. */
export interface EngineObserver extends TransactionObserver {
  sessionOpened(e: { readonly sessionId: string; readonly upstream?: string; readonly remoteAddress: string }): void;
  sessionRefused(e: { readonly remoteAddress: string; readonly reason: RefusalReason }): void;
  sessionClosed(e: { readonly sessionId: string; readonly upstream?: string }): void;
}

export interface EngineServices extends TransactionServices {
  readonly observer: EngineObserver;
  /** The runtime's private per-process directory for a configured spool dir (spool-dir.ts); absent: the dir itself. */
  readonly spoolDir?: (configured: string) => string;
  /** Bounded lingering of refused sockets, shared by every generation; absent: the engine keeps its own. */
  readonly refusals?: RefusedSockets;
}

/** One per graph generation, created by the runtime when a graph goes live. */
export interface GenerationEngine {
  /** Upstream lookup, limits, greeting — then the SMTP session runs on this socket until it closes. */
  accept(socket: Socket, meta: ConnectionMeta): void;
  readonly activeSessions: number;
  readonly activeTransactions: number;
  /** Stop starting transactions; let in-flight DATA finish; at `deadline` (epoch ms) send 421 4.3.2 to stragglers and close. */
  drain(deadline: number): Promise<void>;
}

/** createGenerationEngine (generation-engine.ts) has this type. */
export type CreateGenerationEngine = (graph: RoutingGraph, services: EngineServices) => GenerationEngine;
