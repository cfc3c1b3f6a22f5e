// "Can I get a card number past it?": every hiding place in a message, each message built here byte by
// byte, goes through analyzeMessage; a card number must reach a detector, or the part that hid it must
// be reported unscannable with the right reason. A representative subset goes through a real gateway
// over SMTP with a card-number block policy and must be refused with nothing delivered.
import { deflateRawSync, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS, type AnalysisLimits, type UnscannableReason } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { blob, CARD, CARD_DIGITS, gzip, odf, pdf, tar, zip, zipBomb } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

type Expectation = { readonly card: true } | { readonly unscannable: UnscannableReason };

interface Variant {
  readonly name: string;
  readonly build: () => Promise<Buffer>;
  readonly expect: Expectation;
  /** Also sent through the gateway over SMTP (card variants only): must be refused 550. */
  readonly smtp?: true;
  readonly limits?: Partial<AnalysisLimits>;
}

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const FOUND = { card: true } as const;
/** The letters A-J the toUnicode fixture draws, shown as the digits 0-9 by a Differences encoding (key spelled as given). */
const DIGIT_DIFFERENCES = (key: string): string =>
  `/Encoding << /Type /Encoding ${key} [65 /zero /one /two /three /four /five /six /seven /eight /nine] >>`;
/** Content streams that draw CARD on one line in pieces (Helvetica 12: a digit is 6.7 units wide). */
const PDF_LAYOUTS: Readonly<Record<string, string>> = {
  'in groups placed by Tm': `BT /F1 12 Tf ${CARD.split(' ').map((g, i) => `1 0 0 1 ${72 + i * 34} 712 Tm (${g} ) Tj`).join(' ')} ET`,
  'digit by digit, each placed by Tm': `BT /F1 12 Tf ${[...CARD.replace(/ /g, '')].map((d, i) => `1 0 0 1 ${72 + i * 7} 712 Tm (${d}) Tj`).join(' ')} ET`,
  'in groups, one BT block each': CARD.split(' ').map((g, i) => `BT /F1 12 Tf ${72 + i * 34} 712 Td (${g}) Tj ET`).join(' '),
  'in groups moved by cm': `q ${CARD.split(' ').map((g) => `1 0 0 1 34 0 cm BT /F1 12 Tf 38 712 Td (${g}) Tj ET`).join(' ')} Q`,
  'in groups with Td moves down and back up': `BT /F1 12 Tf 72 712 Td ${CARD.split(' ').map((g) => `(${g}) Tj 0 -20 Td 0 20 Td 28 0 Td`).join(' ')} ET`,
  'in groups with small Td steps': `BT /F1 12 Tf 72 712 Td ${CARD.split(' ').map((g) => `(${g}) Tj 30 0 Td`).join(' ')} ET`,
};
/** A PDF with one dictionary text replaced (xref offsets move; readers rebuild the table, as pdf.js does). */
const pdfEdit = (file: Buffer, from: string, to: string): Buffer => Buffer.from(file.toString('latin1').replace(from, to), 'latin1');

const attach = (filename: string, content: Buffer | string, contentType?: string, extra: object = {}): Promise<Buffer> =>
  buildMessage({ text: 'see attached', attachments: [{ filename, content, ...(contentType === undefined ? {} : { contentType }), ...extra }] });

const raw = (text: string): Promise<Buffer> => Promise.resolve(Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1'));

const html = (body: string): Promise<Buffer> => buildMessage({ text: 'plain alternative', html: `<html><head><meta charset="utf-8"></head><body>${body}</body></html>` });

const ew = (charset: string, bytes: Buffer): string => `=?${charset}?B?${bytes.toString('base64')}?=`;

const nested = (depth: number): Buffer => {
  let inner = zip([{ name: 'card.txt', data: CARD_TEXT }]);
  for (let i = 1; i < depth; i++) inner = zip([{ name: `level${i}.zip`, data: inner }]);
  return inner;
};

/** The end record's comment set (its length field and the bytes after it). */
const withArchiveComment = (file: Buffer, comment: string): Buffer => {
  const c = Buffer.from(comment);
  const b = Buffer.from(file);
  b.writeUInt16LE(c.length, b.length - 2);
  return Buffer.concat([b, c]);
};
/** The first central directory entry given a comment (the end record's directory size grows with it). */
const withEntryComment = (file: Buffer, comment: string): Buffer => {
  const c = Buffer.from(comment);
  const cd = file.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const entryEnd = cd + 46 + file.readUInt16LE(cd + 28) + file.readUInt16LE(cd + 30);
  const out = Buffer.concat([file.subarray(0, entryEnd), c, file.subarray(entryEnd)]);
  out.writeUInt16LE(c.length, cd + 32);
  const end = out.length - 22;
  out.writeUInt32LE(out.readUInt32LE(end + 12) + c.length, end + 12);
  return out;
};
/** A gzip member with FNAME (0x08) or FCOMMENT (0x10) set to `value` in its header. */
const gzipWithHeader = (member: Buffer, flag: number, value: string): Buffer => {
  const head = Buffer.from(member.subarray(0, 10));
  head[3] = flag;
  return Buffer.concat([head, Buffer.from(`${value}\0`, 'latin1'), member.subarray(10)]);
};
/** A zip's local headers and data without its central directory. */
const localOnly = (file: Buffer): Buffer => file.subarray(0, file.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])));
/** The first local header's sizes and CRC moved out (flag 3: a data descriptor follows the data). */
const withDescriptor = (local: Buffer): Buffer => {
  const b = Buffer.from(local);
  b.writeUInt16LE(b.readUInt16LE(6) | 0x8, 6);
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(b.readUInt32LE(14), 4);
  descriptor.writeUInt32LE(b.readUInt32LE(18), 8);
  descriptor.writeUInt32LE(b.readUInt32LE(22), 12);
  b.fill(0, 14, 26);
  return Buffer.concat([b, descriptor]);
};

const VARIANTS: readonly Variant[] = [
  // archives
  { name: 'card in a zip in a zip in a zip', build: () => attach('outer.zip', nested(3)), expect: FOUND, smtp: true },
  { name: 'zip with 4 KB of bytes prepended (self-extractor)', build: () => attach('setup.exe', zip([{ name: 'card.txt', data: CARD_TEXT }], { prefix: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(4094, 0x90)]) })), expect: FOUND, smtp: true },
  { name: 'zip64 archive', build: () => attach('big.zip', zip([{ name: 'card.txt', data: CARD_TEXT }], { zip64: true })), expect: FOUND },
  { name: 'card in a zip entry name', build: () => attach('names.zip', zip([{ name: `card ${CARD}.txt`, data: 'nothing here' }])), expect: FOUND },
  { name: 'zip entry compressed with bzip2 (method 12)', build: () => attach('b.zip', zip([{ name: 'card.txt', data: Buffer.from('BZh91AY&SY\x00\x01\x02\x03', 'latin1'), method: 12, declaredSize: 40 }])), expect: { unscannable: 'unsupported' } },
  { name: 'zip entry compressed with LZMA (method 14)', build: () => attach('l.zip', zip([{ name: 'card.txt', data: Buffer.from([9, 20, 5, 0, 0x5d, 0, 0, 1, 0, 1, 2, 3]), method: 14, declaredSize: 40 }])), expect: { unscannable: 'unsupported' } },
  { name: 'zip entry compressed with deflate64 (method 9)', build: () => attach('d.zip', zip([{ name: 'card.txt', data: Buffer.from([1, 2, 3, 4, 5]), method: 9, declaredSize: 40 }])), expect: { unscannable: 'unsupported' } },
  { name: 'zip entry with the encryption flag (ZipCrypto)', build: () => attach('e.zip', zip([{ name: 'card.txt', data: Buffer.alloc(52, 0x5a), method: 0, encrypted: true, declaredSize: 40 }])), expect: { unscannable: 'encrypted' } },
  { name: 'zip entry encrypted with AES (method 99)', build: () => attach('a.zip', zip([{ name: 'card.txt', data: Buffer.alloc(60, 0x33), method: 99, encrypted: true, declaredSize: 40 }])), expect: { unscannable: 'encrypted' } },
  { name: 'corrupt zip (deflate stream of garbage)', build: () => attach('c.zip', zip([{ name: 'card.txt', data: CARD_TEXT, compressed: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x13]) }])), expect: { unscannable: 'corrupt' } },
  { name: 'zip cut off before its central directory', build: () => attach('cut.zip', zip([{ name: 'card.txt', data: CARD_TEXT.repeat(50) }]).subarray(0, 60)), expect: { unscannable: 'corrupt' } },
  { name: 'zip whose declared size lies (says 100 bytes, inflates to 20 MB)', build: () => attach('lie.zip', zip([{ name: 'zeros.bin', data: Buffer.alloc(20 << 20), declaredSize: 100 }])), expect: { unscannable: 'limit' } },
  { name: 'zip bomb behind a harmless first entry (20 MB of zeros, declared honestly)', build: () => attach('late.zip', zip([{ name: 'readme.txt', data: 'hello' }, { name: 'zeros.bin', data: Buffer.alloc(20 << 20) }])), expect: { unscannable: 'limit' } },
  { name: 'zips nested deeper than maxDepth', build: () => attach('deep.zip', nested(5)), expect: { unscannable: 'limit' }, limits: { maxDepth: 3 } },
  // glued archives: 7-Zip lists the first, most other tools the last; a streaming reader lists an entry the
  // central directory leaves out
  { name: 'card zip glued in front of a clean zip (7-Zip shows the first)', build: () => attach('two.zip', Buffer.concat([zip([{ name: 'card.txt', data: CARD_TEXT }]), zip([{ name: 'readme.txt', data: 'hello' }])])), expect: FOUND, smtp: true },
  { name: 'card zip glued behind a clean zip', build: () => attach('two.zip', Buffer.concat([zip([{ name: 'readme.txt', data: 'hello' }]), zip([{ name: 'card.txt', data: CARD_TEXT }])])), expect: FOUND },
  { name: 'a local entry the central directory does not list', build: () => attach('hidden.zip', Buffer.concat([localOnly(zip([{ name: 'card.txt', data: CARD_TEXT }])), zip([{ name: 'readme.txt', data: 'hello' }])])), expect: FOUND },
  { name: 'an unlisted local entry with its sizes in a data descriptor', build: () => attach('hidden.zip', Buffer.concat([withDescriptor(localOnly(zip([{ name: 'card.txt', data: CARD_TEXT }]))), zip([{ name: 'readme.txt', data: 'hello' }])])), expect: FOUND },
  { name: 'card in the zip archive comment', build: () => attach('c.zip', withArchiveComment(zip([{ name: 'a.txt', data: 'x' }]), `card ${CARD}`)), expect: FOUND },
  { name: 'card in a zip entry comment', build: () => attach('c.zip', withEntryComment(zip([{ name: 'a.txt', data: 'x' }]), `card ${CARD}`)), expect: FOUND },
  { name: 'card in the original file name of a gzip header (FNAME)', build: () => attach('n.gz', gzipWithHeader(gzip('hello'), 0x08, `${CARD}.txt`)), expect: FOUND },
  { name: 'card in the comment of a gzip header (FCOMMENT)', build: () => attach('n.gz', gzipWithHeader(gzip('hello'), 0x10, `card ${CARD}`)), expect: FOUND },
  { name: 'gzip of two members, the card in the second', build: () => attach('m.gz', Buffer.concat([gzip('hello\n'), gzip(CARD_TEXT)])), expect: FOUND },
  { name: 'a bare zlib stream (78 9C), declared application/octet-stream', build: () => attach('data.bin', deflateSync(Buffer.from(CARD_TEXT)), 'application/octet-stream'), expect: FOUND },
  ...(
    [
      ['Microsoft cabinet (MSCF)', 'c.cab', Buffer.concat([Buffer.from('MSCF\0\0\0\0', 'latin1'), Buffer.alloc(28, 1)])],
      ['LHA archive (-lh5-)', 'c.lzh', Buffer.concat([Buffer.from([0x20, 0x00]), Buffer.from('-lh5-'), Buffer.alloc(40, 3)])],
      ['ARJ archive', 'c.arj', Buffer.concat([Buffer.from([0x60, 0xea, 0x20, 0x00]), Buffer.alloc(40, 3)])],
      ['unix compress (.Z)', 'c.Z', Buffer.from([0x1f, 0x9d, 0x90, 0x41, 0x42])],
      ['LZ4 frame', 'c.lz4', Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x64, 0x40, 0xa7])],
      ['lzip file', 'c.lz', Buffer.concat([Buffer.from('LZIP\x01\x0c', 'latin1'), Buffer.alloc(20, 5)])],
      ['ACE archive', 'c.ace', Buffer.concat([Buffer.alloc(7, 1), Buffer.from('**ACE**'), Buffer.alloc(20, 5)])],
      ['StuffIt archive', 'c.sit', Buffer.concat([Buffer.from('StuffIt (c)1997'), Buffer.alloc(20, 5)])],
      ['Windows imaging (WIM)', 'c.wim', Buffer.concat([Buffer.from('MSWIM\0\0\0', 'latin1'), Buffer.alloc(40, 5)])],
      ['xar archive', 'c.xar', Buffer.concat([Buffer.from('xar!'), Buffer.alloc(24, 5)])],
    ] as const
  ).map(([what, name, head]): Variant => ({ name: `${what} with a compressed card (no reader here)`, build: () => attach(name, Buffer.concat([head, deflateRawSync(Buffer.from(CARD_TEXT))]), 'application/octet-stream'), expect: { unscannable: 'unsupported' } })),
  { name: 'gzip file', build: () => attach('card.txt.gz', gzip(CARD_TEXT)), expect: FOUND, smtp: true },
  { name: 'tar file (ustar)', build: () => attach('cards.tar', tar([{ name: 'card.txt', data: CARD_TEXT }])), expect: FOUND },
  { name: 'tar file with a pax path header', build: () => attach('pax.tar', tar([{ name: `dir/card ${CARD}.txt`, data: 'x' }], true)), expect: FOUND },
  { name: 'tar.gz file', build: () => attach('cards.tar.gz', gzip(tar([{ name: 'card.txt', data: CARD_TEXT }]))), expect: FOUND, smtp: true },
  // PDF
  { name: 'PDF with a plain content stream', build: () => attach('statement.pdf', pdf(CARD_TEXT)), expect: FOUND },
  { name: 'PDF with a FlateDecode content stream', build: () => attach('statement.pdf', pdf(CARD_TEXT, { flate: true })), expect: FOUND, smtp: true },
  { name: 'PDF whose digits come only from a ToUnicode CMap', build: () => attach('mapped.pdf', pdf(CARD_TEXT, { toUnicode: true, flate: true })), expect: FOUND },
  // A remapping key spelled with #xx escapes (PDF names allow any byte so; `/To#55nicode` is `/ToUnicode`) must
  // not make the fast content-stream reader take letters for what the page shows.
  { name: 'PDF whose ToUnicode key is spelled /To#55nicode', build: () => attach('escaped.pdf', pdfEdit(pdf(CARD_TEXT, { toUnicode: true, flate: true }), '/ToUnicode', '/To#55nicode')), expect: FOUND },
  { name: 'PDF whose digits come only from a Differences encoding', build: () => attach('diff.pdf', pdfEdit(pdf(CARD_TEXT, { toUnicode: true, flate: true }), '/ToUnicode 6 0 R', DIGIT_DIFFERENCES('/Differences'))), expect: FOUND },
  { name: 'PDF whose Differences key is spelled /Diff#65rences', build: () => attach('diff.pdf', pdfEdit(pdf(CARD_TEXT, { toUnicode: true, flate: true }), '/ToUnicode 6 0 R', DIGIT_DIFFERENCES('/Diff#65rences'))), expect: FOUND },
  // One visual line drawn in pieces: the content-stream fast path must not cut it where pdf.js, which lays
  // text out by position, keeps it whole.
  ...Object.entries(PDF_LAYOUTS).map(([name, content]) => ({ name: `PDF card drawn ${name}`, build: () => attach('layout.pdf', pdf('', { flateStream: deflateSync(Buffer.from(content, 'latin1')) })), expect: FOUND })),
  { name: 'PDF that needs a password', build: () => attach('locked.pdf', pdf(CARD_TEXT, { encrypted: true })), expect: { unscannable: 'encrypted' } },
  // declared-type lies
  { name: 'PDF declared application/octet-stream, named data.bin', build: () => attach('data.bin', pdf(CARD_TEXT, { flate: true }), 'application/octet-stream'), expect: FOUND },
  { name: 'text file declared application/pdf', build: () => attach('report.pdf', CARD_TEXT, 'application/pdf'), expect: FOUND, smtp: true },
  { name: 'text file declared application/x-foo with an unlisted extension', build: () => attach('export.qqq', CARD_TEXT, 'application/x-foo'), expect: FOUND },
  { name: 'zip declared image/png, named photo.png', build: () => attach('photo.png', zip([{ name: 'card.txt', data: CARD_TEXT }]), 'image/png'), expect: FOUND },
  // other document formats
  { name: 'ODT document', build: () => attach('letter.odt', odf('text', ['Dear customer', CARD_TEXT])), expect: FOUND, smtp: true },
  { name: 'ODS spreadsheet', build: () => attach('cards.ods', odf('spreadsheet', ['name', CARD_TEXT])), expect: FOUND },
  { name: 'RTF document', build: () => attach('letter.rtf', `{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}\\f0\\fs24 ${CARD_TEXT}\\par}`), expect: FOUND },
  { name: 'RTF with the digits as \\\'hh and \\uN escapes and control words inside', build: () => attach('esc.rtf', "{\\rtf1\\ansi card \\'34\\'31\\b 11\\b0  1111 \\u49?\\u49?\\u49?\\u49? 1111\\par}"), expect: FOUND },
  // HTML
  { name: 'HTML: number URL-encoded in an href query string', build: () => html(`<a href="https://pay.example.org/c?n=${encodeURIComponent(CARD)}&x=1">pay</a>`), expect: FOUND, smtp: true },
  { name: 'HTML: number in an img alt', build: () => html(`<img src="cid:x" alt="${CARD}">`), expect: FOUND },
  { name: 'HTML: number in a title attribute', build: () => html(`<span title="${CARD}">hover me</span>`), expect: FOUND },
  { name: 'HTML: number in an input value', build: () => html(`<form><input type="hidden" value="${CARD_DIGITS}"></form>`), expect: FOUND },
  { name: 'HTML: number in a data-* attribute', build: () => html(`<div data-card="${CARD}">x</div>`), expect: FOUND },
  { name: 'HTML: number in a comment', build: () => html(`<p>hello</p><!-- ${CARD} -->`), expect: FOUND },
  { name: 'HTML: number in <title>', build: () => buildMessage({ text: 'x', html: `<html><head><title>${CARD}</title></head><body>hi</body></html>` }), expect: FOUND },
  { name: 'HTML: number in <style>', build: () => html(`<style>/* ${CARD} */ p{color:red}</style><p>hi</p>`), expect: FOUND },
  { name: 'HTML: number in <script>', build: () => html(`<script>var c = "${CARD}";</script><p>hi</p>`), expect: FOUND },
  // transfer encodings, names, headers, charsets
  {
    name: 'quoted-printable soft line breaks inside the number',
    build: () => raw(`From: <${SENDER}>\nTo: <${RECIPIENT}>\nSubject: qp\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\ncard 4111 11=\n11 11=\n11 1111\n`),
    expect: FOUND,
    smtp: true,
  },
  {
    name: 'RFC 2231 continued file name (name*0*=, name*1*=)',
    build: () => raw(`From: <${SENDER}>\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename*0*=utf-8''card%204111%201111; filename*1*=%201111%201111.bin\nContent-Transfer-Encoding: base64\n\nAAECAwQF\n--b--\n`),
    expect: FOUND,
  },
  { name: 'encoded-word file name', build: () => attach('x.bin', Buffer.from([0, 1, 2, 3]), 'application/octet-stream').then((b) => Buffer.from(b.toString('latin1').replace(/filename=("?)x\.bin\1/, `filename="${ew('utf-8', Buffer.from(`card ${CARD}.bin`))}"`), 'latin1')), expect: FOUND },
  {
    name: 'number in a MIME part header (Content-Description)',
    build: () => raw(`From: <${SENDER}>\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Description: ${CARD}\n\nhello\n--b--\n`),
    expect: FOUND,
  },
  ...(
    [
      ['iso-8859-15', Buffer.from(`Pr\xfcfung ${CARD} \xa4`, 'latin1')],
      ['koi8-r', Buffer.concat([Buffer.from([0xeb, 0xc1, 0xd2, 0xd4, 0xc1, 0x20]), Buffer.from(CARD)])],
      ['windows-1251', Buffer.concat([Buffer.from([0xca, 0xe0, 0xf0, 0xf2, 0xe0, 0x20]), Buffer.from(CARD)])],
      ['shift_jis', Buffer.concat([Buffer.from([0x83, 0x4a, 0x81, 0x5b, 0x83, 0x68, 0x20]), Buffer.from(CARD)])],
      ['utf-7', Buffer.from(`+AMQ- ${CARD}`)],
      ['cp437', Buffer.concat([Buffer.from([0x8e, 0x20]), Buffer.from(CARD)])],
    ] as const
  ).map(([charset, bytes]): Variant => ({
    name: `encoded-word Subject in ${charset}`,
    build: () => raw(`From: <${SENDER}>\nSubject: ${ew(charset, bytes)}\nMIME-Version: 1.0\nContent-Type: text/plain\n\nhello\n`),
    expect: FOUND,
    ...(charset === 'utf-7' ? { smtp: true as const } : {}),
  })),
  // binaries
  { name: 'printable strings inside an unknown binary blob', build: () => attach('dump.bin', blob(CARD_TEXT), 'application/octet-stream'), expect: FOUND, smtp: true },
  { name: 'UTF-16LE strings inside an unknown binary blob', build: () => attach('dump.dat', Buffer.concat([blob('', 4096), Buffer.from(CARD_TEXT, 'utf16le'), blob('', 4096)]), 'application/octet-stream'), expect: FOUND },
];

describe('evasion: every hiding place reaches a detector or is reported unscannable', () => {
  for (const v of VARIANTS) {
    const want = 'card' in v.expect ? 'the card number is found' : `the part is unscannable (${v.expect.unscannable})`;
    it(`${v.name}: ${want}`, async () => {
      const a = await analyzeMessage(await v.build(), { ...DEFAULT_ANALYSIS_LIMITS, ...v.limits });
      if ('card' in v.expect) expect(cardFound(a), describeAnalysis(a)).toBe(true);
      else {
        const reason = v.expect.unscannable;
        expect(a.unscannable.map((u) => u.reason), describeAnalysis(a)).toContain(reason);
        const part = a.unscannable.find((u) => u.reason === reason);
        expect(part?.label).not.toBe('');
        expect(part?.detail).not.toBe('');
      }
    });
  }

  it('a 25 MB zip of 1000 entries at 1000:1 each is refused as over a limit without inflating it', async () => {
    const bomb = zipBomb(25 << 20, 1000);
    expect(bomb.length).toBeGreaterThan(20 << 20);
    const cpu = process.cpuUsage();
    const a = await analyzeMessage(await attach('bomb.zip', bomb), DEFAULT_ANALYSIS_LIMITS);
    const used = process.cpuUsage(cpu);
    expect(a.unscannable.map((u) => u.reason), describeAnalysis(a)).toContain('limit');
    expect(a.unscannable[0]?.label).toMatch(/bomb\.zip/);
    // inflating all of it would be 25 GB: tens of seconds at best; stopping at the limit takes the MIME parse and a few MB
    expect((used.user + used.system) / 1e6).toBeLessThan(15);
  });

  it('control: a clean zip, PDF and HTML message has no card and nothing unscannable', async () => {
    const msg = await buildMessage({
      html: '<p title="hello">quarterly <a href="https://example.org/?q=report">figures</a></p>',
      attachments: [
        { filename: 'clean.zip', content: zip([{ name: 'a.txt', data: 'nothing to see' }]) },
        { filename: 'clean.pdf', content: pdf('nothing to see', { flate: true }) },
      ],
    });
    const a = await analyzeMessage(msg, DEFAULT_ANALYSIS_LIMITS);
    expect(cardFound(a), describeAnalysis(a)).toBe(false);
    expect(a.unscannable).toEqual([]);
  });
});

const BLOCK = '550 5.7.1 card numbers may not leave (evasion suite)';
const cardPolicy = {
  version: 1,
  policies: [
    {
      name: 'block-cards',
      severity: 'high',
      mode: 'enforce',
      match: { creditCardNumber: { min: 1, in: ['subject', 'body', 'attachments', 'headers'] } },
      action: { type: 'block', reply: BLOCK },
    },
  ],
} as PolicyFile;

describe('evasion over SMTP: a gateway with a card-number block policy refuses each variant', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  const send = (message: Buffer): Promise<number> => sendMessage(peers.gw.port, message, 'evasion');

  for (const v of VARIANTS.filter((x) => x.smtp === true)) {
    it(`${v.name}: 550, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      expect(await send(await v.build())).toBe(550);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: the same kinds of attachment without a card are delivered', async () => {
    const before = peers.mx.messages.length;
    const msg = await buildMessage({
      html: '<a href="https://example.org/?q=1">x</a>',
      attachments: [
        { filename: 'a.zip', content: zip([{ name: 'a.txt', data: 'nothing' }]) },
        { filename: 'a.pdf', content: pdf('nothing', { flate: true }) },
        { filename: 'a.tar.gz', content: gzip(tar([{ name: 'a.txt', data: 'nothing' }])) },
      ],
    });
    expect(await send(msg)).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});
