// DATA, deciding half: loop check, inspection, verdict, then the lockstep relay of header block + spool
// to the receiving MTA. The upstream hears the receiving MTA's own final reply — never a 250 of ours.
import { rewriteHeaders } from '../../policy/decide/rewrite.js';
import { hasHeaderEdits } from '../../policy/decide/verdict.js';
import { HEADER_SCAN_LIMIT, parseHeaderFields } from './header-fields.js';
import { LOOP_HEADER, MAX_HOPS, checkLoop, loopHeaderValue, policyRevision } from './loop-header.js';
import type { LoopBinding } from './loop-header.js';
import { inspect } from './message-inspection.js';
import { RelayError, toUpstreamReply } from '../relay/relay-client.js';
import { upstreamReply } from '../reply-class.js';
import { reply, replies } from '../reply.js';
import { retarget } from './redirect.js';
import { formatHeader, formatReceived } from './trace-headers.js';
import { endTransaction, outcomeOf } from './transaction-end.js';
import type { HeaderEdits } from '../../policy/policy-set.js';
import type { Verdict } from '../../policy/decide/verdict.js';
import type { TransactionContext, TransactionSession } from './transaction-context.js';
import type { HeaderField } from './header-fields.js';
import type { SmtpReply } from '../reply.js';
import type { Spool } from './spool.js';
import type { ReceivingLeg, Transaction } from './transaction.js';

export const LOOP_DETECTED: SmtpReply = reply(554, '5.4.6', 'mail loop detected');

/** Decides and relays a fully received message; always ends the transaction. */
export async function processMessage(ctx: TransactionContext, s: TransactionSession, tx: Transaction, spool: Spool): Promise<SmtpReply> {
  if (spool.exceeded) return finish(ctx, s, tx, 'rejected', replies.tooBig(ctx.graph.gateway.maxMessageBytes), true);
  if (tx.leg === null) return finish(ctx, s, tx, 'tempfailed', replies.internalError('no receiving leg'), false);
  const fields = parseHeaderFields(await spool.slice(0, Math.min(spool.bodyStart, HEADER_SCAN_LIMIT)));
  const { loopSecret, hostname, loopMaxAgeSeconds } = ctx.graph.gateway;
  // The envelope as inspected: a redirect later changes where it goes, not what was inspected.
  const binding = loopBinding(ctx, s, tx, spool);
  const loop = checkLoop(loopSecret, hostname, fields, binding, { now: Date.now() / 1000, maxAgeSeconds: loopMaxAgeSeconds });
  if (loop.hops >= MAX_HOPS) {
    tx.decision = 'loop';
    return finish(ctx, s, tx, 'rejected', LOOP_DETECTED, true);
  }
  if (loop.valid > 0) {
    tx.decision = 'loop-skip';
    return relay(ctx, s, tx, spool, { fields, edits: undefined, loop: undefined });
  }
  const inspection = await inspect(ctx, s, tx, spool);
  tx.timings.inspectMs = tx.lap();
  if (tx.signal.aborted) return finish(ctx, s, tx, 'aborted', replies.connectionLost('session ended during inspection'), false);
  const v = inspection.verdict;
  tx.policies = v.matches.map((m) => m.policy);
  tx.decision = decisionText(v);
  switch (v.kind) {
    case 'block':
    case 'tempfail':
      return finish(ctx, s, tx, v.kind === 'block' ? 'blocked' : 'tempfailed', reply(v.reply.code, v.reply.enhanced, v.reply.text), true);
    case 'redirect': {
      const moved = await retarget(ctx, s, tx, v.recipients);
      if (moved !== null) return finish(ctx, s, tx, 'tempfailed', moved, tx.leg !== null && tx.leg.conn.usable);
      return relay(ctx, s, tx, spool, { fields, edits: v.headerEdits, loop: binding });
    }
    case 'modify':
    case 'pass':
      return relay(ctx, s, tx, spool, { fields, edits: v.headerEdits, loop: binding });
    default: {
      const never: never = v;
      return never;
    }
  }
}

/** "block", "pass (unscannable: encrypted, limit)", "tempfail (inspection failed: budget exceeded)". */
function decisionText(v: Verdict): string {
  if (v.inspection.status !== 'ok') return `${v.kind} (inspection failed: ${v.inspection.reason})`;
  if (v.unscannable !== undefined && v.unscannable.length > 0) return `${v.kind} (unscannable: ${[...new Set(v.unscannable.map((p) => p.reason))].join(', ')})`;
  return v.kind;
}

interface RelayPlan {
  readonly fields: readonly HeaderField[];
  readonly edits: HeaderEdits | undefined;
  /** What the new loop header binds; undefined when the message already carries our valid one. */
  readonly loop: LoopBinding | undefined;
}

async function relay(ctx: TransactionContext, s: TransactionSession, tx: Transaction, spool: Spool, plan: RelayPlan): Promise<SmtpReply> {
  const leg = tx.leg as ReceivingLeg;
  const rewrite = plan.edits !== undefined && hasHeaderEdits(plan.edits);
  const head = rewrite ? rewriteHeaders(await spool.slice(0, spool.bodyStart), plan.edits as HeaderEdits) : null;
  // Minted over the header fields as relayed, so a policy's edits (a Subject prefix) still validate on the next pass.
  const loop = plan.loop === undefined ? '' : loopHeader(ctx, head === null ? plan.fields : parseHeaderFields(head), plan.loop);
  const prefix = Buffer.from(traceHeaders(ctx, s, tx, leg) + loop, 'latin1');
  const body = bodyChunks(prefix, head, spool, rewrite ? spool.bodyStart : 0);
  try {
    const final = await leg.conn.data(body);
    tx.timings.deliverMs = tx.lap();
    tx.downstreamReply = final;
    // A reply outside 2xx/4xx/5xx leaves the connection in an unknown state: never pool it.
    return finish(ctx, s, tx, outcomeOf(final), final, upstreamReply(final) === final);
  } catch (err) {
    tx.timings.deliverMs = tx.lap();
    if (err instanceof RelayError) ctx.services.observer.relayError({ receiver: leg.target.name, kind: err.code });
    const r = tx.signal.aborted ? replies.connectionLost('session closed during delivery') : toUpstreamReply(err);
    return finish(ctx, s, tx, tx.signal.aborted ? 'aborted' : 'tempfailed', r, false);
  }
}

function loopBinding(ctx: TransactionContext, s: TransactionSession, tx: Transaction, spool: Spool): LoopBinding {
  return { sender: tx.sender, recipients: tx.recipientAddresses(), upstream: s.upstream.name, policyRevision: policyRevision(ctx.graph), bodyDigest: spool.bodyDigest() };
}

function loopHeader(ctx: TransactionContext, fields: readonly HeaderField[], binding: LoopBinding): string {
  const { loopSecret, hostname } = ctx.graph.gateway;
  return formatHeader(LOOP_HEADER, loopHeaderValue(loopSecret, hostname, fields, binding, Date.now() / 1000));
}

async function* bodyChunks(prefix: Buffer, head: Buffer | null, spool: Spool, from: number): AsyncGenerator<Buffer> {
  yield prefix;
  if (head !== null) yield head;
  yield* spool.read(from);
}

function traceHeaders(ctx: TransactionContext, s: TransactionSession, tx: Transaction, leg: ReceivingLeg): string {
  const session = s.connection.session;
  return formatReceived({
    hostname: ctx.graph.gateway.hostname,
    transactionId: tx.id,
    helo: session.hostNameAppearsAs || 'unknown',
    clientHostname: session.clientHostname || 'unknown',
    clientAddress: session.remoteAddress,
    protocol: session.transmissionType || 'ESMTP',
    ...(s.inboundTls === undefined ? {} : { inboundTls: s.inboundTls }),
    receiver: leg.target.name,
    ...(tx.receivingTls === undefined ? {} : { receivingTls: tx.receivingTls }),
    recipients: tx.recipientAddresses(),
    date: new Date(),
  });
}

function finish(ctx: TransactionContext, s: TransactionSession, tx: Transaction, outcome: Parameters<typeof endTransaction>[3], r: SmtpReply, reusable: boolean): SmtpReply {
  endTransaction(ctx, s, tx, outcome, r, { reusable });
  return r;
}
