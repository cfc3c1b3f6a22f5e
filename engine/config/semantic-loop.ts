// The loop header's key must be a secret: from gateway.loop.secretFile, or derived from the gateway's
// private key. A key derived from anything public (the hostname) would let anyone mint a header that
// skips inspection, so a config with neither is invalid — not a warning.
import type { Diagnostic } from './diagnostic.js';
import { report } from './topology-context.js';
import type { TopologyContext } from './topology-context.js';

export function checkLoopSecret(ctx: TopologyContext): Diagnostic[] {
  const g = ctx.data.gateway;
  if (g.loop?.secretFile !== undefined || g.tls?.key !== undefined) return [];
  return [
    report(ctx, g.loop !== undefined ? '/gateway/loop' : '/gateway', {
      code: 'RG_CFG_LOOP_SECRET_MISSING',
      message: 'the loop header has no secret to be signed with: set gateway.loop.secretFile, or give the gateway a key (gateway.tls.key)',
      hint: 'openssl rand -hex 32 > loop.secret, then gateway: { loop: { secretFile: loop.secret } } (every instance that shares mail needs the same file)',
      at: 'key',
    }),
  ];
}
