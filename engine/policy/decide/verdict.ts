// The decision for one message, as a value the SMTP engine switches on.
import type { UnscannablePart } from '../analysis.js';
import type { ActionType, HeaderEdits, PolicyMode, PolicyReply, Severity } from '../policy-set.js';

export interface Envelope {
  readonly upstream: string;
  /** MAIL FROM address; '' for the null sender. */
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly transactionId: string;
}

export interface PolicyMatch {
  readonly policy: string;
  readonly severity: Severity;
  readonly mode: PolicyMode;
  /** 'tempfail' only for the gateway's own onUnscannable record. */
  readonly action: ActionType | 'tempfail';
  /** Matches per detector kind, e.g. { creditCardNumber: 2, keywords: 1 }. */
  readonly counts: Readonly<Record<string, number>>;
  /** Redacted samples; never a full value. */
  readonly samples: readonly string[];
  /** The unreadable parts this policy matched (its `unscannable` conditions), by label and reason. */
  readonly unscannable?: readonly UnscannablePart[];
}

export type InspectionStatus = { readonly status: 'ok' } | { readonly status: 'failed'; readonly reason: string };

interface VerdictCommon {
  /** Every matched policy, monitor mode included: one incident each. */
  readonly matches: readonly PolicyMatch[];
  /** Apply whenever the message is relayed (pass, modify, redirect); empty for a clean pass. */
  readonly headerEdits: HeaderEdits;
  readonly inspection: InspectionStatus;
  /** Unreadable parts no enforce-mode policy matched, which gateway.inspection.onUnscannable decided. */
  readonly unscannable?: readonly UnscannablePart[];
}

export type Verdict = VerdictCommon &
  (
    | { readonly kind: 'pass' }
    | { readonly kind: 'block'; readonly reply: PolicyReply }
    /** Inspection failed or ran out of budget and onFailure is tempfail. */
    | { readonly kind: 'tempfail'; readonly reply: PolicyReply }
    | { readonly kind: 'modify' }
    /** Relay to these recipients instead of the envelope's. */
    | { readonly kind: 'redirect'; readonly recipients: readonly string[] }
  );

export type VerdictKind = Verdict['kind'];

export type OnFailure = 'tempfail' | 'pass';

export function hasHeaderEdits(e: HeaderEdits): boolean {
  return e.add.length > 0 || e.remove.length > 0 || e.subjectPrefix !== undefined;
}
