// Opening a transaction on the receiving leg: acquire from the pool, MAIL (+ RCPTs, pipelined when
// offered) with parameters fitted to the receiver's capabilities; fail over across receivers on
// transport failures. A reused pooled connection that proves dead at MAIL is replaced, since nothing
// of the transaction was accepted yet.
import { RelayError } from '../relay/relay-client.js';
import { replies } from '../reply.js';
import type { TransactionContext } from './transaction-context.js';
import type { LegTarget } from '../route/leg-targets.js';
import type { PipelinedReplies, RelayCapabilities, RelayConnection, RelayRecipient } from '../relay/relay-client.js';
import type { SmtpReply } from '../reply.js';
import type { LegTls } from '../leg-tls.js';

export interface EnvelopeRequest {
  readonly from: string;
  readonly params: (caps: RelayCapabilities) => readonly string[];
  readonly rcpts: (caps: RelayCapabilities) => readonly RelayRecipient[];
}

export type Opened = PipelinedReplies & { readonly conn: RelayConnection; readonly target: LegTarget; readonly tls: LegTls | undefined };

export type OpenResult = { readonly ok: true; readonly opened: Opened } | { readonly ok: false; readonly reply: SmtpReply };

const STALE_RETRIES = 2;

export async function openLeg(ctx: TransactionContext, targets: readonly LegTarget[], env: EnvelopeRequest, signal: AbortSignal): Promise<OpenResult> {
  const causes: string[] = [];
  for (const target of targets) {
    try {
      return { ok: true, opened: await beginOn(ctx, target, env, signal) };
    } catch (err) {
      if (!(err instanceof RelayError) || signal.aborted) return { ok: false, reply: replies.internalError(errorText(err)) };
      ctx.services.observer.relayError({ receiver: target.name, kind: err.code });
      ctx.logger.warn({ code: err.code, receiver: target.name, phase: err.phase }, `receiving MTA ${target.name} failed: ${err.message}`);
      causes.push(`${target.label ?? `${target.name} (${target.opts.host}:${target.opts.port})`} [${err.code}] ${err.message}`);
    }
  }
  return { ok: false, reply: replies.unreachable(causes.join('; ')) };
}

async function beginOn(ctx: TransactionContext, target: LegTarget, env: EnvelopeRequest, signal: AbortSignal): Promise<Opened> {
  const pool = ctx.services.pool;
  for (let attempt = 0; ; attempt++) {
    const conn = await pool.acquire(target.opts, signal);
    const reused = conn.transactions > 0;
    if (!reused) reportHandshake(ctx, target, conn);
    try {
      const got = await conn.mailAndRcpts(env.from, env.params(conn.capabilities), env.rcpts(conn.capabilities));
      if (reused && got.mail.code === 421 && attempt < STALE_RETRIES) {
        pool.release(conn, { reusable: false });
        continue;
      }
      return { conn, target, tls: legTls(conn), ...got };
    } catch (err) {
      pool.release(conn, { reusable: false });
      const stale = reused && err instanceof RelayError && err.code === 'RG_RELAY_CONNECTION_LOST';
      if (!stale || attempt >= STALE_RETRIES) throw err;
    }
  }
}

export function legTls(conn: RelayConnection): LegTls | undefined {
  const t = conn.tlsInfo;
  if (t === null) return undefined;
  return {
    protocol: t.protocol,
    cipher: t.cipher,
    verified: t.verified,
    ...(t.peerSubject === undefined ? {} : { peerSubject: t.peerSubject }),
    ...(t.peerFingerprint === undefined ? {} : { peerFingerprint: t.peerFingerprint }),
  };
}

function reportHandshake(ctx: TransactionContext, target: LegTarget, conn: RelayConnection): void {
  const t = conn.tlsInfo;
  const address = `${target.opts.host}:${target.opts.port}`;
  if (t === null) {
    if (conn.tlsFallback !== null) {
      ctx.services.observer.tlsHandshake({ leg: 'receiving', peer: target.name, address, result: 'failed', reason: conn.tlsFallback });
      ctx.logger.warn({ leg: 'receiving', peer: target.name, address }, `receiving leg to ${target.name} runs in clear: ${conn.tlsFallback}`);
    }
    return;
  }
  const result = t.verified === true ? 'ok' : 'unverified';
  if (result === 'unverified') {
    ctx.logger.warn({ leg: 'receiving', peer: target.name, address, fingerprint256: t.peerFingerprint }, `TLS to ${target.name} (${address}) not authenticated (gateway.tls.authenticate: false); its certificate ${t.peerSubject ?? ''} SHA-256 ${t.peerFingerprint ?? 'unknown'} would have to be trusted`);
  }
  ctx.services.observer.tlsHandshake({
    leg: 'receiving',
    peer: target.name,
    address,
    result,
    protocol: t.protocol,
    cipher: t.cipher,
    ...(t.peerFingerprint === undefined ? {} : { fingerprint256: t.peerFingerprint }),
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
