// The base64 transfer decoder for the MIME parser: the bytes libbase64's streaming Decoder (which mailsplit,
// under mailparser, uses for every base64 part) gives, chunk for chunk, with Node's native decoder doing the
// work. libbase64 drops every character outside [A-Za-z0-9+/=] with an expression per chunk, then decodes each
// "="-separated segment on its own. Node's decoder skips what is not base64 as well, except "-" and "_" (it
// reads them as the url-safe alphabet) and "=" (where it stops). So a chunk without "-" and "_" is cut at its
// "=" and decoded natively, line ends and all; a stray character anywhere makes the decoded length fall short
// of what the alphabet and line ends alone give, and that chunk (like one with "-" or "_") is cleaned first
// exactly as libbase64 cleans it. installNativeBase64Decoder() puts this in place of libbase64.Decoder in the
// module instance mailsplit loads; base64-stream.test.ts checks the bytes against libbase64 itself.
import { decoderStream, mailsplitDependency } from './mailsplit-decoders.js';

const NOT_BASE64_ALL = /[^A-Za-z0-9+/=]/g;
const LINE_ENDS_ALL = /[\r\n]/g;
const EMPTY = Buffer.alloc(0);

interface Decoded {
  readonly out: Buffer;
  readonly carry: string;
}

/** The decoder's state without the stream: base64 bytes in, decoded bytes out (streamed-text.ts calls it directly). */
export class Base64Stream {
  // at most 3 characters of the alphabet that do not make a quartet yet (libbase64's _curLine)
  #carry = '';

  write(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    const text = chunk.toString('latin1');
    // Node reads "-" and "_" as the url-safe alphabet where libbase64 drops them: such a chunk is cleaned first
    const plain = text.indexOf('-') < 0 && text.indexOf('_') < 0;
    const decoded = (plain ? decodeText(text, this.#carry, false) : undefined) ?? decodeText(text.replace(NOT_BASE64_ALL, ''), this.#carry, true);
    // a cleaned text holds the alphabet and "=" only, so its checks cannot fail
    if (decoded === undefined) throw new Error('base64 decoding lost its place');
    this.#carry = decoded.carry;
    return decoded.out;
  }

  end(): Buffer {
    const rest = this.#carry;
    this.#carry = '';
    return rest === '' ? EMPTY : Buffer.from(rest, 'base64');
  }
}

/**
 * A whole base64 body as mailparser decodes every part (libbase64): "="-padded segments each decoded, "-" and
 * "_" dropped. Node's own `Buffer.from(text, 'base64')` stops at the first "=" and reads "-"/"_" as url-safe
 * digits, so a body in two padded segments hid its second from the detectors; every held decode goes here.
 */
export function decodeBase64(bytes: Buffer): Buffer {
  const s = new Base64Stream();
  const head = s.write(bytes);
  const tail = s.end();
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/**
 * `text` after `carry` as libbase64 decodes it. Unless `cleaned`, undefined when `text` holds anything but the
 * alphabet, "=" and line ends; that is not looked for character by character: Node's decoder skips any other
 * character, so it then yields fewer bytes than the alphabet and line ends alone give, and the count shows it.
 */
function decodeText(text: string, carry: string, cleaned: boolean): Decoded | undefined {
  const lastPad = text.lastIndexOf('=');
  if (lastPad < 0) return quartets(text, carry);
  // every "=" ends a segment, decoded whole (a partial quartet too); the quartet count restarts after it
  const pieces: Buffer[] = [];
  let start = 0;
  let first = carry;
  for (let pad = text.indexOf('='); pad >= 0 && pad <= lastPad; pad = text.indexOf('=', start)) {
    const segment = first + text.slice(start, pad);
    first = '';
    start = pad + 1;
    if (segment.length === 0) continue;
    const chars = segment.length - lineEnds(segment);
    // a lone character at a segment's end decodes to nothing, so a skipped character would not show there
    if (!cleaned && chars % 4 === 1) return undefined;
    const out = decodeExactly(segment, Math.floor(chars / 4) * 3 + PARTIAL[chars % 4]!);
    if (out === undefined) return undefined;
    pieces.push(out);
  }
  const tail = quartets(text.slice(start), first);
  if (tail === undefined) return undefined;
  pieces.push(tail.out);
  return { out: pieces.length === 1 ? tail.out : Buffer.concat(pieces), carry: tail.carry };
}

// bytes from a partial quartet of 0 to 3 characters
const PARTIAL = [0, 0, 1, 2] as const;

/** `text` (no "=") after `carry`: the whole quartets decoded, the rest carried; undefined as in decodeText. */
function quartets(text: string, carry: string): Decoded | undefined {
  const ends = lineEnds(text);
  const own = text.length - ends;
  const chars = carry.length + own;
  // the last characters of the alphabet that make no quartet wait for the next chunk; they all lie in `text`
  let cut = text.length;
  for (let left = chars < 4 ? own : chars % 4; left > 0; ) {
    const c = text.charCodeAt(--cut);
    if (c === 0x0a || c === 0x0d) continue;
    if (!isBase64(c)) return undefined;
    left--;
  }
  const kept = text.slice(cut);
  const rest = ends === 0 ? kept : kept.replace(LINE_ENDS_ALL, '');
  if (chars < 4) return { out: EMPTY, carry: carry + rest };
  if (carry === '') {
    const out = decodeExactly(text.slice(0, cut), ((chars - (chars % 4)) / 4) * 3);
    return out === undefined ? undefined : { out, carry: rest };
  }
  // the carry's quartet is completed and decoded on its own, so the chunk's text is not copied behind it
  let first = 0;
  for (let left = 4 - carry.length; left > 0; first++) {
    const c = text.charCodeAt(first);
    if (c === 0x0a || c === 0x0d) continue;
    if (!isBase64(c)) return undefined;
    left--;
  }
  const out = decodeExactly(text.slice(first, cut), ((chars - (chars % 4)) / 4) * 3, carry + text.slice(0, first));
  return out === undefined ? undefined : { out, carry: rest };
}

/**
 * `quartet` (a whole one, or nothing) then `text` decoded by Node, if they give exactly `length` bytes. Written into a buffer of that size: Buffer.from
 * sizes its result by the text's length and copies it again when line ends made that too large (3× slower).
 */
function decodeExactly(text: string, length: number, quartet = ''): Buffer | undefined {
  const out = Buffer.allocUnsafe(length);
  const head = quartet === '' ? 0 : out.write(quartet, 'base64');
  // a shorter result leaves bytes of the allocation unwritten: it is dropped, never handed on
  return head === (quartet === '' ? 0 : 3) && head + out.write(text, head, 'base64') === length ? out : undefined;
}

function isBase64(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2f;
}

function lineEnds(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) n++;
  return n;
}

/** libbase64's Decoder interface over Base64Stream. */
export const Base64Decoder = decoderStream(() => new Base64Stream());

let installed = false;

/** Makes mailsplit's base64 parts decode natively (see the top of this file). Idempotent. */
export function installNativeBase64Decoder(): void {
  if (installed) return;
  installed = true;
  const libbase64 = mailsplitDependency<{ Decoder: unknown }>('libbase64');
  libbase64.Decoder = Base64Decoder;
}
