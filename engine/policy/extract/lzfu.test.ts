import { describe, expect, it } from 'vitest';
import { decompressRtf, rtfCrc } from './lzfu.js';
import { lzfuCompress } from '../../../test/evasion/tnef-fixtures.js';

// [MS-OXRTFCP] section 4's example with a reference into the initial dictionary and a run that repeats itself
const SPEC_RTF = '{\\rtf1 WXYZWXYZWXYZWXYZWXYZ}';
const SPEC_COMPRESSED = Buffer.from('1a0000001c0000004c5a4675e2d44b51410004205758595a0d6e7d010eb0', 'hex');
const text = (r: ReturnType<typeof decompressRtf>): string => ('ok' in r ? Buffer.from(r.ok).toString('latin1') : `${r.reason}: ${r.detail}`);

describe('LZFu compressed RTF', () => {
  it("decompresses the specification's example (dictionary reference, self-overlapping run, end marker)", () => {
    expect(text(decompressRtf(SPEC_COMPRESSED, 1 << 20))).toBe(SPEC_RTF);
  });

  it("computes the specification's CRC over the bytes after the header", () => {
    expect(rtfCrc(SPEC_COMPRESSED.subarray(16))).toBe(SPEC_COMPRESSED.readUInt32LE(12));
  });

  it('the test compressor writes exactly the example bytes (so its round trips exercise real references)', () => {
    expect(lzfuCompress(SPEC_RTF).toString('hex')).toBe(SPEC_COMPRESSED.toString('hex'));
  });

  it('round-trips a longer document whose repeats span the 4096-byte ring', () => {
    const rtf = `{\\rtf1\\ansi ${Array.from({ length: 400 }, (_, i) => `line ${i % 37} of the statement, account ${(i * 7919) % 1000}\\par `).join('')}}`;
    const packed = lzfuCompress(rtf);
    expect(packed.length).toBeLessThan(rtf.length / 2);
    expect(text(decompressRtf(packed, 1 << 20))).toBe(rtf);
  });

  it("reads 'MELA' (stored) as it is", () => {
    const raw = Buffer.from('{\\rtf1 plain}', 'latin1');
    const mela = Buffer.concat([Buffer.from([raw.length + 12, 0, 0, 0, raw.length, 0, 0, 0]), Buffer.from('MELA', 'latin1'), Buffer.alloc(4), raw]);
    expect(text(decompressRtf(mela, 1 << 20))).toBe('{\\rtf1 plain}');
  });

  it.each([
    ['a CRC that does not match', (b: Buffer) => Buffer.concat([b.subarray(0, 12), Buffer.from([1, 2, 3, 4]), b.subarray(16)]), /corrupt: .*CRC/],
    ['an unknown compression type', (b: Buffer) => Buffer.concat([b.subarray(0, 8), Buffer.from('ZZZZ', 'latin1'), b.subarray(12)]), /unsupported: .*type/],
    ['a value shorter than its declared size', (b: Buffer) => b.subarray(0, b.length - 3), /corrupt: .*declares/],
    ['a header cut short', (b: Buffer) => b.subarray(0, 10), /corrupt: .*header/],
  ])('refuses %s', (_name, mangle, want) => {
    expect(text(decompressRtf(mangle(SPEC_COMPRESSED), 1 << 20))).toMatch(want);
  });

  it('refuses a stream that ends before its end marker and its declared size', () => {
    const packed = lzfuCompress(SPEC_RTF);
    // keep the first flag byte and 6 of its tokens (size and CRC made to match): 11 of 28 bytes come out
    const body = packed.subarray(16, 24);
    const cut = Buffer.concat([Buffer.from([body.length + 12, 0, 0, 0]), packed.subarray(4, 12), Buffer.alloc(4), body]);
    cut.writeUInt32LE(rtfCrc(body), 12);
    expect(text(decompressRtf(cut, 1 << 20))).toMatch(/corrupt: .*without its end marker/);
  });

  it('stops at the output cap, whatever the header declares', () => {
    const packed = lzfuCompress(`{\\rtf1 ${'x'.repeat(5000)}}`);
    packed.writeUInt32LE(10, 4);
    expect(text(decompressRtf(packed, 1000))).toMatch(/^limit: /);
  });
});
