// MAIL FROM. Forward mode opens nothing yet (the route depends on the recipients); reflect mode opens
// the leg back to the upstream's re-injection listener and answers with that MTA's own reply.
import { addressProblem, mailParams, wireAddress } from '../transaction/envelope-params.js';
import { openLeg } from '../transaction/open-leg.js';
import { reply, replies } from '../reply.js';
import { endTransaction } from '../transaction/transaction-end.js';
import { Transaction } from '../transaction/transaction.js';
import type { SMTPServerAddress } from 'smtp-server';
import type { EngineContext } from './engine-context.js';
import type { InboundSession } from './inbound-session.js';
import type { SmtpReply } from '../reply.js';

export const SHUTTING_DOWN: SmtpReply = reply(421, '4.3.2', 'gateway shutting down, try again later');
const SENDER_OK: SmtpReply = reply(250, '2.1.0', 'Sender OK');

export async function onMail(ctx: EngineContext, s: InboundSession, from: SMTPServerAddress): Promise<SmtpReply> {
  if (ctx.isDraining()) return SHUTTING_DOWN;
  // A required client certificate implies TLS: no certificate (and no TLS) means no mail.
  const inbound = s.upstream.inbound;
  if ((inbound.starttls === 'required' || inbound.clientCertificate === 'required') && !s.connection.session.secure) return replies.tlsRequired();
  const bad = addressProblem(from.address);
  if (bad !== undefined) return bad;
  const tx = new Transaction(from);
  s.begin(tx);
  ctx.transactionStarted(s);
  if (s.upstream.mode === 'forward') return SENDER_OK;
  const target = ctx.targets.reflect(s.upstream, s.meta.remoteAddress);
  const result = await openLeg(ctx, [target], { from: wireAddress(tx.sender), params: (caps) => mailParams(tx.mailArgs, caps), rcpts: () => [] }, tx.signal);
  if (!result.ok) {
    endTransaction(ctx, s, tx, 'tempfailed', result.reply, { reusable: false });
    return result.reply;
  }
  const { conn, mail, tls } = result.opened;
  if (tx.stage === 'finished') {
    // The session went away while the leg opened.
    ctx.services.pool.release(conn, { reusable: false });
    return SHUTTING_DOWN;
  }
  tx.leg = { conn, target: result.opened.target, receiverSet: '' };
  tx.receivingTls = tls;
  if (mail.code < 200 || mail.code > 299) {
    tx.downstreamReply = mail;
    endTransaction(ctx, s, tx, mail.code >= 500 ? 'rejected' : 'tempfailed', mail, { reusable: true });
  }
  return mail;
}
