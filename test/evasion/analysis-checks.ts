// What every evasion test asks of an analysis: did a card number reach a detector, and, when it did
// not, what the gateway saw instead (for the failure message).
import type { MessageAnalysis } from '../../engine/policy/analysis.js';
import { scanCreditCards } from '../../engine/policy/detectors/credit-card.js';

/** A card number in some segment's text, or among the hits of a segment scanned while it streamed. */
export const cardFound = (a: MessageAnalysis): boolean => a.segments.some((s) => scanCreditCards(s.text).count > 0 || (s.prescanned ?? []).some((h) => h.count > 0));

export const describeAnalysis = (a: MessageAnalysis): string =>
  JSON.stringify({ unscannable: a.unscannable, notes: a.notes, limits: a.limitsHit, segments: a.segments.map((s) => `${s.label}: ${s.text.slice(0, 160)}`) }, null, 1);
