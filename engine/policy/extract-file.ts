// One attached file → attachment facts and text segments; zips are opened, Office files read.
import type { AnalysisLimits, AttachmentInfo, LimitHit, TextSegment, UnscannablePart } from './analysis.js';
import { officeKind, officeText, officeType, readZip, type ArchiveListing } from './archive.js';
import { htmlToText } from './markup-text.js';
import type { ByteBudget } from './mime-parse.js';
import type { CollectedText } from './text-collector.js';
import { sniffType } from './sniff.js';

export interface FileFacts {
  readonly segments: TextSegment[];
  readonly attachments: AttachmentInfo[];
  readonly unscannable: UnscannablePart[];
  readonly notes: string[];
  readonly limitsHit: LimitHit[];
  parts: number;
}

export interface ExtractContext {
  readonly limits: AnalysisLimits;
  readonly budget: ByteBudget;
  readonly facts: FileFacts;
}

export interface FileInput {
  readonly name: string;
  readonly declaredType: string;
  readonly size: number;
  readonly content: Uint8Array;
  readonly truncated: boolean;
  /** A long text file already scanned while it streamed (mime-parse.ts); `content` is its first bytes. */
  readonly scannedText?: CollectedText;
}

const ZIP_TYPES = new Set(['application/zip', 'application/x-zip-compressed']);

export function extractFile(file: FileInput, container: string | undefined, depth: number, ctx: ExtractContext): void {
  let sniffed = sniffType(file.content);
  const listing = ZIP_TYPES.has(sniffed ?? '') || sniffed?.includes('openxmlformats') === true ? openZip(file, ctx) : undefined;
  const office = listing === undefined ? undefined : officeKind(listing.entries);
  if (office !== undefined) sniffed = officeType(office);
  else if (listing !== undefined) sniffed = 'application/zip';
  ctx.facts.attachments.push({ name: file.name, declaredType: file.declaredType, sniffedType: sniffed, size: file.size, container });
  const label = container === undefined ? file.name : `${container}/${file.name}`;
  if (office !== undefined && listing !== undefined) return addText(ctx, label, officeText(office, listing.entries));
  if (listing !== undefined) return extractZipEntries(listing, label, depth, ctx);
  if (sniffed === 'application/pdf' || file.declaredType === 'application/pdf') {
    ctx.facts.notes.push(`pdf text not extracted: ${label}`);
    return;
  }
  if (file.scannedText !== undefined) ctx.facts.segments.push({ location: 'attachments', label, ...file.scannedText });
  else if (isTextFile(file, sniffed)) addText(ctx, label, decodeText(file));
}

function openZip(file: FileInput, ctx: ExtractContext): ArchiveListing | undefined {
  const maxEntries = Math.max(0, ctx.limits.maxParts - ctx.facts.parts);
  try {
    const listing = readZip(file.content, ctx.budget.left, maxEntries);
    ctx.facts.parts += listing.entries.length + listing.skipped;
    ctx.budget.take(listing.entries.reduce((n, e) => n + (e.content?.length ?? 0), 0));
    if (listing.truncated) ctx.budget.take(Number.MAX_SAFE_INTEGER);
    return listing;
  } catch {
    // a truncated (over budget) or corrupt zip: its names and content stay unknown
    ctx.facts.notes.push(`zip not readable: ${file.name}${file.truncated ? ' (truncated by maxDecodedBytes)' : ''}`);
    return undefined;
  }
}

function extractZipEntries(listing: ArchiveListing, label: string, depth: number, ctx: ExtractContext): void {
  const names = listing.entries.map((e) => e.name);
  addText(ctx, `${label} (file names)`, names.join('\n'));
  if (depth + 1 > ctx.limits.maxDepth) {
    ctx.facts.limitsHit.push({ limit: 'maxDepth', detail: `archive nesting below ${label} exceeds ${ctx.limits.maxDepth}` });
    return;
  }
  for (const e of listing.entries) {
    if (e.name.endsWith('/')) continue;
    const base = e.name.slice(e.name.lastIndexOf('/') + 1);
    const content = e.content ?? new Uint8Array(0);
    extractFile({ name: base, declaredType: '', size: e.size, content, truncated: e.content === undefined }, label, depth + 1, ctx);
  }
}

const TEXT_EXTENSIONS = /\.(txt|csv|tsv|log|md|json|xml|html?|ya?ml|ini|conf|cfg|sql|eml|ics|vcf|rtf)$/i;

export function isTextFile(file: Pick<FileInput, 'name' | 'declaredType'>, sniffed: string | undefined): boolean {
  if (file.declaredType.startsWith('text/') || file.declaredType === 'message/rfc822') return sniffed === 'text/plain' || sniffed === undefined;
  return sniffed === 'text/plain' && (TEXT_EXTENSIONS.test(file.name) || file.declaredType === '' || file.declaredType === 'application/octet-stream');
}

function decodeText(file: FileInput): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.content);
  } catch {
    text = new TextDecoder('windows-1252').decode(file.content);
  }
  return file.declaredType === 'text/html' || /\.html?$/i.test(file.name) ? htmlToText(text) : text;
}

function addText(ctx: ExtractContext, label: string, text: string): void {
  if (text !== '') ctx.facts.segments.push({ location: 'attachments', label, text });
}
