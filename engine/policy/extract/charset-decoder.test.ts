// A streamed UTF-8 chunk of ASCII bytes is read without the decoder (charset-decoder.ts asciiFirst and the
// us-ascii label's decoder); however the bytes are chunked, the text must be what the decoders gave before:
// a BOM dropped only at the start of a stream, a sequence split across chunks joined, bad bytes replaced
// (or, for the us-ascii label, windows-1252 from the chunk where UTF-8 fails).
import { TextDecoder } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asciiLabelDecoder, type ChunkDecoder, charsetDecoder, windows1252 } from './charset-decoder.js';
import { TextDecodeStream } from './text-collector.js';

const PIECES = ['a', 'plain ascii text ', '\r\n', '\n', '\ufeff', 'é', '€', '😀', '\u0000', '4111 1111 1111 1111'].map((s) => Buffer.from(s, 'utf8'));
const BAD = [Buffer.from([0xef, 0xbb]), Buffer.from([0xe2, 0x82]), Buffer.from([0x80]), Buffer.from([0xf0, 0x9f]), Buffer.from([0x96]), Buffer.from([0xc3])];
const bytesArb = (bad: boolean): fc.Arbitrary<Buffer> => fc.array(fc.constantFrom(...PIECES, ...(bad ? BAD : [])), { maxLength: 30 }).map((p) => Buffer.concat(p));
const cutsArb = fc.array(fc.nat(120), { maxLength: 8 });

const chunked = (bytes: Buffer, cuts: readonly number[]): Buffer[] => {
  const at = [0, ...[...cuts].map((c) => Math.min(c, bytes.length)).sort((a, b) => a - b), bytes.length];
  return at.slice(1).map((end, i) => bytes.subarray(at[i] ?? 0, end));
};

const stream = (d: ChunkDecoder, chunks: readonly Buffer[]): string => chunks.map((c) => d.decode(c, { stream: true })).join('') + d.decode();

// the us-ascii label's decoder as it was before the ASCII shortcut (the reference)
function referenceAsciiLabel(): ChunkDecoder {
  let utf8: ChunkDecoder | undefined = new TextDecoder('utf-8', { fatal: true });
  let pending: Buffer = Buffer.alloc(0);
  const tail = (b: Buffer): Buffer => {
    for (let k = 1; k <= Math.min(3, b.length); k++) {
      const c = b[b.length - k] ?? 0;
      if (c < 0x80) return Buffer.alloc(0);
      if (c >= 0xc0) return k < (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) ? Buffer.from(b.subarray(b.length - k)) : Buffer.alloc(0);
    }
    return Buffer.alloc(0);
  };
  return {
    decode(chunk, options) {
      const bytes = chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      if (utf8 === undefined) return windows1252(bytes);
      const s = options?.stream === true;
      try {
        const text = utf8.decode(bytes, { stream: s });
        pending = s ? tail(Buffer.concat([pending, bytes])) : Buffer.alloc(0);
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

// Node 24's streaming TextDecoder drops a U+FEFF that follows a sequence cut between two chunks, where a
// whole decode keeps it (24.22: E2 82 | EF BB BF gives "\ufffd", whole "\ufffd\ufeff"; 20 and 22 agree with the
// whole). The shortcut must give what Node's decoder gives for the same chunks; the detectors drop U+FEFF anyway.
const NODE_24_BOM = (() => {
  const t = new TextDecoder();
  return t.decode(Buffer.from([0xe2, 0x82]), { stream: true }) + t.decode(Buffer.from([0xef, 0xbb, 0xbf])) !== '\ufffd\ufeff';
})();

describe('streamed UTF-8 with ASCII chunks read directly', () => {
  it('gives TextDecoder’s text of the whole bytes, however they are chunked (BOM, split and bad sequences)', () => {
    fc.assert(
      fc.property(bytesArb(true), cutsArb, (bytes, cuts) => {
        const chunks = chunked(bytes, cuts);
        expect(stream(charsetDecoder('utf-8'), chunks)).toBe(stream(new TextDecoder('utf-8'), chunks));
        // …which is the whole bytes' text except where Node's own streaming decoder differs (NODE_24_BOM)
        if (!NODE_24_BOM) expect(stream(new TextDecoder('utf-8'), chunks)).toBe(new TextDecoder('utf-8').decode(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a second stream on the same decoder afresh (its BOM dropped again)', () => {
    const d = charsetDecoder('utf8');
    const bom = Buffer.from('\ufeffab', 'utf8');
    expect(stream(d, [Buffer.from('x'), Buffer.from('y')])).toBe('xy');
    expect(stream(d, [bom.subarray(0, 3), bom.subarray(3)])).toBe('ab');
  });

  it('the us-ascii label: the same text as before the shortcut, however the bytes are chunked', () => {
    fc.assert(
      fc.property(bytesArb(true), cutsArb, (bytes, cuts) => {
        const chunks = chunked(bytes, cuts);
        expect(stream(asciiLabelDecoder(), chunks)).toBe(stream(referenceAsciiLabel(), chunks));
      }),
      { numRuns: 2000 },
    );
  });

  it('through TextDecodeStream (CRLF as LF across chunks), utf-8 and us-ascii labels', () => {
    fc.assert(
      fc.property(bytesArb(false), cutsArb, fc.constantFrom('utf-8', 'us-ascii'), (bytes, cuts, label) => {
        const d = new TextDecodeStream(label);
        const chunks = chunked(bytes, cuts);
        const text = chunks.map((c) => d.write(c)).join('') + d.end();
        expect(text).toBe((NODE_24_BOM ? stream(new TextDecoder('utf-8'), chunks) : new TextDecoder('utf-8').decode(bytes)).replace(/\r\n/g, '\n'));
      }),
      { numRuns: 1000 },
    );
  });
});
