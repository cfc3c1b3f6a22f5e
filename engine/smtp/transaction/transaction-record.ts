// The record one mail transaction leaves: the transaction log line and its metrics (re-exported from
// engine-api.ts for the runtime's observer).
import type { LegTls } from '../leg-tls.js';

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
