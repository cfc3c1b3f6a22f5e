// smtp-server's callback hooks → the engine's async command handlers, and their replies → the
// library's callbacks. Every reply goes through the session's reply override (installReplyOverride).
import { onMail } from './command-mail.js';
import { onRcpt } from './command-rcpt.js';
import { GATEWAY_BUSY, declaredSize } from './admission.js';
import { AdmissionRefused, receiveMessage, SpoolError } from './command-data.js';
import { processMessage } from '../transaction/deliver.js';
import { onSecure } from './inbound-tls.js';
import { errorText } from '../transaction/open-leg.js';
import { isAccepted, upstreamReply } from '../reply-class.js';
import { reply, replies, replyText } from '../reply.js';
import { endTransaction } from '../transaction/transaction-end.js';
import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from 'smtp-server';
import type { EngineContext } from './engine-context.js';
import type { Reservation } from './admission.js';
import type { InboundSession } from './inbound-session.js';
import type { Transaction } from '../transaction/transaction.js';
import type { SmtpReply } from '../reply.js';

export type SessionLookup = (session: SMTPServerSession) => InboundSession | undefined;

type Callback = (err?: Error | null) => void;

const DATA_TOO_SLOW: SmtpReply = reply(421, '4.4.2', 'message not received within the DATA time limit, closing connection');
const LOST: SmtpReply = reply(421, '4.4.2', 'session state lost, closing connection');

function smtpError(r: SmtpReply): Error & { responseCode: number } {
  return Object.assign(new Error(replyText(r)), { responseCode: r.code });
}

/**
 * Hands a reply to smtp-server: positive through the success path (so it keeps its state), else as an
 * error. smtp-server writes it inside `cb`; the reports of a transaction that ended with it follow.
 */
function answer(ctx: EngineContext, s: InboundSession, cb: Callback, given: SmtpReply, kind: CommandKind): void {
  const r = upstreamReply(given);
  s.setReply(r);
  const write = (): void => (isAccepted(r) ? cb() : cb(smtpError(r)));
  try {
    if (kind === 'envelope') s.replies.answer(write);
    else write();
  } finally {
    try {
      s.replied();
    } catch (err) {
      ctx.logger.error({ err, sessionId: s.id }, `internal error after the reply: ${errorText(err)}`);
    }
  }
}

/**
 * `envelope`: MAIL and RCPT, whose replies to a pipelined group go out as one write (reply-batch.ts).
 * `data`: the end of the transaction is reported after the final reply is written (transaction-end.ts).
 */
type CommandKind = 'envelope' | 'data';

function run(s: InboundSession | undefined, cb: Callback, work: (s: InboundSession) => Promise<SmtpReply>, ctx: EngineContext, kind: CommandKind): void {
  if (s === undefined) return cb(smtpError(LOST));
  if (kind === 'envelope') s.replies.started();
  else s.holdReports();
  const respond = (r: SmtpReply): void => answer(ctx, s, cb, r, kind);
  work(s).then(
    respond,
    (err: unknown) => {
      ctx.logger.error({ err, sessionId: s.id }, `internal error: ${errorText(err)}`);
      const r = replies.internalError('unexpected error');
      const tx = s.transaction;
      if (tx !== null) endTransaction(ctx, s, tx, 'tempfailed', r, { reusable: false });
      respond(r);
    },
  );
}

export function sessionHooks(ctx: EngineContext, lookup: SessionLookup, closed: (s: InboundSession) => void): Partial<SMTPServerOptions> {
  return {
    onConnect: (_session, cb) => cb(),
    onClose: (session) => {
      const s = lookup(session);
      if (s !== undefined) closed(s);
    },
    onSecure: (socket, session, cb) => {
      const s = lookup(session);
      if (s === undefined) return cb(smtpError(LOST));
      const result = onSecure(ctx, s, socket);
      if (result.ok) {
        s.inboundTls = result.tls;
        return cb();
      }
      s.setReply(result.reply);
      cb(smtpError(result.reply));
    },
    onMailFrom: (from: SMTPServerAddress, session, cb) => run(lookup(session), cb, (s) => onMail(ctx, s, from), ctx, 'envelope'),
    onRcptTo: (to: SMTPServerAddress, session, cb) => run(lookup(session), cb, (s) => onRcpt(ctx, s, to), ctx, 'envelope'),
    onData: (stream: SMTPServerDataStream, session, cb) => run(lookup(session), cb, (s) => onData(ctx, s, stream), ctx, 'data'),
  };
}

async function onData(ctx: EngineContext, s: InboundSession, stream: SMTPServerDataStream): Promise<SmtpReply> {
  const tx = s.transaction;
  if (tx === null) {
    stream.resume();
    await new Promise((resolve) => stream.once('end', resolve).once('close', resolve));
    return reply(503, '5.5.1', 'Error: need MAIL command');
  }
  tx.stage = 'receiving';
  tx.lap();
  // The receiving leg's DATA round trip overlaps the upstream's body transfer (relay-client beginData).
  // smtp-server writes the 354 after this hook returns: the receiver's DATA goes out after it, so the
  // upstream's 354 does not wait behind the leg's write system call.
  queueMicrotask(() => {
    if (tx.stage === 'receiving') tx.leg?.conn.beginData();
  });
  // A total time budget for receiving the body: bytes dripping in keep the idle timer quiet (slowloris).
  const budget = setTimeout(() => {
    tx.abort('DATA time budget exceeded');
    s.shutdown(DATA_TOO_SLOW);
  }, ctx.graph.gateway.timeouts.dataMs);
  budget.unref();
  // Held until the transaction is over: the bytes stay in memory (spool, analysis) until then.
  const admission = ctx.admission.reserve();
  try {
    return await receiveAndProcess(ctx, s, tx, stream, admission, budget);
  } finally {
    admission.release();
  }
}

async function receiveAndProcess(ctx: EngineContext, s: InboundSession, tx: Transaction, stream: SMTPServerDataStream, admission: Reservation, budget: NodeJS.Timeout): Promise<SmtpReply> {
  let spool;
  try {
    spool = await receiveMessage(ctx, stream, admission, declaredSize(tx.mailArgs), tx.signal);
  } catch (err) {
    if (err instanceof AdmissionRefused) {
      ctx.logger.warn({ sessionId: s.id, transactionId: tx.id, code: err.code, inUse: ctx.admission.inUse, limit: ctx.admission.limit }, err.message);
      // the receiving leg is already in DATA: it is closed without the final dot, never reused
      endTransaction(ctx, s, tx, 'tempfailed', GATEWAY_BUSY, { reusable: false });
      return GATEWAY_BUSY;
    }
    if (err instanceof SpoolError) {
      ctx.logger.error({ err, sessionId: s.id, code: err.code }, err.message);
      const r = replies.internalError(err.message);
      endTransaction(ctx, s, tx, 'tempfailed', r, { reusable: false });
      return r;
    }
    const r = replies.connectionLost(`message not received in full: ${errorText(err)}`);
    endTransaction(ctx, s, tx, 'aborted', r, { reusable: true });
    return r;
  } finally {
    clearTimeout(budget);
  }
  if (tx.stage === 'receiving') tx.stage = 'data';
  tx.timings.receiveMs = tx.lap();
  tx.size = spool.size;
  try {
    return await processMessage(ctx, s, tx, spool);
  } finally {
    await spool.dispose();
  }
}
