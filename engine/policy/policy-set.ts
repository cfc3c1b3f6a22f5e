// The compiled policy set: built once per graph, frozen, shared by every session on that graph.
import type { RE2JS } from 're2js';
import type { Policy } from '../config/generated/policy.js';
import type { Location, UnscannableReason } from './analysis.js';
import type { CandidatePlan } from './detectors/candidate-scan.js';
import type { IdentifierDetector } from './detectors/identifiers/condition.js';
import type { KeywordIndex, KeywordRef } from './detectors/keywords.js';
import type { Glob } from './glob.js';
import type { EdmIndex } from './edm/lookup.js';

export type Severity = 'info' | 'low' | 'medium' | 'high';
export type PolicyMode = 'enforce' | 'monitor';
export type ActionType = 'pass' | 'block' | 'modify' | 'redirect';

/** An SMTP reply as a value. */
export interface PolicyReply {
  readonly code: number;
  readonly enhanced: string;
  readonly text: string;
}

export interface HeaderEdits {
  /** Appended to the header block in this order. */
  readonly add: readonly { readonly name: string; readonly value: string }[];
  /** Header names (case-insensitive) removed from the original message. */
  readonly remove: readonly string[];
  /** Prepended to the Subject as-is (encoded when not ASCII). */
  readonly subjectPrefix: string | undefined;
}

export type TextDetector =
  | { readonly kind: 'creditCardNumber' }
  | { readonly kind: 'usSsn' }
  | { readonly kind: 'iban' }
  | { readonly kind: 'regex'; readonly re: RE2JS }
  | { readonly kind: 'keywords'; readonly ref: KeywordRef }
  | IdentifierDetector
  /** One per index: every exactData condition on it shares one scan per text. */
  | { readonly kind: 'exactData'; readonly index: EdmIndex };

export interface AttachmentTest {
  /** Lower-case, with the leading dot. */
  readonly extensions: readonly string[] | undefined;
  readonly types: readonly Glob[] | undefined;
  readonly names: readonly Glob[] | undefined;
  readonly minBytes: number | undefined;
  readonly maxBytes: number | undefined;
}

/** Parts that could not be read (decide/unscannable.ts collects them and answers for them). */
export interface UnscannableCondition {
  readonly kind: 'unscannable';
  readonly reasons: ReadonlySet<UnscannableReason>;
  readonly min: number;
}

export type CompiledCondition =
  | { readonly kind: 'any'; readonly items: readonly CompiledCondition[] }
  | { readonly kind: 'all'; readonly items: readonly CompiledCondition[] }
  | { readonly kind: 'not'; readonly item: CompiledCondition }
  | {
      readonly kind: 'text';
      /** Index into PolicySet.textDetectors; equal detectors share one index and one scan per message. */
      readonly detector: number;
      /** Evidence label: the detector kind, or identifier:NAME / identifiers:SET. */
      readonly label: string;
      readonly locations: ReadonlySet<Location>;
      readonly min: number;
    }
  | {
      readonly kind: 'exactData';
      /** Index into PolicySet.textDetectors (an exactData detector). */
      readonly detector: number;
      readonly index: EdmIndex;
      readonly locations: ReadonlySet<Location>;
      /** Bits of the index columns that count. */
      readonly columnBits: number;
      readonly minColumns: number;
      readonly minRecords: number;
    }
  | { readonly kind: 'attachment'; readonly test: AttachmentTest; readonly min: number }
  | { readonly kind: 'header'; readonly name: string; readonly re: RE2JS | undefined; readonly min: number }
  | { readonly kind: 'messageSize'; readonly minBytes: number | undefined; readonly maxBytes: number | undefined }
  | { readonly kind: 'recipientCount'; readonly min: number | undefined; readonly max: number | undefined }
  | UnscannableCondition;

export type CompiledAction =
  | { readonly type: 'pass' }
  | { readonly type: 'block'; readonly reply: PolicyReply }
  | { readonly type: 'modify'; readonly edits: HeaderEdits }
  | { readonly type: 'redirect'; readonly to: readonly string[]; readonly edits: HeaderEdits };

export interface CompiledScope {
  readonly upstreams: ReadonlySet<string> | undefined;
  readonly senders: readonly Glob[] | undefined;
  readonly recipients: readonly Glob[] | undefined;
}

export interface CompiledPolicy {
  readonly name: string;
  readonly severity: Severity;
  readonly mode: PolicyMode;
  /** The policy file, for logs. */
  readonly file: string;
  /** The policy as written, with severity and mode defaults applied (for render and plan). */
  readonly source: Policy;
  readonly scope: CompiledScope;
  readonly match: CompiledCondition;
  readonly action: CompiledAction;
}

export interface PolicySet {
  readonly policies: readonly CompiledPolicy[];
  readonly textDetectors: readonly TextDetector[];
  /**
   * Per text detector (same index): every location a condition reads its hits in. A segment elsewhere
   * (the header block, when no condition names headers) is not scanned by that detector at all.
   */
  readonly detectorLocations: readonly ReadonlySet<Location>[];
  readonly keywords: KeywordIndex;
  /** All regex detectors as one RE2 alternation: one DFA pass tells whether any of them can match a text. */
  readonly regexPrefilter: RE2JS | undefined;
  /** Where the set's catalogue identifiers can match, found in one pass per text (built once per graph). */
  readonly identifierCandidates: CandidatePlan | undefined;
}

export const NO_EDITS: HeaderEdits = Object.freeze({ add: Object.freeze([]), remove: Object.freeze([]), subjectPrefix: undefined });
