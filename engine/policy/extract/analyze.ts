// Message analysis: parse MIME once, extract text once, record what the limits cut off.
import type { Readable } from 'node:stream';
import type { AnalysisLimits, HeaderField, LimitHit, MessageAnalysis, TextSegment } from '../analysis.js';
import { decodeEncodedWords } from './encoded-words.js';
import { type ExtractContext, extractFile, type FileFacts, type LongText } from './extract-file.js';
import { extractLimits, type InspectionLimits } from './limits.js';
import { extractInPool } from './pool.js';
import { extractDataUris } from './data-uri.js';
import { htmlParts } from './markup-text.js';
import { type BodyText, ByteBudget, parseMime, type ParsedMime } from './mime-parse.js';
import { parseSimpleMessage } from './simple-message.js';
import { TextCollector, TextDecodeStream } from './text-collector.js';
import type { PolicySet } from '../policy-set.js';

/**
 * With `scans` (the policy set inspect.ts evaluates), texts longer than HOLD_CHARS are scanned by its
 * detectors in windows as they are decoded; without it every text is held whole.
 */
export async function analyzeMessage(raw: Buffer | Readable, limits: InspectionLimits, signal?: AbortSignal, scans?: PolicySet): Promise<MessageAnalysis> {
  signal?.throwIfAborted();
  const budget = new ByteBudget(limits.maxDecodedBytes);
  const simple = Buffer.isBuffer(raw) ? parseSimpleMessage(raw, budget) : undefined;
  const ratio = extractLimits(limits);
  const parsed = simple ?? (await parseMime(raw, { budget, maxParts: limits.maxParts, maxDepth: limits.maxDepth, scans, ratio, ...(signal ? { signal } : {}) }));
  return buildAnalysis(parsed, limits, budget, scans, signal);
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
  segments.push(...body.segments);
  const facts: FileFacts = { segments, longTexts: [], attachments: [], unscannable: [], notes: [], limitsHit: [], parts: parsed.nodeCount };
  const ctx: ExtractContext = { limits: extractLimits(limits), budget, facts, offload: (file, container, depth) => extractInPool(ctx, file, container, depth, signal) };
  for (const part of parsed.parts) {
    signal?.throwIfAborted();
    if (part.depth > limits.maxDepth) {
      facts.unscannable.push({ label: part.name || '(unnamed)', reason: 'limit', detail: `MIME nesting ${part.depth} exceeds maxDepth (${limits.maxDepth})` });
      continue;
    }
    await extractFile(part, undefined, part.depth, ctx);
  }
  await extractDataUris(body.dataUris, 'html', 1, ctx, extractFile);
  for (const long of facts.longTexts) facts.segments.push(await windowedSegment(long, scans, signal));
  const names = facts.attachments.map((a) => a.name).filter((n) => n !== '');
  facts.segments.push({ location: 'attachments', label: 'file names', text: names.join('\n') });
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

// A long extracted text, decoded and scanned in windows (with `scans`) as a long body is; its bytes already
// counted against the budget when they were extracted. The event loop gets a turn between slices.
async function windowedSegment(long: LongText, scans: PolicySet | undefined, signal: AbortSignal | undefined): Promise<TextSegment> {
  const collector = new TextCollector({ budget: new ByteBudget(Number.POSITIVE_INFINITY), scans, ...(signal ? { signal } : {}) });
  const decoder = new TextDecodeStream(long.charset);
  const slice = 1 << 20;
  for (let i = 0; i < long.bytes.length; i += slice) {
    signal?.throwIfAborted();
    collector.push(decoder.write(long.bytes.subarray(i, i + slice)));
    if (i + slice < long.bytes.length) await new Promise((r) => setImmediate(r));
  }
  collector.push(decoder.end());
  return { location: 'attachments', label: long.label, ...collector.end() };
}

// Held texts are joined per kind (as mail clients show them); long ones stay separate, already scanned.
function bodySegments(bodies: readonly BodyText[]): { segments: TextSegment[]; dataUris: readonly string[] } {
  const held = (html: boolean): string =>
    bodies
      .filter((b) => b.html === html && b.prescanned === undefined)
      .map((b) => b.text)
      .join('\n');
  const text = held(false);
  const out: TextSegment[] = [{ location: 'body', label: 'body', text }];
  const html = held(true);
  let dataUris: readonly string[] = [];
  if (html !== '') {
    const { visible, hidden, dataUris: inline } = htmlParts(html);
    dataUris = inline;
    // multipart/alternative usually says the same twice; scan the HTML's visible text only when it differs
    if (squash(visible) !== squash(text)) out.push({ location: 'body', label: 'html', text: visible });
    // what no reader sees: attributes (decoded URLs), comments, title, style and script text
    if (hidden !== '') out.push({ location: 'body', label: 'html (attributes, comments, scripts)', text: hidden });
  }
  for (const b of bodies) {
    if (b.prescanned !== undefined) out.push({ location: 'body', label: b.html ? 'html' : 'body', text: '', prescanned: b.prescanned });
  }
  return { segments: out, dataUris };
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
