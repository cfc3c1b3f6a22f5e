// Typed state of one inbound SMTP session: the upstream it belongs to, its phase, its transaction.
import type { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { Upstream } from '../../graph/types.js';
import type { ConnectionMeta } from './connection-meta.js';
import type { LegTls } from '../leg-tls.js';
import { ReplyBatch } from './reply-batch.js';
import type { SmtpReply } from '../reply.js';
import type { Transaction } from '../transaction/transaction.js';
import type { TransactionSession } from '../transaction/transaction-context.js';

export type SessionPhase =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'ready' }
  | { readonly kind: 'transaction'; readonly tx: Transaction }
  | { readonly kind: 'closed' };

const CONNECTING: SessionPhase = Object.freeze({ kind: 'connecting' });
const READY: SessionPhase = Object.freeze({ kind: 'ready' });
const CLOSED: SessionPhase = Object.freeze({ kind: 'closed' });

export class InboundSession implements TransactionSession {
  readonly id: string;
  readonly upstream: Upstream;
  readonly meta: ConnectionMeta;
  readonly connection: SMTPConnection;
  inboundTls: LegTls | undefined;
  /** Holds the replies of a pipelined MAIL/RCPT group for one write. */
  readonly replies: ReplyBatch;
  #phase: SessionPhase = CONNECTING;
  /** gateway.timeouts.sessionMs, when set: cleared when the session closes (see limitTimer). */
  #limit: NodeJS.Timeout | undefined = undefined;
  #pendingReply: SmtpReply | null = null;
  /** Reports held while the DATA reply is being prepared (see afterReply), or null when none is. */
  #afterReply: Array<() => void> | null = null;

  constructor(id: string, upstream: Upstream, meta: ConnectionMeta, connection: SMTPConnection) {
    this.id = id;
    this.upstream = upstream;
    this.meta = meta;
    this.connection = connection;
    this.replies = new ReplyBatch(() => connection._socket);
  }

  get phase(): SessionPhase {
    return this.#phase;
  }

  get transaction(): Transaction | null {
    return this.#phase.kind === 'transaction' ? this.#phase.tx : null;
  }

  /** True while a message is being received, inspected or relayed: drain lets these finish. */
  get inData(): boolean {
    return this.#phase.kind === 'transaction' && (this.#phase.tx.stage === 'receiving' || this.#phase.tx.stage === 'data');
  }

  get closed(): boolean {
    return this.#phase.kind === 'closed';
  }

  ready(): void {
    if (this.#phase.kind !== 'closed') this.#phase = READY;
  }

  begin(tx: Transaction): void {
    this.#phase = { kind: 'transaction', tx };
  }

  /** Ends the current transaction (if any) and returns it. */
  end(): Transaction | null {
    const tx = this.transaction;
    if (tx !== null && this.#phase.kind !== 'closed') this.#phase = READY;
    return tx;
  }

  close(): Transaction | null {
    const tx = this.transaction;
    this.#phase = CLOSED;
    clearTimeout(this.#limit);
    this.#limit = undefined;
    return tx;
  }

  /**
   * The session time limit's timer. Held here so that close() clears it: left pending, it would keep
   * the closed session (its SMTPConnection, socket and parser) reachable until sessionMs had passed.
   */
  set limitTimer(timer: NodeJS.Timeout) {
    if (this.#phase.kind === 'closed') clearTimeout(timer);
    else this.#limit = timer;
  }

  /** The reply smtp-server writes next (see installReplyOverride). */
  setReply(r: SmtpReply): void {
    this.#pendingReply = r;
  }

  takeReply(): SmtpReply | null {
    const r = this.#pendingReply;
    this.#pendingReply = null;
    return r;
  }

  /** The DATA reply is being prepared: reports of a transaction ending meanwhile wait for its write. */
  holdReports(): void {
    this.#afterReply ??= [];
  }

  afterReply(report: () => void): boolean {
    if (this.#afterReply === null) return false;
    this.#afterReply.push(report);
    return true;
  }

  /** The reply was handed to the socket: the held reports run now, in order. */
  replied(): void {
    const held = this.#afterReply;
    this.#afterReply = null;
    if (held !== null) for (const report of held) report();
  }

  /** The client as policies and logs see it: XCLIENT/XFORWARD may have replaced the upstream's address. */
  client(): { readonly address: string; readonly hostname: string } {
    const s = this.connection.session;
    return { address: s.remoteAddress || this.meta.remoteAddress, hostname: s.clientHostname || `[${this.meta.remoteAddress}]` };
  }

  /** Sends 421 and closes, unless the connection is already going away. */
  shutdown(r: SmtpReply): void {
    if (this.connection._closing || this.connection._closed) return;
    this.setReply(r);
    this.connection.send(r.code);
    if (r.code !== 421) this.connection.close();
  }
}
