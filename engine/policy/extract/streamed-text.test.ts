// The streamed single-text-part path (streamed-text.ts) against the full mailparser parse of the same
// stream: every field of the parse (headers, part headers, body text or its window hits, uuencoded files,
// limits) must be equal, for messages it takes and for those it gives back (multipart and the rest).
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMessage, examplePolicySet } from '../../../test/fixtures/policy/helpers.js';
import { ByteBudget, type MimeParseContext, parseMime, type ParsedMime, probeMime } from './mime-parse.js';
import { HEAD_LIMIT, headerEnd, parseStreamedMessage } from './streamed-text.js';
import { uuencode } from '../../../test/fixtures/uuencode.js';

const set = examplePolicySet();

const ctx = (budget = 1e9): MimeParseContext => ({ budget: new ByteBudget(budget), maxParts: 100, maxDepth: 8, scans: set, ratio: { maxRatio: 100, ratioFloorBytes: 1 << 20 } });
const chunked = (raw: Buffer, size: number): Readable =>
  Readable.from(
    (function* () {
      for (let i = 0; i < raw.length; i += size) yield raw.subarray(i, i + size);
    })(),
  );

async function both(raw: Buffer, sizes: readonly [number, number], budget?: number): Promise<{ fast: ParsedMime; slow: ParsedMime; fastBudget: ByteBudget; slowBudget: ByteBudget }> {
  const f = ctx(budget);
  const s = ctx(budget);
  const slow = await parseMime(chunked(raw, sizes[0]), s);
  const fast = await parseStreamedMessage(chunked(raw, sizes[1]), f);
  return { fast, slow, fastBudget: f.budget, slowBudget: s.budget };
}

async function expectSame(raw: Buffer, sizes: readonly [number, number] = [16384, 16384], budget?: number): Promise<void> {
  const r = await both(raw, sizes, budget);
  expect(r.fast).toEqual(r.slow);
  expect([r.fastBudget.left, r.fastBudget.exceeded]).toEqual([r.slowBudget.left, r.slowBudget.exceeded]);
}

// tiny chunks for short messages only: mailparser yields to the event loop per chunk
const chunkings = (raw: Buffer): (readonly [number, number])[] =>
  raw.length > 100_000
    ? [
        [16384, 16384],
        [65536, 997],
        [1021, 65536],
      ]
    : [
        [16384, 16384],
        [65536, 1],
        [7, 4093],
      ];

/** Whether the streamed path reads it itself (a single inline text part), by probing its header block. */
async function taken(raw: Buffer): Promise<boolean> {
  const end = headerEnd(raw);
  if (end === undefined || end > HEAD_LIMIT) return false;
  const probe = { textLeaves: [], rootEncoding: undefined };
  const parsed = await probeMime(raw.subarray(0, end), ctx(), probe);
  return probe.textLeaves.length === 1 && parsed.nodeCount === 1 && parsed.parts.length === 0 && (parsed.issues ?? []).length === 0;
}

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');
const head = (fields: string): string => `From: a@x.test\nTo: b@y.test\nSubject: =?utf-8?Q?Gr=C3=BC=C3=9Fe_4111_1111?= =?iso-8859-1?B?/GJlcg==?=\nDate: Tue, 01 Dec 2026 10:00:00 +0000\nMessage-ID: <m1@x.test>\n${fields}`;

function prose(lines: number, every = 400): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % every === 7) out.push(`card 4111 1111 1111 1111 and IBAN DE89 3704 0044 0532 0130 00 on line ${i}`);
    else if (i % every === 99) out.push(`ssn 234-56-7890, key AKIAIOSFODNN7EXAMPLE, confidential, line ${i}`);
    else out.push(`line ${i} of ordinary text: invoice 2024-10-31 total EUR 1,234.56 order #883412 regards`);
  }
  return `${out.join('\n')}\n`;
}

// just over HOLD_CHARS, so that it is scanned in windows
const long = prose(13_000);
const qpNumberBreaks = `card 4111=\n 1111 1111 1111 and 4111 11=\n11 1111 1111 and 5555=\r\n5555=20=\n5555 4444 =3D end\n`;
const base64PaddedLines = (text: string): string =>
  text
    .split('\n')
    .map((l) => Buffer.from(`${l}\n`).toString('base64'))
    .join('\n');

const TAKEN: readonly [string, () => Buffer | Promise<Buffer>][] = [
  ['nodemailer quoted-printable UTF-8, long', () => buildMessage({ subject: 'Grüße', text: `Straße ${long}` })],
  ['nodemailer base64 UTF-8, long', () => buildMessage({ text: `ÄÖÜ ${long}`, textEncoding: 'base64' })],
  ['nodemailer html only, long', () => buildMessage({ html: `<p>${long.replace(/\n/g, '</p>\n<p>')}</p>` })],
  ['nodemailer short text', () => buildMessage({ text: 'card 4111 1111 1111 1111\n' })],
  ['7bit without Content-Type, LF', () => Buffer.from(head(`\n${long}`))],
  ['7bit, CRLF', () => crlf(head(`Content-Type: text/plain; charset=us-ascii\n\n${long}`))],
  ['8bit ISO-8859-1, CRLF', () => crlf(head(`Content-Type: text/plain; charset="ISO-8859-1"\nContent-Transfer-Encoding: 8bit\n\nStra\xdfe M\xfcnchen 4111 1111 1111 1111\n${long}`))],
  ['quoted-printable soft breaks inside numbers', () => crlf(head(`Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: Quoted-Printable\n\n${qpNumberBreaks.repeat(2000)}`))],
  ['quoted-printable LF only, invalid escapes', () => Buffer.from(head(`Content-Transfer-Encoding: quoted-printable\n\n=XY =4 ==3D= \n=\n${qpNumberBreaks}=`))],
  ['base64 with every line padded', () => crlf(head(`Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${base64PaddedLines(prose(3000, 50))}\n`))],
  ['base64 with junk characters and no final newline', () => Buffer.from(head(`Content-Transfer-Encoding: BASE64\n\n${Buffer.from(long).toString('base64').replace(/(.{76})/g, '$1\r\n').replace(/A/g, 'A*')}`))],
  ['windows-1252 quoted-printable', () => crlf(head(`Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable\n\n=80 =93quoted=94 4111 1111 1111 1111\n${long}`))],
  ['Shift_JIS (iconv-lite) base64', () => crlf(head(`Content-Type: text/plain; charset=shift_jis\nContent-Transfer-Encoding: base64\n\n${Buffer.from([0x82, 0xa0, 0x82, 0xa2, 0x20, 0x34, 0x31, 0x31, 0x31]).toString('base64')}\n`))],
  ['UTF-16LE text', () => crlf(head(`Content-Type: text/plain; charset=utf-16le\nContent-Transfer-Encoding: base64\n\n${Buffer.from(`4111 1111 1111 1111 ${prose(50)}`, 'utf16le').toString('base64')}\n`))],
  ['an unknown charset, mostly high bytes (undecodable)', () => Buffer.from(head(`Content-Type: text/plain; charset=x-made-up\n\n${'\xc1\xc2\xc3 '.repeat(2000)}\n`), 'latin1')],
  ['an unknown charset, ASCII text', () => crlf(head(`Content-Type: text/plain; charset=x-made-up\n\n${long}`))],
  ['format=flowed delsp=yes', () => crlf(head(`Content-Type: text/plain; format=flowed; delsp=yes\n\n4111 1111 \n1111 1111 soft \n break\n-- \nsig\n${long}`))],
  ['RFC 2231 charset parameter', () => crlf(head(`Content-Type: text/plain; charset*=utf-8''\n\nStra=C3=9Fe 4111 1111 1111 1111\n`))],
  ['Content-Transfer-Encoding with a comment', () => crlf(head(`Content-Transfer-Encoding: base64 (really)\n\n${Buffer.from('4111 1111 1111 1111\n').toString('base64')}\n`))],
  ['Content-Transfer-Encoding quoted', () => crlf(head(`Content-Transfer-Encoding: "base64"\n\n${Buffer.from('4111 1111 1111 1111\n').toString('base64')}\n`))],
  ['an unknown transfer encoding', () => crlf(head(`Content-Transfer-Encoding: x-token\n\n4111 1111 1111 1111\n`))],
  ['a uuencoded file in the text', () => crlf(head(`\nsee below\n${uuencode(Buffer.from('card 4111 1111 1111 1111\n'), 'cards.txt')}after\n${long}`))],
  ['message/delivery-status', () => crlf(head(`Content-Type: message/delivery-status\n\nReporting-MTA: dns; x.test\n\nFinal-Recipient: rfc822; 4111111111111111@x.test\n`))],
  ['no header at all (leading empty line)', () => crlf(`\n4111 1111 1111 1111\n${long}`)],
  ['8-bit header bytes', () => Buffer.from(head(`X-Name: Gr\xfc\xdfe 4111 1111 1111 1111\n\nbody\n`), 'latin1')],
  ['folded headers and a Content-Type in capitals', () => crlf(head(`Content-Type: TEXT/PLAIN;\n\tcharset="UTF-8"\nX-Long: one\n two\n\n${long}`))],
  ['an empty body', () => crlf(head('Content-Type: text/plain\n\n'))],
  ['a body without a line end', () => Buffer.from(head('\n4111 1111 1111 1111'))],
  ['a body line longer than 64 KiB', () => crlf(head(`Content-Transfer-Encoding: quoted-printable\n\n${'word =3D 4111 1111 1111 1111 '.repeat(5000)}\n${long}`))],
];

const GIVEN_BACK: readonly [string, () => Buffer | Promise<Buffer>][] = [
  ['multipart with an attachment', () => buildMessage({ text: `body ${long}`, attachments: [{ filename: 'a.txt', content: '4111 1111 1111 1111' }] })],
  ['multipart/alternative', () => buildMessage({ text: 'card 4111 1111 1111 1111', html: '<p>card 4111 1111 1111 1111</p>' })],
  ['an attachment as the whole message', () => crlf(head('Content-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\n4111 1111 1111 1111\n'))],
  ['application/octet-stream as the whole message', () => crlf(head(`Content-Type: application/octet-stream\n\n${long}`))],
  ['an attached message as the whole message', () => crlf(head('Content-Type: message/rfc822\n\nSubject: inner\n\n4111 1111 1111 1111\n'))],
  ['conflicting Content-Type headers', () => crlf(head('Content-Type: text/plain\nContent-Type: text/html\n\n4111 1111 1111 1111\n'))],
  ['x-uuencode transfer encoding', () => crlf(head(`Content-Transfer-Encoding: x-uuencode\n\n${uuencode(Buffer.from('4111 1111 1111 1111'), 'a.txt')}`))],
  ['a header block over 64 KiB', () => crlf(head(`${'X-Pad: '.padEnd(900, 'x')}\n`.repeat(80) + `\n${long}`))],
  ['no empty line (all header)', () => Buffer.from('Subject: x\nX-Card: 4111 1111 1111 1111')],
  ['multipart with a preamble', () => crlf(head('Content-Type: multipart/mixed; boundary=b\n\npreamble 4111 1111 1111 1111\n--b\n\ninner\n--b--\nepilogue\n'))],
];

describe('parseStreamedMessage', () => {
  it.each(TAKEN)('reads it itself, as mailparser does: %s', async (_, build) => {
    const raw = await build();
    expect(await taken(raw)).toBe(true);
    for (const sizes of chunkings(raw)) await expectSame(raw, sizes);
  });

  it.each(GIVEN_BACK)('gives it back to mailparser, same result: %s', async (_, build) => {
    const raw = await build();
    expect(await taken(raw)).toBe(false);
    for (const sizes of chunkings(raw).slice(0, 2)) await expectSame(raw, sizes);
  });

  it('fails the parse when the stream errors while the header is probed', async () => {
    const failing = Readable.from(
      (function* () {
        yield Buffer.from('Subject: x\r\nContent-Type: text/plain\r\n\r\nfirst line\r\n');
        throw new Error('spool read failed');
      })(),
    );
    await expect(parseStreamedMessage(failing, ctx())).rejects.toThrow('spool read failed');
  });

  it('agrees when the byte budget runs out part way', async () => {
    const raw = await buildMessage({ text: long });
    for (const budget of [0, 1000, 1 << 20, (1 << 20) + 70_000]) await expectSame(raw, [16384, 5000], budget);
  });

  it('agrees on generated bodies in every transfer encoding, chunked anyhow', async () => {
    const piece = fc.constantFrom('4111', ' 1111', '=', '=3D', '=\r\n', '=\n', '=  \r\n', '\r\n', '\n', '\r', ' ', 'abc', 'Ü', '==', 'QUJD', '\t', 'begin 644 x\n', '5555 5555 5555 4444', '234-56-7890', '=C3=9C');
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 60 }),
        fc.constantFrom('7bit', 'quoted-printable', 'base64', 'base64-raw'),
        fc.constantFrom('utf-8', 'iso-8859-1', 'x-unknown'),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        async (pieces, cte, charset, useCrlf, a, b) => {
          const text = pieces.join('');
          const body = cte === 'base64' ? Buffer.from(text, 'latin1').toString('base64').replace(/(.{20})/g, '$1\n') : text;
          const encoding = cte === 'base64-raw' ? 'base64' : cte;
          const header = `Subject: t\nContent-Type: text/plain; charset=${charset}\nContent-Transfer-Encoding: ${encoding}\n\n`;
          const all = header + body;
          const raw = Buffer.from(useCrlf ? all.replace(/\n/g, '\r\n') : all, 'latin1');
          const r = await both(raw, [a, b]);
          expect(r.fast).toEqual(r.slow);
        },
      ),
      { numRuns: 300 },
    );
  });
});
