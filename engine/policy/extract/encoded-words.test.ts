// decodeCharset reads ASCII bytes as a latin1 slice where the charset reads them as themselves; the text must be
// what the charset's decoder gives, for every label, whatever the bytes (escape sequences of stateful charsets,
// UTF-7 shifts, UTF-16 pairs included).
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { charsetDecoder } from './charset-decoder.js';
import { decodeCharset, decodeEncodedWords } from './encoded-words.js';

const require = createRequire(import.meta.url);
const iconv = createRequire(require.resolve('mailparser'))('iconv-lite') as { encodingExists(n: string): boolean; decode(b: Buffer, n: string): string };

/** decodeCharset before the ASCII shortcut: the decoder, else iconv-lite, else undefined. */
function reference(bytes: Buffer, label: string): string | undefined {
  const name = label.split('*')[0]?.trim().toLowerCase() ?? '';
  try {
    return charsetDecoder(name === '' ? 'utf-8' : name).decode(bytes);
  } catch {
    return iconv.encodingExists(name) ? iconv.decode(bytes, name) : undefined;
  }
}

const LABELS = [
  ...['', 'us-ascii', 'ascii', 'US-ASCII', ' utf-8 ', 'utf8', 'utf-8*en', 'iso-8859-1', 'latin1', 'windows-1252', 'cp1252', 'iso-8859-2', 'iso-8859-15', 'koi8-r', 'windows-1251'],
  ...['gbk', 'gb18030', 'big5', 'euc-jp', 'shift_jis', 'sjis', 'euc-kr', 'x-user-defined', 'ibm866', 'macintosh', 'windows-874'],
  // ASCII bytes that are not themselves there: stateful, two-byte, replacement, iconv-lite only, unknown
  ...['utf-16le', 'utf-16be', 'utf-16', 'iso-2022-jp', 'csiso2022jp', 'iso-2022-kr', 'hz-gb-2312', 'utf-7', 'unicode-1-1-utf-7', 'cp437', 'x-made-up'],
];

const PIECES = ['a', 'plain text ', '\r\n', '\0', '\x1b', '\x1b(J\\~', '\x1b$B$"', '\x1b(B', '+AGE-', '+ZeVnLIqe-', '+-', '~{', '~}', '\\', '~', '4111 1111 1111 1111', '\x7f'];
const asciiBytes = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: fc.integer({ min: 0, max: 127 }).map((c) => String.fromCharCode(c)) })), { maxLength: 20 }).map((p) => Buffer.from(p.join(''), 'latin1'));

describe('decodeCharset', () => {
  it('decodes ASCII bytes as each charset does, for every label', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LABELS), asciiBytes, (label, bytes) => {
        expect(decodeCharset(bytes, label)).toBe(reference(bytes, label));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads what only the stateful and shifted charsets make of ASCII bytes', () => {
    expect(decodeCharset(Buffer.from('\x1b(J\\'), 'iso-2022-jp')).toBe('\u00a5');
    expect(decodeCharset(Buffer.from('1+AGE-'), 'utf-7')).toBe('1a');
    expect(decodeCharset(Buffer.from('a\0b\0'), 'utf-16le')).toBe('ab');
    expect(decodeCharset(Buffer.from('plain'), 'x-made-up')).toBeUndefined();
  });

  it('decodes non-ASCII bytes with the charset, as before', () => {
    const bytes = Buffer.from([0x34, 0x31, 0x96, 0x31, 0xe9, 0x80]);
    for (const label of ['us-ascii', 'windows-1252', 'iso-8859-2', 'utf-8', 'koi8-r', 'shift_jis']) expect(decodeCharset(bytes, label)).toBe(reference(bytes, label));
    expect(decodeCharset(bytes, 'us-ascii')).toBe('41\u20131\u00e9\u20ac');
  });
});

const B = (s: string): string => Buffer.from(s).toString('base64');

describe('decodeEncodedWords', () => {
  it('returns a value without encoded-words as it is', () => {
    expect(decodeEncodedWords('plain subject 4111')).toBe('plain subject 4111');
  });

  it('gives one reading where word by word and joined agree', () => {
    expect(decodeEncodedWords(`=?utf-8?B?${B('hello ')}?= =?utf-8?Q?w=C3=B6rld?=`)).toBe('hello wörld');
  });

  it('joins B words of one charset cut inside a base64 group, as mailparser does, and keeps the word-by-word reading too', () => {
    const b = B('card 4111111111111111');
    const [joined, byWord] = decodeEncodedWords(`=?utf-8?B?${b.slice(0, 6)}?= =?UTF8?B?${b.slice(6)}?=`).split('\n');
    expect(joined).toBe('card 4111111111111111');
    expect(byWord).not.toContain('4111111111111111');
  });

  it('reads every padded segment of one B word', () => {
    expect(decodeEncodedWords(`=?utf-8?B?${B('4111 ')}${B('1111')}?=`)).toBe('4111 1111');
  });

  it('joins a UTF-8 sequence cut between two Q words', () => {
    expect(decodeEncodedWords('=?utf-8?Q?=EF=BC?= =?utf-8?Q?=94?=').split('\n')[0]).toBe('\uff14');
  });

  it('does not join words of two charsets', () => {
    expect(decodeEncodedWords(`=?iso-8859-1?Q?caf=E9?= =?utf-8?Q?_cr=C3=A8me?=`)).toBe('café crème');
  });

  it('keeps a word in a charset nobody knows in the word-by-word reading', () => {
    expect(decodeEncodedWords('=?x-nonesuch?Q?abc?=')).toContain('=?x-nonesuch?Q?abc?=');
  });
});
