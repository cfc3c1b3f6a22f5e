// What every evasion test asks of an analysis: did a card number reach a detector, and, when it did
// not, what the gateway saw instead (for the failure message).
import type { MessageAnalysis } from '../../engine/policy/analysis.js';
import { scanCreditCards } from '../../engine/policy/detectors/credit-card.js';

/**
 * A card number in some segment's text, or among the hits of a segment scanned while it streamed; with
 * `label`, only in segments of that label (a string: exactly it; a pattern: any label it matches).
 */
export const cardFound = (a: MessageAnalysis, label?: string | RegExp): boolean =>
  a.segments.some((s) => labelled(s.label, label) && (scanCreditCards(s.text).count > 0 || (s.prescanned ?? []).some((h) => h.count > 0)));

const labelled = (actual: string, want: string | RegExp | undefined): boolean => (want === undefined ? true : typeof want === 'string' ? actual === want : want.test(actual));

export const describeAnalysis = (a: MessageAnalysis): string =>
  JSON.stringify({ unscannable: a.unscannable, notes: a.notes, limits: a.limitsHit, attachments: a.attachments.map((x) => x.name), segments: a.segments.map((s) => `${s.label}: ${s.text.slice(0, 160)}`) }, null, 1);
