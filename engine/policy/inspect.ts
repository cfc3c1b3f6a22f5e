// Analyse + evaluate under one time budget; any failure becomes the configured failure verdict.
import type { Readable } from 'node:stream';
import type { MessageAnalysis } from './analysis.js';
import { analyzeMessage } from './extract/analyze.js';
import { decide, decideFailure } from './decide/decide.js';
import { evaluatePolicies } from './decide/evaluate.js';
import type { InspectionLimits } from './extract/limits.js';
import { MimeLimitError } from './extract/mime-parse.js';
import type { PolicySet } from './policy-set.js';
import { MESSAGE_PART } from './decide/unscannable.js';
import type { OnUnscannable } from './decide/unscannable.js';
import type { Envelope, OnFailure, Verdict } from './decide/verdict.js';

export interface InspectionSettings {
  readonly budgetMs: number;
  readonly onFailure: OnFailure;
  /** Required, so no caller (test, replay, shadow) can fall back to a default serve does not use. */
  readonly onUnscannable: OnUnscannable;
  /** Analysis limits and gateway.inspection.extraction (inspectionSettingsOf fills both). */
  readonly limits: InspectionLimits;
}

export interface Inspection {
  readonly verdict: Verdict;
  /** Undefined when the message could not be analysed or no policy needed it. */
  readonly analysis: MessageAnalysis | undefined;
}

export async function inspectMessage(set: PolicySet, raw: Buffer | Readable, envelope: Envelope, settings: InspectionSettings, signal?: AbortSignal): Promise<Inspection> {
  if (set.policies.length === 0) return { verdict: decide([], envelope), analysis: undefined };
  const deadline = performance.now() + settings.budgetMs;
  // A message held in memory (at most the spool threshold) is parsed in one go and its time shows in
  // the deadline the evaluation checks; only a streamed one needs a timer to stop its parse mid-way.
  const budget = Buffer.isBuffer(raw) ? undefined : AbortSignal.timeout(settings.budgetMs);
  const combined = budget === undefined ? signal : signal === undefined ? budget : AbortSignal.any([signal, budget]);
  let analysis: MessageAnalysis;
  const opts = { deadline, onFailure: settings.onFailure, onUnscannable: settings.onUnscannable } as const;
  try {
    analysis = await analyzeMessage(raw, settings.limits, combined, set);
  } catch (err) {
    // The parser gave up at maxParts: nothing was read, so the message is one unscannable part
    // ('limit') that policies may match; the rest of the analysis is empty.
    if (err instanceof MimeLimitError && budget?.aborted !== true && performance.now() <= deadline) {
      const unread = partsLimitAnalysis(err, Buffer.isBuffer(raw) ? raw.length : 0);
      return { verdict: evaluatePolicies(set, unread, envelope, opts), analysis: unread };
    }
    return { verdict: decideFailure([], envelope, failureReason(err, budget, deadline), settings.onFailure), analysis: undefined };
  }
  try {
    return { verdict: evaluatePolicies(set, analysis, envelope, opts), analysis };
  } catch (err) {
    const reason = `evaluation failed: ${err instanceof Error ? err.message : String(err)}`;
    return { verdict: decideFailure([], envelope, reason, settings.onFailure), analysis };
  }
}

function partsLimitAnalysis(err: MimeLimitError, size: number): MessageAnalysis {
  return Object.freeze({
    size,
    headers: [],
    subject: '',
    messageId: '',
    segments: [],
    attachments: [],
    limitsHit: [],
    unscannable: [{ label: MESSAGE_PART, reason: 'limit' as const, detail: `maxParts: ${err.message}` }],
    notes: [],
  });
}

function failureReason(err: unknown, budget: AbortSignal | undefined, deadline: number): string {
  if (budget?.aborted === true || performance.now() > deadline) return 'budget exceeded';
  if (err instanceof MimeLimitError) return `limit hit: maxParts (${err.message})`;
  return `analysis failed: ${err instanceof Error ? err.message : String(err)}`;
}
