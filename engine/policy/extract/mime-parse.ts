// The edge around mailparser: one streaming parse; text decoded as it streams, attachment content kept
// only within the byte budget, and long texts scanned in windows instead of held (text-collector.ts).
import { Readable } from 'node:stream';
import { MailParser } from 'mailparser';
import type { AttachmentStream, MessageText } from 'mailparser';
import { isHtmlFile, isTextFile } from './extract-file.js';
import type { ExtractTuning } from './limits.js';
import { sniffType, utf16Charset } from './sniff.js';
import { PrintableStrings } from './strings.js';
import { installStreamingQpDecoder } from './qp-stream.js';
import { installNativeBase64Decoder } from './base64-stream.js';
import { MimeStructure } from './mime-structure.js';
import { decodeEncodedWords } from './encoded-words.js';
import { isEnrichedType } from './enriched-text.js';
import { isNonstandardEncoding, UnknownEncodingTrial } from './transfer-encoding.js';
import { joinYencParts, UU_TRANSFER_ENCODINGS, UuDecoder, type UuFile } from './uuencode.js';
import { type TextLeafPlan, TextBodyReader, textCollector, uuParts } from './text-body.js';
import { type CollectedText, HOLD_CHARS, type TextCollector, TextDecodeStream, BYTE_CHARS } from './text-collector.js';
import type { ByteBudget } from './byte-budget.js';
import type { BodyText, ParsedMime, ParsedPart } from './parsed-mime.js';
import type { PolicySet } from '../policy-set.js';

export { ByteBudget } from './byte-budget.js';
export type { BodyText, ParsedMime, ParsedPart } from './parsed-mime.js';
export { uuParts } from './text-body.js';

/** What the parser needs besides the message: limits, the window scanner, cancellation. */
export interface MimeParseContext {
  readonly budget: ByteBudget;
  readonly maxParts: number;
  readonly maxDepth: number;
  /** Its detectors scan texts longer than HOLD_CHARS window by window; undefined holds them whole. */
  readonly scans: PolicySet | undefined;
  readonly signal?: AbortSignal;
  /** Ratio limits (extract/limits.ts): a zip whose first entry declares a bomb is refused while it streams. */
  readonly ratio?: Pick<ExtractTuning, 'maxRatio' | 'ratioFloorBytes'>;
}

// Enough to sniff a type even when the budget is spent.
const SNIFF_BYTES = 4096;

/** A structural limit the MIME splitter enforces itself (it stops parsing). */
export class MimeLimitError extends Error {
  readonly code = 'RG_POLICY_MIME_LIMIT';
}

export function parseMime(raw: Buffer | Readable, ctx: MimeParseContext): Promise<ParsedMime> {
  return runParse(raw, ctx, undefined);
}

/** What a parse saw besides its result: the text leaves it planned and the root node's transfer encoding. */
export interface ParseProbe {
  readonly textLeaves: TextLeafPlan[];
  /** mailsplit's reading of the root's Content-Transfer-Encoding (its decoder is chosen from it). */
  rootEncoding: string | false | undefined;
}

/** parseMime, recording into `probe` how the leaves were read (streamed-text.ts probes a header block so). */
export function probeMime(raw: Buffer, ctx: MimeParseContext, probe: ParseProbe): Promise<ParsedMime> {
  return runParse(raw, ctx, probe);
}

function runParse(raw: Buffer | Readable, ctx: MimeParseContext, probe: ParseProbe | undefined): Promise<ParsedMime> {
  const { maxParts, signal } = ctx;
  return new Promise((resolve, reject) => {
    // mailsplit counts nodes and refuses more than maxChildNodes: our part limit, enforced while splitting
    // defaultInlineEmbedded: an attached message without a disposition is parsed as it streams (as Thunderbird
    // shows it); one disposed as an attachment, or transfer-encoded, arrives as a part that analyze.ts parses again
    const options = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, checksumAlgo: false, maxChildNodes: maxParts, defaultInlineEmbedded: true };
    const parser = new MailParser(options as object);
    const structure = new MimeStructure(ctx.budget, ctx.scans, signal);
    structure.attach(parser);
    // Every leaf as a stream, inline text included: mailparser would otherwise join all text parts
    // into one string in memory. long-text.test.ts notices when mailparser stops honouring this.
    (parser as unknown as { textTypes: string[] }).textTypes = [];
    const state = { size: 0, headerLines: [] as string[], reads: [] as Promise<ParsedPart | BodyText | undefined>[] };
    const onAbort = (): void => {
      parser.destroy();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('inspection aborted'));
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    parser.on('headerLines', (lines: { line: string }[]) => state.headerLines.push(...lines.map((l) => l.line)));
    const partHeaders: string[] = [];
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type !== 'attachment') return;
      partHeaders.push(headerText(data.headers));
      state.reads.push(readLeaf(data, ctx, probe));
    });
    parser.once('error', (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(/child nodes exceeded/i.test(err.message) ? new MimeLimitError(`more than ${maxParts} MIME parts`) : err);
    });
    parser.once('end', () => {
      signal?.removeEventListener('abort', onAbort);
      Promise.all(state.reads)
        .then((leaves) => {
          const bodies = leaves.filter((l): l is BodyText => l !== undefined && 'html' in l);
          const extra = structure.end();
          // files uuencoded in a body, and encoded multiparts, are parts like the attached ones
          // the parts of one yEnc file may sit in several text parts (one each, as newsreaders post them)
          const encodedFiles = joinYencParts(bodies.flatMap((b) => b.files ?? []), (joined, first) => ({ ...first, ...joined, yencPart: undefined }));
          const files = [...leaves.filter((l): l is ParsedPart => l !== undefined && 'declaredType' in l), ...encodedFiles];
          const parts = [...files.flatMap((f) => [f, ...(f.encodedFiles ?? [])]), ...extra.entities];
          const tree = (parser as unknown as { tree?: { node?: { encoding?: string | false } } }).tree;
          if (probe !== undefined) probe.rootEncoding = tree?.node?.encoding;
          const shape = treeShape(tree);
          resolve({ size: state.size, headerLines: state.headerLines, bodies, parts, partHeaders: [...partHeaders, ...extra.headers], ...shape, structureTexts: extra.texts, issues: extra.issues });
        })
        .catch(reject);
    });
    feed(raw, parser, (n) => (state.size += n), reject);
  });
}

function feed(raw: Buffer | Readable, parser: MailParser, count: (n: number) => void, fail: (e: Error) => void): void {
  if (Buffer.isBuffer(raw)) {
    count(raw.length);
    parser.end(raw);
    return;
  }
  raw.on('data', (chunk: Buffer) => count(chunk.length));
  raw.once('error', (err: Error) => {
    parser.destroy();
    fail(err);
  });
  raw.pipe(parser);
}

installStreamingQpDecoder();
installNativeBase64Decoder();

const BODY_TYPES = new Set(['text/plain', 'text/html', 'message/delivery-status']);

interface ContentTypeHeader {
  readonly value?: string;
  readonly params?: Readonly<Record<string, string>>;
}

/** mailparser's rule for the message text: a text type, not disposed as an attachment. */
function readLeaf(att: AttachmentStream, ctx: MimeParseContext, probe: ParseProbe | undefined): Promise<ParsedPart | BodyText | undefined> {
  const cte = transferEncoding(att);
  if (UU_TRANSFER_ENCODINGS.has(cte) || !isNonstandardEncoding(cte)) return readLeafAs(att, ctx, probe);
  // an encoding mailsplit does not decode: the raw text as always, and the decoded reading beside it
  const trial = new UnknownEncodingTrial(cte, ctx.budget);
  att.content.on('data', (chunk: Buffer) => trial.write(chunk));
  const depth = (att.partId ?? '1').split('.').length;
  return readLeafAs(att, ctx, probe).then((read) => {
    const readings = trial.end();
    if (read === undefined || readings.length === 0) return read;
    const declaredType = (att.contentType ?? 'application/octet-stream').toLowerCase();
    const name = att.filename ?? '';
    const extra = readings.map((r): ParsedPart => ({ name, declaredType, size: r.content.length, content: r.content, truncated: r.truncated, depth }));
    return 'html' in read ? { ...read, files: [...(read.files ?? []), ...extra] } : { html: false, text: '', files: [read, ...extra] };
  });
}

function readLeafAs(att: AttachmentStream, ctx: MimeParseContext, probe: ParseProbe | undefined): Promise<ParsedPart | BodyText | undefined> {
  const disposition = (att.contentDisposition ?? 'inline').toLowerCase();
  const depth = (att.partId ?? '1').split('.').length;
  if (UU_TRANSFER_ENCODINGS.has(transferEncoding(att))) return depth > ctx.maxDepth ? drain(att) : readUuPart(att, depth, ctx);
  if (att.contentType === 'message/external-body') return readPart(att, depth, ctx).then((p) => ({ ...p, externalAccess: externalAccess(att) }));
  if (!BODY_TYPES.has(att.contentType ?? '') || disposition !== 'inline') return readPart(att, depth, ctx);
  if (depth > ctx.maxDepth) return drain(att);
  const type = (att.headers?.get('content-type') ?? {}) as ContentTypeHeader;
  const params = type.params ?? {};
  const flowed = (params.format ?? '').toLowerCase() === 'flowed' ? { delSp: (params.delsp ?? '').toLowerCase() === 'yes' } : undefined;
  const plan: TextLeafPlan = { html: att.contentType === 'text/html', charset: params.charset ?? '', flowed, depth };
  probe?.textLeaves.push(plan);
  const reader = new TextBodyReader(plan, ctx);
  return new Promise((resolve, reject) => {
    att.content.on('data', (chunk: Buffer) => reader.write(chunk));
    att.content.once('error', reject);
    att.content.once('end', () => {
      att.release?.();
      resolve(reader.end());
    });
  });
}

function externalAccess(att: AttachmentStream): string {
  const params = ((att.headers?.get('content-type') ?? {}) as ContentTypeHeader).params ?? {};
  return (params['access-type'] ?? '').trim().toLowerCase();
}

/** The part's Content-Transfer-Encoding as mailsplit reads it: a comment "(…)" on a line dropped, trimmed, lower case. */
function transferEncoding(att: AttachmentStream): string {
  const value = att.headers?.get('content-transfer-encoding');
  return stripComment(typeof value === 'string' ? value : '').trim().toLowerCase();
}

// mailsplit's MimeNode stripComments: from the first "(" to the last ")" of each line
function stripComment(value: string): string {
  if (!value.includes('(')) return value;
  return value
    .split(/([\n\r\u2028\u2029])/)
    .map((line) => {
      const start = line.indexOf('(');
      const end = line.lastIndexOf(')');
      return start >= 0 && end > start ? line.slice(0, start) + line.slice(end + 1) : line;
    })
    .join('');
}

/**
 * A part with Content-Transfer-Encoding x-uuencode (uuencode, x-uue): mailsplit passes it through undecoded.
 * Its text is decoded here into the files it holds (the first named as the part is); without a begin line
 * it stays the part it is, its first bytes inspected as they are.
 */
function readUuPart(att: AttachmentStream, depth: number, ctx: MimeParseContext): Promise<BodyText> {
  const uu = new UuDecoder(ctx.budget);
  const decoder = new TextDecodeStream(BYTE_CHARS);
  const raw: Buffer[] = [];
  let size = 0;
  return new Promise((resolve, reject) => {
    att.content.on('data', (chunk: Buffer) => {
      if (size < SNIFF_BYTES) raw.push(chunk);
      size += chunk.length;
      uu.push(decoder.write(chunk));
    });
    att.content.once('error', reject);
    att.content.once('end', () => {
      att.release?.();
      uu.push(decoder.end());
      const decoded = uuParts(uu.end(), depth);
      const name = att.filename ?? decoded[0]?.name ?? '';
      const declaredType = (att.contentType ?? 'application/octet-stream').toLowerCase();
      const content = Buffer.concat(raw).subarray(0, SNIFF_BYTES);
      const files = decoded.length === 0 ? [{ name, declaredType, size, content, truncated: size > content.length, depth }] : decoded.map((f, i) => (i === 0 ? { ...f, name } : f));
      resolve({ html: false, text: '', files });
    });
  });
}

function drain(att: AttachmentStream): Promise<undefined> {
  return new Promise((resolve, reject) => {
    att.content.resume();
    att.content.once('error', reject);
    att.content.once('end', () => {
      att.release?.();
      resolve(undefined);
    });
  });
}

/**
 * An attached file. Up to HOLD_CHARS bytes it is kept (within the budget) for extract-file.ts; a
 * longer one is kept whole when its extractor needs all of it (archives, PDF, RTF, executables that may
 * carry an archive), scanned in windows when it is text, and otherwise scanned in windows for its
 * printable strings, keeping only its first bytes (enough to sniff its type).
 */
function readPart(att: AttachmentStream, depth: number, ctx: MimeParseContext): Promise<ParsedPart> {
  const name = att.filename ?? '';
  const declaredType = (att.contentType ?? 'application/octet-stream').toLowerCase();
  const inline = declaredType.startsWith('text/') && (att.contentDisposition ?? 'inline').toLowerCase() === 'inline' ? { inlineText: true as const } : {};
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let size = 0;
    let truncated = false;
    let mode: LongPartMode = 'keep';
    let decided = false;
    let stream: PartStream | undefined;
    const keep = (chunk: Buffer): void => {
      const sniffRoom = Math.max(0, SNIFF_BYTES - keptBytes);
      const granted = Math.max(ctx.budget.take(chunk.length), Math.min(sniffRoom, chunk.length));
      if (granted < chunk.length) truncated = true;
      if (granted > 0) kept.push(granted === chunk.length ? chunk : chunk.subarray(0, granted));
      keptBytes += granted;
    };
    let refused: ParsedPart['refused'];
    att.content.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused !== undefined) return;
      if (stream !== undefined) return stream.write(chunk);
      keep(chunk);
      if (keptBytes >= 30 && keptBytes - chunk.length < 30 && ctx.ratio !== undefined) {
        refused = zipBombHead(Buffer.concat(kept).subarray(0, 64), ctx.ratio);
        if (refused !== undefined) {
          // nothing more is kept: a bomb costs its first bytes, not its size
          const head = Buffer.concat(kept);
          ctx.budget.give(Math.max(0, head.length - SNIFF_BYTES));
          kept.splice(0, kept.length, head.subarray(0, SNIFF_BYTES));
          return;
        }
      }
      if (decided || size <= HOLD_CHARS || ctx.scans === undefined) return;
      // decided once, when the part passes HOLD_CHARS: concatenating on every later chunk would be quadratic
      decided = true;
      const head = Buffer.concat(kept);
      mode = longPartMode(head, name, declaredType);
      if (mode === 'keep') return;
      // what was kept goes back to the budget: from here on it is scanned, not held
      ctx.budget.give(head.length - Math.min(head.length, SNIFF_BYTES));
      kept.splice(0, kept.length, head.subarray(0, SNIFF_BYTES));
      keptBytes = kept[0]?.length ?? 0;
      truncated = false;
      stream = new PartStream(mode, head, ctx, isHtmlFile({ name, declaredType }, head.subarray(0, 512).toString('latin1')));
    });
    att.content.once('error', reject);
    att.content.once('end', () => {
      att.release?.();
      const content = Buffer.concat(kept);
      const part = { name, declaredType, size, content, truncated, depth, ...inline, ...(refused === undefined ? {} : { refused }) };
      if (stream === undefined) return resolve(part);
      const { encoded, ...streamed } = stream.end();
      resolve({ ...part, ...streamed, ...(encoded.length > 0 ? { encodedFiles: uuParts(encoded, depth + 1) } : {}) });
    });
  });
}

/** A zip whose first local header declares more output than the ratio allows (a bomb), else undefined. */
function zipBombHead(head: Buffer, ratio: Pick<ExtractTuning, 'maxRatio' | 'ratioFloorBytes'>): ParsedPart['refused'] {
  if (head.length < 30 || head.readUInt32LE(0) !== 0x04034b50 || (head.readUInt16LE(6) & 8) !== 0) return undefined;
  const packed = head.readUInt32LE(18);
  const size = head.readUInt32LE(22);
  if (head.readUInt16LE(8) !== 8 || packed === 0 || packed === 0xffffffff || size <= ratio.ratioFloorBytes || size / packed <= ratio.maxRatio) return undefined;
  return { reason: 'limit', detail: `zip entry declares ${size} bytes from ${packed} (over ${ratio.maxRatio}:1): refused without inflating` };
}

type LongPartMode = 'keep' | 'text' | 'strings';

const HELD_WHOLE = new Set(['application/zip', 'application/pdf', 'application/gzip', 'application/x-tar', 'application/rtf', 'application/vnd.ms-tnef', 'application/x-msdownload', 'application/x-elf']);

function longPartMode(head: Buffer, name: string, declaredType: string): LongPartMode {
  // an attached message is parsed again (analyze.ts): its own parts are encoded, so it is held
  if (declaredType === 'message/rfc822' || declaredType === 'message/global') return 'keep';
  // enriched text is read as a reader shows it (enriched-text.ts), which windows of raw text would not be
  if (isEnrichedType(declaredType)) return 'keep';
  const sniffed = sniffType(head.subarray(0, SNIFF_BYTES));
  if (HELD_WHOLE.has(sniffed ?? '') || sniffed?.includes('openxmlformats') === true) return 'keep';
  return isTextFile({ name, declaredType }, sniffed) ? 'text' : 'strings';
}

const ZIP_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const TAIL_BYTES = 0x10000 + 22;

/** A long part decoded as it streams: its text, or a binary's printable strings, into a window collector. */
class PartStream {
  readonly #collector: TextCollector;
  readonly #text: TextDecodeStream | undefined;
  readonly #strings: PrintableStrings | undefined;
  // files uuencoded in a long plain text, as in a body
  readonly #uu: UuDecoder | undefined;
  // the last bytes of a binary, where a zip's end record would be
  #tail = Buffer.alloc(0);

  constructor(mode: 'text' | 'strings', head: Buffer, ctx: MimeParseContext, html: boolean) {
    this.#collector = textCollector(ctx, mode === 'text' && html);
    if (mode === 'text') this.#text = new TextDecodeStream(utf16Charset(head) ?? (utf8Valid(head) ? 'utf-8' : 'windows-1252'));
    else this.#strings = new PrintableStrings();
    if (mode === 'text' && !html) this.#uu = new UuDecoder(ctx.budget);
    this.write(head);
  }

  write(chunk: Buffer): void {
    if (this.#text !== undefined) return this.#pushText(this.#text.write(chunk));
    this.#collector.push(this.#strings?.write(chunk) ?? '');
    const joined = Buffer.concat([this.#tail, chunk]);
    this.#tail = joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined;
  }

  #pushText(text: string): void {
    this.#collector.push(text);
    this.#uu?.push(text);
  }

  end(): { scannedText: CollectedText; truncated: boolean; archiveNotHeld?: true; encoded: readonly UuFile[] } {
    if (this.#text !== undefined) this.#pushText(this.#text.end());
    else this.#collector.push(this.#strings?.end() ?? '');
    const scannedText = this.#collector.end();
    const archive = this.#strings !== undefined && this.#tail.includes(ZIP_END);
    return { scannedText, truncated: this.#collector.cut, ...(archive ? { archiveNotHeld: true as const } : {}), encoded: this.#uu?.end() ?? [] };
  }
}

/** Header fields of one part as "Name: value" lines; structured values (parameters) flattened. */
function headerText(headers: AttachmentStream['headers'] | undefined): string {
  const lines: string[] = [];
  // mailparser decodes the encoded-words of the headers it knows (Subject, addresses, file names) and leaves
  // the others (Content-Description, X- headers) as they came: those are decoded here.
  for (const [name, value] of headers ?? []) lines.push(`${name}: ${decodeEncodedWords(flatten(value))}`);
  return lines.join('\n');
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(flatten).join(' ');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return Object.values(value as Record<string, unknown>).map(flatten).join(' ');
  return String(value ?? '');
}

/** Valid UTF-8 so far (an incomplete sequence at the very end is not an error). */
function utf8Valid(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

interface TreeNode {
  readonly children?: readonly TreeNode[];
}

// mailparser keeps the MIME tree it built; counting it is how part and depth limits see nested parts.
function treeShape(tree: unknown): { nodeCount: number; maxDepth: number } {
  let nodeCount = 0;
  let maxDepth = 0;
  const walk = (node: TreeNode, depth: number): void => {
    nodeCount++;
    maxDepth = Math.max(maxDepth, depth);
    for (const child of node.children ?? []) walk(child, depth + 1);
  };
  if (typeof tree === 'object' && tree !== null) walk(tree as TreeNode, 0);
  return { nodeCount, maxDepth };
}
