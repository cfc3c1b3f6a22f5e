// Receivers found by MX lookup: exactly one of host and mx, TLS settings that belong to one kind only,
// and DANE without validating resolvers (it could never authenticate).
import type { Diagnostic } from './diagnostic.js';
import type { ReceiverEntry } from './generated/topology.js';
import { joinPointer } from './pointer.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

export function checkMxReceivers(ctx: TopologyContext): Diagnostic[] {
  return (ctx.data.receivers ?? []).flatMap((r, i) => checkReceiver(ctx, r, joinPointer('', 'receivers', i)));
}

function checkReceiver(ctx: TopologyContext, r: ReceiverEntry, at: string): Diagnostic[] {
  const name = JSON.stringify(r.name);
  if (r.host === undefined && r.mx === undefined) {
    return [
      report(ctx, at, {
        code: 'RG_CFG_RECEIVER_NO_HOST',
        at: 'key',
        message: `receiver ${name} names neither host nor mx`,
        hint: 'set host: (a listed next hop) or mx: recipient (the MX hosts of each recipient domain)',
      }),
    ];
  }
  if (r.host !== undefined && r.mx !== undefined) {
    return [
      report(ctx, `${at}/mx`, {
        code: 'RG_CFG_RECEIVER_HOST_AND_MX',
        message: `receiver ${name} names both host and mx; a next hop is either listed or found by MX lookup`,
        hint: 'remove host, or remove mx',
      }),
    ];
  }
  const out: Diagnostic[] = [];
  const tls = r.tls ?? {};
  if (r.mx === undefined) {
    if (tls.policy !== undefined)
      out.push(
        report(ctx, `${at}/tls/policy`, {
          code: 'RG_CFG_TLS_POLICY_NO_MX',
          message: `receiver ${name} sets tls.policy, which only applies to receivers with mx`,
          hint: 'use tls.starttls and tls.verifyHostname for a listed host',
        }),
      );
    if (tls.fallback !== undefined)
      out.push(
        report(ctx, `${at}/tls/fallback`, {
          code: 'RG_CFG_TLS_POLICY_NO_MX',
          message: `receiver ${name} sets tls.fallback, which only applies to receivers with mx`,
          hint: 'remove tls.fallback',
        }),
      );
    return out;
  }
  for (const key of ['starttls', 'verifyHostname', 'serverName'] as const) {
    if (tls[key] !== undefined) {
      out.push(
        report(ctx, `${at}/tls/${key}`, {
          code: 'RG_CFG_TLS_MX_SETTING',
          message: `receiver ${name} is found by MX lookup; tls.${key} does not apply (each MX host is checked by tls.policy)`,
          hint: 'use tls.policy: may | encrypt | verify | mta-sts | dane',
        }),
      );
    }
  }
  const policy = tls.policy ?? 'may';
  if (tls.fallback !== undefined && policy !== 'dane' && policy !== 'mta-sts') {
    out.push(
      report(ctx, `${at}/tls/fallback`, {
        code: 'RG_CFG_TLS_FALLBACK_UNUSED',
        severity: 'warning',
        message: `tls.fallback only applies to tls.policy mta-sts or dane (this receiver uses ${policy})`,
        hint: 'remove tls.fallback',
      }),
    );
  }
  if (policy === 'dane' && ctx.data.gateway.dns?.servers === undefined) {
    out.push(
      report(ctx, `${at}/tls/policy`, {
        code: 'RG_CFG_DANE_NO_RESOLVER',
        severity: 'warning',
        message: `receiver ${name} uses tls.policy: dane, but gateway.dns.servers names no validating resolver; the system's resolvers are never trusted for DANE, so every domain gets tls.fallback`,
        hint: 'run a validating resolver on loopback (unbound) and list it in gateway.dns.servers',
      }),
    );
  }
  return out;
}
