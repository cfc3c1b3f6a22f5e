// A card number kept only in a PDF's metadata, never on a page: the document information dictionary
// (/Title, /Subject, /Keywords, /Author, other keys; literal, hex and UTF-16BE strings) and the XMP
// metadata stream (/Type /Metadata /Subtype /XML; elements, attributes, character references, plain and
// Flate-compressed). Every variant is read three ways: by the content-stream fast path, by pdf.js (a
// /Contents array sends the file there) and by pdf.js decrypting it (RC4, empty user password). Each
// test first checks that its file really takes that path.
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { scanPdfStreams } from '../../engine/policy/extract/pdf-streams.js';
import { fastPdfText } from '../../engine/policy/extract/pdf-text.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { CARD, CARD_DIGITS } from './extraction-fixtures.js';
import { type PdfObject, pdfFile, pdfString } from './pdf-fixtures.js';

type Path = 'fast path' | 'pdf.js' | 'pdf.js, encrypted';
const PATHS: readonly Path[] = ['fast path', 'pdf.js', 'pdf.js, encrypted'];

interface Metadata {
  /** The entries of the information dictionary. */
  readonly info?: string;
  /** An XMP packet, stored as it is or Flate-compressed. */
  readonly xmp?: { readonly xml: string; readonly flate?: boolean };
}

/** Objects: 1 catalog, 2 pages, 3 page, 4 content (no card), 5 font, then the info dictionary and the XMP stream. */
function pdfWithMetadata(meta: Metadata, path: Path): Buffer {
  const infoAt = meta.info === undefined ? undefined : 6;
  const xmpAt = meta.xmp === undefined ? undefined : 6 + (infoAt === undefined ? 0 : 1);
  const contents = path === 'pdf.js' ? '[4 0 R]' : '4 0 R';
  const objects: PdfObject[] = [
    { dict: `<< /Type /Catalog /Pages 2 0 R${xmpAt === undefined ? '' : ` /Metadata ${xmpAt} 0 R`} >>` },
    { dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { dict: `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents ${contents} >>` },
    { dict: '<< >>', stream: Buffer.from('BT /F1 12 Tf 72 712 Td (quarterly statement) Tj ET', 'latin1') },
    { dict: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
  ];
  if (meta.info !== undefined) objects.push({ dict: `<< ${meta.info} >>` });
  if (meta.xmp !== undefined) {
    const xml = Buffer.from(meta.xmp.xml, 'utf8');
    objects.push({ dict: `<< /Type /Metadata /Subtype /XML${meta.xmp.flate === true ? ' /Filter /FlateDecode' : ''} >>`, stream: meta.xmp.flate === true ? deflateSync(xml) : xml });
  }
  // pdf.js reads the metadata stream of an RC4 (V 1-3) file as unencrypted (it decrypts it only for
  // V 4-5 with EncryptMetadata): such files are written so; an encrypted packet is a gap (reliability.md)
  const plainStreams = xmpAt === undefined ? [] : [xmpAt];
  return pdfFile(objects, { ...(infoAt === undefined ? {} : { info: infoAt }), emptyPassword: path === 'pdf.js, encrypted', plainStreams });
}

const utf16be = (text: string): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
const xmp = (descriptionAttributes: string, body: string): string =>
  '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:acme="http://acme.example/ns/" xmpMM:DocumentID="uuid:5b1e7f0c-3d2a-4c1e-9f70-2a6f1d3c4b5e"${descriptionAttributes}>` +
  `${body}</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end="w"?>`;
const alt = (tag: string, text: string): string => `<${tag}><rdf:Alt><rdf:li xml:lang="x-default">${text}</rdf:li></rdf:Alt></${tag}>`;

interface Variant {
  readonly name: string;
  readonly meta: Metadata;
  /** Hex strings are written as they are, not encrypted: no encrypted variant. */
  readonly plainOnly?: true;
}

const VARIANTS: readonly Variant[] = [
  { name: 'info /Title literal string', meta: { info: `/Title ${pdfString(`card ${CARD}`)}` } },
  { name: 'info /Subject literal string', meta: { info: `/Subject ${pdfString(`card ${CARD}`)}` } },
  { name: 'info /Keywords literal string', meta: { info: `/Keywords ${pdfString(`invoice, ${CARD_DIGITS}`)}` } },
  { name: 'info /Author literal string', meta: { info: `/Author ${pdfString(CARD)}` } },
  { name: 'info /Creator and a custom key /CardNo', meta: { info: `/Creator (export tool) /CardNo ${pdfString(CARD)}` } },
  { name: 'info /Title hex string', meta: { info: `/Title <${Buffer.from(`card ${CARD}`, 'latin1').toString('hex')}>` }, plainOnly: true },
  { name: 'info /Title UTF-16BE with BOM (literal string)', meta: { info: `/Title (${utf16be(`card ${CARD}`).toString('latin1')})` } },
  { name: 'info /Subject UTF-16BE with BOM (hex string)', meta: { info: `/Subject <${utf16be(`card ${CARD}`).toString('hex').toUpperCase()}>` }, plainOnly: true },
  { name: 'XMP dc:description (rdf:Alt element)', meta: { xmp: { xml: xmp('', alt('dc:description', `card ${CARD}`)) } } },
  { name: 'XMP dc:subject keywords (rdf:Bag), Flate-compressed', meta: { xmp: { xml: xmp('', `<dc:subject><rdf:Bag><rdf:li>invoice</rdf:li><rdf:li>${CARD}</rdf:li></rdf:Bag></dc:subject>`), flate: true } } },
  { name: 'XMP pdf:Keywords as an attribute of rdf:Description', meta: { xmp: { xml: xmp(` pdf:Keywords="card ${CARD}"`, alt('dc:title', 'statement')) } } },
  { name: 'XMP dc:title digits as XML character references, Flate-compressed', meta: { xmp: { xml: xmp('', alt('dc:title', [...CARD].map((c) => `&#${c.charCodeAt(0)};`).join(''))), flate: true } } },
  { name: 'XMP custom namespace element (acme:card)', meta: { xmp: { xml: xmp('', `<acme:card>${CARD}</acme:card>`) } } },
];

const message = (file: Buffer): Promise<Buffer> => buildMessage({ text: 'see attached', attachments: [{ filename: 'report.pdf', content: file }] });
const analyze = async (file: Buffer): Promise<MessageAnalysis> => analyzeMessage(await message(file), DEFAULT_ANALYSIS_LIMITS);
const caps = { perStream: () => 1 << 20, total: 1 << 24 };
const fastPathReads = (file: Buffer): boolean => {
  const scan = scanPdfStreams(file, caps);
  return !('reason' in scan) && !/\/Encrypt\b/.test(scan.objects) && fastPdfText(scan, 1 << 20) !== undefined;
};

describe('evasion: a card number only in a PDF\'s metadata', () => {
  for (const v of VARIANTS) {
    for (const path of PATHS.filter((p) => v.plainOnly !== true || p !== 'pdf.js, encrypted')) {
      it(`${v.name}, read by the ${path}: the card number is found in report.pdf`, async () => {
        const file = pdfWithMetadata(v.meta, path);
        expect(fastPathReads(file)).toBe(path === 'fast path');
        const a = await analyze(file);
        expect(a.unscannable, describeAnalysis(a)).toEqual([]);
        expect(cardFound(a, 'report.pdf'), describeAnalysis(a)).toBe(true);
      });
    }
  }

  for (const path of PATHS) {
    it(`control (${path}): metadata without a card (title, producer, XMP ids and dates) has no card`, async () => {
      const a = await analyze(pdfWithMetadata({ info: '/Title (statement 2026) /Producer (relayguard test 1.0) /CreationDate (D:20260101120000Z)', xmp: { xml: xmp(' pdf:Producer="x 1.0"', alt('dc:title', 'statement')) } }, path));
      expect(a.unscannable).toEqual([]);
      expect(cardFound(a), describeAnalysis(a)).toBe(false);
    });
  }
});

const BLOCK = '550 5.7.1 card numbers may not leave (PDF metadata)';
const cardPolicy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1, in: ['attachments'] } }, action: { type: 'block', reply: BLOCK } }],
} as PolicyFile;

describe('evasion over SMTP: a card only in PDF metadata is refused', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  const send = (message: Buffer): Promise<number> => sendMessage(peers.gw.port, message, 'pdf-metadata');

  it('XMP dc:description, Flate-compressed (fast path): 550, nothing delivered', async () => {
    const before = peers.mx.messages.length;
    expect(await send(await message(pdfWithMetadata({ xmp: { xml: xmp('', alt('dc:description', `card ${CARD}`)), flate: true } }, 'fast path')))).toBe(550);
    expect(peers.mx.messages.length).toBe(before);
  });

  it('info /Title hex string (pdf.js): 550, nothing delivered', async () => {
    const before = peers.mx.messages.length;
    expect(await send(await message(pdfWithMetadata({ info: `/Title <${Buffer.from(CARD, 'latin1').toString('hex')}>` }, 'pdf.js')))).toBe(550);
    expect(peers.mx.messages.length).toBe(before);
  });
});
