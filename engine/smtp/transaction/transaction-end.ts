// The one place a transaction ends: leg released (reused only when clean), record emitted, counters.
import { replyText } from '../reply.js';
import { transactionRecord } from './transaction.js';
import type { TransactionOutcome } from './transaction-record.js';
import type { TransactionContext, TransactionSession } from './transaction-context.js';
import type { SmtpReply } from '../reply.js';
import type { Transaction } from './transaction.js';

export interface EndOptions {
  /** false after a transport failure or an abort mid-DATA: the connection is closed, never pooled. */
  readonly reusable: boolean;
}

/**
 * The state changes and the record are made now; the record goes to the observer (metrics, the log
 * line) right after the upstream's reply is written when the session is writing one (the DATA reply),
 * so that work is not on the reply's critical path. Same tick: whoever reads a record or a metric
 * after seeing the reply finds it there.
 */
export function endTransaction(ctx: TransactionContext, s: TransactionSession, tx: Transaction, outcome: TransactionOutcome, reply: SmtpReply | string, opts: EndOptions): void {
  if (tx.stage === 'finished') return;
  tx.stage = 'finished';
  const leg = tx.leg;
  if (leg !== null) ctx.services.pool.release(leg.conn, { reusable: opts.reusable && !tx.signal.aborted });
  if (s.transaction === tx) s.end();
  const inboundTls = s.inboundTls;
  const record = transactionRecord(
    tx,
    {
      sessionId: s.id,
      upstream: s.upstream.name,
      mode: s.upstream.mode,
      client: s.client(),
      ...(inboundTls === undefined ? {} : { inboundTls }),
    },
    outcome,
    typeof reply === 'string' ? reply : replyText(reply),
  );
  const report = (): void => {
    ctx.services.observer.transactionFinished(record);
    // The runtime's observer writes the info line for operators; this one is for debugging the engine.
    if (ctx.logger.isLevelEnabled('debug')) ctx.logger.debug({ ...record, event: 'transaction' }, `${record.outcome}: ${record.reply}`);
    ctx.transactionEnded(s);
  };
  if (s.afterReply?.(report) !== true) report();
}

/** Outcome implied by a reply the upstream gets for its DATA. */
export function outcomeOf(r: SmtpReply): TransactionOutcome {
  if (r.code >= 200 && r.code < 300) return 'delivered';
  return r.code >= 500 ? 'rejected' : 'tempfailed';
}
