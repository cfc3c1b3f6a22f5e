import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdf } from '../../../test/evasion/extraction-fixtures.js';
import { scanPdfStreams, type PdfScan } from './pdf-streams.js';
import { contentText, placesAbsolutely } from './pdf-content.js';
import { fastPdfText } from './pdf-text.js';

const caps = { perStream: (c: number) => Math.max(1 << 20, c * 100), total: 100 << 20 };
const scan = (file: Buffer): PdfScan => {
  const r = scanPdfStreams(file, caps);
  if ('reason' in r) throw new Error(r.detail);
  return r;
};
const ops = (s: string): string => contentText(Buffer.from(s, 'latin1'));

describe('PDF text from content streams', () => {
  it('reads Tj, TJ with kerning, quote operators, escapes and hex strings', () => {
    expect(ops('BT /F1 10 Tf (card 4111 ) Tj [(11)-20(11 1111)] TJ ET')).toBe('card 4111 1111 1111');
    expect(ops("BT (first) Tj (second) ' (a\\(b\\)\\061) Tj ET")).toBe('first\nseconda(b)1');
    expect(ops('BT <343131> Tj [(a)-900(b)] TJ ET')).toBe('411a b');
    expect(ops('BT 12 TL (line one) Tj T* (line two) Tj 0 -14 Td (three) Tj ET')).toBe('line one\nline two\nthree');
  });

  it('reads operands as numbers: decimals, an exponent, a Td gap wide enough for a space or not', () => {
    expect(ops('BT /F1 12 Tf (abc) Tj 30.5 0 Td (d) Tj 20.5 0 Td (e) Tj ET')).toBe('abc d e');
    expect(ops('BT /F1 12 Tf (abc) Tj 1e2 0 Td (d) Tj ET')).toBe('abc d');
    expect(ops('BT /F1 12 Tf (abc) Tj 25.1 0 Td (d) Tj 25.3 0 Td (e) Tj ET')).toBe('abcd e');
    // back up by the same decimal step: the same line again, no line break
    expect(ops('BT 72.25 700.5 Td (a) Tj 0 -14.4 Td (b) Tj 0 14.4 Td 0 -14.4 Td (c) Tj ET')).toBe('a\nbc');
  });

  it('ends runs of line breaks as one, also where a string holds its own', () => {
    expect(ops("BT (a) Tj () ' () ' (b) ' ET ET (c) Tj ET")).toBe('a\nb\nc');
    expect(ops("BT (l1\\n\\nl2) ' (l3) ' ET")).toBe('l1\nl2\nl3');
  });

  it('shows bytes 0x80-0x9f as WinAnsi: euro sign, dashes, quotes', () => {
    expect(ops('BT (\x80 5 \x96 caf\xe9) Tj ET')).toBe('\u20ac 5 \u2013 caf\xe9');
    expect(ops('BT (\\200\\223q\\224) Tj <97> Tj ET')).toBe('\u20ac\u201cq\u201d\u2014');
  });

  it('finds absolute placement and a second text object wherever they stand, strings included', () => {
    expect(placesAbsolutely('BT (a) Tj ET')).toBe(false);
    expect(placesAbsolutely('BT (Tmx) Tj (cmDo) Tj ET')).toBe(false);
    expect(placesAbsolutely('BT (x)Tm ET')).toBe(true);
    expect(placesAbsolutely('BT (5 cm wide) Tj ET')).toBe(true);
    expect(placesAbsolutely('q /Im1 Do Q')).toBe(true);
    expect(placesAbsolutely('BT (a) Tj ET\nBT (b) Tj ET')).toBe(true);
  });

  it('skips inline image data and comments', () => {
    expect(ops('q BI /W 2 /H 2 ID \x00(\xff) Tj EI Q % (hidden) Tj\nBT (shown) Tj ET')).toBe('shown');
  });

  it('reads a Flate PDF in the standard fonts without pdf.js', () => {
    expect(fastPdfText(scan(pdf('card 4111 1111 1111 1111', { flate: true })), 1e9)).toBe('card 4111 1111 1111 1111');
  });

  it('leaves to pdf.js what a font or encryption can remap: ToUnicode, encrypted', () => {
    expect(fastPdfText(scan(pdf('card 4111', { toUnicode: true, flate: true })), 1e9)).toBeUndefined();
    expect(fastPdfText(scan(pdf('card 4111', { encrypted: true })), 1e9)).toBeUndefined();
  });

  it('a stream with a filter not decoded here (Crypt) goes to pdf.js', () => {
    const file = Buffer.from(pdf('x', { flate: true }).toString('latin1').replace('/Filter /FlateDecode', '/Filter [/Crypt /FlateDecode]'), 'latin1');
    expect(fastPdfText(scan(file), 1e9)).toBeUndefined();
  });

  it('a stream with a predictor not undone here (TIFF at 4 bits) goes to pdf.js', () => {
    const file = Buffer.from(pdf('x', { flate: true }).toString('latin1').replace('/Filter /FlateDecode', '/Filter /FlateDecode /DecodeParms << /Predictor 2 /BitsPerComponent 4 >>'), 'latin1');
    expect(fastPdfText(scan(file), 1e9)).toBeUndefined();
  });

  it('a stream over the ratio cap is refused before anything reads it', () => {
    const r = scanPdfStreams(pdf('', { flateStream: deflateSync(Buffer.alloc(4 << 20)) }), { perStream: () => 1 << 20, total: 100 << 20 });
    expect('reason' in r && r.reason).toBe('limit');
  });
});
