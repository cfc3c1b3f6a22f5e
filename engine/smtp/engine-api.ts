// The contract between the runtime (listeners, graph holder, metrics, logs) and the SMTP engine.
// The runtime owns sockets and generations; the engine owns everything SMTP on an accepted socket.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { RoutingGraph } from '../graph/types.js';
import type { Incident } from '../policy/incidents.js';
import type { RelayPool } from './relay/relay-pool.js';
import type { RefusedSockets } from './inbound/refused-sockets.js';

export interface ConnectionMeta {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** true when remoteAddress/remotePort came from a PROXY protocol header. */
  readonly proxied: boolean;
}

export type RefusalReason = 'unknown-client' | 'limit' | 'draining';
export type TlsLeg = 'inbound' | 'receiving';
export type TlsResult = 'ok' | 'failed' | 'unverified';

export interface TlsHandshakeEvent {
  readonly leg: TlsLeg;
  /** Upstream or receiver name. */
  readonly peer: string;
  readonly address: string;
  readonly result: TlsResult;
  readonly protocol?: string;
  readonly cipher?: string;
  readonly reason?: string;
  readonly fingerprint256?: string;
  /** Failures: what to do about it (the import/probe command), from describeVerificationFailure. */
  readonly hint?: string;
}

/** TLS facts of one leg as they appear in the transaction log line. */
export interface LegTls {
  readonly protocol: string;
  readonly cipher: string;
  /** true verified, false presented but not verified (authenticate: false), null no peer certificate checked. */
  readonly verified: boolean | null;
  readonly peerSubject?: string;
  readonly peerFingerprint?: string;
}

export type TransactionOutcome = 'delivered' | 'blocked' | 'tempfailed' | 'rejected' | 'aborted';

export interface TransactionRecord {
  readonly transactionId: string;
  readonly sessionId: string;
  readonly upstream: string;
  readonly mode: 'forward' | 'reflect';
  readonly receiver?: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  /** Bytes received from the upstream (after line-ending normalisation). */
  readonly size: number;
  readonly outcome: TransactionOutcome;
  /** What the upstream got, one line. */
  readonly reply: string;
  /** The receiving MTA's final reply (carries its queue id). */
  readonly downstreamReply?: string;
  readonly inboundTls?: LegTls;
  readonly receivingTls?: LegTls;
  /** The original client when the upstream forwarded it with XCLIENT/XFORWARD, else the upstream itself. */
  readonly client?: { readonly address: string; readonly hostname: string };
  /** pass | block | modify | redirect | loop-skip | inspection-failed-pass | none */
  readonly decision: string;
  /** Names of the policies that matched. */
  readonly policies: readonly string[];
  readonly timings: { readonly receiveMs: number; readonly inspectMs: number; readonly deliverMs: number };
}

/** Implemented by the runtime (metrics + logs); every method is synchronous and cheap. */
export interface EngineObserver {
  sessionOpened(e: { readonly sessionId: string; readonly upstream?: string; readonly remoteAddress: string }): void;
  sessionRefused(e: { readonly remoteAddress: string; readonly reason: RefusalReason }): void;
  sessionClosed(e: { readonly sessionId: string; readonly upstream?: string }): void;
  tlsHandshake(e: TlsHandshakeEvent): void;
  /** One per transaction that reached MAIL; the log line's content. */
  transactionFinished(e: TransactionRecord): void;
  relayError(e: { readonly receiver: string; readonly kind: string }): void;
}

/** Where incident records go: engine/policy's IncidentWriter, or a test double. */
export interface IncidentSink {
  record(incidents: readonly Incident[]): void;
}

export interface EngineServices {
  readonly logger: Logger;
  readonly observer: EngineObserver;
  readonly pool: RelayPool;
  readonly incidents?: IncidentSink;
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

export type CreateGenerationEngine = (graph: RoutingGraph, services: EngineServices) => GenerationEngine;

export { createGenerationEngine } from './generation-engine.js';
