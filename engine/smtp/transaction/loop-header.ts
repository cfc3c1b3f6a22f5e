// Loop protection. Every relayed message carries
//   X-Relayguard-Loop: <hostname>; v=2; t=<unix seconds>; mac=<hex>
// where mac = HMAC-SHA256(loopSecret) over the hostname, t, the author-controlled header fields
// (Message-ID, Date, From, To, Cc, Subject), SHA-256 of the body, and the inspection it stands for:
// the envelope sender and every recipient (case-normalised, sorted), the upstream it came from and the
// policy revision (policies + inspection settings) that inspected it.
// A valid header therefore proves "this gateway already inspected exactly this message, for exactly
// this envelope, from this upstream, under these policies, less than maxAgeSeconds ago" — and only
// then is inspection skipped. That is the reflect case: a misrouted re-injected message comes back from
// the same MTA with the same envelope within seconds; skipping keeps its verdict stable (no second
// redirect or subject prefix) while the hop count stops it. Anything else is inspected again.
// - Forged, stale (old, v=1) or unbound headers are left in place (evidence) and never skip anything.
// - Hops are counted by this gateway's own Received lines; at MAX_HOPS the message is refused 554 5.4.6.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HeaderField } from './header-fields.js';
import type { RoutingGraph } from '../../graph/types.js';

export const LOOP_HEADER = 'X-Relayguard-Loop';
export const MAX_HOPS = 5;
/** A header minted up to this far in the future still counts (clocks of a cluster's instances). */
export const LOOP_CLOCK_SKEW_SECONDS = 60;

/** What one inspection covered; every field is bound into the MAC. */
export interface LoopBinding {
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly upstream: string;
  readonly policyRevision: string;
  readonly bodyDigest: string;
}

export interface LoopCheck {
  /** Valid loop headers minted with our secret for this binding within the max age. */
  readonly valid: number;
  /** Loop headers present but not valid (forged, stale, another envelope/upstream/revision, changed message). */
  readonly invalid: number;
  /** Received lines written by this gateway. */
  readonly hops: number;
}

export interface LoopClock {
  /** Unix seconds. */
  readonly now: number;
  readonly maxAgeSeconds: number;
}

const BOUND_FIELDS = ['message-id', 'date', 'from', 'to', 'cc', 'subject'] as const;
const BOUND = new Set<string>(BOUND_FIELDS);
const LOOP_NAME = LOOP_HEADER.toLowerCase();
const CHECKED = new Set<string>([...BOUND_FIELDS, LOOP_NAME, 'received']);

/** The values of the fields named in `names` (lower case), in order, from one pass over the fields. */
function valuesOf(fields: readonly HeaderField[], names: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of fields) {
    const name = f.name.toLowerCase();
    if (!names.has(name)) continue;
    const list = out.get(name);
    if (list === undefined) out.set(name, [f.value]);
    else list.push(f.value);
  }
  return out;
}

function messageKey(values: ReadonlyMap<string, readonly string[]>): string {
  return BOUND_FIELDS.map((name) => (values.get(name) ?? []).join('\u0000')).join('\n');
}

/** Order-independent and case-normalised: RCPT order or case is no different inspection. */
function envelopeKey(b: LoopBinding): string {
  const rcpts = [...new Set(b.recipients.map((r) => r.toLowerCase()))].sort();
  return [b.sender.toLowerCase(), String(rcpts.length), ...rcpts].join('\u0000');
}

function mac(secret: Buffer, hostname: string, t: number, key: string, b: LoopBinding): Buffer {
  const parts = ['relayguard-loop-v2', hostname, String(t), key, envelopeKey(b), b.upstream, b.policyRevision, b.bodyDigest];
  return createHmac('sha256', secret).update(parts.join('\n')).digest();
}

export function loopHeaderValue(secret: Buffer, hostname: string, fields: readonly HeaderField[], b: LoopBinding, now: number): string {
  const t = Math.floor(now);
  return `${hostname}; v=2; t=${t}; mac=${mac(secret, hostname, t, messageKey(valuesOf(fields, BOUND)), b).toString('hex')}`;
}

const VALUE = /^([A-Za-z0-9.-]+);\s*v=2;\s*t=(\d{1,12});\s*mac=([0-9a-f]{64})$/;

export function checkLoop(secret: Buffer, hostname: string, fields: readonly HeaderField[], b: LoopBinding, clock: LoopClock): LoopCheck {
  const values = valuesOf(fields, CHECKED);
  const key = messageKey(values);
  let valid = 0;
  let invalid = 0;
  for (const value of values.get(LOOP_NAME) ?? []) {
    const m = VALUE.exec(value);
    const t = Number(m?.[2]);
    const fresh = m !== null && t >= clock.now - clock.maxAgeSeconds && t <= clock.now + LOOP_CLOCK_SKEW_SECONDS;
    const ok = fresh && timingSafeEqual(Buffer.from(m[3] as string, 'hex'), mac(secret, m[1] as string, t, key, b));
    if (ok) valid++;
    else invalid++;
  }
  const marker = `by ${hostname.toLowerCase()} (relayguard`;
  const hops = (values.get('received') ?? []).filter((v) => v.toLowerCase().includes(marker)).length;
  return { valid, invalid, hops };
}

const revisions = new WeakMap<RoutingGraph, string>();

/**
 * What decides a verdict: every policy as compiled from its source, and the inspection settings
 * (limits, budget, onFailure, onUnscannable). A new policy, a changed one or a looser limit is a new
 * revision, so a header minted before it never skips the inspection the change asks for.
 */
export function policyRevision(graph: RoutingGraph): string {
  let r = revisions.get(graph);
  if (r === undefined) {
    const what = { policies: graph.policies.policies.map((p) => p.source), inspection: graph.gateway.inspection };
    r = createHash('sha256').update(JSON.stringify(what)).digest('hex');
    revisions.set(graph, r);
  }
  return r;
}
