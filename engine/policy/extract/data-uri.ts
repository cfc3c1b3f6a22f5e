// data: URIs in HTML (href, src, srcset, style url(...)): the payload is a file carried inline, so it is
// decoded (base64 or percent-encoded, RFC 2397 / WHATWG fetch) and extracted like an attached file,
// sniffed by its bytes (a data:application/zip is opened). Each counts as a part and its bytes are taken
// from the message's decoded-byte budget; what the limits cut off is reported unscannable.
import type { ExtractContext, FileInput } from './extract-context.js';
import { unscannable } from './facts.js';

/** extract-file.ts's extractFile, handed in (a value import back would be a cycle). */
type ExtractNested = (file: FileInput, container: string | undefined, depth: number, ctx: ExtractContext) => Promise<void>;

export interface DataUri {
  /** The declared media type, lower-case, no parameters ('text/plain' when none is given). */
  readonly mediaType: string;
  readonly bytes: Buffer;
}

// Linear: one class run after "data:", stopped by a blank, a quote or a parenthesis.
const EMBEDDED = /(?:^|[\s(,'"])(data:[^\s'"()]*)/gi;

/** data: URIs in one attribute value or style text: the whole value, or each in url(...) or a srcset. */
export function dataUrisIn(value: string, out: string[]): void {
  if (!/data:/i.test(value)) return;
  const trimmed = value.trim();
  if (/^data:/i.test(trimmed)) {
    out.push(trimmed);
    return;
  }
  for (const m of value.matchAll(EMBEDDED)) if (m[1] !== undefined) out.push(m[1]);
}

/** The payload of a data: URI, or undefined when it has no ','. */
export function parseDataUri(uri: string): DataUri | undefined {
  const comma = uri.indexOf(',');
  if (!/^data:/i.test(uri) || comma < 0) return undefined;
  const meta = uri.slice(5, comma).trim();
  const base64 = /;\s*base64\s*$/i.test(meta);
  const mediaType = (meta.split(';')[0] ?? '').trim().toLowerCase() || 'text/plain';
  const bytes = percentBytes(uri.slice(comma + 1));
  // forgiving base64: blanks are dropped, '-' and '_' (base64url) are read as a lenient decoder does
  return { mediaType, bytes: base64 ? Buffer.from(bytes.toString('latin1').replace(/[\s]+/g, ''), 'base64') : bytes };
}

function percentBytes(text: string): Buffer {
  if (!text.includes('%')) return Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) out.push(c);
    else out.push(...Buffer.from(text[i] ?? '', 'utf8'));
  }
  return Buffer.from(out);
}

/** Extracts each data: URI of `where` ("html", "page.html") as a file "where (data: URI n)", one level deeper. */
export async function extractDataUris(uris: readonly string[], where: string, depth: number, ctx: ExtractContext, extractFile: ExtractNested): Promise<void> {
  let n = 0;
  for (const uri of uris) {
    const parsed = parseDataUri(uri);
    if (parsed === undefined || parsed.bytes.length === 0) continue;
    n++;
    const name = `${where} (data: URI ${n})`;
    if (ctx.facts.parts >= ctx.limits.maxParts || depth > ctx.limits.maxDepth) {
      const limit = ctx.facts.parts >= ctx.limits.maxParts ? `maxParts (${ctx.limits.maxParts})` : `maxDepth (${ctx.limits.maxDepth})`;
      unscannable(ctx, name, 'limit', `data: URI ${n} and any after it are over the ${limit} limit`);
      return;
    }
    ctx.facts.parts++;
    const granted = ctx.budget.take(parsed.bytes.length);
    const content = parsed.bytes.subarray(0, granted);
    await extractFile({ name, declaredType: parsed.mediaType, size: parsed.bytes.length, content, truncated: granted < parsed.bytes.length }, undefined, depth, ctx);
  }
}
