// One text decoder for a declared charset. Node 20's TextDecoder reads the WHATWG "windows-1252" encoding
// (the one the labels windows-1252, cp1252, x-cp1252, iso-8859-1, latin1, ascii and us-ascii all name) as
// latin1: 0x80-0x9f come out as C1 controls, not the quotes, dashes and euro sign a mail reader shows, so
// "4111\x961111…" (en dashes) was no number to a detector. Later Node versions follow the table; this does
// on every version. Every extractor that decodes a declared charset goes through here.
import { isAscii } from 'node:buffer';

/** WHATWG windows-1252 for 0x80-0x9f; the five unassigned codes (0x81, 0x8d, 0x8f, 0x90, 0x9d) stay C1. */
const CP1252_80_9F = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const C1 = /[\x80-\x9f]/;
const C1_ALL = /[\x80-\x9f]/g;

/** What TextDecodeStream needs of a decoder: TextDecoder's own shape. */
export interface ChunkDecoder {
  decode(chunk?: Uint8Array, options?: { readonly stream?: boolean }): string;
}

/** Bytes in windows-1252 as text (single bytes: no state between chunks). */
export function windows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return C1.test(latin1) ? latin1.replace(C1_ALL, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80] ?? c) : latin1;
}

const WINDOWS_1252: ChunkDecoder = { decode: (chunk) => (chunk === undefined ? '' : windows1252(chunk)) };

/** TextDecoder for `label`, but windows-1252 by its table; throws RangeError for a label WHATWG does not know. */
export function charsetDecoder(label: string, options?: { readonly fatal?: boolean }): ChunkDecoder {
  const d = new TextDecoder(label, options);
  if (d.encoding === 'utf-8') return asciiFirst(d);
  return d.encoding === 'windows-1252' ? WINDOWS_1252 : d;
}

/** Each byte as the character of its value (what an ASCII chunk decodes to in UTF-8 and every ASCII superset). */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/**
 * A UTF-8 decoder that reads a streamed chunk of ASCII bytes itself: Node's TextDecoder leaves its fast
 * path for ICU's converter once `stream` is used, which took 4-5 times as long for a chunk. The chunk
 * is read so only while `d` holds no unfinished sequence and has seen its first bytes (so a BOM that
 * begins the stream is still its to drop): both hold after it decoded a chunk ending in an ASCII byte.
 */
function asciiFirst(d: ChunkDecoder): ChunkDecoder {
  let settled = false;
  return {
    decode(chunk, options) {
      const stream = options?.stream === true;
      if (stream && settled && chunk !== undefined && isAscii(chunk)) return latin1(chunk);
      const text = d.decode(chunk, options);
      // a flush starts the next stream afresh (its BOM is dropped again)
      if (!stream) settled = false;
      else if (chunk !== undefined && chunk.length > 0) settled = (chunk[chunk.length - 1] ?? 0x80) < 0x80;
      return text;
    },
  };
}

/** Bytes as text in `label` (see charsetDecoder). */
export function decodeAs(label: string, bytes: Uint8Array): string {
  return charsetDecoder(label).decode(bytes);
}

/**
 * For a part labelled us-ascii (or not at all) whose bytes are not ASCII: UTF-8 while they are UTF-8 (what
 * such a mislabelled part usually holds), windows-1252 from the first byte that is not (what WHATWG
 * readers do with the label: "4111\x961111…" shows en dashes), rather than U+FFFD for every such byte.
 */
export function asciiLabelDecoder(): ChunkDecoder {
  let utf8: ChunkDecoder | undefined = new TextDecoder('utf-8', { fatal: true });
  // an incomplete UTF-8 sequence at the end of what came so far, re-read if the switch comes next
  let pending: Buffer = Buffer.alloc(0);
  // as in asciiFirst: the last chunk the decoder read ended in an ASCII byte
  let settled = false;
  return {
    decode(chunk, options) {
      const bytes = chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      if (utf8 === undefined) return windows1252(bytes);
      const stream = options?.stream === true;
      // an ASCII chunk after a settled one skips the decoder, as in asciiFirst
      if (stream && settled && isAscii(bytes)) return latin1(bytes);
      try {
        const text = utf8.decode(bytes, { stream });
        // the tail is at most 3 bytes: those of the chunk alone unless it is shorter
        pending = stream ? incompleteTail(bytes.length >= 3 ? bytes : Buffer.concat([pending, bytes])) : Buffer.alloc(0);
        if (!stream) settled = false;
        else if (bytes.length > 0) settled = (bytes[bytes.length - 1] ?? 0x80) < 0x80;
        return text;
      } catch {
        utf8 = undefined;
        const rest = Buffer.concat([pending, bytes]);
        pending = Buffer.alloc(0);
        return windows1252(rest);
      }
    },
  };
}

/** The bytes of a UTF-8 sequence begun but not finished at the end of `b` (at most 3). */
function incompleteTail(b: Buffer): Buffer {
  for (let k = 1; k <= Math.min(3, b.length); k++) {
    const c = b[b.length - k] ?? 0;
    if (c < 0x80) return Buffer.alloc(0);
    if (c >= 0xc0) return k < (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) ? Buffer.from(b.subarray(b.length - k)) : Buffer.alloc(0);
  }
  return Buffer.alloc(0);
}
