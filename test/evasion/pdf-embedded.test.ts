// Files attached inside a PDF (the /EmbeddedFiles name tree, FileAttachment annotations) and streams
// under the LZW and RunLength filters: a card number in an embedded file must reach a detector under
// the label report.pdf/<embedded name>, and a stream that decodes past the caps must be refused as
// 'limit' before pdf.js (which decodes without any cap) sees the file.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis, type UnscannableReason } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import type { InspectionLimits } from '../../engine/policy/extract/limits.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import { CARD, pdf, zip, zerosFlate } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { lzw, lzwZeros, pdfWithContent, pdfWithFiles, pngUpRows, runLength, runLengthZeros } from './pdf-fixtures.js';

type Expectation = { readonly card: string } | { readonly unscannable: UnscannableReason };

interface Variant {
  readonly name: string;
  readonly file: () => Buffer;
  /** card: the label of the segment the card must be found in. */
  readonly expect: Expectation;
  readonly limits?: Partial<InspectionLimits>;
  /** Also sent through the gateway over SMTP (card variants only): must be refused 550. */
  readonly smtp?: true;
}

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const docx = (text: string): Buffer =>
  zip([
    { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
    { name: 'word/document.xml', data: `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>` },
  ]);
const content = (text: string): Buffer => Buffer.from(`BT /F1 12 Tf 72 712 Td (${text}) Tj ET`, 'latin1');

const VARIANTS: readonly Variant[] = [
  { name: 'embedded plain text file (uncompressed)', file: () => pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT }]), expect: { card: 'report.pdf/card.txt' } },
  { name: 'embedded Flate-compressed text file', file: () => pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true }]), expect: { card: 'report.pdf/card.txt' }, smtp: true },
  { name: 'embedded zip holding a card', file: () => pdfWithFiles([{ name: 'cards.zip', data: zip([{ name: 'card.txt', data: CARD_TEXT }]), flate: true }]), expect: { card: 'report.pdf/cards.zip/card.txt' } },
  { name: 'embedded docx', file: () => pdfWithFiles([{ name: 'letter.docx', data: docx(CARD_TEXT), flate: true }]), expect: { card: 'report.pdf/letter.docx/word/document.xml' } },
  { name: 'more embedded files than maxEntries', file: () => pdfWithFiles(['a', 'b', 'c'].map((n) => ({ name: `${n}.txt`, data: 'nothing' }))), expect: { unscannable: 'limit' }, limits: { maxEntries: 2 } },
  { name: 'PDF embedded in the PDF', file: () => pdfWithFiles([{ name: 'inner.pdf', data: pdf(CARD_TEXT, { flate: true }) }]), expect: { card: 'report.pdf/inner.pdf' } },
  { name: 'text in a PDF embedded in a PDF embedded in the PDF', file: () => pdfWithFiles([{ name: 'middle.pdf', data: pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true }]) }]), expect: { card: 'report.pdf/middle.pdf/card.txt' }, smtp: true },
  { name: 'PDFs embedded deeper than maxDepth', file: () => pdfWithFiles([{ name: 'middle.pdf', data: pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT }]) }]), expect: { unscannable: 'limit' }, limits: { maxDepth: 2 } },
  { name: 'file attached by a FileAttachment annotation only (no name tree)', file: () => pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true }], { via: 'annotation' }), expect: { card: 'report.pdf/card.txt' }, smtp: true },
  { name: 'embedded text whose /Subtype says image/png', file: () => pdfWithFiles([{ name: 'photo.png', data: CARD_TEXT, flate: true, streamDict: '/Type /EmbeddedFile /Subtype /image#2Fpng' }]), expect: { card: 'report.pdf/photo.png' } },
  { name: 'embedded text whose stream says /Subtype /Image', file: () => pdfWithFiles([{ name: 'scan.png', data: CARD_TEXT, flate: true, streamDict: '/Type /EmbeddedFile /Subtype /Image' }]), expect: { card: 'report.pdf/scan.png' } },
  { name: 'embedded file stream without /Type (found through /EF only)', file: () => pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true, streamDict: '' }]), expect: { card: 'report.pdf/card.txt' } },
  // PDF names may spell any byte as #xx: /E#46 is /EF, which pdf.js reads as such
  { name: 'Filespec key spelled /E#46 and a stream without /Type', file: () => Buffer.from(pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true, streamDict: '' }]).toString('latin1').replace('/EF <<', '/E#46 <<'), 'latin1'), expect: { card: 'report.pdf/card.txt' } },
  { name: 'Filespec and catalog in an object stream (/ObjStm, xref stream)', file: () => pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true }], { objectStream: [1, 2, 3, 5, 6] }), expect: { card: 'report.pdf/card.txt' } },
  { name: 'embedded file in a PDF encrypted with an empty user password', file: () => pdfWithFiles([{ name: 'card.txt', data: CARD_TEXT, flate: true }], { emptyPassword: true }), expect: { card: 'report.pdf/card.txt' }, smtp: true },
  { name: 'card in the embedded file name', file: () => pdfWithFiles([{ name: `card ${CARD}.txt`, data: 'nothing here' }]), expect: { card: 'report.pdf (file names)' } },
  { name: 'embedded file that inflates past the ratio limit', file: () => pdfWithFiles([{ name: 'zeros.bin', data: zerosFlate(16 << 20), streamDict: '/Type /EmbeddedFile /Filter /FlateDecode' }]), expect: { unscannable: 'limit' } },
  // LZW and RunLength: decoded here, under the caps, not left to pdf.js
  { name: 'LZW content stream', file: () => pdfWithContent(lzw(content(CARD_TEXT)), '/LZWDecode'), expect: { card: 'report.pdf' } },
  { name: 'LZW content stream with EarlyChange 0', file: () => pdfWithContent(lzw(content(CARD_TEXT.repeat(40)), 0), '/LZWDecode', '<< /EarlyChange 0 >>'), expect: { card: 'report.pdf' } },
  { name: 'RunLength content stream', file: () => pdfWithContent(runLength(content(`${CARD_TEXT}      `)), '/RunLengthDecode'), expect: { card: 'report.pdf' } },
  { name: 'LZW then Flate content stream ([/FlateDecode /LZWDecode])', file: () => pdfWithContent(deflateSync(lzw(content(CARD_TEXT))), '[/FlateDecode /LZWDecode]'), expect: { card: 'report.pdf' } },
  { name: 'LZW bomb (a 29 KB stream of 69 MB of zeros)', file: () => pdfWithContent(lzwZeros(16_000), '/LZWDecode'), expect: { unscannable: 'limit' } },
  { name: 'RunLength bomb (2 MiB of runs to 128 MiB of zeros)', file: () => pdfWithContent(runLengthZeros(128 << 20), '/RunLengthDecode'), expect: { unscannable: 'limit' } },
  { name: 'embedded file under LZW', file: () => pdfWithFiles([{ name: 'card.txt', data: lzw(Buffer.from(CARD_TEXT)), streamDict: '/Type /EmbeddedFile /Filter /LZWDecode' }]), expect: { card: 'report.pdf/card.txt' } },
  // Flate with a PNG predictor: the rows' filter bytes and differences are not the text
  { name: 'Flate content stream with PNG Up predictor rows', file: () => pdfWithContent(deflateSync(pngUpRows(content(CARD_TEXT), 5)), '/FlateDecode', '<< /Predictor 12 /Columns 5 >>'), expect: { card: 'report.pdf' } },
  { name: 'embedded file with PNG Up predictor rows', file: () => pdfWithFiles([{ name: 'card.txt', data: deflateSync(pngUpRows(Buffer.from(CARD_TEXT), 4)), streamDict: '/Type /EmbeddedFile /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>' }]), expect: { card: 'report.pdf/card.txt' } },
];


const message = (file: Buffer): Promise<Buffer> => buildMessage({ text: 'see attached', attachments: [{ filename: 'report.pdf', content: file }] });
const analyze = async (file: Buffer, limits: Partial<InspectionLimits> = {}): Promise<MessageAnalysis> => analyzeMessage(await message(file), { ...DEFAULT_ANALYSIS_LIMITS, ...limits });

describe('evasion: files embedded in a PDF and LZW/RunLength streams', () => {
  for (const v of VARIANTS) {
    const want = 'card' in v.expect ? `the card number is found in ${v.expect.card}` : `the part is unscannable (${v.expect.unscannable})`;
    it(`${v.name}: ${want}`, async () => {
      const a = await analyze(v.file(), v.limits);
      if ('card' in v.expect) expect(cardFound(a, v.expect.card), describeAnalysis(a)).toBe(true);
      else {
        const reason = v.expect.unscannable;
        expect(a.unscannable.map((u) => u.reason), describeAnalysis(a)).toContain(reason);
        expect(a.unscannable.find((u) => u.reason === reason)?.label).toMatch(/^report\.pdf/);
      }
    });
  }

  it('an embedded file is recorded as an attachment inside report.pdf', async () => {
    const a = await analyze(pdfWithFiles([{ name: 'notes.txt', data: 'nothing to see', flate: true }]));
    expect(a.attachments.map((x) => ({ name: x.name, container: x.container, sniffedType: x.sniffedType })), describeAnalysis(a)).toContainEqual({ name: 'notes.txt', container: 'report.pdf', sniffedType: 'text/plain' });
    expect(a.unscannable).toEqual([]);
  });

  it('control: a PDF with a clean embedded file has no card and nothing unscannable', async () => {
    const a = await analyze(pdfWithFiles([{ name: 'a.txt', data: 'nothing to see', flate: true }, { name: 'b.zip', data: zip([{ name: 'c.txt', data: 'nothing' }]) }]));
    expect(cardFound(a), describeAnalysis(a)).toBe(false);
    expect(a.unscannable).toEqual([]);
  });
});

const BLOCK = '550 5.7.1 card numbers may not leave (PDF attachments)';
const cardPolicy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1, in: ['attachments'] } }, action: { type: 'block', reply: BLOCK } }],
} as PolicyFile;

describe('evasion over SMTP: a gateway with a card-number block policy refuses a card in a PDF attachment', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  const send = (message: Buffer): Promise<number> => sendMessage(peers.gw.port, message, 'pdf-embedded');

  for (const v of VARIANTS.filter((x) => x.smtp === true)) {
    it(`${v.name}: 550, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      expect(await send(await message(v.file()))).toBe(550);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: a PDF with a clean embedded file is delivered', async () => {
    const before = peers.mx.messages.length;
    expect(await send(await message(pdfWithFiles([{ name: 'a.txt', data: 'nothing to see', flate: true }])))).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});
