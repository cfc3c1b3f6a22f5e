// Loop protection. Every relayed message carries `X-Relayguard-Loop: <hostname>; v=1; mac=<hex>` where
// mac = HMAC-SHA256(loopSecret, hostname, the author-controlled header fields (Message-ID, Date, From,
// To, Cc, Subject), the envelope sender, SHA-256 of the body). Without the secret nobody can mint one,
// and the binding means a header copied from a delivered message cannot be pasted onto other content
// (or another Subject) to skip inspection. Fields MTAs add on the way (Received, ...) are not bound, so
// a reflected message still validates; anything that changes a bound part is simply inspected again.
// - A message with a valid header was inspected by this gateway (or a peer sharing the secret): it is
//   relayed without inspecting it again and without a second loop header.
// - Forged or stale headers are left in place (evidence for the admin) and never skip anything.
// - Hops are counted by this gateway's own Received lines; at MAX_HOPS the message is refused 554 5.4.6.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fieldValues } from './header-fields.js';
import type { HeaderField } from './header-fields.js';

export const LOOP_HEADER = 'X-Relayguard-Loop';
export const MAX_HOPS = 5;

export interface LoopBinding {
  readonly sender: string;
  readonly bodyDigest: string;
}

export interface LoopCheck {
  /** Valid loop headers minted with our secret. */
  readonly valid: number;
  /** Loop headers present but not valid (forged, or the message changed). */
  readonly invalid: number;
  /** Received lines written by this gateway. */
  readonly hops: number;
}

const BOUND_FIELDS = ['message-id', 'date', 'from', 'to', 'cc', 'subject'] as const;

function messageKey(fields: readonly HeaderField[]): string {
  return BOUND_FIELDS.map((name) => fieldValues(fields, name).join('\u0000')).join('\n');
}

function mac(secret: Buffer, hostname: string, key: string, b: LoopBinding): Buffer {
  return createHmac('sha256', secret).update(['relayguard-loop-v1', hostname, key, b.sender, b.bodyDigest].join('\n')).digest();
}

export function loopHeaderValue(secret: Buffer, hostname: string, fields: readonly HeaderField[], b: LoopBinding): string {
  return `${hostname}; v=1; mac=${mac(secret, hostname, messageKey(fields), b).toString('hex')}`;
}

const VALUE = /^([A-Za-z0-9.-]+);\s*v=1;\s*mac=([0-9a-f]{64})$/;

export function checkLoop(secret: Buffer, hostname: string, fields: readonly HeaderField[], b: LoopBinding): LoopCheck {
  const key = messageKey(fields);
  let valid = 0;
  let invalid = 0;
  for (const value of fieldValues(fields, LOOP_HEADER)) {
    const m = VALUE.exec(value);
    const ok = m !== null && timingSafeEqual(Buffer.from(m[2] as string, 'hex'), mac(secret, m[1] as string, key, b));
    if (ok) valid++;
    else invalid++;
  }
  const marker = `by ${hostname.toLowerCase()} (relayguard`;
  const hops = fieldValues(fields, 'received').filter((v) => v.toLowerCase().includes(marker)).length;
  return { valid, invalid, hops };
}
