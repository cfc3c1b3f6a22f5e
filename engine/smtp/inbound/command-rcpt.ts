// RCPT TO. Each recipient is answered with the receiving MTA's own reply to it. In forward mode the
// first routed recipient fixes the receiver set and opens the leg (deferred MAIL + this RCPT); a later
// recipient routed to a different receiver set gets 452 4.5.3 so the upstream sends it separately.
import { domainOf, mailParams, rcptParams, wireAddress, addressProblem } from '../transaction/envelope-params.js';
import { errorText, openLeg } from '../transaction/open-leg.js';
import { RelayError, toUpstreamReply } from '../relay/relay-client.js';
import { isAccepted } from '../reply-class.js';
import { reply, replies } from '../reply.js';
import { routeDestination } from '../route/route-destination.js';
import { endTransaction } from '../transaction/transaction-end.js';
import type { SMTPServerAddress } from 'smtp-server';
import type { Route } from '../../graph/types.js';
import type { EngineContext } from './engine-context.js';
import type { LegTarget } from '../route/leg-targets.js';
import type { InboundSession } from './inbound-session.js';
import type { SmtpReply } from '../reply.js';
import type { Transaction } from '../transaction/transaction.js';

const NO_TRANSACTION: SmtpReply = reply(503, '5.5.1', 'Error: need MAIL command');

export async function onRcpt(ctx: EngineContext, s: InboundSession, to: SMTPServerAddress): Promise<SmtpReply> {
  const tx = s.transaction;
  if (tx === null) return NO_TRANSACTION;
  if (tx.senderRefusal !== null) return tx.senderRefusal;
  const bad = addressProblem(to.address);
  if (bad !== undefined) return bad;
  const r = await (s.upstream.mode === 'forward' ? forwardRcpt(ctx, s, tx, to) : legRcpt(ctx, s, tx, to));
  if (isAccepted(r) && tx.stage === 'envelope') tx.recipients.push({ address: to.address, args: to.args });
  return r;
}

async function forwardRcpt(ctx: EngineContext, s: InboundSession, tx: Transaction, to: SMTPServerAddress): Promise<SmtpReply> {
  const domain = domainOf(wireAddress(to.address));
  const route = ctx.graph.router.lookup(domain);
  if (route === undefined) return reply(550, '5.7.1', `relay to ${domain || to.address} is not permitted (no route)`);
  // MX receivers resolve the domain here (DNS failure 4xx, null MX 556); listed receivers need nothing.
  const dest = await routeDestination(ctx, route, domain);
  if (!dest.ok) return dest.reply;
  if (tx.stage === 'finished') return replies.connectionLost('session ended');
  if (tx.leg === null) return firstRcpt(ctx, s, tx, route, dest, to);
  if (tx.leg.receiverSet !== dest.key) return replies.mixedRoutes();
  return legRcpt(ctx, s, tx, to);
}

async function firstRcpt(ctx: EngineContext, s: InboundSession, tx: Transaction, route: Route, dest: { readonly key: string; readonly targets: () => readonly LegTarget[] }, to: SMTPServerAddress): Promise<SmtpReply> {
  const result = await openLeg(
    ctx,
    dest.targets(),
    {
      from: wireAddress(tx.sender),
      params: (caps) => mailParams(tx.mailArgs, caps),
      rcpts: (caps) => [{ address: wireAddress(to.address), params: rcptParams(to.args, caps) }],
    },
    tx.signal,
  );
  if (!result.ok) {
    // 421 4.4.1: every receiver of the route failed; the session closes and the upstream retries later.
    endTransaction(ctx, s, tx, 'tempfailed', result.reply, { reusable: false });
    return result.reply;
  }
  const { conn, mail, rcpts, tls, target } = result.opened;
  if (tx.stage === 'finished') {
    ctx.services.pool.release(conn, { reusable: false });
    return replies.connectionLost('session ended');
  }
  tx.leg = { conn, target, receiverSet: dest.key };
  tx.route = route;
  tx.receivingTls = tls;
  if (!isAccepted(mail)) {
    tx.senderRefusal = mail;
    tx.downstreamReply = mail;
    return mail;
  }
  return rcpts[0] ?? replies.internalError('no reply to RCPT');
}

async function legRcpt(ctx: EngineContext, s: InboundSession, tx: Transaction, to: SMTPServerAddress): Promise<SmtpReply> {
  const leg = tx.leg;
  if (leg === null) return NO_TRANSACTION;
  try {
    return await leg.conn.rcpt(wireAddress(to.address), rcptParams(to.args, leg.conn.capabilities));
  } catch (err) {
    const r = err instanceof RelayError ? toUpstreamReply(err) : replies.internalError(errorText(err));
    if (err instanceof RelayError) ctx.services.observer.relayError({ receiver: leg.target.name, kind: err.code });
    endTransaction(ctx, s, tx, 'tempfailed', r, { reusable: false });
    return r;
  }
}
