// One attached file → attachment facts, text segments and unscannable parts. The extractor is chosen by
// what the bytes are (extract/sniff.ts), never by the declared type alone; a file that cannot be read
// is reported with a reason, never only noted. The same code runs on the event loop for small files and
// in a worker thread (extract/pool.ts) for PDFs and big archives.
import { isUtf8 } from 'node:buffer';
import { constants, inflateSync } from 'node:zlib';
import type { AttachmentInfo, LimitHit, TextSegment, UnscannablePart } from '../analysis.js';
import { extractGzip, extractPdfFiles, extractRtf, extractTar, extractTnef, extractZip } from './containers.js';
import { addText, EXTRACTED_HOLD_CHARS, unscannable } from './facts.js';
import { type ExtractLimits, ratioCap } from './limits.js';
import { pngText } from './image-text.js';
import { readPdf } from './pdf.js';
import { type ContentKind, sniffKind, sniffType, utf16Charset } from './sniff.js';
import { printableStrings } from './strings.js';
import { xlsCellText } from './xls.js';
import { extractMsg, isOutlookMessage } from './msg.js';
import { readCfb } from './ole.js';
import { textReadings } from './text-readings.js';
import { extractDataUris } from './data-uri.js';
import { htmlParts } from './markup-text.js';
import { enrichedToText, isEnrichedType } from './enriched-text.js';
import { TextDecodeStream } from './text-collector.js';
import { UuDecoder, type UuFile, uudecodeText } from './uuencode.js';
import type { ExtractContext, FileInput } from './extract-context.js';
import { windows1252 } from './charset-decoder.js';

export type { ExtractContext, FileFacts, FileInput, LongText } from './extract-context.js';

export async function extractFile(file: FileInput, container: string | undefined, depth: number, ctx: ExtractContext): Promise<void> {
  const label = fileLabel(file.name, container);
  if (file.scannedText !== undefined) return addScanned(file, label, container, ctx);
  if (file.refused !== undefined) {
    ctx.facts.attachments.push({ name: file.name, declaredType: file.declaredType, sniffedType: sniffType(file.content), size: file.size, container });
    return unscannable(ctx, label, file.refused.reason, file.refused.detail);
  }
  if (isMessageFile(file)) return void ctx.facts.messages.push({ file, container, depth });
  const kind = sniffKind(file.content, file.declaredType);
  if (ctx.offload !== undefined && isHeavy(kind, file.content.length, ctx.limits)) return ctx.offload(file, container, depth);
  const info = (sniffedType: string | undefined): void => void ctx.facts.attachments.push({ name: file.name, declaredType: file.declaredType, sniffedType, size: file.size, container });
  if (file.truncated) unscannable(ctx, label, 'limit', `only ${file.content.length} of ${file.size} bytes were kept (maxDecodedBytes)`);
  switch (kind.kind) {
    case 'zip':
      return extractZip(file, label, depth, ctx, kind.type, info, extractFile);
    case 'gzip':
      // a zlib stream is only a guess from two header bytes: one that does not inflate is a binary
      if (kind.type === 'application/zlib' && !inflates(file.content)) {
        info(undefined);
        return addText(ctx, `${label} (strings)`, printableStrings(file.content));
      }
      info(kind.type);
      return extractGzip(file, label, depth, ctx, extractFile, kind.type === 'application/zlib');
    case 'tar':
      info(kind.type);
      return extractTar(file, label, depth, ctx, extractFile);
    case 'pdf':
      info(kind.type);
      return extractPdf(file, label, depth, ctx);
    case 'rtf':
      info(kind.type);
      return extractRtf(file, label, depth, ctx, extractFile);
    case 'tnef':
      info(kind.type);
      return extractTnef(file, label, depth, ctx, extractFile);
    case 'smime':
      info(kind.type);
      // loaded on the first S/MIME part: node-forge is not loaded into extraction threads that never see one
      return (await import('./smime.js')).extractSmime(file, label, depth, ctx, extractFile);
    case 'text':
      info(kind.type);
      return addFileText(ctx, label, file, depth);
    case 'refuse':
      info(kind.type);
      return unscannable(ctx, label, kind.reason, kind.detail);
    case 'binary':
      info(kind.type);
      if (kind.type === 'image/png') addPngText(file, label, ctx);
      if (kind.type === 'application/x-ole-storage') {
        // an Outlook item (.msg): its properties and attached files, not its printable strings
        const cfb = readCfb(file.content);
        if (cfb !== undefined && isOutlookMessage(cfb)) return extractMsg(cfb, label, depth, ctx, extractFile);
        addXlsText(file, label, ctx);
      }
      return addText(ctx, `${label} (strings)`, printableStrings(file.content));
    default: {
      const never: never = kind;
      throw new Error(`RG_POL_INTERNAL: unknown content kind ${JSON.stringify(never)}`);
    }
  }
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(['message/rfc822', 'message/global']);

/**
 * An attached message: declared so, or a .eml file that starts with a header field. Its own parts may be
 * base64 or compressed, so reading it as text would miss them; analyze.ts parses it as a message.
 */
export function isMessageFile(file: Pick<FileInput, 'name' | 'declaredType' | 'content'>): boolean {
  if (MESSAGE_TYPES.has(file.declaredType)) return true;
  if (!/\.eml$/i.test(file.name)) return false;
  const head = Buffer.from(file.content.buffer, file.content.byteOffset, Math.min(file.content.length, 256)).toString('latin1');
  return /^[\x21-\x39\x3b-\x7e]+:/.test(head);
}

/** PDFs always, archives (TNEF too) from workerMinBytes: what may cost seconds of CPU leaves the event loop. */
function isHeavy(kind: ContentKind, size: number, limits: ExtractLimits): boolean {
  if (kind.kind === 'pdf') return true;
  return (kind.kind === 'zip' || kind.kind === 'gzip' || kind.kind === 'tar' || kind.kind === 'tnef') && size >= limits.workerMinBytes;
}

function addScanned(file: FileInput, label: string, container: string | undefined, ctx: ExtractContext): void {
  ctx.facts.attachments.push({ name: file.name, declaredType: file.declaredType, sniffedType: sniffType(file.content), size: file.size, container });
  ctx.facts.segments.push({ location: 'attachments', label, ...(file.scannedText ?? { text: '' }) });
  if (file.truncated) unscannable(ctx, label, 'limit', `only part of ${file.size} bytes was inspected (maxDecodedBytes)`);
  if (file.archiveNotHeld === true) unscannable(ctx, label, 'limit', `a zip archive inside a ${file.size}-byte binary was not held for reading`);
}

async function extractPdf(file: FileInput, label: string, depth: number, ctx: ExtractContext): Promise<void> {
  const caps = { perStream: (compressed: number) => ratioCap(ctx.limits, compressed), total: Math.min(ctx.budget.left, ctx.limits.maxOutputBytes) };
  const r = await readPdf(file.content, ctx.budget.left, caps);
  if ('reason' in r && r.reason === 'limit' && caps.total >= ctx.budget.left) ctx.budget.markExceeded();
  if ('reason' in r) return unscannable(ctx, label, r.reason, r.detail);
  const granted = ctx.budget.take(r.text.length);
  addText(ctx, label, r.text.slice(0, granted));
  await extractPdfFiles(r.files, label, depth, ctx, extractFile);
}

function addPngText(file: FileInput, label: string, ctx: ExtractContext): void {
  const r = pngText(file.content, (compressed) => Math.min(ctx.budget.left, ctx.limits.maxOutputBytes, ratioCap(ctx.limits, compressed)));
  if ('reason' in r) return unscannable(ctx, label, r.reason, r.detail);
  if (r.text === '') return;
  ctx.budget.take(r.text.length);
  addText(ctx, `${label} (image text)`, r.text);
}

// a legacy workbook's number cells are no printable strings: its cells are read as Excel shows them
function addXlsText(file: FileInput, label: string, ctx: ExtractContext): void {
  const text = xlsCellText(file.content);
  if (text === undefined || text === '') return;
  addText(ctx, `${label} (cells)`, text.slice(0, ctx.budget.take(text.length)));
}

/** Whether the first bytes of a zlib-looking file inflate (a 1 KiB probe, no more output). */
function inflates(data: Uint8Array): boolean {
  try {
    inflateSync(data.subarray(0, 4096), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1024 });
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
  }
}

export function fileLabel(name: string, container: string | undefined): string {
  const own = name === '' ? '(unnamed)' : name;
  return container === undefined ? own : `${container}/${own}`;
}

/** Whether a long part streams as text: by its bytes first; declared text types only when the bytes agree. */
export function isTextFile(file: Pick<FileInput, 'name' | 'declaredType'>, sniffed: string | undefined): boolean {
  if (file.declaredType.startsWith('text/') || file.declaredType === 'message/rfc822') return sniffed === 'text/plain' || sniffed === undefined;
  return sniffed === 'text/plain';
}

export function isHtmlFile(file: Pick<FileInput, 'name' | 'declaredType'>, head: string): boolean {
  return file.declaredType === 'text/html' || /\.x?html?$/i.test(file.name) || /^\s*(<!doctype html|<html)/i.test(head.slice(0, 512));
}

// A long plain-text file stays bytes (LongText); HTML is reduced to text first, so it is held.
async function addFileText(ctx: ExtractContext, label: string, file: FileInput, depth: number): Promise<void> {
  const head = new TextDecoder('utf-8').decode(file.content.subarray(0, 512));
  const utf16 = utf16Charset(file.content);
  const enriched = isEnrichedType(file.declaredType);
  if (file.content.length > EXTRACTED_HOLD_CHARS && !isHtmlFile(file, head) && !enriched) {
    const charset = utf16 ?? (isUtf8(file.content) ? 'utf-8' : 'windows-1252');
    ctx.facts.longTexts.push({ label, bytes: file.content, charset });
    return extractUuFiles(longTextUuFiles(file.content, charset, ctx), label, depth, ctx);
  }
  const text = decodeText(file, utf16);
  if (enriched) return addText(ctx, label, enrichedToText(text, file.declaredType));
  if (!isHtmlFile(file, text)) {
    // beside the text as written, the text as its format reads (text-readings.ts: XML, JSON, iCalendar …)
    const readings = textReadings(text, file.name, file.declaredType);
    addText(ctx, label, readings.length === 0 ? text : [text, ...readings].join('\n'));
    return extractUuFiles(text, label, depth, ctx);
  }
  const { visible, hidden, dataUris, notLaidOut } = htmlParts(text);
  addText(ctx, label, hidden === '' ? visible : `${visible}\n${hidden}`);
  if (notLaidOut !== undefined) unscannable(ctx, label, 'limit', notLaidOut);
  await extractDataUris(dataUris, label, depth + 1, ctx, extractFile);
}

/** The files encoded in a long text kept as bytes: decoded a slice at a time, never held as one string. */
function longTextUuFiles(bytes: Uint8Array, charset: string, ctx: ExtractContext): readonly UuFile[] {
  // one native search first: almost no long text holds a block ("=ybegin" contains it too)
  if (!charset.startsWith('utf-16') && !Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes('begin')) return [];
  const decoder = new TextDecodeStream(charset);
  const uu = new UuDecoder(ctx.budget);
  for (let i = 0; i < bytes.length; i += 1 << 20) uu.push(decoder.write(bytes.subarray(i, i + (1 << 20))));
  uu.push(decoder.end());
  return uu.end();
}

/** Files uuencoded or yEncoded inside a text file, extracted under it (as in a body: mime-parse.ts). */
async function extractUuFiles(text: string | readonly UuFile[], label: string, depth: number, ctx: ExtractContext): Promise<void> {
  for (const f of typeof text === 'string' ? uudecodeText(text, ctx.budget) : text) {
    if (ctx.facts.parts >= ctx.limits.maxParts || depth + 1 > ctx.limits.maxDepth) {
      const limit = ctx.facts.parts >= ctx.limits.maxParts ? `maxParts (${ctx.limits.maxParts})` : `maxDepth (${ctx.limits.maxDepth})`;
      return unscannable(ctx, fileLabel(f.name, label), 'limit', `a file encoded inside ${label} is over the ${limit} limit`);
    }
    ctx.facts.parts++;
    if (ctx.yencPieces?.add(f, { label, depth: depth + 1 }) === false) unscannable(ctx, fileLabel(f.name, label), 'limit', `yEnc parts over ${ctx.yencPieces.maxBytes} bytes in one message are not joined with the parts in other texts`);
    await extractFile({ name: f.name, declaredType: 'application/octet-stream', size: f.size, content: f.content, truncated: f.truncated }, label, depth + 1, ctx);
  }
}

function decodeText(file: FileInput, utf16: string | undefined): string {
  try {
    // the decoder drops the byte order mark
    return new TextDecoder(utf16 ?? 'utf-8', { fatal: utf16 === undefined }).decode(file.content);
  } catch {
    return windows1252(file.content);
  }
}

