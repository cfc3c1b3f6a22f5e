// Extraction limits beyond the analysis limits: ratio, time, and when work leaves the event loop.
import type { AnalysisLimits } from '../analysis.js';

export interface ExtractTuning {
  /** Real output bytes per compressed byte an archive entry or gzip stream may reach. */
  readonly maxRatio: number;
  /** Output below this size is never refused for its ratio (small repetitive files compress well). */
  readonly ratioFloorBytes: number;
  /** Time one file may take in a worker before it is terminated and reported as timed out. */
  readonly timeoutMs: number;
  /** Archives at least this big are read in a worker thread; PDFs always are. */
  readonly workerMinBytes: number;
}

export type ExtractLimits = AnalysisLimits & ExtractTuning;

export const DEFAULT_EXTRACT_TUNING: ExtractTuning = Object.freeze({
  maxRatio: 100,
  ratioFloorBytes: 1 << 20,
  // wall time, under the default 10 s message budget: a loaded machine must not time out ordinary files
  timeoutMs: 8_000,
  workerMinBytes: 64 << 10,
});

export function extractLimits(limits: AnalysisLimits & Partial<ExtractTuning>): ExtractLimits {
  return Object.freeze({ ...DEFAULT_EXTRACT_TUNING, ...limits });
}

/** Most output an entry of `compressed` bytes may inflate to under the ratio limit. */
export function ratioCap(limits: ExtractTuning, compressed: number): number {
  return Math.max(limits.ratioFloorBytes, compressed * limits.maxRatio);
}
