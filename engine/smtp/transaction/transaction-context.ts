// What the transaction layer sees of its generation and of the inbound session, declared here so that
// it never imports the layers above it: the inbound side's EngineContext and InboundSession satisfy
// these, and the runtime's EngineServices/EngineObserver extend them (engine-api.ts).
import type { Logger } from 'pino';
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { Upstream } from '../../graph/types.js';
import type { InspectionLimits } from '../../policy/extract/limits.js';
import type { Incident } from '../../policy/incidents.js';
import type { LegTls, TlsObserver } from '../leg-tls.js';
import type { RelayPool } from '../relay/relay-pool.js';
import type { SmtpReply } from '../reply.js';
import type { RouteContext } from '../route/route-context.js';
import type { Transaction } from './transaction.js';
import type { TransactionRecord } from './transaction-record.js';

/** Implemented by the runtime (metrics + logs); every method is synchronous and cheap. */
export interface TransactionObserver extends TlsObserver {
  /** One per transaction that reached MAIL; the log line's content. */
  transactionFinished(e: TransactionRecord): void;
  relayError(e: { readonly receiver: string; readonly kind: string }): void;
}

/** Where incident records go: engine/policy's IncidentWriter, or a test double. */
export interface IncidentSink {
  record(incidents: readonly Incident[]): void;
}

export interface TransactionServices {
  readonly logger: Logger;
  readonly observer: TransactionObserver;
  readonly pool: RelayPool;
  readonly incidents?: IncidentSink;
}

/** The inbound session as a transaction sees it (InboundSession implements it). */
export interface TransactionSession {
  readonly id: string;
  readonly upstream: Upstream;
  readonly connection: SMTPConnection;
  readonly inboundTls: LegTls | undefined;
  readonly transaction: Transaction | null;
  readonly closed: boolean;
  /** Ends the current transaction (if any) and returns it. */
  end(): Transaction | null;
  client(): { readonly address: string; readonly hostname: string };
  /** Sends the reply and closes, unless the connection is already going away. */
  shutdown(r: SmtpReply): void;
  /**
   * Takes `report` to run right after the reply now being prepared is written, in the same tick; false
   * when no reply is pending (then the caller runs it at once).
   */
  afterReply?(report: () => void): boolean;
}

export interface TransactionContext extends RouteContext {
  readonly services: TransactionServices;
  readonly analysisLimits: InspectionLimits;
  /** The generation's counters and drain: called once per transaction, after its end. */
  transactionEnded(s: TransactionSession): void;
}
