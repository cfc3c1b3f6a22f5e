// Block replies written in policy files ("550 5.7.1 text"), parsed and checked once at compile.
import type { PolicyReply } from '../policy-set.js';

export const DEFAULT_BLOCK_REPLY: PolicyReply = Object.freeze({
  code: 550,
  enhanced: '5.7.1',
  text: 'Message blocked by data loss prevention policy',
});

export const TEMPFAIL_REPLY: PolicyReply = Object.freeze({
  code: 451,
  enhanced: '4.7.1',
  text: 'Message could not be inspected, try again later',
});

const REPLY = /^(\d{3})[ ]+(\d)\.(\d{1,3})\.(\d{1,3})(?:[ ]+(.*))?$/s;

export type ParsedPolicyReply =
  | { readonly ok: true; readonly reply: PolicyReply }
  | { readonly ok: false; readonly message: string };

export function parsePolicyReply(text: string): ParsedPolicyReply {
  const m = REPLY.exec(text.trim());
  if (m === null) return { ok: false, message: `block reply ${JSON.stringify(text)} is not "5xx X.Y.Z text"` };
  const [, code = '', cls = '', sub = '', detail = '', rest = ''] = m;
  if (!code.startsWith('5')) return { ok: false, message: `block reply code ${code} is not a 5xx permanent failure` };
  if (cls !== '5') return { ok: false, message: `enhanced code ${cls}.${sub}.${detail} does not match reply class 5` };
  if (/[\r\n]/.test(rest)) return { ok: false, message: 'block reply text must be one line' };
  const reply = { code: Number(code), enhanced: `${cls}.${sub}.${detail}`, text: rest.trim() || DEFAULT_BLOCK_REPLY.text };
  return { ok: true, reply };
}

export function formatPolicyReply(r: PolicyReply): string {
  return `${r.code} ${r.enhanced} ${r.text}`;
}
