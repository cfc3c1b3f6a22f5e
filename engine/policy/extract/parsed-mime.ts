// What the MIME parse yields (mime-parse.ts, or simple-message.ts's fast path for a single text part).
import type { UnscannablePart } from '../analysis.js';
import type { CollectedText } from './text-collector.js';

export interface StructureText extends CollectedText {
  readonly label: 'preamble' | 'epilogue';
}

export interface ParsedPart {
  readonly name: string;
  readonly declaredType: string;
  /** Full decoded size, counted even when content was not kept. */
  readonly size: number;
  /** The kept prefix of the decoded content (all of it unless `truncated`). */
  readonly content: Buffer;
  readonly truncated: boolean;
  /** MIME nesting level from the part id ("2.1" → 2). */
  readonly depth: number;
  /** A long text file (or a long binary's printable strings) scanned window by window while it streamed; `content` then holds its first bytes. */
  readonly scannedText?: CollectedText;
  /** A long binary streamed as strings whose tail holds a zip end record. */
  readonly archiveNotHeld?: boolean;
  /** Refused while it streamed (a zip bomb by its first local header); only its first bytes are kept. */
  readonly refused?: { readonly reason: 'limit'; readonly detail: string };
  /** A multipart that carried a transfer encoding (mime-structure.ts): `content` is its header block and decoded body, parsed again. */
  readonly encodedEntity?: true;
  /** message/external-body (RFC 2046 §5.2.3): its access-type, lower case ('' when missing); `content` is the phantom header block. */
  readonly externalAccess?: string;
  /** Files uuencoded or yEncoded inside a long text file that was scanned while it streamed (`scannedText`). */
  readonly encodedFiles?: readonly ParsedPart[];
  /** A yEnc part (uuencode.ts): joined with the other parts of its file, also across text parts (mime-parse.ts). */
  readonly yencPart?: { readonly part: number; readonly begin: number } | undefined;
  /**
   * A text/* part of a type other than plain or HTML without an attachment disposition (text/enriched,
   * text/markdown, text/csv inline, …): a reader shows it in the message body, so its text is body text.
   */
  readonly inlineText?: true;
}

/** One inline text/plain or text/html part (message/delivery-status reads as plain). */
export interface BodyText extends CollectedText {
  readonly html: boolean;
  /** Its charset label, when no decoder here knows it and its bytes are not mostly ASCII. */
  readonly undecodable?: string;
  /** Files uuencoded inside it (uuencode.ts), decoded. */
  readonly files?: readonly ParsedPart[];
}

export interface ParsedMime {
  readonly size: number;
  readonly headerLines: readonly string[];
  /** Inline text parts in message order. */
  readonly bodies: readonly BodyText[];
  readonly parts: readonly ParsedPart[];
  /** Header fields of every leaf part ("Name: value" lines per part), for detectors that read headers. */
  readonly partHeaders: readonly string[];
  /** Every MIME node, multipart containers included. */
  readonly nodeCount: number;
  readonly maxDepth: number;
  /** Text between the parts (mime-structure.ts): a multipart's preamble and epilogue. */
  readonly structureTexts?: readonly StructureText[];
  /** Parts found unreadable while parsing (conflicting MIME headers). */
  readonly issues?: readonly UnscannablePart[];
}
