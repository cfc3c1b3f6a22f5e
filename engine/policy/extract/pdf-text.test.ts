import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pdf } from '../../../test/evasion/extraction-fixtures.js';
import { scanPdfStreams, type PdfScan } from './pdf-streams.js';
import { contentStreamReadings, contentText, placesAbsolutely } from './pdf-content.js';
import { mediaBoxUnion, widestGlyph } from './pdf-hidden.js';
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

  describe('the text as shown beside the strings', () => {
    const PAGE = { x0: 0, y0: 0, x1: 612, y1: 792 };
    const read = (body: string, widest = 1.5) => contentStreamReadings(`BT /F1 12 Tf 72 712 Td (a ) Tj ${body} (b) Tj ET`, true, PAGE, widest, 'page');

    it('leaves out invisible, white, tiny and off-page strings, and lays out what stays', () => {
      for (const hider of ['3 Tr (zq) Tj 0 Tr', '1 g (zq) Tj 0 g', '/F1 0.5 Tf (zq) Tj /F1 12 Tf', '0 -2000 Td (zq) Tj 0 2000 Td', '-900 0 Td (zq) Tj 900 0 Td', 'q 7 Tr (zq) Tj Q']) {
        expect(read(hider), hider).toEqual({ text: expect.stringContaining('zq'), shown: 'a b' });
      }
    });

    it('keeps what a viewer shows: no second reading at all', () => {
      for (const shown of ['4 Tr (zq) Tj', '2 Tr 1 g 0 G (zq) Tj', '0.5 g (zq) Tj', '/F1 1 Tf (zq) Tj', '-50 0 Td (zq) Tj', '/CS0 cs 1 1 1 sc (zq) Tj', '3 Tr 0 Tr (zq) Tj', '1 Tc -2000 0 Td (zq) Tj']) {
        expect(read(shown), shown).toEqual({ text: expect.stringContaining('zq') });
      }
      // white on a page painted first
      expect(contentStreamReadings('0 g 0 0 612 792 re f BT /F1 12 Tf 72 712 Td 1 g (zq) Tj ET', true, PAGE, 1.5, 'page')).toEqual({ text: 'zq' });
    });

    it('bounds a string\'s reach by its TJ gaps and the widest glyph', () => {
      const line = (body: string, widest = 1.5) => contentStreamReadings(`BT /F1 12 Tf 72 712 Td 3 Tr (x) Tj 0 Tr (a) Tj -500 0 Td ${body} ET`, true, PAGE, widest, 'page').shown;
      expect(line('[-50000 (c)] TJ (d) Tj')).toBe('acd');
      expect(line('[(c)] TJ (d) Tj')).toBe('a');
      expect(line('(c) Tj', 100)).toBe('ac');
    });

    it('reads the MediaBoxes and glyph widths of the file, and gives up where one is not literal', () => {
      expect(mediaBoxUnion(['/MediaBox [0 0 612 792] /MediaBox [-10 5 100 900]'])).toEqual({ x0: -10, y0: 0, x1: 612, y1: 900 });
      expect(mediaBoxUnion(['/MediaBox 7 0 R'])).toBeUndefined();
      expect(widestGlyph(['/Widths [500 2500] /MissingWidth 3000'])).toBe(3);
      expect(widestGlyph(['/Widths 9 0 R'])).toBe(Infinity);
      expect(widestGlyph(['/Widths [-500]'])).toBe(Infinity);
    });
  });
});
