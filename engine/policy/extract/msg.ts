// Outlook .msg files ([MS-OXMSG] 2.2: an OLE compound file, ole.ts): each variable-length MAPI property of the
// message is a stream `__substg1.0_<tag><type>` (2.1.3), strings in UTF-16LE (PT_UNICODE 001F) or 8-bit
// (PT_STRING8 001E, read as windows-1252); the body is PR_BODY (1000), PR_HTML (1013) or PR_RTF_COMPRESSED (1009,
// LZFu: lzfu.ts); each attachment is a storage `__attach_version1.0_#n` with its name (PR_ATTACH_LONG_FILENAME 3707,
// PR_ATTACH_FILENAME 3704, PR_DISPLAY_NAME 3001) and its bytes (PR_ATTACH_DATA_BIN 3701/0102) or, for an attached
// message, a storage of its own (PR_ATTACH_DATA_OBJ 3701/000D) laid out as a message; recipients are storages
// `__recip_version1.0_#n`. The content comes out in TNEF's shape (tnef.ts), so both are extracted alike.
import { windows1252 } from './charset-decoder.js';
import { type ExtractNested, extractMailContent, valueCap } from './containers.js';
import type { ExtractContext, FileInput } from './extract-context.js';
import { unscannable } from './facts.js';
import { decompressRtf } from './lzfu.js';
import type { Cfb, CfbEntry } from './ole.js';
import type { TnefAttachment, TnefContent, TnefProblem } from './tnef.js';

const PROPERTY = /^__substg1\.0_([0-9A-Fa-f]{4})([0-9A-Fa-f]{4})(?:-[0-9A-Fa-f]{8})?$/;
const ATTACHMENT = /^__attach_version1\.0_#[0-9A-Fa-f]{8}$/;
const RECIPIENT = /^__recip_version1\.0_#[0-9A-Fa-f]{8}$/;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;
const PR_ATTACH_DATA = 0x3701;
const ATTACHMENT_NAMES = [0x3707, 0x3704, 0x3001];
/** Messages attached inside messages, at most this deep (each level also counts against maxDepth). */
const MAX_NESTING = 8;

export interface MsgContent extends TnefContent {
  /** Messages attached as items (PR_ATTACH_DATA_OBJ), read the same way. */
  readonly messages: readonly { readonly name: string; readonly content: MsgContent }[];
}

/** Whether a compound file is an Outlook message: property streams and the property header at its root. */
export function isOutlookMessage(cfb: Cfb): boolean {
  const root = cfb.entries.find((e) => e.type === 5);
  if (root === undefined) return false;
  const names = cfb.children(root).map((e) => e.name);
  return names.includes('__properties_version1.0') && names.some((n) => PROPERTY.test(n));
}

/** The message in `storage` (the root, or an attached message's storage); `cap`: the most bytes one value may take. */
export function readMsg(cfb: Cfb, storage: CfbEntry, cap: (compressed: number) => number, nesting = 0): MsgContent {
  const body: string[] = [];
  const properties: string[] = [];
  const rtf: Uint8Array[] = [];
  const html: Uint8Array[] = [];
  const attachments: TnefAttachment[] = [];
  const problems: TnefProblem[] = [];
  const messages: { name: string; content: MsgContent }[] = [];
  for (const e of cfb.children(storage)) {
    if (e.type === 1 && ATTACHMENT.test(e.name)) {
      const a = readAttachment(cfb, e, cap, nesting, problems);
      if (a.message !== undefined) messages.push({ name: a.attachment.name || 'attached message', content: a.message });
      attachments.push(a.attachment);
      continue;
    }
    if (e.type === 1 && RECIPIENT.test(e.name)) {
      for (const r of cfb.children(e)) {
        const s = stringValue(cfb, r, cap);
        if (s !== undefined) properties.push(s);
      }
      continue;
    }
    const p = PROPERTY.exec(e.name);
    if (e.type !== 2 || p === null) continue;
    const tag = parseInt(p[1] as string, 16);
    const type = parseInt(p[2] as string, 16);
    if (tag === PR_RTF_COMPRESSED && type === PT_BINARY) {
      const r = decompressRtf(cfb.read(e, e.size), cap(e.size));
      if ('ok' in r) rtf.push(r.ok);
      else problems.push({ reason: r.reason, detail: `PR_RTF_COMPRESSED: ${r.detail}` });
      continue;
    }
    if (tag === PR_HTML && type === PT_BINARY) {
      html.push(cfb.read(e, e.size));
      continue;
    }
    const s = stringValue(cfb, e, cap);
    if (s === undefined) continue;
    if (tag === PR_HTML) html.push(Buffer.from(s, 'utf8'));
    else (tag === PR_BODY ? body : properties).push(s);
  }
  return { body: body.join('\n'), properties: properties.join('\n'), rtf, html, attachments, problems, messages };
}

function readAttachment(cfb: Cfb, storage: CfbEntry, cap: (compressed: number) => number, nesting: number, problems: TnefProblem[]): { attachment: TnefAttachment; message?: MsgContent } {
  const names = new Map<number, string>();
  const text: string[] = [];
  const files: Uint8Array[] = [];
  let message: MsgContent | undefined;
  for (const e of cfb.children(storage)) {
    const p = PROPERTY.exec(e.name);
    if (p === null) continue;
    const tag = parseInt(p[1] as string, 16);
    const type = parseInt(p[2] as string, 16);
    if (tag === PR_ATTACH_DATA && type === PT_BINARY && e.type === 2) files.push(cfb.read(e, e.size));
    else if (tag === PR_ATTACH_DATA && type === PT_OBJECT && e.type === 1) {
      if (nesting + 1 > MAX_NESTING) problems.push({ reason: 'limit', detail: `a message attached inside messages ${nesting + 1} levels deep` });
      else message = readMsg(cfb, e, cap, nesting + 1);
    } else {
      const s = stringValue(cfb, e, cap);
      if (s === undefined) continue;
      if (ATTACHMENT_NAMES.includes(tag) && !names.has(tag)) names.set(tag, s);
      text.push(s);
    }
  }
  const name = ATTACHMENT_NAMES.map((t) => names.get(t)).find((n) => n !== undefined && n !== '') ?? '';
  return { attachment: { name, files, text: text.join('\n') }, ...(message === undefined ? {} : { message }) };
}

/** A string property's text (its terminating NUL off), or undefined for a stream of another type. */
function stringValue(cfb: Cfb, e: CfbEntry, cap: (compressed: number) => number): string | undefined {
  const p = PROPERTY.exec(e.name);
  if (e.type !== 2 || p === null) return undefined;
  const type = parseInt(p[2] as string, 16);
  if (type !== PT_UNICODE && type !== PT_STRING8) return undefined;
  const bytes = cfb.read(e, e.size);
  const s = type === PT_UNICODE ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length - (bytes.length % 2)).toString('utf16le') : windows1252(bytes);
  return s.replace(/\0+$/, '');
}

/** An Outlook message: its bodies, properties and attached files, then each message attached as an item, one level down. */
export async function extractMsg(cfb: Cfb, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  const root = cfb.entries.find((e) => e.type === 5);
  if (root === undefined) return;
  await extractContent(readMsg(cfb, root, valueCap(ctx)), label, depth, ctx, extractFile);
}

async function extractContent(m: MsgContent, label: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  ctx.facts.parts++;
  await extractMailContent(m, label, depth, ctx, extractFile);
  for (const nested of m.messages) {
    const where = `${label}/${nested.name}`;
    if (depth + 1 > ctx.limits.maxDepth) {
      unscannable(ctx, where, 'limit', `a message attached ${depth + 1} levels deep is not opened (maxDepth ${ctx.limits.maxDepth})`);
      continue;
    }
    await extractContent(nested.content, where, depth + 1, ctx, extractFile);
  }
}
