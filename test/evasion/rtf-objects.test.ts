// RTF carries more than its text: embedded objects (an Excel sheet, a packaged file) as hex in
// {\*\objdata}, or as raw bytes after \binN, and optional destinations a reader never sees but the
// recipient still receives ({\*\generator}, user properties). Each must reach a detector.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage, xlsx } from '../fixtures/policy/helpers.js';
import { CARD, zip } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

/** An OLE1 ObjectHeader (MS-OLEDS 2.2.4: version 0x0501, FormatID 2 = embedded, class, topic, item) + native data. */
function ole1(className: string, native: Uint8Array): Buffer {
  const cls = Buffer.from(`${className}\0`, 'latin1');
  const head = Buffer.alloc(8 + 4 + cls.length + 8 + 4);
  let o = head.writeUInt32LE(0x0501, 0);
  o = head.writeUInt32LE(2, o);
  o = head.writeUInt32LE(cls.length, o);
  o += cls.copy(head, o);
  o = head.writeUInt32LE(0, o); // topic
  o = head.writeUInt32LE(0, o); // item
  head.writeUInt32LE(native.length, o);
  return Buffer.concat([head, native]);
}

/** Hex as Word writes it: 64 digits per line. */
const hexLines = (data: Buffer): string => data.toString('hex').replace(/(.{64})/g, '$1\r\n');
const rtf = (body: string): string => `{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}\\f0 Please see the sheet.\\par ${body}\\par}`;
const object = (cls: string, data: string): string => `{\\object\\objemb{\\*\\objclass ${cls}}\\objw2000\\objh800{\\*\\objdata ${data}}{\\result {\\pict\\wmetafile8 0100}}}`;

const sheet = Buffer.from(xlsx(['name', `card ${CARD}`]));
const packaged = Buffer.concat([Buffer.from([2, 0]), Buffer.from('card.txt\0C:\\card.txt\0', 'latin1'), Buffer.from(`customer card ${CARD} exp 12/29`, 'latin1')]);

const VARIANTS: readonly { readonly name: string; readonly rtf: () => string }[] = [
  { name: 'an embedded Excel sheet in {\\*\\objdata} (hex)', rtf: () => rtf(object('Excel.Sheet.12', hexLines(ole1('Excel.Sheet.12', sheet)))) },
  { name: 'an embedded zip of a text file in {\\*\\objdata} (hex)', rtf: () => rtf(object('Package', hexLines(ole1('Package', zip([{ name: 'card.txt', data: `card ${CARD}` }]))))) },
  { name: 'a packaged text file in {\\*\\objdata} (hex of its bytes)', rtf: () => rtf(object('Package', hexLines(ole1('Package', packaged)))) },
  { name: 'an embedded object given as raw bytes after \\binN', rtf: () => { const data = ole1('Package', packaged); return rtf(object('Package', `\\bin${data.length} ${data.toString('latin1')}`)); } },
  { name: 'text in the {\\*\\generator} destination', rtf: () => rtf(`{\\*\\generator Export ${CARD};}`) },
  { name: 'text in document user properties ({\\*\\userprops})', rtf: () => rtf(`{\\*\\userprops {\\propname customer}\\proptype30{\\staticval ${CARD}}}`) },
];

const analyse = async (content: string): Promise<MessageAnalysis> =>
  analyzeMessage(await buildMessage({ text: 'see attached', attachments: [{ filename: 'letter.rtf', content: Buffer.from(content, 'latin1'), contentType: 'application/rtf' }] }), DEFAULT_ANALYSIS_LIMITS);

describe('evasion: what an RTF document carries besides its text reaches a detector', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: the card number is found`, async () => {
      const a = await analyse(v.rtf());
      expect(cardFound(a), describeAnalysis(a)).toBe(true);
    });
  }

  it('the embedded sheet is listed as a file inside the RTF', async () => {
    const a = await analyse(VARIANTS[0]?.rtf() ?? '');
    expect(a.attachments.find((x) => x.container === 'letter.rtf')?.sniffedType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });

  it('control: the hex of a picture and of an object is not text (no digits of it reach a detector)', async () => {
    const a = await analyse(rtf(`{\\pict\\pngblip 41111111111111114111111111111111}${object('Package', hexLines(ole1('Package', Buffer.from('nothing to see'))))}`));
    const text = a.segments.map((s) => s.text).join('\n');
    expect(text).toContain('Please see the sheet.');
    expect(text).not.toMatch(/4111|0105/);
  });
});

describe('RTF embedded objects are bounded like archive entries', () => {
  it('more embedded objects than maxEntries: the rest is unscannable (limit), the first ones are read', async () => {
    const many = Array.from({ length: 5 }, () => object('Package', hexLines(ole1('Package', Buffer.from(`card ${CARD}`))))).join('');
    const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: 'many.rtf', content: Buffer.from(rtf(many), 'latin1'), contentType: 'application/rtf' }] });
    const a = await analyzeMessage(raw, { ...DEFAULT_ANALYSIS_LIMITS, maxEntries: 3 });
    expect(a.unscannable.find((u) => u.reason === 'limit')?.detail).toMatch(/2 of 5 embedded objects/);
    expect(a.attachments.filter((x) => x.container === 'many.rtf')).toHaveLength(3);
  });
});
