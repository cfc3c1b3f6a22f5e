// Routes against receivers and upstream modes: references resolve, forward mode has somewhere to go, nothing is dead.
import type { Diagnostic } from './diagnostic.js';
import { joinPointer } from './pointer.js';
import { closest, shortList } from './suggest.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

export function checkRoutes(ctx: TopologyContext): Diagnostic[] {
  return [...checkReceiverRefs(ctx), ...checkForwardCoverage(ctx), ...checkUnusedReceivers(ctx), ...checkShadowedDomains(ctx)];
}

function checkReceiverRefs(ctx: TopologyContext): Diagnostic[] {
  const known = (ctx.data.receivers ?? []).map((r) => r.name);
  const names = new Set(known);
  const out: Diagnostic[] = [];
  (ctx.data.routes ?? []).forEach((route, i) => {
    route.receivers.forEach((name, j) => {
      if (names.has(name)) return;
      const guess = closest(name, known);
      out.push(
        report(ctx, joinPointer('', 'routes', i, 'receivers', j), {
          code: 'RG_CFG_REF_UNKNOWN',
          message: `no receiver named ${JSON.stringify(name)} (${known.length > 0 ? `known: ${shortList(known)}` : 'no receivers are defined'})`,
          hint: guess ? `did you mean ${JSON.stringify(guess)}?` : 'add it under receivers, or fix the name',
        }),
      );
    });
  });
  return out;
}

function checkForwardCoverage(ctx: TopologyContext): Diagnostic[] {
  const forward = ctx.data.upstreams.findIndex((u) => u.mode === 'forward');
  const routes = ctx.data.routes ?? [];
  if (forward < 0) {
    if (routes.length === 0) return [];
    return [report(ctx, '/routes', { code: 'RG_CFG_ROUTES_UNUSED', severity: 'warning', at: 'key', message: 'routes are defined but no upstream uses mode: forward, so no route is ever used' })];
  }
  const name = ctx.data.upstreams[forward]?.name ?? '';
  if (routes.length === 0) {
    return [
      report(ctx, joinPointer('', 'upstreams', forward, 'mode'), {
        code: 'RG_CFG_NO_ROUTES',
        message: `upstream ${JSON.stringify(name)} uses mode: forward, but there are no routes to forward to`,
        hint: 'add receivers and a route, e.g. routes: [{ domains: ["*"], receivers: [mx-out-1] }]',
      }),
    ];
  }
  if (routes.some((r) => r.domains.includes('*'))) return [];
  return [
    report(ctx, '/routes', {
      code: 'RG_CFG_NO_DEFAULT_ROUTE',
      severity: 'warning',
      at: 'key',
      message: `no route matches "*": mail from forward upstreams (e.g. ${JSON.stringify(name)}) to any other domain is rejected`,
      hint: 'end the routes with { domains: ["*"], receivers: [...] } if every domain should be relayed',
    }),
  ];
}

function checkUnusedReceivers(ctx: TopologyContext): Diagnostic[] {
  const used = new Set((ctx.data.routes ?? []).flatMap((r) => r.receivers));
  const out: Diagnostic[] = [];
  (ctx.data.receivers ?? []).forEach((r, i) => {
    if (used.has(r.name)) return;
    out.push(
      report(ctx, joinPointer('', 'receivers', i, 'name'), {
        code: 'RG_CFG_RECEIVER_UNUSED',
        severity: 'warning',
        message: `receiver ${JSON.stringify(r.name)} is not used by any route`,
        hint: 'name it in a route, or remove it',
      }),
    );
  });
  return out;
}

/** First match wins, so a domain listed again later (or anything after "*") can never match there. */
function checkShadowedDomains(ctx: TopologyContext): Diagnostic[] {
  const seen = new Map<string, number>();
  let catchAll: number | undefined;
  const out: Diagnostic[] = [];
  (ctx.data.routes ?? []).forEach((route, i) => {
    route.domains.forEach((domain, j) => {
      const key = domain.toLowerCase().replace(/\.$/, '');
      const earlier = catchAll ?? seen.get(key);
      if (earlier !== undefined && earlier !== i) {
        out.push(
          report(ctx, joinPointer('', 'routes', i, 'domains', j), {
            code: 'RG_CFG_ROUTE_SHADOWED',
            severity: 'warning',
            message: `${JSON.stringify(domain)} never matches here: routes[${earlier}] already matches it (first match wins)`,
            hint: 'remove it, or move this route before the earlier one',
          }),
        );
      }
      if (!seen.has(key)) seen.set(key, i);
    });
    if (route.domains.includes('*')) catchAll ??= i;
  });
  return out;
}
