// One mail transaction of an inbound session, from MAIL to the final reply, and the record it leaves.
import { nextId } from '../ids.js';
import { performance } from 'node:perf_hooks';
import type { SMTPServerAddress } from 'smtp-server';
import type { Route } from '../../graph/types.js';
import type { LegTls } from '../leg-tls.js';
import type { TransactionOutcome, TransactionRecord } from './transaction-record.js';
import type { LegTarget } from '../route/leg-targets.js';
import type { RelayConnection } from '../relay/relay-client.js';
import { replyText } from '../reply.js';
import type { SmtpReply } from '../reply.js';

/** The open receiving leg of a transaction. */
export interface ReceivingLeg {
  readonly conn: RelayConnection;
  readonly target: LegTarget;
  /** Identity of the receiver set the recipients were routed to ('' in reflect mode). */
  readonly receiverSet: string;
}

export interface Recipient {
  readonly address: string;
  readonly args: SMTPServerAddress['args'];
}

/** receiving: the body is still arriving; data: received in full, being inspected and relayed. */
export type TransactionStage = 'envelope' | 'receiving' | 'data' | 'finished';

export interface Timings {
  receiveMs: number;
  inspectMs: number;
  deliverMs: number;
}

export class Transaction {
  readonly id = nextId();
  readonly sender: string;
  readonly mailArgs: SMTPServerAddress['args'];
  readonly recipients: Recipient[] = [];
  readonly timings: Timings = { receiveMs: 0, inspectMs: 0, deliverMs: 0 };
  readonly #abort = new AbortController();
  stage: TransactionStage = 'envelope';
  leg: ReceivingLeg | null = null;
  route: Route | null = null;
  /** The receiving MTA refused MAIL (forward mode learns it at the first RCPT): every RCPT gets this. */
  senderRefusal: SmtpReply | null = null;
  size = 0;
  decision = 'none';
  policies: readonly string[] = [];
  downstreamReply: SmtpReply | null = null;
  receivingTls: LegTls | undefined;
  #mark = performance.now();

  constructor(from: SMTPServerAddress) {
    this.sender = from.address;
    this.mailArgs = from.args;
  }

  /** The final dot went to the receiving MTA and its reply is due: the outcome is the receiver's now, not ours. */
  get committed(): boolean {
    return this.leg?.conn.awaitingFinalReply === true;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  abort(reason: string): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(new Error(reason));
  }

  /** Milliseconds since the previous lap (or the start). */
  lap(): number {
    const now = performance.now();
    const ms = now - this.#mark;
    this.#mark = now;
    return Math.round(ms * 10) / 10;
  }

  recipientAddresses(): string[] {
    return this.recipients.map((r) => r.address);
  }
}

export interface RecordContext {
  readonly sessionId: string;
  readonly upstream: string;
  readonly mode: 'forward' | 'reflect';
  readonly inboundTls?: LegTls;
  readonly client?: { readonly address: string; readonly hostname: string };
}

export function transactionRecord(tx: Transaction, ctx: RecordContext, outcome: TransactionOutcome, reply: string): TransactionRecord {
  return {
    transactionId: tx.id,
    sessionId: ctx.sessionId,
    upstream: ctx.upstream,
    mode: ctx.mode,
    ...(tx.leg === null ? {} : { receiver: tx.leg.target.name }),
    sender: tx.sender,
    recipients: tx.recipientAddresses(),
    size: tx.size,
    outcome,
    reply,
    ...(tx.downstreamReply === null ? {} : { downstreamReply: replyLine(tx.downstreamReply) }),
    ...(ctx.inboundTls === undefined ? {} : { inboundTls: ctx.inboundTls }),
    ...(tx.receivingTls === undefined ? {} : { receivingTls: tx.receivingTls }),
    ...(ctx.client === undefined ? {} : { client: ctx.client }),
    decision: tx.decision,
    policies: tx.policies,
    timings: { ...tx.timings },
  };
}

function replyLine(r: SmtpReply): string {
  return replyText(r);
}

