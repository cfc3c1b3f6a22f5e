// Redirect verdicts: the receiving leg is re-targeted to the redirect recipients. Simplest correct
// approach: RSET the current transaction, then MAIL + RCPT to the redirect addresses — on the same leg
// when they route to the same receiver set (always, in reflect mode) and its DATA is not open yet,
// on a new connection to the same receiver when it is, else on a leg opened by routing the first
// redirect address's domain. Returns null when the leg is ready for DATA, else the reply for
// the upstream (a 4xx: the message is never delivered to the original recipients instead).
import { domainOf, mailParams, wireAddress } from './envelope-params.js';
import { openLeg } from './open-leg.js';
import { RelayError, toUpstreamReply } from '../relay/relay-client.js';
import { isAccepted } from '../reply-class.js';
import { replies, replyText } from '../reply.js';
import { routeDestination } from '../route/route-destination.js';
import type { TransactionContext, TransactionSession } from './transaction-context.js';
import type { SmtpReply } from '../reply.js';
import type { ReceivingLeg, Transaction } from './transaction.js';

export async function retarget(ctx: TransactionContext, s: TransactionSession, tx: Transaction, to: readonly string[]): Promise<SmtpReply | null> {
  const leg = tx.leg as ReceivingLeg;
  const route = s.upstream.mode === 'forward' ? ctx.graph.router.lookup(domainOf(wireAddress(to[0] ?? ''))) : undefined;
  if (s.upstream.mode === 'forward' && route === undefined) return replies.tempfail(`no route for redirect recipient ${to[0] ?? ''}`);
  // MX receivers resolve the redirect domain; a refusal (even a 5xx such as null MX) stays a 4xx here.
  const dest = route === undefined ? undefined : await routeDestination(ctx, route, domainOf(wireAddress(to[0] ?? '')));
  if (dest !== undefined && !dest.ok) return replies.tempfail(`redirect recipient ${to[0] ?? ''}: ${replyText(dest.reply)}`);
  // Where the redirected envelope goes: the current receiver set (always in reflect mode), else the route's.
  const next =
    dest === undefined || dest.key === leg.receiverSet
      ? { same: true, targets: [leg.target], receiverSet: leg.receiverSet }
      : { same: false, targets: dest.targets(), receiverSet: dest.key };
  const rcpts = to.map((a) => wireAddress(a));
  try {
    // a leg already inside DATA cannot be reset: it is closed (the receiver discards) and reopened
    if (next.same && !leg.conn.dataOpen) {
      const reset = await leg.conn.rset();
      if (!isAccepted(reset)) return replies.tempfail(`receiving MTA refused RSET for redirect: ${replyText(reset)}`);
      const got = await leg.conn.mailAndRcpts(wireAddress(tx.sender), mailParams(tx.mailArgs, leg.conn.capabilities), rcpts);
      return acceptedAny(got.mail, got.rcpts);
    }
    ctx.services.pool.release(leg.conn, { reusable: true });
    tx.leg = null;
    const opened = await openLeg(ctx, next.targets, { from: wireAddress(tx.sender), params: (caps) => mailParams(tx.mailArgs, caps), rcpts: () => rcpts }, tx.signal);
    if (!opened.ok) return opened.reply;
    tx.leg = { conn: opened.opened.conn, target: opened.opened.target, receiverSet: next.receiverSet };
    tx.receivingTls = opened.opened.tls;
    return acceptedAny(opened.opened.mail, opened.opened.rcpts);
  } catch (err) {
    return err instanceof RelayError ? toUpstreamReply(err) : replies.internalError(String(err));
  }
}

/** Ready when MAIL and at least one redirect recipient were accepted. */
function acceptedAny(mail: SmtpReply, rcpts: readonly SmtpReply[]): SmtpReply | null {
  if (!isAccepted(mail)) return replies.tempfail(`receiving MTA refused the redirect sender: ${replyText(mail)}`);
  if (rcpts.some(isAccepted)) return null;
  return replies.tempfail(`receiving MTA refused every redirect recipient: ${rcpts.map(replyText).join('; ')}`);
}
