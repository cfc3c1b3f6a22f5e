import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildMessage } from '../../../test/fixtures/policy/helpers.js';
import { parseHeaderLines } from './analyze.js';
import { ByteBudget, parseMime, type ParsedMime } from './mime-parse.js';
import { decodeQuotedPrintable, decodeQuotedPrintableInto, parseSimpleMessage } from './simple-message.js';

const bodyText = (p: ParsedMime, html: boolean): string =>
  p.bodies
    .filter((b) => b.html === html)
    .map((b) => b.text)
    .join('\n')
    .trimEnd();

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

const SIMPLE: readonly [string, Buffer | Promise<Buffer>][] = [
  ['quoted-printable UTF-8 from nodemailer', buildMessage({ subject: 'Grüße', text: `${'long line '.repeat(30)}\nStraße 4111 1111 1111 1111` })],
  ['base64 UTF-8 from nodemailer', buildMessage({ text: 'ÄÖÜ äöü ß — €', textEncoding: 'base64' })],
  ['html only', buildMessage({ html: '<p>Hello <b>there</b></p>' })],
  ['7bit without Content-Type', crlf('From: a@x.test\nSubject: plain\n\nline one\nline two\n')],
  ['ISO-8859-1 quoted-printable with soft breaks', crlf('Subject: qp\nContent-Type: text/plain; charset="ISO-8859-1"\nContent-Transfer-Encoding: Quoted-Printable\n\nStra=DFe =\nund M=FCnchen =3D ok=20\n=XY stays\n')],
  ['LF-only line endings', Buffer.from('Subject: lf\nContent-Type: text/plain; charset=utf-8\n\nhello\nworld\n')],
  ['a bare LF blank line before a CRLF one', Buffer.from('Subject: lf first\nX-A: 1\n\nbody\r\n\r\nSubject: not a header\r\n')],
  ['a CRLF blank line before a bare LF one', Buffer.from('Subject: crlf first\r\nX-A: 1\r\n\r\nbody\n\nSubject: not a header\n')],
];

describe('parseSimpleMessage', () => {
  it.each(SIMPLE)('agrees with mailparser: %s', async (_, rawOrPromise) => {
    const raw = await rawOrPromise;
    const fast = parseSimpleMessage(raw, new ByteBudget(1e9));
    const slow = await parseMime(raw, { budget: new ByteBudget(1e9), maxParts: 100, maxDepth: 16, scans: undefined });
    expect(fast).toBeDefined();
    if (fast === undefined) return;
    expect(bodyText(fast, false)).toBe(bodyText(slow, false));
    expect(bodyText(fast, true)).toBe(bodyText(slow, true));
    expect(parseHeaderLines(fast?.headerLines ?? [])).toEqual(parseHeaderLines(slow.headerLines));
  });

  it.each([
    ['multipart', buildMessage({ text: 'a', attachments: [{ filename: 'x.txt', content: 'x' }] })],
    ['flowed text', crlf('Content-Type: text/plain; format=flowed\n\nsoft \nbreak\n')],
    ['an attachment as the whole message', crlf('Content-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n\nx\n')],
    ['an unknown charset', crlf('Content-Type: text/plain; charset=x-made-up\n\nx\n')],
    ['RFC 2231 parameters', crlf("Content-Type: text/plain; charset*=utf-8''x\n\nx\n")],
    ['8-bit header bytes', Buffer.from('Subject: Gr\xfc\xdfe\r\n\r\nx\r\n', 'latin1')],
    ['a repeated Content-Type', crlf('Content-Type: text/plain\nContent-Type: application/zip\n\nx\n')],
    ['an unknown transfer encoding', crlf('Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nx\n')],
  ])('leaves %s to mailparser, budget untouched', async (_, rawOrPromise) => {
    const budget = new ByteBudget(100);
    expect(parseSimpleMessage(await rawOrPromise, budget)).toBeUndefined();
    expect(budget.left).toBe(100);
  });

  it('decodes quoted-printable edge cases', () => {
    expect(decodeQuotedPrintable(Buffer.from('a=\r\nb=  \r\nc=3d=3D=4=\nd=')).toString('latin1')).toBe('abc===4d');
  });

  it('decodes quoted-printable byte for byte as RFC 2045 reads it, also into a buffer after other bytes', () => {
    const piece = fc.constantFrom('a', 'Stra', '=DF', '=3d', '=\r\n', '=\n', '= \t\r\n', '=\r', '\r\n', '\n', ' ', '=', '==', '=Z', '=4', '=4\n', '= ', '\xfc', 'x'.repeat(80));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), fc.nat(5), (parts, at) => {
        const input = Buffer.from(parts.join(''), 'latin1');
        const expected = referenceQp(input);
        expect(decodeQuotedPrintable(input).equals(expected)).toBe(true);
        const out = Buffer.alloc(at + input.length, 0x2a);
        const end = decodeQuotedPrintableInto(input, out, at);
        expect(out.subarray(0, at).equals(Buffer.alloc(at, 0x2a))).toBe(true);
        expect(out.subarray(at, end).equals(expected)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

/** The reference: byte by byte, an escape of two hex digits, a soft break of "=", blanks and a line end (or the input's end). */
function referenceQp(input: Buffer): Buffer {
  const hex = (c: number | undefined): number => (c === undefined ? -1 : '0123456789abcdef'.indexOf(String.fromCharCode(c).toLowerCase()));
  const out: number[] = [];
  for (let i = 0; i < input.length; ) {
    const c = input[i] ?? 0;
    if (c !== 0x3d) {
      out.push(c);
      i++;
      continue;
    }
    const h = hex(input[i + 1]);
    const l = hex(input[i + 2]);
    if (h >= 0 && l >= 0) {
      out.push(h * 16 + l);
      i += 3;
      continue;
    }
    let j = i + 1;
    while (input[j] === 0x20 || input[j] === 0x09) j++;
    if (input[j] === 0x0d && input[j + 1] === 0x0a) i = j + 2;
    else if (input[j] === 0x0a) i = j + 1;
    else if (j >= input.length) i = j;
    else {
      out.push(0x3d);
      i++;
    }
  }
  return Buffer.from(out);
}
