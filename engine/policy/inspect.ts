// Analyse + evaluate under one time budget; any failure becomes the configured failure verdict.
import type { Readable } from 'node:stream';
import type { AnalysisLimits, MessageAnalysis } from './analysis.js';
import { analyzeMessage } from './analyze.js';
import { decide, decideFailure } from './decide.js';
import { evaluatePolicies } from './evaluate.js';
import { MimeLimitError } from './mime-parse.js';
import type { PolicySet } from './policy-set.js';
import type { Envelope, OnFailure, Verdict } from './verdict.js';

export interface InspectionSettings {
  readonly budgetMs: number;
  readonly onFailure: OnFailure;
  readonly limits: AnalysisLimits;
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
  try {
    analysis = await analyzeMessage(raw, settings.limits, combined, set);
  } catch (err) {
    return { verdict: decideFailure([], envelope, failureReason(err, budget, deadline), settings.onFailure), analysis: undefined };
  }
  try {
    return { verdict: evaluatePolicies(set, analysis, envelope, { deadline, onFailure: settings.onFailure }), analysis };
  } catch (err) {
    const reason = `evaluation failed: ${err instanceof Error ? err.message : String(err)}`;
    return { verdict: decideFailure([], envelope, reason, settings.onFailure), analysis };
  }
}

function failureReason(err: unknown, budget: AbortSignal | undefined, deadline: number): string {
  if (budget?.aborted === true || performance.now() > deadline) return 'budget exceeded';
  if (err instanceof MimeLimitError) return `limit hit: maxParts (${err.message})`;
  return `analysis failed: ${err instanceof Error ? err.message : String(err)}`;
}
