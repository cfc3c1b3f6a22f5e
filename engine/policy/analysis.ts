// What inspection sees of one message: text segments extracted once, attachment facts, limits hit.
import type { Hits } from './detectors/hits.js';

export type Location = 'subject' | 'body' | 'attachments' | 'headers';

export interface TextSegment {
  readonly location: Location;
  /** Where the text came from, for incidents and debugging: "body", "html", "report.docx", "From". */
  readonly label: string;
  /** The text; '' when it was too long to hold and `prescanned` carries what the detectors found. */
  readonly text: string;
  /** Hits per text detector id, scanned window by window as a long text was decoded. */
  readonly prescanned?: readonly Hits[];
}

export interface AttachmentInfo {
  /** File name as declared (decoded); '' when the part has none. */
  readonly name: string;
  /** Content-Type as declared (lower-case, no parameters). */
  readonly declaredType: string;
  /** Type sniffed from the first bytes; undefined when unknown. */
  readonly sniffedType: string | undefined;
  /** Decoded size in bytes. */
  readonly size: number;
  /** Name of the archive (zip) or attached message this file sits in; undefined at the top level. */
  readonly container: string | undefined;
}

export type LimitName = 'maxDepth' | 'maxParts' | 'maxDecodedBytes';

export interface LimitHit {
  readonly limit: LimitName;
  readonly detail: string;
}

/** Why a part could not be read. A part with a reason is never passed silently (onUnscannable). */
export type UnscannableReason = 'encrypted' | 'unsupported' | 'corrupt' | 'limit' | 'timeout';

export interface UnscannablePart {
  /** The part, as incidents and replies name it: "report.zip/inner.zip/data.bin". */
  readonly label: string;
  readonly reason: UnscannableReason;
  /** What exactly failed, for the log and the reply: "zip entry uses bzip2 (method 12)". */
  readonly detail: string;
}

export interface HeaderField {
  /** Field name as written. */
  readonly name: string;
  /** Unfolded, RFC 2047-decoded value. */
  readonly value: string;
}

export interface MessageAnalysis {
  /** Raw message size in bytes. */
  readonly size: number;
  /** Top-level header fields in order. */
  readonly headers: readonly HeaderField[];
  readonly subject: string;
  readonly messageId: string;
  readonly segments: readonly TextSegment[];
  readonly attachments: readonly AttachmentInfo[];
  /** Non-empty: part of the message was not inspected. */
  readonly limitsHit: readonly LimitHit[];
  /** Parts that could not be read; policies match them (`unscannable`), else gateway.inspection.onUnscannable decides. */
  readonly unscannable: readonly UnscannablePart[];
  /** Informational remarks about the analysis; never evaluated, never a reason to pass. */
  readonly notes: readonly string[];
}

export interface AnalysisLimits {
  /** Nesting of attached messages and archives. */
  readonly maxDepth: number;
  /** MIME parts plus archive entries. */
  readonly maxParts: number;
  /** Decoded bytes kept for inspection (text and attachment content), per message. */
  readonly maxDecodedBytes: number;
}

export const DEFAULT_ANALYSIS_LIMITS: AnalysisLimits = Object.freeze({
  maxDepth: 16,
  maxParts: 500,
  maxDecodedBytes: 100 * 1024 * 1024,
});
