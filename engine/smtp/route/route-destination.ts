// Where a recipient's mail goes on its route: listed receivers as they are, `mx` receivers as the MX
// hosts of the domain (DNS) with their TLS decisions. The key says which recipients may share one
// receiving leg: listed receivers by name, MX receivers by resolved host set and policy.
import { receiverSetKey, rotate } from './route-cursor.js';
import { isPermanent } from '../reply.js';
import type { Route } from '../../graph/types.js';
import type { RouteContext } from './route-context.js';
import type { LegTarget } from './leg-targets.js';
import type { SmtpReply } from '../reply.js';

export type Destination =
  | { readonly ok: true; readonly key: string; readonly targets: () => readonly LegTarget[] }
  | { readonly ok: false; readonly reply: SmtpReply };

export function routeUsesMx(route: Route): boolean {
  return route.receivers.some((r) => r.mx !== undefined);
}

export async function routeDestination(ctx: RouteContext, route: Route, domain: string): Promise<Destination> {
  // `targets` is lazy: the round-robin cursor advances once per opened leg, not once per RCPT.
  if (!routeUsesMx(route)) return { ok: true, key: receiverSetKey(route), targets: () => rotate(route.receivers, ctx.cursor.start(route)).map((r) => ctx.targets.receiver(r)) };
  const keys: string[] = [];
  const lists: (readonly LegTarget[])[] = [];
  let refusal: SmtpReply | undefined;
  for (const r of route.receivers) {
    if (r.mx === undefined) {
      keys.push(r.name);
      lists.push([ctx.targets.receiver(r)]);
      continue;
    }
    const plan = await ctx.mx.plan(r, domain);
    // A permanent answer (null MX, no such domain) is the domain's own word: no other receiver changes it.
    if (!plan.ok && isPermanent(plan.reply)) return plan;
    if (!plan.ok) {
      refusal ??= plan.reply;
      keys.push(`${r.name}:unavailable`);
      continue;
    }
    if (plan.skipped.length > 0) ctx.logger.info({ receiver: r.name, domain }, `${domain}: ${plan.skipped.join('; ')}`);
    keys.push(plan.key);
    lists.push(plan.targets);
  }
  if (lists.length === 0) return { ok: false, reply: refusal ?? { code: 451, enhanced: '4.4.3', lines: [`no next hop for ${domain}`] } };
  return { ok: true, key: keys.join('\n\n'), targets: () => rotate(lists, ctx.cursor.start(route)).flat() };
}
