// Parts that could not be read. Never passed silently: a policy can match them (`unscannable`), and
// what no enforce-mode policy matched goes to gateway.inspection.onUnscannable (block by default).
// The reply names the part and the reason, so the sender knows what to change.
import type { MessageAnalysis, UnscannablePart, UnscannableReason } from '../analysis.js';
import type { Hits } from '../detectors/hits.js';
import { MAX_SAMPLES } from '../detectors/hits.js';
import type { PolicyReply, UnscannableCondition } from '../policy-set.js';

export type OnUnscannable = 'block' | 'tempfail' | 'pass';

export const UNSCANNABLE_REASONS: readonly UnscannableReason[] = Object.freeze(['encrypted', 'unsupported', 'corrupt', 'limit', 'timeout']);

/** The label of a part that stands for the whole message (a structural limit, not one attachment). */
export const MESSAGE_PART = '(message)';

/** The name incident records and `tx.policies` use for the gateway's own decision on unmatched parts. */
export const ON_UNSCANNABLE = 'gateway.inspection.onUnscannable';

export function compileUnscannable(c: { reasons?: readonly UnscannableReason[]; min?: number }): UnscannableCondition {
  return { kind: 'unscannable', reasons: new Set(c.reasons ?? UNSCANNABLE_REASONS), min: c.min ?? 1 };
}

/**
 * Every part of the message that was not inspected: what extraction reported, plus the limits the
 * analysis hit (parts, depth, decoded bytes) as reason 'limit' — content beyond a limit is as unread
 * as an encrypted entry.
 */
export function unscannableParts(msg: Pick<MessageAnalysis, 'unscannable' | 'limitsHit'>): readonly UnscannablePart[] {
  const limits = msg.limitsHit.map((l): UnscannablePart => ({ label: MESSAGE_PART, reason: 'limit', detail: `${l.limit}: ${l.detail}` }));
  const seen = new Set<string>();
  return [...(msg.unscannable ?? []), ...limits].filter((p) => {
    const key = `${p.label}\n${p.reason}\n${p.detail}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function matchingParts(parts: readonly UnscannablePart[], c: UnscannableCondition): readonly UnscannablePart[] {
  return parts.filter((p) => c.reasons.has(p.reason));
}

export function unscannableHits(parts: readonly UnscannablePart[]): Hits {
  return { count: parts.length, samples: parts.slice(0, MAX_SAMPLES).map(partSample) };
}

/** "x.zip/y.bin (encrypted)" — for incidents and markers; labels are sanitised, never the content. */
export function partSample(p: UnscannablePart): string {
  return `${safeLabel(p.label)} (${p.reason})`;
}

/** Names the first parts in one reply line: 'attachment "x.zip/y.bin" could not be inspected (encrypted)'. */
export function describeParts(parts: readonly UnscannablePart[]): string {
  const [first] = parts;
  if (first === undefined) return 'a part could not be inspected';
  const one =
    first.label === MESSAGE_PART
      ? `the message could not be inspected in full (${first.reason}: ${safeText(first.detail, 120)})`
      : `attachment "${safeLabel(first.label)}" could not be inspected (${first.reason})`;
  return parts.length === 1 ? one : `${one}, and ${parts.length - 1} more part${parts.length === 2 ? '' : 's'}`;
}

export function unscannableReply(onUnscannable: Exclude<OnUnscannable, 'pass'>, parts: readonly UnscannablePart[]): PolicyReply {
  return onUnscannable === 'block'
    ? { code: 554, enhanced: '5.7.1', text: `Message refused: ${describeParts(parts)}` }
    : { code: 451, enhanced: '4.7.1', text: `Message not accepted for now: ${describeParts(parts)}; try again later` };
}

/** The X-Relayguard-Inspection value when onUnscannable is pass. */
export function unscannableMarker(parts: readonly UnscannablePart[]): string {
  return `unscannable; ${safeText(parts.map(partSample).join(', '), 400)}`;
}

// File names come from the sender: printable ASCII only (no CR/LF, no quotes), bounded, so a name can
// neither break the reply line nor a header.
function safeLabel(label: string): string {
  return safeText(label, 100).replace(/"/g, "'");
}

function safeText(text: string, max: number): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max - 3)}...` : clean;
}
