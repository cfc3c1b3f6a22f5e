// What extracting one file works with and on: its input, the limits, the byte budget and the facts it
// adds to (apart from extract-file.ts so that the container readers and facts.ts import no cycle).
import type { AttachmentInfo, LimitHit, Location, TextSegment, UnscannablePart } from '../analysis.js';
import type { ByteBudget } from './byte-budget.js';
import type { ExtractLimits } from './limits.js';
import type { CollectedText } from './text-collector.js';
import type { YencPieces } from './uuencode.js';

/**
 * An extracted text longer than EXTRACTED_HOLD_CHARS, kept as bytes: analyze.ts decodes and scans it in windows as
 * it does a long body, so it never becomes one giant string (nor one per thread it crosses).
 */
export interface LongText {
  readonly label: string;
  /** Where its text counts (default attachments). */
  readonly location?: Location;
  readonly bytes: Uint8Array;
  readonly charset: 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
}

/** An attached message met while extracting (a .eml in a zip, too): analyze.ts parses it as a message. */
export interface NestedMessage {
  readonly file: FileInput;
  readonly container: string | undefined;
  readonly depth: number;
}

export interface FileFacts {
  readonly segments: TextSegment[];
  readonly longTexts: LongText[];
  /** Messages to parse again; they cross threads as bytes, like long texts. */
  readonly messages: NestedMessage[];
  readonly attachments: AttachmentInfo[];
  readonly unscannable: UnscannablePart[];
  readonly notes: string[];
  readonly limitsHit: LimitHit[];
  parts: number;
}

export interface ExtractContext {
  readonly limits: ExtractLimits;
  readonly budget: ByteBudget;
  readonly facts: FileFacts;
  /** Extracts a CPU-heavy file elsewhere (a worker thread) and merges its facts; undefined: right here. */
  readonly offload?: (file: FileInput, container: string | undefined, depth: number) => Promise<void>;
  /** yEnc parts of one message met in separate texts, joined once all are read (analyze.ts); undefined: not joined. */
  readonly yencPieces?: YencPieces<YencWhere>;
}

/** Where a held yEnc part was: the label of the text that carried it and its depth. */
export interface YencWhere {
  readonly label: string;
  readonly depth: number;
}

export interface FileInput {
  readonly name: string;
  readonly declaredType: string;
  readonly size: number;
  readonly content: Uint8Array;
  /** Only a prefix of the content was kept (maxDecodedBytes). */
  readonly truncated: boolean;
  /** A long file already scanned while it streamed (text, or a binary's printable strings); `content` is its first bytes. */
  readonly scannedText?: CollectedText;
  /** A long binary streamed as strings whose tail holds a zip end record: an archive that was not held. */
  readonly archiveNotHeld?: boolean;
  /** Refused while it streamed (mime-parse.ts: a zip bomb by its first local header). */
  readonly refused?: { readonly reason: 'limit'; readonly detail: string };
}
