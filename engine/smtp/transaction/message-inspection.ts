// Inspection of one spooled message under gateway.inspection (budget, onFailure), plus its incidents.
// A timeout or an exception never becomes a silent pass: policy/inspect.ts turns it into the configured
// failure verdict (tempfail, or pass with an X-Relayguard-Inspection marker).
import { Readable } from 'node:stream';
import { decideFailure } from '../../policy/decide/decide.js';
import { incidentsFrom } from '../../policy/incidents.js';
import { inspectMessage } from '../../policy/inspect.js';
import type { Inspection } from '../../policy/inspect.js';
import type { Envelope } from '../../policy/decide/verdict.js';
import type { TransactionContext, TransactionSession } from './transaction-context.js';
import type { Spool } from './spool.js';
import type { Transaction } from './transaction.js';

export async function inspect(ctx: TransactionContext, s: TransactionSession, tx: Transaction, spool: Spool): Promise<Inspection> {
  const envelope: Envelope = { upstream: s.upstream.name, sender: tx.sender, recipients: tx.recipientAddresses(), transactionId: tx.id };
  const g = ctx.graph.gateway.inspection;
  let result: Inspection;
  try {
    const raw = spool.buffer() ?? Readable.from(spool.read());
    result = await inspectMessage(ctx.graph.policies, raw, envelope, { budgetMs: g.budgetMs, onFailure: g.onFailure, onUnscannable: g.onUnscannable, limits: ctx.analysisLimits }, tx.signal);
  } catch (err) {
    const reason = `inspection failed: ${err instanceof Error ? err.message : String(err)}`;
    ctx.logger.error({ err, transactionId: tx.id }, reason);
    result = { verdict: decideFailure([], envelope, reason, g.onFailure), analysis: undefined };
  }
  recordIncidents(ctx, result, envelope);
  ctx.services.shadow?.offer({ graph: ctx.graph, envelope, live: result, raw: spool.buffer() });
  return result;
}

function recordIncidents(ctx: TransactionContext, result: Inspection, envelope: Envelope): void {
  const sink = ctx.services.incidents;
  if (sink === undefined || result.verdict.matches.length === 0) return;
  try {
    const msg = result.analysis ?? { messageId: '', subject: '' };
    sink.record(incidentsFrom(result.verdict, envelope, msg));
  } catch (err) {
    ctx.logger.error({ err }, 'cannot record incidents');
  }
}
