// Message analysis: parse MIME once, extract text once, record what the limits cut off.
import type { Readable } from 'node:stream';
import type { AnalysisLimits, HeaderField, LimitHit, MessageAnalysis, TextSegment } from './analysis.js';
import { decodeEncodedWords } from './encoded-words.js';
import { extractFile, type FileFacts } from './extract-file.js';
import { htmlToText } from './markup-text.js';
import { ByteBudget, parseMime, type ParsedMime } from './mime-parse.js';
import { parseSimpleMessage } from './simple-message.js';

export async function analyzeMessage(raw: Buffer | Readable, limits: AnalysisLimits, signal?: AbortSignal): Promise<MessageAnalysis> {
  signal?.throwIfAborted();
  const budget = new ByteBudget(limits.maxDecodedBytes);
  const simple = Buffer.isBuffer(raw) ? parseSimpleMessage(raw, budget) : undefined;
  const parsed = simple ?? (await parseMime(raw, budget, limits.maxParts, signal));
  return buildAnalysis(parsed, limits, budget, signal);
}

function buildAnalysis(parsed: ParsedMime, limits: AnalysisLimits, budget: ByteBudget, signal?: AbortSignal): MessageAnalysis {
  const headers = parseHeaderLines(parsed.headerLines);
  const subject = headerValue(headers, 'subject');
  const segments: TextSegment[] = [
    { location: 'subject', label: 'Subject', text: subject },
    { location: 'headers', label: 'headers', text: headers.map((h) => `${h.name}: ${h.value}`).join('\n') },
    ...bodySegments(parsed, budget),
  ];
  const facts: FileFacts = { segments, attachments: [], notes: [], limitsHit: [], parts: parsed.nodeCount };
  for (const part of parsed.parts) {
    signal?.throwIfAborted();
    if (part.depth > limits.maxDepth) continue;
    extractFile(part, undefined, part.depth, { limits, budget, facts });
  }
  const names = facts.attachments.map((a) => a.name).filter((n) => n !== '');
  facts.segments.push({ location: 'attachments', label: 'file names', text: names.join('\n') });
  return Object.freeze({
    size: parsed.size,
    headers,
    subject,
    messageId: headerValue(headers, 'message-id'),
    segments: facts.segments.filter((s) => s.text !== ''),
    attachments: facts.attachments,
    limitsHit: [...structuralLimits(parsed, limits, facts), ...facts.limitsHit, ...budgetLimit(budget, limits)],
    notes: facts.notes,
  });
}

function bodySegments(parsed: ParsedMime, budget: ByteBudget): TextSegment[] {
  const text = keep(parsed.text, budget);
  const out: TextSegment[] = [{ location: 'body', label: 'body', text }];
  if (parsed.html === '') return out;
  const fromHtml = keep(htmlToText(parsed.html), budget);
  // multipart/alternative usually says the same twice; scan the HTML only when it differs
  if (squash(fromHtml) !== squash(text)) out.push({ location: 'body', label: 'html', text: fromHtml });
  return out;
}

function keep(text: string, budget: ByteBudget): string {
  const granted = budget.take(text.length);
  return granted < text.length ? text.slice(0, granted) : text;
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
