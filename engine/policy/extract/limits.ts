// Extraction limits beyond the analysis limits: ratio, entries, output, time, and when work leaves the
// event loop. Their names, meaning and defaults are gateway.inspection.extraction's (topology schema).
import type { ExtractionSection } from '../../config/generated/topology.js';
import type { AnalysisLimits } from '../analysis.js';

export type ExtractTuning = Readonly<Required<ExtractionSection>>;

export type ExtractLimits = AnalysisLimits & ExtractTuning;

/** What inspection takes: the analysis limits, and extraction limits where the caller has them. */
export type InspectionLimits = AnalysisLimits & Partial<ExtractTuning>;

export const DEFAULT_EXTRACT_TUNING: ExtractTuning = Object.freeze({
  maxRatio: 100,
  ratioFloorBytes: 1 << 20,
  maxEntries: 500,
  maxOutputBytes: 100 * 1024 * 1024,
  // wall time, under the default 10 s message budget: a loaded machine must not time out ordinary files
  timeoutMs: 8_000,
  workerMinBytes: 64 << 10,
});

export function extractLimits(limits: InspectionLimits): ExtractLimits {
  return Object.freeze({ ...DEFAULT_EXTRACT_TUNING, ...limits });
}

/** Most output an entry of `compressed` bytes may inflate to under the ratio limit. */
export function ratioCap(limits: ExtractTuning, compressed: number): number {
  return Math.max(limits.ratioFloorBytes, compressed * limits.maxRatio);
}
