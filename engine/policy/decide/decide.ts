// Matches → verdict: block beats redirect beats modify beats pass; modifications combine; monitor changes nothing.
import type { UnscannablePart } from '../analysis.js';
import { MAX_SAMPLES } from '../detectors/hits.js';
import type { CompiledPolicy, HeaderEdits } from '../policy-set.js';
import { ON_UNSCANNABLE, partSample, unscannableMarker, unscannableReply } from './unscannable.js';
import type { OnUnscannable } from './unscannable.js';
import { NO_EDITS } from '../policy-set.js';
import { TEMPFAIL_REPLY } from './policy-reply.js';
import type { Envelope, OnFailure, PolicyMatch, Verdict } from './verdict.js';

export const ORIGINAL_RECIPIENTS_HEADER = 'X-Relayguard-Original-Recipients';
export const INSPECTION_HEADER = 'X-Relayguard-Inspection';

export interface Matched {
  readonly policy: CompiledPolicy;
  readonly match: PolicyMatch;
}

export function decide(matched: readonly Matched[], envelope: Envelope): Verdict {
  const matches = matched.map((m) => m.match);
  const enforced = matched.filter((m) => m.policy.mode === 'enforce').map((m) => m.policy);
  const ok = { status: 'ok' } as const;
  const block = enforced.find((p) => p.action.type === 'block');
  if (block !== undefined && block.action.type === 'block') return { kind: 'block', reply: block.action.reply, matches, headerEdits: NO_EDITS, inspection: ok };
  const redirectTo = unique(enforced.flatMap((p) => (p.action.type === 'redirect' ? p.action.to : [])));
  const edits = combineEdits(enforced.flatMap((p) => (p.action.type === 'modify' || p.action.type === 'redirect' ? [p.action.edits] : [])));
  if (redirectTo.length > 0) {
    const original = { name: ORIGINAL_RECIPIENTS_HEADER, value: envelope.recipients.join(', ') };
    return { kind: 'redirect', recipients: redirectTo, matches, headerEdits: { ...edits, add: [...edits.add, original] }, inspection: ok };
  }
  if (enforced.some((p) => p.action.type === 'modify')) return { kind: 'modify', matches, headerEdits: edits, inspection: ok };
  return { kind: 'pass', matches, headerEdits: NO_EDITS, inspection: ok };
}

/**
 * Unreadable parts an enforce-mode policy matched are that policy's to decide; the others get
 * onUnscannable: block (5xx naming the part and reason), tempfail (451 4.7.1) or pass with an
 * X-Relayguard-Inspection marker — each with an incident record of its own, never silent.
 * A monitor-mode match covers nothing: monitor changes no outcome.
 */
export function decideUnscannable(matched: readonly Matched[], envelope: Envelope, parts: readonly UnscannablePart[], onUnscannable: OnUnscannable): Verdict {
  const verdict = decide(matched, envelope);
  const covered = new Set(matched.filter((m) => m.policy.mode === 'enforce').flatMap((m) => m.match.unscannable ?? []));
  const open = parts.filter((p) => !covered.has(p));
  if (open.length === 0) return verdict;
  const action = onUnscannable;
  const record: PolicyMatch = {
    policy: ON_UNSCANNABLE,
    severity: 'medium',
    mode: 'enforce',
    action,
    counts: { unscannable: open.length },
    samples: open.slice(0, MAX_SAMPLES).map(partSample),
    unscannable: open,
  };
  const matches = [...verdict.matches, record];
  // a policy's block already refuses the message; its reply stays
  if (verdict.kind === 'block') return { ...verdict, matches, unscannable: open };
  switch (action) {
    case 'block':
    case 'tempfail':
      return { kind: action, reply: unscannableReply(action, open), matches, headerEdits: NO_EDITS, inspection: verdict.inspection, unscannable: open };
    case 'pass': {
      const marker = { name: INSPECTION_HEADER, value: unscannableMarker(open) };
      return { ...verdict, matches, headerEdits: { ...verdict.headerEdits, add: [...verdict.headerEdits.add, marker] }, unscannable: open };
    }
    default: {
      const never: never = action;
      throw new Error(`RG_POL_INTERNAL: unknown onUnscannable ${String(never)}`);
    }
  }
}

/**
 * Inspection could not finish. A block already found still blocks; otherwise tempfail (451 4.7.1),
 * or pass on with whatever was decided plus a marker header — never a silent pass.
 */
export function decideFailure(matched: readonly Matched[], envelope: Envelope, reason: string, onFailure: OnFailure): Verdict {
  const partial = decide(matched, envelope);
  const inspection = { status: 'failed', reason } as const;
  if (partial.kind === 'block') return { ...partial, inspection };
  if (onFailure === 'tempfail') return { kind: 'tempfail', reply: TEMPFAIL_REPLY, matches: partial.matches, headerEdits: NO_EDITS, inspection };
  const marker = { name: INSPECTION_HEADER, value: `failed; ${reason}` };
  return { ...partial, headerEdits: { ...partial.headerEdits, add: [...partial.headerEdits.add, marker] }, inspection };
}

function combineEdits(all: readonly HeaderEdits[]): HeaderEdits {
  if (all.length === 0) return NO_EDITS;
  const add = new Map<string, { name: string; value: string }>();
  for (const e of all) for (const h of e.add) add.set(`${h.name.toLowerCase()}\n${h.value}`, h);
  const prefixes = unique(all.flatMap((e) => (e.subjectPrefix === undefined ? [] : [e.subjectPrefix])));
  return {
    add: [...add.values()],
    remove: unique(all.flatMap((e) => e.remove.map((r) => r.toLowerCase()))),
    subjectPrefix: prefixes.length === 0 ? undefined : prefixes.join(''),
  };
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
