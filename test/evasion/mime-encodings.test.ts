// "Can I get a card number past it?" through how a MIME part says it is encoded: text/enriched and
// text/richtext formatting commands between the digits, message/external-body (the content is elsewhere),
// Content-Transfer-Encoding spellings a parser may not know, and files uuencoded or yEncoded inside text
// attachments and forwarded messages. Each message is built here byte by byte and goes through
// analyzeMessage; the card must reach a detector, or the part must be reported unscannable.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS, type UnscannableReason } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { policySet } from '../fixtures/policy/helpers.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { CARD } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { uuencode } from '../fixtures/uuencode.js';

type Expectation = { readonly card: true; readonly label?: RegExp } | { readonly unscannable: UnscannableReason; readonly detail?: RegExp; readonly alsoCard?: true };

interface Variant {
  readonly name: string;
  readonly build: () => Buffer;
  readonly expect: Expectation;
  /** Also sent through the gateway over SMTP: must be refused 550 (card) or 554 (unscannable). */
  readonly smtp?: true;
  /** Analysed with the card policy's detectors, as serve does: parts over HOLD_CHARS are then scanned while they stream. */
  readonly windowed?: true;
}

const SCANS = policySet('version: 1\npolicies:\n  - name: cards\n    match: { creditCardNumber: { min: 1 } }\n    action: { type: block }\n');

/** Over HOLD_CHARS (1 MiB), so that the part is streamed rather than held. */
const LONG_PAD = `${'filler words without numbers '.repeat(40)}\n`.repeat(1200);

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const DIGITS = CARD.replace(/\D/g, '');
const FOUND = { card: true } as const;
const b64 = (text: string | Buffer): string => (typeof text === 'string' ? Buffer.from(text) : text).toString('base64').replace(/(.{76})/g, '$1\n');
const qp = (text: string): string => [...Buffer.from(text)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('').replace(/(.{72})/g, '$1=\n');
const crlf = (text: string): Buffer => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
const HEAD = `From: <${SENDER}>\nTo: <${RECIPIENT}>\nSubject: encodings\nMIME-Version: 1.0\n`;

const single = (headers: string, body: string): Buffer => crlf(`${HEAD}${headers}\n\n${body}\n`);
const inMultipart = (partHeaders: string, body: string): Buffer =>
  crlf(`${HEAD}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee the part\n--b\n${partHeaders}\n\n${body}\n--b--\n`);

/** yEnc 1.3: each byte + 42 mod 256; NUL, LF, CR and "=" escaped as "=" + (byte + 64). */
const yenc = (data: Buffer, name = 'card.txt'): string => {
  let line = '';
  const lines: string[] = [];
  for (const b of data) {
    const o = (b + 42) & 255;
    line += [0, 10, 13, 61].includes(o) ? `=${String.fromCharCode((o + 64) & 255)}` : String.fromCharCode(o);
    if (line.length >= 128) {
      lines.push(line);
      line = '';
    }
  }
  if (line !== '') lines.push(line);
  return `=ybegin line=128 size=${data.length} name=${name}\n${lines.join('\n')}\n=yend size=${data.length}\n`;
};

const forwardedWith = (innerBody: string, disposition: string): Buffer =>
  inMultipart(`Content-Type: message/rfc822${disposition}`, `From: c@x.test\nSubject: inner\nMIME-Version: 1.0\nContent-Type: text/plain\n\n${innerBody}`);

const VARIANTS: readonly Variant[] = [
  // text/enriched (RFC 1896) and text/richtext (RFC 1341)
  { name: 'text/enriched, the digits split by <bold> and <italic>', build: () => single('Content-Type: text/enriched', `card <bold>${DIGITS.slice(0, 4)}</bold>${DIGITS.slice(4, 8)}<italic>${DIGITS.slice(8, 12)}</italic>${DIGITS.slice(12)}`), expect: FOUND, smtp: true },
  { name: 'text/enriched attachment over 1 MiB, the split digits at its end', build: () => inMultipart('Content-Type: text/enriched; name=long.txt\nContent-Disposition: attachment; filename=long.txt', `${LONG_PAD}${DIGITS.slice(0, 8)}<bold>${DIGITS.slice(8)}</bold>`), expect: FOUND, windowed: true },
  { name: 'text/enriched part in a multipart, digits split by <x-color><param>red</param>', build: () => inMultipart('Content-Type: text/enriched', `card ${DIGITS.slice(0, 8)}<color><param>red</param>${DIGITS.slice(8)}</color>`), expect: FOUND },
  { name: 'text/enriched, the card inside a <param>', build: () => single('Content-Type: text/enriched', `see <x-link><param>${CARD}</param>here</x-link>`), expect: FOUND },
  { name: 'text/enriched, "<<" literal and a folded line between the digit groups', build: () => single('Content-Type: text/enriched', `a <<b> c ${DIGITS.slice(0, 8)}<nofill></nofill>${DIGITS.slice(8)}`), expect: FOUND },
  { name: 'text/enriched, base64-encoded', build: () => single('Content-Type: text/enriched\nContent-Transfer-Encoding: base64', b64(`${DIGITS.slice(0, 4)}<bold>${DIGITS.slice(4)}</bold>`)), expect: FOUND },
  { name: 'text/richtext, the digits split by <bold> and <nl>', build: () => single('Content-Type: text/richtext', `card ${DIGITS.slice(0, 6)}<bold>${DIGITS.slice(6, 12)}</bold><underline>${DIGITS.slice(12)}</underline>`), expect: FOUND },
  { name: 'text/enriched attachment (enriched.txt)', build: () => inMultipart('Content-Type: text/enriched; name=enriched.txt\nContent-Disposition: attachment; filename=enriched.txt', `${DIGITS.slice(0, 8)}<bold>${DIGITS.slice(8)}</bold>`), expect: FOUND },
  // message/external-body (RFC 2046 §5.2.3)
  {
    name: 'message/external-body access-type=URL, card in the URL query',
    build: () => inMultipart(`Content-Type: message/external-body; access-type=URL; URL="http://files.invalid/get?card=${DIGITS}"`, 'Content-Type: text/plain\nContent-ID: <x@x.test>\n\n'),
    expect: { unscannable: 'unsupported', detail: /external-body/, alsoCard: true },
    smtp: true,
  },
  { name: 'message/external-body access-type=anon-ftp', build: () => inMultipart('Content-Type: message/external-body; access-type=anon-ftp; site="ftp.invalid"; directory="pub"; name="cards.txt"', 'Content-Type: text/plain\n\n'), expect: { unscannable: 'unsupported', detail: /anon-ftp/ }, smtp: true },
  { name: 'message/external-body access-type=ftp', build: () => inMultipart('Content-Type: message/external-body; access-type=ftp; site="ftp.invalid"; name="cards.txt"', 'Content-Type: text/plain\n\n'), expect: { unscannable: 'unsupported', detail: /ftp/ } },
  { name: 'message/external-body access-type=tftp', build: () => inMultipart('Content-Type: message/external-body; access-type=tftp; site="tftp.invalid"; name="cards.txt"', 'Content-Type: text/plain\n\n'), expect: { unscannable: 'unsupported', detail: /tftp/ } },
  { name: 'message/external-body access-type=mail-server', build: () => inMultipart('Content-Type: message/external-body; access-type=mail-server; server="files@x.test"', 'Content-Type: text/plain\n\nsend cards.txt'), expect: { unscannable: 'unsupported', detail: /mail-server/ } },
  { name: 'message/external-body access-type=local-file', build: () => inMultipart('Content-Type: message/external-body; access-type=local-file; name="/srv/cards.txt"', 'Content-Type: text/plain\n\n'), expect: { unscannable: 'unsupported', detail: /local-file/ } },
  { name: 'message/external-body as the whole message', build: () => single(`Content-Type: message/external-body; access-type=URL; URL="http://files.invalid/c"`, 'Content-Type: text/plain\n\n'), expect: { unscannable: 'unsupported', detail: /external-body/ } },
  { name: 'message/external-body, card in the phantom header block', build: () => inMultipart('Content-Type: message/external-body; access-type=local-file; name="/srv/c.txt"', `Content-Type: text/plain\nContent-Description: ${CARD_TEXT}\n\n`), expect: { unscannable: 'unsupported', alsoCard: true } },
  // Content-Transfer-Encoding spellings
  { name: 'CTE " Base64 " (case and blanks)', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding:  Base64 ', b64(CARD_TEXT)), expect: FOUND },
  { name: 'CTE "BASE64" on an attachment', build: () => inMultipart('Content-Type: application/octet-stream; name=c.txt\nContent-Transfer-Encoding: BASE64', b64(CARD_TEXT)), expect: FOUND },
  { name: 'CTE "x-base64"', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: x-base64', b64(CARD_TEXT)), expect: FOUND, smtp: true },
  { name: 'CTE "x-base64", the body plain text (a reader shows it raw)', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: x-base64', CARD_TEXT), expect: FOUND },
  { name: 'CTE unknown ("x-foo"), the body quoted-printable', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: x-foo', qp(CARD_TEXT)), expect: FOUND },
  { name: 'CTE "base-64" on an attachment', build: () => inMultipart('Content-Type: text/plain; name=c.txt\nContent-Disposition: attachment; filename=c.txt\nContent-Transfer-Encoding: base-64', b64(CARD_TEXT)), expect: FOUND },
  { name: 'CTE "quoted_printable"', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: quoted_printable', qp(CARD_TEXT)), expect: FOUND },
  { name: 'CTE "x-quoted-printable" in a multipart', build: () => inMultipart('Content-Type: text/plain\nContent-Transfer-Encoding: x-quoted-printable', qp(CARD_TEXT)), expect: FOUND },
  { name: 'CTE "8bit" with trailing junk', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: 8bit junk', CARD_TEXT), expect: FOUND },
  { name: 'CTE "base64" with a trailing comment-like junk word', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: base64 please', b64(CARD_TEXT)), expect: FOUND },
  { name: 'CTE unknown ("x-foo"), the body base64', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: x-foo', b64(CARD_TEXT)), expect: FOUND },
  { name: 'CTE unknown ("x-foo") on an attachment, the body base64', build: () => inMultipart('Content-Type: application/octet-stream; name=c.bin\nContent-Transfer-Encoding: x-foo', b64(CARD_TEXT)), expect: FOUND },
  { name: 'CTE unknown ("x-foo"), the body plain text', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: x-foo', CARD_TEXT), expect: FOUND },
  { name: 'CTE "uue" with a begin line', build: () => inMultipart('Content-Type: application/octet-stream; name=c.txt\nContent-Transfer-Encoding: uue', uuencode(Buffer.from(CARD_TEXT))), expect: FOUND },
  { name: 'CTE "X-UUENCODE" (upper case)', build: () => inMultipart('Content-Type: application/octet-stream; name=c.txt\nContent-Transfer-Encoding: X-UUENCODE', uuencode(Buffer.from(CARD_TEXT))), expect: FOUND },
  // uuencode and yEnc inside texts
  { name: 'uuencoded block in a text/plain attachment (x.txt)', build: () => inMultipart('Content-Type: text/plain; name=x.txt\nContent-Disposition: attachment; filename=x.txt', `notes\n${uuencode(Buffer.from(CARD_TEXT), 'inner.bin')}`), expect: { card: true, label: /inner\.bin/ } },
  { name: 'uuencoded block in a base64 text/plain attachment', build: () => inMultipart('Content-Type: text/plain; name=x.txt\nContent-Disposition: attachment; filename=x.txt\nContent-Transfer-Encoding: base64', b64(`notes\n${uuencode(Buffer.from(CARD_TEXT), 'inner.bin')}`)), expect: { card: true, label: /inner\.bin/ } },
  { name: 'uuencoded block at the end of a text/plain attachment over 1 MiB', build: () => inMultipart('Content-Type: text/plain; name=x.txt\nContent-Disposition: attachment; filename=x.txt', `${LONG_PAD}${uuencode(Buffer.from(CARD_TEXT), 'inner.bin')}`), expect: { card: true, label: /inner\.bin/ }, windowed: true },
  { name: 'uuencoded block in the body of an inline forwarded message', build: () => forwardedWith(uuencode(Buffer.from(CARD_TEXT), 'inner.bin'), ''), expect: { card: true, label: /inner\.bin/ } },
  { name: 'uuencoded block in the body of a forwarded message attached as fwd.eml', build: () => forwardedWith(uuencode(Buffer.from(CARD_TEXT), 'inner.bin'), '\nContent-Disposition: attachment; filename=fwd.eml'), expect: { card: true, label: /inner\.bin/ } },
  { name: 'yEnc block in a text body', build: () => single('Content-Type: text/plain', `see below\n${yenc(Buffer.from(CARD_TEXT))}`), expect: { card: true, label: /card\.txt/ }, smtp: true },
  { name: 'yEnc block in a multipart text part', build: () => inMultipart('Content-Type: text/plain', yenc(Buffer.from(CARD_TEXT))), expect: { card: true, label: /card\.txt/ } },
  { name: 'yEnc block in a text attachment', build: () => inMultipart('Content-Type: text/plain; name=x.txt\nContent-Disposition: attachment; filename=x.txt', yenc(Buffer.from(CARD_TEXT))), expect: { card: true, label: /card\.txt/ } },
  { name: 'CTE "x-yencode"', build: () => inMultipart('Content-Type: application/octet-stream; name=c.txt\nContent-Transfer-Encoding: x-yencode', yenc(Buffer.from(CARD_TEXT), 'c.txt')), expect: FOUND },
];

describe('evasion through encodings: every spelling reaches a detector or is reported unscannable', () => {
  // held: a message in memory; streamed: a spooled one, as serve reads a message over the spool threshold
  // (a single text part then skips mailparser's body split: streamed-text.ts)
  for (const [how, v] of VARIANTS.flatMap((v) => [['held', v], ['streamed', v]] as const)) {
    const want = 'card' in v.expect ? 'the card number is found' : `the part is unscannable (${v.expect.unscannable})`;
    it(`${v.name} (${how}): ${want}`, async () => {
      const raw = how === 'held' ? v.build() : Readable.from([v.build()]);
      const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS, undefined, v.windowed === true ? SCANS : undefined);
      if ('card' in v.expect) return expect(cardFound(a, v.expect.label), describeAnalysis(a)).toBe(true);
      const reason = v.expect.unscannable;
      expect(a.unscannable.map((u) => u.reason), describeAnalysis(a)).toContain(reason);
      const part = a.unscannable.find((u) => u.reason === reason);
      expect(part?.label).not.toBe('');
      expect(part?.detail).toMatch(v.expect.detail ?? /./);
      if (v.expect.alsoCard === true) expect(cardFound(a), describeAnalysis(a)).toBe(true);
    });
  }

  it('control: clean text/enriched, an unknown encoding on plain words, clean yEnc and an external body in this message (content-id) are not unscannable and carry no card', async () => {
    for (const msg of [single('Content-Type: text/enriched', 'hello <bold>world</bold> <<tag>'), single('Content-Type: text/plain\nContent-Transfer-Encoding: x-foo', 'plain words'), single('Content-Type: text/plain', yenc(Buffer.from('nothing here'))), inMultipart('Content-Type: message/external-body; access-type=content-id', 'Content-Type: text/plain\nContent-ID: <p2@x.test>\n\n')]) {
      const a = await analyzeMessage(msg, DEFAULT_ANALYSIS_LIMITS);
      expect(a.unscannable, describeAnalysis(a)).toEqual([]);
      expect(cardFound(a)).toBe(false);
    }
  });
});

const BLOCK = '550 5.7.1 card numbers may not leave (mime-encodings suite)';
const cardPolicy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1, in: ['subject', 'body', 'attachments', 'headers'] } }, action: { type: 'block', reply: BLOCK } }],
} as PolicyFile;

describe('evasion through encodings over SMTP: a gateway with a card-number block policy refuses each variant', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  const send = (message: Buffer): Promise<number> => sendMessage(peers.gw.port, message, 'mime-encodings');

  for (const v of VARIANTS.filter((x) => x.smtp === true)) {
    const code = 'card' in v.expect || v.expect.alsoCard === true ? 550 : 554;
    it(`${v.name}: ${code}, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      expect(await send(v.build())).toBe(code);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: clean text/enriched with an unknown transfer encoding is delivered', async () => {
    const before = peers.mx.messages.length;
    expect(await send(single('Content-Type: text/enriched\nContent-Transfer-Encoding: x-foo', 'hello <bold>world</bold>'))).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});
