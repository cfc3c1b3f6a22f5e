// RFC 2047 encoded-words: decode header values for inspection, encode non-ASCII text we add.
import { isAscii as isAsciiBytes } from 'node:buffer';
import { createRequire } from 'node:module';
import { decodeBase64 } from './base64-stream.js';
import { type ChunkDecoder, charsetDecoder } from './charset-decoder.js';

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
// Whitespace between two adjacent encoded-words is not part of the text (RFC 2047 §6.2).
const BETWEEN_WORDS = /(\?=)\s+(=\?)/g;

/**
 * A header value as readers show it. Two readings exist, and where they differ both are kept, one per
 * line, so that what either shows is inspected:
 * - mailparser's (libmime's decodeWords): adjacent words of one encoding and one charset are joined
 *   before they are decoded, so a base64 group or a UTF-8 sequence may be cut between two words, and a
 *   B word is read segment by segment (libbase64) past a '=' in its middle;
 * - word by word, as RFC 2047 §6.2 reads them and strict readers do: each word decoded on its own, B words
 *   by the same segment-by-segment decoder, charsets from the WHATWG set and iconv-lite's wider one
 *   (UTF-7 included, which libmime refuses and shows as UTF-8).
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const byWord = value.replace(BETWEEN_WORDS, '$1$2').replace(ENCODED_WORD, (word, charset: string, enc: string, text: string) => {
    const bytes = enc.toLowerCase() === 'b' ? decodeBase64(Buffer.from(text, 'latin1')) : decodeQ(text);
    return decodeCharset(bytes, charset) ?? word;
  });
  const joined = mailparserReading(value);
  return joined === undefined || joined === byWord ? byWord : `${joined}\n${byWord}`;
}

function decodeQ(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/**
 * Decodes bytes in a named charset: the WHATWG set first, then iconv-lite's wider one (UTF-7, DOS code
 * pages), which mailparser already brings; undefined when neither knows the charset. UTF-7 is decoded
 * here although mailparser refuses it for display: for inspection, reading more is the safe side.
 */
export function decodeCharset(bytes: Uint8Array, charset: string): string | undefined {
  // RFC 2231 language suffix: "utf-8*en"
  const name = charset.split('*')[0]?.trim().toLowerCase() ?? '';
  // ASCII bytes in a charset that reads them as themselves (most mail): a latin1 slice, where the decoder
  // went over the text again (windows-1252's look for 0x80-0x9f took longer than the slice itself)
  if (isAsciiBytes(bytes) && readsAsciiAsIs(name)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return charsetDecoder(name === '' ? 'utf-8' : name).decode(bytes);
  } catch {
    const iconv = iconvLite();
    return iconv?.encodingExists(name) === true ? iconv.decode(Buffer.from(bytes), name) : undefined;
  }
}

/** Every ASCII byte, in order: what a charset that reads ASCII as itself decodes to the same characters. */
const ALL_ASCII = Buffer.from(Array.from({ length: 128 }, (_, i) => i));
/** ASCII bytes carry state or are not single characters there (WHATWG: the only such encodings). */
const NOT_ASCII_AS_IS = new Set(['utf-16le', 'utf-16be', 'iso-2022-jp', 'replacement']);
/** By lower-case label; bounded, since labels come from messages (the WHATWG set has about 220). */
const asciiAsIs = new Map<string, boolean>();

/**
 * Whether `label` names a WHATWG encoding that decodes every ASCII byte to the character of its value,
 * checked once per label on the decoder itself. Labels iconv-lite alone knows (UTF-7 reads "+" as a shift)
 * are not: their decoders run.
 */
function readsAsciiAsIs(label: string): boolean {
  let known = asciiAsIs.get(label);
  if (known === undefined) {
    let encoding: string | undefined;
    try {
      encoding = new TextDecoder(label === '' ? 'utf-8' : label).encoding;
    } catch {
      encoding = undefined;
    }
    known = encoding !== undefined && !NOT_ASCII_AS_IS.has(encoding) && charsetDecoder(label === '' ? 'utf-8' : label).decode(ALL_ASCII) === ALL_ASCII.toString('latin1');
    if (asciiAsIs.size < 256) asciiAsIs.set(label, known);
  }
  return known;
}

interface IconvLite {
  encodingExists(name: string): boolean;
  decode(bytes: Buffer, charset: string): string;
  getDecoder(charset: string): { write(bytes: Buffer): string; end(): string | undefined };
}

/** A streaming decoder from iconv-lite's set for a charset the WHATWG decoders lack, if it has one. */
export function wideCharsetDecoder(charset: string): ChunkDecoder | undefined {
  const name = charset.split('*')[0]?.trim().toLowerCase() ?? '';
  const lib = iconvLite();
  if (name === '' || lib?.encodingExists(name) !== true) return undefined;
  const decoder = lib.getDecoder(name);
  return {
    decode(chunk, options) {
      const text = chunk === undefined || chunk.length === 0 ? '' : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      return options?.stream === true ? text : text + (decoder.end() ?? '');
    },
  };
}

let iconv: IconvLite | null | undefined;
let libmime: { decodeWords(value: string): string } | null | undefined;

// Both resolved through mailparser, whose dependencies they are, so the copies mailparser uses are the ones found.
function fromMailparser<T>(name: string): T | null {
  try {
    const require = createRequire(import.meta.url);
    return createRequire(require.resolve('mailparser'))(name) as T;
  } catch {
    return null;
  }
}

function iconvLite(): IconvLite | undefined {
  if (iconv === undefined) iconv = fromMailparser<IconvLite>('iconv-lite');
  return iconv ?? undefined;
}

/** The value as mailparser decodes it (a header it shows: Subject, a file name), if libmime is at hand. */
function mailparserReading(value: string): string | undefined {
  if (libmime === undefined) libmime = fromMailparser<{ decodeWords(value: string): string }>('libmime');
  if (libmime === null) return undefined;
  try {
    return libmime.decodeWords(value);
  } catch {
    return undefined;
  }
}

export function isAscii(text: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(text);
}

/** One or more UTF-8 B encoded-words (each at most 75 characters), joined by a space. */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    // 45 bytes → 60 base64 characters + 12 for "=?UTF-8?B??=" stays under 75
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ');
}
