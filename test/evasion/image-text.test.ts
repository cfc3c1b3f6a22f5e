// Images carry text a reader never sees but the recipient receives: PNG text chunks (tEXt plain, zTXt and
// compressed iTXt deflated, so their bytes are not printable strings). Each must reach a detector.
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { CARD } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

const chunk = (type: string, data: Buffer): Buffer => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
};

/** A 1×1 PNG with the given ancillary chunks before its image data. */
function png(extra: readonly Buffer[]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(1, 0);
  ihdr.writeUInt32BE(1, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}

const text = `customer card ${CARD}`;
const VARIANTS: readonly { readonly name: string; readonly build: () => Buffer }[] = [
  { name: 'PNG zTXt chunk (deflated)', build: () => png([chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.from(text, 'latin1'))]))]) },
  { name: 'PNG iTXt chunk, compressed', build: () => png([chunk('iTXt', Buffer.concat([Buffer.from('Description\0\x01\0en\0Beschreibung\0', 'latin1'), deflateSync(Buffer.from(text, 'utf8'))]))]) },
  { name: 'PNG iTXt chunk, uncompressed UTF-8', build: () => png([chunk('iTXt', Buffer.concat([Buffer.from('Description\0\0\0\0\0', 'latin1'), Buffer.from(text, 'utf8')]))]) },
  { name: 'PNG tEXt chunk', build: () => png([chunk('tEXt', Buffer.from(`Comment\0${text}`, 'latin1'))]) },
];

const analyse = async (content: Buffer): Promise<MessageAnalysis> => analyzeMessage(await buildMessage({ text: 'photo', attachments: [{ filename: 'photo.png', content, contentType: 'image/png' }] }), DEFAULT_ANALYSIS_LIMITS);

describe('evasion: text inside images reaches a detector', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: the card number is found`, async () => {
      const a = await analyse(v.build());
      expect(cardFound(a), describeAnalysis(a)).toBe(true);
    });
  }

  it('a zTXt bomb (64 MiB of text from 64 KiB, 1000:1) is cut at the ratio limit and reported', async () => {
    const a = await analyse(png([chunk('zTXt', Buffer.concat([Buffer.from('Comment\0\0', 'latin1'), deflateSync(Buffer.alloc(64 << 20, 0x41))]))]));
    expect(a.unscannable.map((u) => u.reason), describeAnalysis(a)).toContain('limit');
  });
});
