// Fast path for the most common shape: one text/plain or text/html part, no multipart. Decoding such a
// message is a header split, one transfer decoding and one charset decoding; anything else (multipart,
// flowed text, RFC 2231 parameters, unknown charsets) returns undefined and goes to mailparser.
import { decodeBase64 } from './base64-stream.js';
import { decodeCharset } from './encoded-words.js';
import type { ByteBudget } from './byte-budget.js';
import type { ParsedMime, ParsedPart } from './parsed-mime.js';
import { uudecodeText } from './uuencode.js';
import { isUtf16Label, utf16Order } from './utf16-text.js';

export function parseSimpleMessage(raw: Buffer, budget: ByteBudget): ParsedMime | undefined {
  const split = splitHeader(raw);
  if (split === undefined) return undefined;
  const fields = fieldMap(split.lines);
  const type = parseContentType(fields.get('content-type') ?? 'text/plain');
  if (type === undefined || (type.mime !== 'text/plain' && type.mime !== 'text/html')) return undefined;
  const disposition = fields.get('content-disposition') ?? '';
  if (/^\s*attachment/i.test(disposition) || RFC2231.test(disposition)) return undefined;
  const bytes = decodeTransfer(raw.subarray(split.bodyStart), (fields.get('content-transfer-encoding') ?? '7bit').trim().toLowerCase());
  if (bytes === undefined) return undefined;
  const cut = bytes.length > budget.left;
  const charset = isUtf16Label(type.charset) ? utf16Order(bytes, type.charset) : type.charset;
  const decoded = decodeCharset(bytes.subarray(0, Math.min(bytes.length, budget.left)), charset);
  if (decoded === undefined) return undefined;
  budget.take(decoded.length);
  if (cut) budget.markExceeded();
  // line ends as mailparser gives them
  const text = decoded.includes('\r') ? decoded.replace(/\r\n/g, '\n') : decoded;
  // a file uuencoded in the text is a part, as mime-parse.ts finds it in a multipart's text
  const parts: ParsedPart[] = type.mime === 'text/html' ? [] : uudecodeText(text, budget).map((f) => ({ name: f.name, declaredType: 'application/octet-stream', size: f.size, content: f.content, truncated: f.truncated, depth: 1 }));
  return { size: raw.length, headerLines: split.lines, bodies: [{ html: type.mime === 'text/html', text }], parts, partHeaders: [], nodeCount: 1, maxDepth: 0 };
}

function splitHeader(raw: Buffer): { lines: string[]; bodyStart: number } | undefined {
  const crlf = raw.indexOf('\r\n\r\n');
  // a bare blank line counts only before the CRLF one: not searched for through the whole body
  const lf = (crlf < 0 ? raw : raw.subarray(0, crlf + 1)).indexOf('\n\n');
  if (crlf < 0 && lf < 0) return undefined;
  const useCrlf = crlf >= 0 && (lf < 0 || crlf < lf);
  const end = useCrlf ? crlf : lf;
  const head = raw.subarray(0, end).toString('latin1');
  const lines: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    const last = lines.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) lines[last] += `\r\n${line}`;
    else lines.push(line);
  }
  // header bytes beyond ASCII: let mailparser apply its charset heuristics
  if (/[^\x00-\x7f]/.test(head)) return undefined;
  return { lines, bodyStart: end + (useCrlf ? 4 : 2) };
}

function fieldMap(lines: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    // a repeated MIME field is ambiguous: the slow path decides
    // (and a NUL byte in one: mime-structure.ts reports both)
    if (name.startsWith('content-') && (map.has(name) || line.includes('\u0000'))) map.set(name, '\u0000');
    else map.set(name, line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim());
  }
  return map;
}

const RFC2231 = /\*(?:\d+\*?)?\s*=/;

function parseContentType(value: string): { mime: string; charset: string } | undefined {
  // RFC 2231 parameters (x*=, x*0=, x*1*=) are joined and decoded by mailparser only
  if (value.includes('\u0000') || RFC2231.test(value) || value.includes('(')) return undefined;
  const [mime = '', ...params] = value.split(';').map((p) => p.trim());
  let charset = 'us-ascii';
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    const val = p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key === 'charset') charset = val;
    if (key === 'format' && val.toLowerCase() === 'flowed') return undefined;
  }
  return { mime: mime.toLowerCase(), charset };
}

function decodeTransfer(body: Buffer, encoding: string): Buffer | undefined {
  switch (encoding) {
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return undefined;
  }
}

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
}

/** RFC 2045 §6.7: =XX escapes, soft line breaks ("=" at line end, trailing blanks allowed); invalid escapes kept. */
export function decodeQuotedPrintable(input: Buffer): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  return out.subarray(0, decodeQuotedPrintableInto(input, out, 0));
}

/** decodeQuotedPrintable into `out` from `at` on (room for input.length bytes); returns the end of what it wrote. */
export function decodeQuotedPrintableInto(input: Buffer, out: Buffer, at: number): number {
  // the input is copied in once and then closed up where an escape or a soft break was: a move within
  // `out` per line, where a copy from `input` per line made a new view of it each time (twice the cost)
  input.copy(out, at);
  let o = at;
  let i = 0;
  for (let eq = input.indexOf(0x3d); eq >= 0; eq = input.indexOf(0x3d, i)) {
    if (o !== at + i) out.copyWithin(o, at + i, at + eq);
    o += eq - i;
    const h = HEX[input[eq + 1] ?? 0] ?? -1;
    const l = HEX[input[eq + 2] ?? 0] ?? -1;
    if (h >= 0 && l >= 0) {
      out[o++] = (h << 4) | l;
      i = eq + 3;
      continue;
    }
    i = softBreakEnd(input, eq);
    if (i < 0) {
      out[o++] = 0x3d;
      i = eq + 1;
    }
  }
  if (o !== at + i) out.copyWithin(o, at + i, at + input.length);
  return o + input.length - i;
}

/** Index after a soft line break starting at `eq`, or -1 when the "=" is just a stray character. */
function softBreakEnd(input: Buffer, eq: number): number {
  let j = eq + 1;
  while (input[j] === 0x20 || input[j] === 0x09) j++;
  if (input[j] === 0x0d && input[j + 1] === 0x0a) return j + 2;
  if (input[j] === 0x0a) return j + 1;
  return j >= input.length ? j : -1;
}
