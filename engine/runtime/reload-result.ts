// What one reload attempt did: the value logs, /status, metrics and tests all read.
import type { Diagnostic } from '../config/diagnostic.js';

export type ReloadTrigger = 'watch' | 'signal' | 'manual' | 'start';

export type ReloadResult =
  /** A new graph is live. */
  | {
      readonly outcome: 'applied';
      readonly trigger: ReloadTrigger;
      readonly at: Date;
      readonly revision: string;
      readonly gitCommit?: string;
      readonly previousRevision: string;
      /** summarizePlan(planChanges(old, new)): one line for the log. */
      readonly summary: string;
      /** Warnings only (an applied config has no errors). */
      readonly diagnostics: readonly Diagnostic[];
      readonly durationMs: number;
    }
  /** The files hash to the running revision (a touch, an editor's extra events, a revert). */
  | { readonly outcome: 'unchanged'; readonly trigger: ReloadTrigger; readonly at: Date; readonly revision: string }
  /** The running graph stays; `diagnostics` says why (file:line:col). */
  | {
      readonly outcome: 'failed';
      readonly trigger: ReloadTrigger;
      readonly at: Date;
      /** Hash of the files that failed, null when nothing could be read (directory gone). */
      readonly revision: string | null;
      readonly diagnostics: readonly Diagnostic[];
      readonly durationMs: number;
    };

export type ReloadOutcome = ReloadResult['outcome'];
