// The hop to the extraction worker and back: a PDF's text must reach the detectors as exactly the text an
// extraction in this thread gives, with the same findings and the same unscannable parts, whatever path
// the PDF takes (content-stream fast path, pdf.js) and however the text crosses threads.
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildMessage } from '../../../test/fixtures/policy/helpers.js';
import { pdf as onePagePdf } from '../../../test/evasion/extraction-fixtures.js';
import { type PdfObject, pdfFile, pdfString } from '../../../test/evasion/pdf-fixtures.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../analysis.js';
import { scanCreditCards } from '../detectors/credit-card.js';
import { analyzeMessage } from './analyze.js';
import { readPdf } from './pdf.js';
import { closeExtractionPool, extractionPool, WORKER_HEAP_LIMITS } from './pool.js';

afterAll(closeExtractionPool);

const CARDS = ['4111 1111 1111 1111', '5500 0000 0000 0004', '3400 0000 0000 009'];

/** `pages` pages of 50 lines, a card on some lines, one Flate content stream per page; `toUnicode`: an identity map on the font. */
function statement(pages: number, opts: { readonly toUnicode?: boolean; readonly line?: (n: number) => string } = {}): Buffer {
  const line = opts.line ?? ((n: number) => `${n} invoice total ${n % 97 === 0 ? `card ${CARDS[n % CARDS.length] ?? ''}` : 'EUR 1,234.56'} quarterly figures`);
  const font = opts.toUnicode === true ? '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 4 0 R >>' : '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const objects: PdfObject[] = [{ dict: '<< /Type /Catalog /Pages 2 0 R >>' }, { dict: '' }, { dict: font }];
  if (opts.toUnicode === true) {
    const cmap = '/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n1 beginbfrange\n<20> <7E> <0020>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend';
    objects.push({ dict: '<< >>', stream: Buffer.from(cmap) });
  }
  const kids: string[] = [];
  for (let p = 0; p < pages; p++) {
    const shown = Array.from({ length: 50 }, (_, i) => `${pdfString(line(p * 50 + i))} '`).join(' ');
    objects.push({ dict: '<< /Filter /FlateDecode >>', stream: deflateSync(Buffer.from(`BT /F1 10 Tf 12 TL 40 780 Td ${shown} ET`, 'latin1')) });
    objects.push({ dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${objects.length} 0 R >>` });
    kids.push(`${objects.length} 0 R`);
  }
  objects[1] = { dict: `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>` };
  return pdfFile(objects);
}

const caps = { perStream: (c: number) => Math.max(1 << 20, c * 100), total: 100 << 20 };

/** The PDF's text read in this thread, as extract-file.ts would add it. */
async function inProcess(file: Buffer): Promise<string> {
  const r = await readPdf(file, Number.MAX_SAFE_INTEGER, caps);
  if ('reason' in r) throw new Error(r.detail);
  return r.text;
}

/** The message's analysis: PDFs always go through the worker pool there. */
async function throughPool(file: Buffer, held: boolean): Promise<MessageAnalysis> {
  const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: 'statement.pdf', content: file }] });
  const streamed = Readable.from((function* () {
    for (let i = 0; i < raw.length; i += 16 << 10) yield raw.subarray(i, i + (16 << 10));
  })());
  return analyzeMessage(held ? raw : streamed, DEFAULT_ANALYSIS_LIMITS);
}

const pdfText = (a: MessageAnalysis): string => a.segments.filter((s) => s.label === 'statement.pdf').map((s) => s.text).join('');

describe('PDF text across the worker hop', () => {
  it.each([
    ['a long ASCII statement, cards on many pages, Flate streams', () => statement(60)],
    ['the same with a Latin-1 and a WinAnsi character on every page', () => statement(60, { line: (n) => `${n} caf\xe9 \x80 ${n % 97 === 0 ? `card ${CARDS[n % 3] ?? ''}` : 'total'}` })],
    ['a card split over two pages', () => statement(30, { line: (n) => (n === 49 ? 'card 4111 1111' : n === 50 ? '1111 1111 end' : `${n} line of the statement with nothing in it`) })],
    ['a ToUnicode font (read by pdf.js), 30 pages', () => statement(30, { toUnicode: true })],
  ])('%s: the same text and findings as an extraction in this thread', async (_, build) => {
    const file = build();
    const expected = await inProcess(file);
    for (const held of [true, false]) {
      const a = await throughPool(file, held);
      expect(a.unscannable).toEqual([]);
      const text = pdfText(a);
      expect(text.length).toBe(expected.length);
      expect(text === expected).toBe(true);
      expect(scanCreditCards(text)).toEqual(scanCreditCards(expected));
    }
  });

  it('finds every card planted on the pages, once', async () => {
    const a = await throughPool(statement(60), false);
    // lines 0, 97, 194 … 2910 carry a card: 31 of them
    expect(scanCreditCards(pdfText(a)).count).toBe(31);
  });

  it('keeps the unscannable reasons of a PDF it cannot read', async () => {
    const locked = await throughPool(onePagePdf(CARDS[0] ?? '', { encrypted: true }), false);
    expect(locked.unscannable.map((u) => [u.label, u.reason])).toEqual([['statement.pdf', 'encrypted']]);
    const broken = await throughPool(Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'), false);
    expect(broken.unscannable.map((u) => u.reason)).toEqual(['corrupt']);
  });
});

describe('the extraction worker\'s memory limit', () => {
  // 512 MiB of old generation and V8's default 48 MiB young generation: what a hostile file meets
  const CEILING = 560 * 2 ** 20;

  it('runs the pool\'s threads under WORKER_HEAP_LIMITS', async () => {
    await throughPool(statement(2), true);
    const threads = extractionPool().threads;
    expect(threads.length).toBeGreaterThan(0);
    for (const t of threads) expect(t.resourceLimits).toMatchObject(WORKER_HEAP_LIMITS);
  });

  it('gives a worker no larger heap than before', async () => {
    const code = "const { parentPort } = require('node:worker_threads'); parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit);";
    const worker = new Worker(code, { eval: true, resourceLimits: WORKER_HEAP_LIMITS });
    const limit = await new Promise<number>((resolve, reject) => worker.once('message', resolve).once('error', reject));
    await worker.terminate();
    expect(limit).toBeLessThanOrEqual(CEILING);
    expect(limit).toBeGreaterThan(CEILING - (64 << 20));
  });
});
