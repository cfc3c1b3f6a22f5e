// A legacy .xls cell shows its number through the number format of its XF record (FORMAT records hold
// the custom ones): literal text in the format ("4111 1111 1111 "0) or digit groups (000-00-0000) make
// the shown text a card or an SSN while the stored number is not. xls-cells.test.ts has the stored numbers.
import { describe, expect, it } from 'vitest';
import { scanUsSsns } from '../../engine/policy/detectors/us-ssn.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { formatNumber } from '../../engine/policy/extract/xls-format.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { biffRecord, cfb, formulaCell, mulRkCell, numberCell, rkCell, rkValue, xlsWorkbook } from './cfb-fixtures.js';
import { b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

/** FORMAT (0x041E): ifmt and an 8-bit XLUnicodeString. */
const formatRecord = (ifmt: number, format: string): Buffer => {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(ifmt, 0);
  head.writeUInt16LE(format.length, 2);
  return biffRecord(0x041e, Buffer.concat([head, Buffer.from(format, 'latin1')]));
};
/** XF (0x00E0) with format `ifmt`. */
const xfRecord = (ifmt: number): Buffer => {
  const b = Buffer.alloc(20);
  b.writeUInt16LE(ifmt, 2);
  return biffRecord(0x00e0, b);
};
/** The fixtures' cells use XF 15: XFs 0-14 General, XF 15 the custom format 164. */
const formatted = (format: string): Buffer[] => [formatRecord(164, format), ...Array.from({ length: 15 }, () => xfRecord(0)), xfRecord(164)];
const book = (cells: readonly Buffer[], format: string): Buffer => cfb([{ name: 'Workbook', data: xlsWorkbook(cells, formatted(format)) }]);

const CASES: readonly { readonly name: string; readonly file: () => Buffer; readonly want: 'card' | 'ssn' | 'clean' }[] = [
  { name: 'NUMBER 1111 with the format "4111 1111 1111 "0', file: () => book([numberCell(0, 0, 1111)], '"4111 1111 1111 "0'), want: 'card' },
  { name: 'RK 1111 with backslash-escaped literals \\4\\1\\1\\1 \\1\\1\\1\\1 \\1\\1\\1\\1 0000', file: () => book([rkCell(0, 0, rkValue(1111, 'int'))], '\\4\\1\\1\\1 \\1\\1\\1\\1 \\1\\1\\1\\1 0000'), want: 'card' },
  { name: 'MULRK 4111 and 1111, each shown with 0" 1111"', file: () => book([mulRkCell(0, 0, [4111, 1111].map((n) => rkValue(n, 'int')))], '0" 1111"'), want: 'card' },
  { name: 'a FORMULA whose cached 1111 is shown with "4111-1111-1111-"0000', file: () => book([formulaCell(0, 0, 1111)], '"4111-1111-1111-"0000'), want: 'card' },
  { name: 'NUMBER 536224417 shown as an SSN by 000-00-0000', file: () => book([numberCell(0, 0, 536224417)], '000-00-0000'), want: 'ssn' },
  // held before the fix: the stored number is the card
  { name: 'NUMBER 4111111111111111 with 0000 0000 0000 0000', file: () => book([numberCell(0, 0, 4111111111111111)], '0000 0000 0000 0000'), want: 'card' },
  // controls
  { name: 'control: amounts with #,##0.00 and a date with yyyy-mm-dd', file: () => book([numberCell(0, 0, 1234.5), numberCell(0, 1, 46023)], '#,##0.00'), want: 'clean' },
  { name: 'control: an amount with the literal "EUR "0.00', file: () => book([numberCell(0, 0, 1999.99)], '"EUR "0.00'), want: 'clean' },
];

const analyze = async (file: Buffer): Promise<MessageAnalysis> => analyzeMessage(await buildMessage({ text: 'see attached', attachments: [{ filename: 'book.xls', content: file }] }), DEFAULT_ANALYSIS_LIMITS);

describe('evasion: .xls cells as their number formats show them', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.want === 'clean' ? 'nothing is found' : `the ${c.want === 'card' ? 'card number' : 'SSN'} is found`}`, async () => {
      const a = await analyze(c.file());
      expect(a.unscannable, describeAnalysis(a)).toEqual([]);
      const ssn = a.segments.some((s) => s.label.startsWith('book.xls') && scanUsSsns(s.text).count > 0);
      if (c.want === 'card') expect(cardFound(a, /^book\.xls/), describeAnalysis(a)).toBe(true);
      else if (c.want === 'ssn') expect(ssn, describeAnalysis(a)).toBe(true);
      else expect(cardFound(a) || ssn, describeAnalysis(a)).toBe(false);
    });
  }

  it('formatNumber renders literals, placeholders, grouping and percent, and leaves dates to the stored number', () => {
    expect(formatNumber(1111, '"4111 1111 1111 "0')).toBe('4111 1111 1111 1111');
    expect(formatNumber(4111111111111111, '0000 0000 0000 0000')).toBe('4111 1111 1111 1111');
    expect(formatNumber(536224417, '000-00-0000')).toBe('536-22-4417');
    expect(formatNumber(1234.5, '#,##0.00')).toBe('1,234.50');
    expect(formatNumber(0.25, '0%')).toBe('25%');
    expect(formatNumber(-5, '0;(0)')).toBe('(5)');
    expect(formatNumber(46023, 'yyyy-mm-dd')).toBeUndefined();
    expect(formatNumber(12, 'General')).toBeUndefined();
  });
});

const VARIANTS: readonly Variant[] = [
  {
    name: '.xls attachment, NUMBER 1111 shown as the card by "4111 1111 1111 "0',
    build: () => inMultipart('Content-Type: application/vnd.ms-excel; name=book.xls\nContent-Disposition: attachment; filename=book.xls\nContent-Transfer-Encoding: base64', b64(book([numberCell(0, 0, 1111)], '"4111 1111 1111 "0'))),
    expect: 'card',
    smtp: true,
  },
];
smtpSuite('evasion over SMTP: .xls number formats', 'xls-formats', VARIANTS);
