import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { lzw, lzwZeros, pdfWithContent, pngUpRows, runLength, runLengthZeros } from '../../../test/evasion/pdf-fixtures.js';
import { lzwDecode, runLengthDecode, unpredict } from './pdf-filters.js';
import { scanPdfStreams } from './pdf-streams.js';

const MiB = 1 << 20;
const caps = { perStream: (n: number) => Math.max(MiB, n * 100), total: 100 * MiB };

describe('LZWDecode', () => {
  it('decodes the example of PDF 32000-1 7.4.4.2', () => {
    const encoded = Buffer.from([0x80, 0x0b, 0x60, 0x50, 0x22, 0x0c, 0x0c, 0x85, 0x01]);
    expect(Buffer.from(lzwDecode(encoded, 1, MiB) as Uint8Array)).toEqual(Buffer.from([45, 45, 45, 45, 45, 65, 45, 45, 45, 66]));
  });

  it('round-trips text and random bytes at both EarlyChange values, past the 10-, 11- and 12-bit code widths', () => {
    const text = Buffer.from('customer card 4111 1111 1111 1111 exp 12/29\n'.repeat(400));
    for (const data of [text, randomBytes(20_000)]) {
      for (const early of [0, 1]) expect(Buffer.from(lzwDecode(lzw(data, early), early, MiB) as Uint8Array)).toEqual(data);
    }
  });

  it('stops at the cap: a 25 KB stream of zeros that would decode to 57 MB', () => {
    const bomb = lzwZeros(13_000);
    expect(bomb.length).toBeLessThan(30_000);
    expect(lzwDecode(bomb, 1, 4 * MiB)).toBe('limit');
  });

  it('keeps what decoded before a code that cannot be in the table', () => {
    const good = lzw(Buffer.from('abc')).subarray(0, 4);
    expect(Buffer.from(lzwDecode(Buffer.concat([good, Buffer.from([0xff, 0xff, 0xff])]), 1, MiB) as Uint8Array).toString('latin1')).toMatch(/^ab/);
  });
});

describe('RunLengthDecode', () => {
  it('decodes literal runs and repeated runs, and ends at 128', () => {
    const encoded = Buffer.from([2, 0x61, 0x62, 0x63, 253, 0x78, 128, 0x7a]);
    expect(Buffer.from(runLengthDecode(encoded, MiB) as Uint8Array).toString('latin1')).toBe('abcxxxx');
  });

  it('round-trips the encoder of the evasion fixtures', () => {
    const data = Buffer.concat([Buffer.from('4111 1111 1111 1111'), Buffer.alloc(1000, 0x20), randomBytes(500)]);
    expect(Buffer.from(runLengthDecode(runLength(data), MiB) as Uint8Array)).toEqual(data);
  });

  it('stops at the cap', () => {
    expect(runLengthDecode(runLengthZeros(8 * MiB), MiB)).toBe('limit');
  });
});

describe('predictors', () => {
  it('undoes PNG rows of every filter type', () => {
    // two rows of 3 bytes, 1 colour, 8 bits: None, Sub, Up, Average, Paeth
    for (const [type, row2] of [[0, [4, 5, 6]], [1, [4, 1, 1]], [2, [3, 3, 3]], [3, [4, 2, 2]], [4, [3, 1, 1]]] as const) {
      const out = unpredict(Buffer.from([0, 1, 2, 3, type, ...row2]), { predictor: 12, colors: 1, bitsPerComponent: 8, columns: 3 });
      expect([...(out ?? [])], `type ${type}`).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });

  it('undoes TIFF predictor 2 at 8 bits per component; other depths are left to pdf.js', () => {
    expect([...(unpredict(Buffer.from([1, 1, 1, 5, 1, 1]), { predictor: 2, colors: 1, bitsPerComponent: 8, columns: 3 }) ?? [])]).toEqual([1, 2, 3, 5, 6, 7]);
    expect(unpredict(Buffer.from([1, 2]), { predictor: 2, colors: 1, bitsPerComponent: 4, columns: 4 })).toBeUndefined();
  });
});

describe('scanPdfStreams with LZW, RunLength and predictors', () => {
  const content = Buffer.from('BT /F1 12 Tf 72 712 Td (card 4111 1111 1111 1111) Tj ET', 'latin1');
  const decoded = (file: Buffer): string => {
    const scan = scanPdfStreams(file, caps);
    if ('reason' in scan) throw new Error(scan.detail);
    const s = scan.streams.find((x) => x.dict.includes('/Filter'));
    expect(s?.opaque).toBe(false);
    return Buffer.from(s?.data ?? []).toString('latin1');
  };

  it('decodes an LZW content stream (not left opaque for pdf.js)', () => expect(decoded(pdfWithContent(lzw(content), '/LZWDecode'))).toBe(content.toString('latin1')));
  it('decodes an abbreviated RunLength filter (/RL)', () => expect(decoded(pdfWithContent(runLength(content), '/RL'))).toBe(content.toString('latin1')));
  it('decodes Flate with PNG predictor rows from /DecodeParms', () => expect(decoded(pdfWithContent(deflateSync(pngUpRows(content, 7)), '/FlateDecode', '<< /Predictor 12 /Columns 7 >>')).trimEnd()).toBe(content.toString('latin1')));
  it('takes /DecodeParms of a filter array by position', () => expect(decoded(pdfWithContent(deflateSync(lzw(content, 0)), '[/FlateDecode /LZWDecode]', '[null << /EarlyChange 0 >>]'))).toBe(content.toString('latin1')));

  it('refuses an LZW bomb as limit', () => {
    const scan = scanPdfStreams(pdfWithContent(lzwZeros(13_000), '/LZWDecode'), caps);
    expect('reason' in scan && scan.reason).toBe('limit');
  });
});

describe('LZWDecode on hostile input', () => {
  it('a stream of nothing but clear codes costs a pass over it, not a table per code', () => {
    // 9-bit clear codes: 1 MiB holds about 930,000 of them
    const clears = Buffer.alloc(MiB);
    for (let bit = 0; bit + 9 <= clears.length * 8; bit += 9) {
      for (let k = 0; k < 9; k++) if (((256 >> (8 - k)) & 1) === 1) clears[(bit + k) >> 3] = (clears[(bit + k) >> 3] ?? 0) | (0x80 >> ((bit + k) & 7));
    }
    expect(lzwDecode(clears, 1, MiB)).toEqual(new Uint8Array(0));
  });
});
