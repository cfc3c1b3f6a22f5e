// Containers opened by extract-file.ts: zip (also OOXML and ODF packages), gzip, tar, RTF documents for
// the objects they embed, TNEF (winmail.dat: its bodies and attached files), and the files attached
// inside a PDF (pdf.ts reads them, their bytes already under its caps). Each member is
// extracted like an attached file one level deeper; depth, entry count, ratio and the byte budget
// bound the work, and whatever a limit cuts off is reported as an unscannable part.
import { isUtf8 } from 'node:buffer';
import type { ExtractContext, FileInput } from './extract-context.js';
import { extractDataUris } from './data-uri.js';
import { addText, unscannable } from './facts.js';
import { htmlParts } from './markup-text.js';
import { readTnef, type TnefContent } from './tnef.js';

/** extract-file.ts's extractFile, handed in for the entries (a value import back would be a cycle). */
export type ExtractNested = (file: FileInput, container: string | undefined, depth: number, ctx: ExtractContext) => Promise<void>;
import { gunzippedName, readGzip } from './gzip.js';
import { ratioCap } from './limits.js';
import type { EmbeddedFile } from './pdf.js';
import { isOfficePlumbing, isOfficeTextPart, newOfficeSheets, officeKind, officePartText, officeReadOrder, officeType } from './office.js';
import { readRtf } from './rtf.js';
import { readTar } from './tar.js';
import { readZipDirectory, readZipEntry, type ZipEntry } from './zip.js';
import { windows1252 } from './charset-decoder.js';

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
/** An attached file's name as a PDF stores it may be a path, in either separator. */
const fileName = (path: string): string => baseName(path.replace(/\\/g, '/'));

export async function extractPdfFiles(files: readonly EmbeddedFile[], label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  if (files.length === 0) return;
  const room = entryRoom(ctx);
  ctx.facts.parts += files.length;
  addText(ctx, `${label} (file names)`, files.map((f) => (f.description === '' ? f.name : `${f.name}\n${f.description}`)).join('\n'));
  if (files.length > room) unscannable(ctx, label, 'limit', `${files.length - room} of ${files.length} files attached to the PDF are over the maxEntries (${ctx.limits.maxEntries}) or maxParts (${ctx.limits.maxParts}) limit`);
  if (!depthAllowed(label, depth, ctx)) return;
  for (const f of files.slice(0, room)) {
    const name = fileName(f.name);
    if ('reason' in f) {
      unscannable(ctx, `${label}/${name === '' ? '(unnamed)' : name}`, f.reason, f.detail);
      continue;
    }
    ctx.budget.take(f.content.length);
    await extractFile({ name, declaredType: '', size: f.content.length, content: f.content, truncated: false }, label, depth + 1, ctx);
  }
}

export async function extractZip(file: FileInput, label: string, depth: number, ctx: ExtractContext, sniffedType: string, info: (t: string) => void, extractFile: ExtractNested): Promise<void> {
  const room = entryRoom(ctx);
  const dir = readZipDirectory(file.content, room);
  if ('reason' in dir) {
    info(sniffedType);
    return unscannable(ctx, label, dir.reason, dir.detail);
  }
  // every declared entry counts, read or not: the part limit then shows in limitsHit too
  ctx.facts.parts += dir.total;
  const names = dir.entries.map((e) => e.name);
  const mimetype = readMimetype(file.content, dir.entries);
  const office = officeKind(names, mimetype);
  info(office === undefined ? 'application/zip' : officeType(office, mimetype));
  addText(ctx, `${label} (file names)`, names.join('\n'));
  if (dir.comments.length > 0) addText(ctx, `${label} (comments)`, dir.comments.join('\n'));
  if (dir.total > dir.entries.length) unscannable(ctx, label, 'limit', `${dir.total - dir.entries.length} of ${dir.total} zip entries are over the maxEntries (${ctx.limits.maxEntries}) or maxParts (${ctx.limits.maxParts}) limit`);
  if (!depthAllowed(label, depth, ctx)) return;
  // style sheets are read before the parts that use them; only their parsed styles are kept
  const sheets = newOfficeSheets();
  for (const e of officeReadOrder(office, dir.entries)) {
    if (e.name.endsWith('/')) continue;
    const where = `${label}/${e.name}`;
    const cap = Math.min(ctx.budget.left, ctx.limits.maxOutputBytes, ratioCap(ctx.limits, e.compressedSize));
    // the declared size is only believed when it is too big; a smaller lie is caught by the real output count
    if (e.size > cap) return overLimit(ctx, where, e, cap);
    const content = readZipEntry(file.content, e, cap);
    if ('reason' in content) {
      unscannable(ctx, where, content.reason, content.detail);
      if (content.reason === 'limit') return;
      continue;
    }
    ctx.budget.take(content.length);
    if (office !== undefined && isOfficeTextPart(e.name)) addText(ctx, where, officePartText(office, e.name, content, sheets));
    else if (office === undefined || !isOfficePlumbing(e.name)) {
      await extractFile({ name: baseName(e.name), declaredType: '', size: content.length, content, truncated: false }, label, depth + 1, ctx);
    }
  }
}

// A bomb stops the whole archive: nothing behind it is worth the CPU, and the part is refused anyway.
function overLimit(ctx: ExtractContext, where: string, e: ZipEntry, cap: number): void {
  if (cap >= ctx.budget.left) ctx.budget.markExceeded();
  unscannable(ctx, where, 'limit', `zip entry declares ${e.size} bytes from ${e.compressedSize}: over the ${cap}-byte limit (maxRatio ${ctx.limits.maxRatio}:1, maxOutputBytes or maxDecodedBytes)`);
}

function readMimetype(data: Uint8Array, entries: readonly ZipEntry[]): string | undefined {
  const m = entries.find((e) => e.name === 'mimetype' && e.size < 200);
  if (m === undefined) return undefined;
  const content = readZipEntry(data, m, 200);
  return 'reason' in content ? undefined : Buffer.from(content).toString('latin1').trim();
}

export async function extractGzip(file: FileInput, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested, zlib = false): Promise<void> {
  ctx.facts.parts++;
  if (!depthAllowed(label, depth, ctx)) return;
  const cap = Math.min(ctx.budget.left, ctx.limits.maxOutputBytes, ratioCap(ctx.limits, file.content.length));
  const r = readGzip(file.content, cap, zlib);
  if ('reason' in r) {
    if (r.reason === 'limit' && cap >= ctx.budget.left) ctx.budget.markExceeded();
    return unscannable(ctx, label, r.reason, r.detail);
  }
  if (r.header !== '') addText(ctx, `${label} (gzip header)`, r.header);
  ctx.budget.take(r.ok.length);
  await extractFile({ name: zlib ? `${file.name || 'zlib'}.content` : gunzippedName(file.name), declaredType: '', size: r.ok.length, content: r.ok, truncated: false }, label, depth + 1, ctx);
}

export async function extractTar(file: FileInput, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  const room = entryRoom(ctx);
  const r = readTar(file.content, room);
  if ('reason' in r) return unscannable(ctx, label, r.reason, r.detail);
  ctx.facts.parts += r.total;
  addText(ctx, `${label} (file names)`, r.members.map((m) => m.name).join('\n'));
  if (r.total > r.members.length) unscannable(ctx, label, 'limit', `${r.total - r.members.length} of ${r.total} tar members are over the maxEntries (${ctx.limits.maxEntries}) or maxParts (${ctx.limits.maxParts}) limit`);
  if (!depthAllowed(label, depth, ctx)) return;
  for (const m of r.members) {
    // members are views into the tar already held: no new bytes to take from the budget
    await extractFile({ name: baseName(m.name), declaredType: '', size: m.content.length, content: m.content, truncated: false }, label, depth + 1, ctx);
  }
}

/** An RTF document's text, then each embedded object as a file one level deeper ("letter.rtf/object 1"). */
export async function extractRtf(file: FileInput, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  const doc = readRtf(Buffer.from(file.content.buffer, file.content.byteOffset, file.content.length).toString('latin1'));
  addText(ctx, label, doc.text);
  if (doc.objects.length === 0) return;
  const room = entryRoom(ctx);
  ctx.facts.parts += doc.objects.length;
  if (doc.objects.length > room) unscannable(ctx, label, 'limit', `${doc.objects.length - room} of ${doc.objects.length} embedded objects are over the maxEntries (${ctx.limits.maxEntries}) or maxParts (${ctx.limits.maxParts}) limit`);
  if (!depthAllowed(label, depth, ctx)) return;
  for (const [i, o] of doc.objects.slice(0, room).entries()) {
    const name = `object ${i + 1}${o.className === undefined ? '' : ` (${o.className})`}`;
    if (o.data.length > ctx.budget.left) {
      ctx.budget.markExceeded();
      return unscannable(ctx, `${label}/${name}`, 'limit', `embedded object of ${o.data.length} bytes is over what is left of maxDecodedBytes`);
    }
    // decoded from hex: new bytes, so they count against the budget
    ctx.budget.take(o.data.length);
    await extractFile({ name, declaredType: '', size: o.data.length, content: o.data, truncated: false }, label, depth + 1, ctx);
  }
}

/**
 * A TNEF stream: its plain body and properties as text, its RTF body (decompressed: new bytes, from the
 * budget) through the RTF reader, its HTML body through the markup reader, then each attached file one
 * level deeper ("winmail.dat/report.xlsx"), sniffed like any attachment. Attached files are views into
 * the stream already held, so they take nothing from the budget (as tar members).
 */
export async function extractTnef(file: FileInput, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  const t = readTnef(file.content, valueCap(ctx));
  await extractMailContent(t, label, depth, ctx, extractFile);
}

/** The most bytes one decompressed value (an RTF body) may take: what is left of the budget, the output and ratio limits. */
export function valueCap(ctx: ExtractContext): (compressed: number) => number {
  return (compressed) => Math.min(ctx.budget.left, ctx.limits.maxOutputBytes, ratioCap(ctx.limits, compressed));
}

/** A TNEF stream's or an Outlook message's content (msg.ts): bodies, properties, then each attached file one level down. */
export async function extractMailContent(t: TnefContent, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  for (const p of t.problems) {
    if (p.reason === 'limit') ctx.budget.markExceeded();
    unscannable(ctx, label, p.reason, p.detail);
  }
  addText(ctx, `${label} (body)`, t.body);
  addText(ctx, `${label} (properties)`, t.properties);
  for (const rtf of t.rtf) {
    if (ctx.budget.take(rtf.length) < rtf.length) return unscannable(ctx, `${label} (rtf body)`, 'limit', `RTF body of ${rtf.length} bytes is over what is left of maxDecodedBytes`);
    await extractRtf({ name: 'body.rtf', declaredType: 'application/rtf', size: rtf.length, content: rtf, truncated: false }, `${label} (rtf body)`, depth, ctx, extractFile);
  }
  for (const html of t.html) {
    const { visible, hidden, dataUris, notLaidOut } = htmlParts((isUtf8(html) ? new TextDecoder('utf-8').decode(html) : windows1252(html)));
    addText(ctx, `${label} (html body)`, hidden === '' ? visible : `${visible}\n${hidden}`);
    if (notLaidOut !== undefined) unscannable(ctx, `${label} (html body)`, 'limit', notLaidOut);
    await extractDataUris(dataUris, `${label} (html body)`, depth + 1, ctx, extractFile);
  }
  const files = t.attachments.flatMap((a) => a.files.map((content) => ({ name: a.name, content })));
  addText(ctx, `${label} (file names)`, t.attachments.map((a) => (a.text === '' ? a.name : `${a.name}\n${a.text}`)).join('\n'));
  if (files.length === 0) return;
  const room = entryRoom(ctx);
  ctx.facts.parts += files.length;
  if (files.length > room) unscannable(ctx, label, 'limit', `${files.length - room} of ${files.length} files attached in it are over the maxEntries (${ctx.limits.maxEntries}) or maxParts (${ctx.limits.maxParts}) limit`);
  if (!depthAllowed(label, depth, ctx)) return;
  for (const f of files.slice(0, room)) {
    await extractFile({ name: f.name, declaredType: '', size: f.content.length, content: f.content, truncated: false }, label, depth + 1, ctx);
  }
}

/** Entries one archive may still open: its own limit, and what is left of the message's parts. */
function entryRoom(ctx: ExtractContext): number {
  return Math.max(0, Math.min(ctx.limits.maxEntries, ctx.limits.maxParts - ctx.facts.parts));
}

function depthAllowed(label: string, depth: number, ctx: ExtractContext): boolean {
  if (depth + 1 <= ctx.limits.maxDepth) return true;
  ctx.facts.limitsHit.push({ limit: 'maxDepth', detail: `archive nesting below ${label} exceeds ${ctx.limits.maxDepth}` });
  unscannable(ctx, label, 'limit', `archive nesting below ${label} exceeds maxDepth (${ctx.limits.maxDepth})`);
  return false;
}
