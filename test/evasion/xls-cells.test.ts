// A legacy Excel workbook (.xls: BIFF8 records in an OLE compound file) keeps numbers as binary values
// (NUMBER, RK, MULRK, a FORMULA's cached result) and text in a shared string table that Excel cuts into
// CONTINUE records: none of them are printable strings. Excel shows an integer without ".0", so a card
// number or its four groups in a row of cells must reach a detector as the decimal text Excel shows.
import { describe, expect, it } from 'vitest';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { scanUsSsns } from '../../engine/policy/detectors/us-ssn.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { cfb, formulaCell, labelSstCell, mulRkCell, numberCell, rkCell, rkValue, sharedStrings, xlsWorkbook } from './cfb-fixtures.js';
import { CARD_DIGITS } from './extraction-fixtures.js';

const GROUPS = [4111, 1111, 1111, 1111];
const book = (cells: readonly Buffer[], globals: readonly Buffer[] = []): Buffer => cfb([{ name: 'Workbook', data: xlsWorkbook(cells, globals) }]);
/** Header cells in row 0 (shared strings "name", "card"), so the workbook has text besides the numbers. */
const header = [labelSstCell(0, 0, 0), labelSstCell(0, 1, 1)];
const HEADER_SST = sharedStrings(['name', 'card']);

const VARIANTS: readonly { readonly name: string; readonly file: () => Buffer }[] = [
  { name: 'card digits as one NUMBER cell (a double)', file: () => book([...header, numberCell(1, 1, Number(CARD_DIGITS))], HEADER_SST) },
  { name: 'the four groups as RK integer cells in one row', file: () => book([...header, ...GROUPS.map((g, i) => rkCell(1, i, rkValue(g, 'int')))], HEADER_SST) },
  { name: 'the four groups in one MULRK record', file: () => book([...header, mulRkCell(1, 0, GROUPS.map((g) => rkValue(g, 'int')))], HEADER_SST) },
  { name: 'RK values in the IEEE form and with the x100 flag', file: () => book([...header, mulRkCell(1, 0, [rkValue(4111, 'float'), rkValue(1111, 'int', true), rkValue(1111, 'float', true), rkValue(1111, 'float')])], HEADER_SST) },
  { name: 'the four groups as NUMBER cells written out of column order', file: () => book([...header, ...[3, 1, 0, 2].map((c) => numberCell(1, c, GROUPS[c] ?? 0))], HEADER_SST) },
  { name: 'card digits as the cached result of a FORMULA', file: () => book([...header, formulaCell(1, 1, Number(CARD_DIGITS))], HEADER_SST) },
  { name: 'a shared string cut by a CONTINUE record inside the number', file: () => book([labelSstCell(0, 0, 0), labelSstCell(1, 0, 1)], sharedStrings(['name', 'card 4111 1111 1111 1111'], 30)) },
];

const message = (file: Buffer, filename = 'book.xls'): Promise<Buffer> => buildMessage({ text: 'see attached', attachments: [{ filename, content: file }] });
const analyze = async (file: Buffer): Promise<MessageAnalysis> => analyzeMessage(await message(file), DEFAULT_ANALYSIS_LIMITS);

describe('evasion: numbers and split strings in the cells of a legacy .xls', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: the card number is found`, async () => {
      const a = await analyze(v.file());
      expect(a.unscannable, describeAnalysis(a)).toEqual([]);
      expect(cardFound(a, /^book\.xls/), describeAnalysis(a)).toBe(true);
    });
  }

  it('an SSN as three number cells (536 | 22 | 4417) reads as "536 22 4417": found', async () => {
    const a = await analyze(book([...header, mulRkCell(1, 0, [536, 22, 4417].map((n) => rkValue(n, 'int')))], HEADER_SST));
    expect(a.segments.some((s) => s.label.startsWith('book.xls') && scanUsSsns(s.text).count > 0), describeAnalysis(a)).toBe(true);
  });

  it('an integer cell reads as Excel shows it (no ".0"), a fraction as its shortest decimal', async () => {
    const a = await analyze(book([numberCell(0, 0, 4111), numberCell(0, 1, 12.5), rkCell(0, 2, rkValue(123.45, 'int', true))]));
    const cells = a.segments.find((s) => s.label === 'book.xls (cells)');
    expect(cells?.text, describeAnalysis(a)).toBe('4111 12.5 123.45');
  });

  it('control: a workbook of amounts, dates and counts has no card', async () => {
    const a = await analyze(book([...header, numberCell(1, 0, 46023), numberCell(1, 1, 1999.99), mulRkCell(2, 0, [12, 400, 7].map((n) => rkValue(n, 'int')))], HEADER_SST));
    expect(a.unscannable).toEqual([]);
    expect(cardFound(a), describeAnalysis(a)).toBe(false);
  });
});

const BLOCK = '550 5.7.1 card numbers may not leave (legacy Excel)';
const cardPolicy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1, in: ['attachments'] } }, action: { type: 'block', reply: BLOCK } }],
} as PolicyFile;

describe('evasion over SMTP: card digits in .xls number cells are refused', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  it('the four groups in one MULRK record, declared application/octet-stream: 550, nothing delivered', async () => {
    const msg = await buildMessage({ text: 'see attached', attachments: [{ filename: 'export.bin', content: book([...header, mulRkCell(1, 0, GROUPS.map((g) => rkValue(g, 'int')))], HEADER_SST), contentType: 'application/octet-stream' }] });
    const before = peers.mx.messages.length;
    expect(await sendMessage(peers.gw.port, msg, 'xls-cells')).toBe(550);
    expect(peers.mx.messages.length).toBe(before);
  });
});
