// Message analysis: parse MIME once, extract text once, record what the limits cut off.
import type { Readable } from 'node:stream';
import { bidiReading } from './bidi-text.js';
import type { AnalysisLimits, HeaderField, LimitHit, MessageAnalysis, TextSegment, UnscannablePart } from '../analysis.js';
import { decodeEncodedWords } from './encoded-words.js';
import { type ExtractContext, extractFile, fileLabel, type FileFacts, type FileInput, type LongText } from './extract-file.js';
import { type ExtractLimits, extractLimits, type InspectionLimits } from './limits.js';
import { extractInPool } from './pool.js';
import { extractDataUris } from './data-uri.js';
import { htmlParts } from './markup-text.js';
import { type BodyText, ByteBudget, MimeLimitError, parseMime, type ParsedMime, type ParsedPart } from './mime-parse.js';
import { parseSimpleMessage } from './simple-message.js';
import { parseStreamedMessage } from './streamed-text.js';
import { PGP_ARMOUR, TextCollector, TextDecodeStream } from './text-collector.js';
import { YencPieces } from './uuencode.js';
import type { YencWhere } from './extract-context.js';
import type { PolicySet } from '../policy-set.js';

/**
 * With `scans` (the policy set inspect.ts evaluates), texts longer than HOLD_CHARS are scanned by its
 * detectors in windows as they are decoded; without it every text is held whole.
 */
export async function analyzeMessage(raw: Buffer | Readable, limits: InspectionLimits, signal?: AbortSignal, scans?: PolicySet): Promise<MessageAnalysis> {
  signal?.throwIfAborted();
  const budget = new ByteBudget(limits.maxDecodedBytes);
  const simple = Buffer.isBuffer(raw) ? parseSimpleMessage(raw, budget) : undefined;
  if (simple !== undefined) return buildAnalysis(simple, limits, budget, scans, signal);
  const options = { budget, maxParts: limits.maxParts, maxDepth: limits.maxDepth, scans, ratio: mergedLimits(limits), ...(signal ? { signal } : {}) };
  const parsed = await (Buffer.isBuffer(raw) ? parseMime(raw, options) : parseStreamedMessage(raw, options));
  return buildAnalysis(parsed, limits, budget, scans, signal);
}

// A caller's limits are one object per graph (or per run): merged with the extraction defaults once,
// not for every message and every message attached to it.
const merged = new WeakMap<InspectionLimits, ExtractLimits>();

function mergedLimits(limits: InspectionLimits): ExtractLimits {
  let m = merged.get(limits);
  if (m === undefined) merged.set(limits, (m = extractLimits(limits)));
  return m;
}

async function buildAnalysis(parsed: ParsedMime, limits: InspectionLimits, budget: ByteBudget, scans: PolicySet | undefined, signal?: AbortSignal): Promise<MessageAnalysis> {
  const headers = parseHeaderLines(parsed.headerLines);
  const subject = headerValue(headers, 'subject');
  const segments: TextSegment[] = [
    { location: 'subject', label: 'Subject', text: subject },
    { location: 'headers', label: 'headers', text: headers.map((h) => `${h.name}: ${h.value}`).join('\n') },
    { location: 'headers', label: 'part headers', text: parsed.partHeaders.join('\n') },
  ];
  const body = bodySegments(parsed.bodies);
  segments.push(...body.segments, ...structureSegments(parsed));
  const facts: FileFacts = { segments, longTexts: [], messages: [], attachments: [], unscannable: [...(parsed.issues ?? [])], notes: [], limitsHit: [], parts: parsed.nodeCount };
  facts.unscannable.push(...undecodableBodies(parsed.bodies, ''), ...notLaidOut(body.notLaidOut, 'html body'));
  const ctx: ExtractContext = { limits: mergedLimits(limits), budget, facts, offload: (file, container, depth) => extractInPool(ctx, file, container, depth, signal), yencPieces: new YencPieces<YencWhere>() };
  const run: PartRun = { limits, scans, signal, ctx };
  // (a plain message has neither: no promise to wait for)
  if (parsed.parts.length > 0) await extractParts(parsed.parts, undefined, 0, run);
  if (body.dataUris.length > 0) await extractDataUris(body.dataUris, 'html', 1, ctx, extractFile);
  // attached messages met on the way (extract-file.ts defers them, from a worker thread too); more may follow
  let read = 0;
  for (;;) {
    for (; read < facts.messages.length; read++) {
      const m = facts.messages[read];
      if (m !== undefined) await extractMessage(m.file, fileLabel(m.file.name, m.container), m.container, m.depth, run);
    }
    // the yEnc files whose parts sat in separate texts (a.txt, b.txt), joined now that every text is read
    const joined = ctx.yencPieces?.joined() ?? [];
    if (joined.length === 0) break;
    for (const { file: f, where } of joined) {
      await extractFile({ name: f.name, declaredType: 'application/octet-stream', size: f.size, content: f.content, truncated: f.truncated }, where.label === '' ? undefined : where.label, where.depth, ctx);
    }
  }
  for (const long of facts.longTexts) {
    const { segment, encryptedBlock } = await windowedSegment(long, scans, signal);
    facts.segments.push(segment);
    if (encryptedBlock) facts.unscannable.push(encryptedText(segment.label));
  }
  // encrypted text pasted into a body or a text file (a file that starts with it is refused by sniff.ts)
  for (const s of facts.segments) if (s.text.includes(PGP_ARMOUR)) facts.unscannable.push(encryptedText(s.label));
  const names = facts.attachments.map((a) => a.name).filter((n) => n !== '');
  facts.segments.push({ location: 'attachments', label: 'file names', text: names.join('\n') });
  addBidiReadings(facts.segments);
  return Object.freeze({
    size: parsed.size,
    headers,
    subject,
    messageId: headerValue(headers, 'message-id'),
    segments: facts.segments.filter((s) => s.text !== '' || s.prescanned !== undefined),
    attachments: facts.attachments,
    limitsHit: [...structuralLimits(parsed, limits, facts), ...facts.limitsHit, ...budgetLimit(budget, limits)],
    unscannable: facts.unscannable,
    notes: facts.notes,
  });
}

interface PartRun {
  readonly limits: InspectionLimits;
  readonly scans: PolicySet | undefined;
  readonly signal: AbortSignal | undefined;
  readonly ctx: ExtractContext;
}

/** The parts of a message (or of a message attached to it: `container`, `base` levels down). */
async function extractParts(parts: readonly ParsedPart[], container: string | undefined, base: number, run: PartRun): Promise<void> {
  const { limits, ctx, signal } = run;
  for (const part of parts) {
    signal?.throwIfAborted();
    const depth = base + part.depth;
    const label = fileLabel(part.name, container);
    if (depth > limits.maxDepth) {
      ctx.facts.unscannable.push({ label, reason: 'limit', detail: `MIME nesting ${depth} exceeds maxDepth (${limits.maxDepth})` });
      continue;
    }
    if (part.declaredType === 'message/partial') {
      ctx.facts.attachments.push({ name: part.name, declaredType: part.declaredType, sniffedType: undefined, size: part.size, container });
      ctx.facts.unscannable.push({ label, reason: 'unsupported', detail: 'message/partial: one fragment of a message split over several mails (RFC 2046 §5.2.2); fragments are not reassembled here' });
      continue;
    }
    if (part.externalAccess !== undefined && part.externalAccess !== 'content-id') {
      // the phantom header block is still read below (extractFile): a URL or a description is text
      ctx.facts.unscannable.push({ label, reason: 'unsupported', detail: externalBodyDetail(part.externalAccess) });
    }
    if (part.declaredType === 'text/rfc822-headers') {
      // a bounce's copy of the original header block: its fields, encoded-words decoded
      const fields = parseHeaderLines(unfoldedLines(Buffer.from(part.content).toString('utf8')));
      ctx.facts.segments.push({ location: 'attachments', label: `${label} (headers)`, text: fields.map((h) => `${h.name}: ${h.value}`).join('\n') });
    }
    // an encoded multipart is parsed again here; an attached message comes back from extractFile (facts.messages)
    // a yEnc part a text part carried (mime-parse.ts joined those of one text): held to join with the parts of other texts
    if (part.yencPart !== undefined && ctx.yencPieces?.add({ ...part, content: Buffer.from(part.content.buffer, part.content.byteOffset, part.content.length) }, { label: container ?? '', depth }) === false) {
      ctx.facts.unscannable.push({ label, reason: 'limit', detail: `yEnc parts over ${ctx.yencPieces.maxBytes} bytes in one message are not joined with the parts in other texts` });
    }
    if (part.encodedEntity === true) await extractMessage(part, label, container, depth, run);
    else if (part.inlineText !== true) await extractFile(part, container, depth, ctx);
    else {
      const from = { segments: ctx.facts.segments.length, longTexts: ctx.facts.longTexts.length };
      await extractFile(part, container, depth, ctx);
      asBodyText(ctx.facts, label, from);
    }
  }
}

/**
 * An inline text part's own text, added since `from`, counts as body (what it carries, a uuencoded file
 * say, stays an attachment: those have labels of their own).
 */
function asBodyText(facts: FileFacts, label: string, from: { readonly segments: number; readonly longTexts: number }): void {
  const { segments, longTexts } = facts;
  for (let i = from.segments; i < segments.length; i++) {
    const s = segments[i];
    if (s !== undefined && s.label === label && s.location === 'attachments') segments[i] = { ...s, location: 'body' };
  }
  for (let i = from.longTexts; i < longTexts.length; i++) {
    const t = longTexts[i];
    if (t !== undefined && t.label === label) longTexts[i] = { ...t, location: 'body' };
  }
}

/**
 * An attached message the MIME parse did not descend into (disposed as an attachment, or itself base64 or
 * quoted-printable encoded), or a multipart that carried a transfer encoding: parsed again as a message,
 * its texts and parts inspected under its label, levels counted on from where it sits.
 */
/** Why a message/external-body part cannot be read: its content is fetched by the recipient, never carried. */
function externalBodyDetail(access: string): string {
  const how = access === '' ? 'no access-type' : `access-type=${access}`;
  return `message/external-body (${how}): the content is referenced, not carried (RFC 2046 §5.2.3), and the gateway does not fetch it`;
}

/** Text parts in a charset no decoder here reads, and mostly high bytes: what they say is unknown. */
/** Text parts no decoder here reads, and long HTML parts a window of which was not laid out (shown-text.ts). */
function undecodableBodies(bodies: readonly BodyText[], prefix: string): UnscannablePart[] {
  return bodies.flatMap((b) => [
    ...(b.undecodable === undefined ? [] : [{ label: `${prefix}${b.html ? 'html' : 'body'}`, reason: 'unsupported' as const, detail: `a text part in charset "${b.undecodable}", which no decoder here reads` }]),
    ...(b.notLaidOut === undefined ? [] : [{ label: `${prefix}html body`, reason: 'limit' as const, detail: b.notLaidOut }]),
    ...(b.encryptedBlock === true ? [encryptedText(`${prefix}${b.html ? 'html' : 'body'}`)] : []),
  ]);
}

function encryptedText(label: string): UnscannablePart {
  return { label, reason: 'encrypted', detail: 'an OpenPGP message in ASCII armour: what it holds is encrypted or compressed binary' };
}

async function extractMessage(part: FileInput & { readonly encodedEntity?: true }, label: string, container: string | undefined, depth: number, run: PartRun): Promise<void> {
  const { limits, ctx } = run;
  const { facts } = ctx;
  if (part.encodedEntity !== true) facts.attachments.push({ name: part.name, declaredType: part.declaredType, sniffedType: 'message/rfc822', size: part.size, container });
  if (part.truncated) facts.unscannable.push({ label, reason: 'limit', detail: `only ${part.content.length} of ${part.size} bytes were kept (maxDecodedBytes)` });
  if (depth >= limits.maxDepth) {
    facts.unscannable.push({ label, reason: 'limit', detail: `a message nested ${depth} levels deep is not opened (maxDepth ${limits.maxDepth})` });
    return;
  }
  const raw = Buffer.from(part.content.buffer, part.content.byteOffset, part.content.length);
  let parsed: ParsedMime;
  try {
    const options = { budget: ctx.budget, maxParts: Math.max(1, limits.maxParts - facts.parts), maxDepth: limits.maxDepth - depth, scans: run.scans, ratio: mergedLimits(limits), ...(run.signal ? { signal: run.signal } : {}) };
    parsed = parseSimpleMessage(raw, ctx.budget) ?? (await parseMime(raw, options));
  } catch (err) {
    if (!(err instanceof MimeLimitError)) throw err;
    facts.unscannable.push({ label, reason: 'limit', detail: err.message });
    return;
  }
  facts.parts += parsed.nodeCount;
  if (depth + parsed.maxDepth > limits.maxDepth) facts.limitsHit.push({ limit: 'maxDepth', detail: `MIME nesting ${depth + parsed.maxDepth} exceeds ${limits.maxDepth}` });
  facts.unscannable.push(...(parsed.issues ?? []).map((i) => ({ ...i, label: `${label}/${i.label}` })), ...undecodableBodies(parsed.bodies, `${label}: `));
  const headers = parseHeaderLines(parsed.headerLines);
  const inner = (s: TextSegment): TextSegment => ({ ...s, location: 'attachments', label: `${label}: ${s.label}` });
  const body = bodySegments(parsed.bodies);
  facts.unscannable.push(...notLaidOut(body.notLaidOut, `${label}: html body`));
  facts.segments.push(
    inner({ location: 'headers', label: 'headers', text: headers.map((h) => `${h.name}: ${h.value}`).join('\n') }),
    inner({ location: 'headers', label: 'part headers', text: parsed.partHeaders.join('\n') }),
    ...body.segments.map(inner),
    ...structureSegments(parsed).map(inner),
  );
  await extractParts(parsed.parts, label, depth, run);
  await extractDataUris(body.dataUris, `${label}: html`, depth + 1, ctx, extractFile);
}

/**
 * Beside each held text with something to lay out right to left (bidi controls, Hebrew or Arabic), the lines
 * whose display order differs from their logical order, as shown (bidi-text.ts): a segment of its own, so
 * "\u202e1111 1111 1111 1114" is also read as the "4111 1111 1111 1111" it shows. A text without any costs one test.
 */
function addBidiReadings(segments: TextSegment[]): void {
  for (let i = 0, n = segments.length; i < n; i++) {
    const s = segments[i];
    if (s === undefined || s.text === '') continue;
    const shown = bidiReading(s.text);
    if (shown !== '') segments.push({ location: s.location, label: `${s.label} (as shown, bidi)`, text: shown });
  }
}

function structureSegments(parsed: ParsedMime): TextSegment[] {
  return (parsed.structureTexts ?? []).map((t) => ({ location: 'body', label: t.label, text: t.text, ...(t.prescanned === undefined ? {} : { prescanned: t.prescanned }) }));
}

/** Header lines of a header block, continuation lines joined to their field. */
function unfoldedLines(block: string): string[] {
  const lines: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '') continue;
    const last = lines.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) lines[last] += `\r\n${line}`;
    else lines.push(line);
  }
  return lines;
}

// A long extracted text, decoded and scanned in windows (with `scans`) as a long body is; its bytes already
// counted against the budget when they were extracted. The event loop gets a turn between slices.
async function windowedSegment(long: LongText, scans: PolicySet | undefined, signal: AbortSignal | undefined): Promise<{ segment: TextSegment; encryptedBlock: boolean }> {
  const collector = new TextCollector({ budget: new ByteBudget(Number.POSITIVE_INFINITY), scans, ...(signal ? { signal } : {}) });
  const decoder = new TextDecodeStream(long.charset);
  const slice = 1 << 20;
  for (let i = 0; i < long.bytes.length; i += slice) {
    signal?.throwIfAborted();
    collector.push(decoder.write(long.bytes.subarray(i, i + slice)));
    if (i + slice < long.bytes.length) await new Promise((r) => setImmediate(r));
  }
  collector.push(decoder.end());
  const { text, prescanned, encryptedBlock } = collector.end();
  return { segment: { location: long.location ?? 'attachments', label: long.label, text, ...(prescanned === undefined ? {} : { prescanned }) }, encryptedBlock: encryptedBlock === true };
}

// Held texts are joined per kind (as mail clients show them); long ones stay separate, already scanned.
function bodySegments(bodies: readonly BodyText[]): { segments: TextSegment[]; dataUris: readonly string[]; notLaidOut?: string } {
  const held = (html: boolean): string =>
    bodies
      .filter((b) => b.html === html && b.prescanned === undefined)
      .map((b) => b.text)
      .join('\n');
  const text = held(false);
  const out: TextSegment[] = [{ location: 'body', label: 'body', text }];
  const html = held(true);
  let dataUris: readonly string[] = [];
  let notLaidOut: string | undefined;
  if (html !== '') {
    const { visible, hidden, dataUris: inline, notLaidOut: why } = htmlParts(html);
    dataUris = inline;
    notLaidOut = why;
    // multipart/alternative usually says the same twice; scan the HTML's visible text only when it differs
    if (squash(visible) !== squash(text)) out.push({ location: 'body', label: 'html', text: visible });
    // what no reader sees: attributes (decoded URLs), comments, title, style and script text
    if (hidden !== '') out.push({ location: 'body', label: 'html (attributes, comments, scripts)', text: hidden });
  }
  for (const b of bodies) {
    if (b.prescanned !== undefined) out.push({ location: 'body', label: b.html ? 'html' : 'body', text: '', prescanned: b.prescanned });
  }
  return { segments: out, dataUris, ...(notLaidOut === undefined ? {} : { notLaidOut }) };
}

/** An HTML text whose text as shown could not be computed (shown-text.ts) is a part the gateway could not read whole. */
function notLaidOut(why: string | undefined, label: string): UnscannablePart[] {
  return why === undefined ? [] : [{ label, reason: 'limit', detail: why }];
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function structuralLimits(parsed: ParsedMime, limits: AnalysisLimits, facts: FileFacts): LimitHit[] {
  const hits: LimitHit[] = [];
  if (parsed.maxDepth > limits.maxDepth) {
    hits.push({ limit: 'maxDepth', detail: `MIME nesting ${parsed.maxDepth} exceeds ${limits.maxDepth}` });
  }
  if (facts.parts > limits.maxParts) {
    hits.push({ limit: 'maxParts', detail: `${facts.parts} parts exceed ${limits.maxParts}` });
  }
  return hits;
}

function budgetLimit(budget: ByteBudget, limits: AnalysisLimits): LimitHit[] {
  return budget.exceeded ? [{ limit: 'maxDecodedBytes', detail: `decoded content exceeds ${limits.maxDecodedBytes} bytes` }] : [];
}

/** Unfolds and decodes raw header lines ("Name: value\r\n continued"). */
export function parseHeaderLines(lines: readonly string[]): HeaderField[] {
  const out: HeaderField[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const value = line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
    out.push({ name: line.slice(0, colon).trim(), value: decodeEncodedWords(value) });
  }
  return out;
}

function headerValue(headers: readonly HeaderField[], name: string): string {
  return headers.find((h) => h.name.toLowerCase() === name)?.value ?? '';
}
