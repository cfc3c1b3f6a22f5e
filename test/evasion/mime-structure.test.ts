// "Can I get a card number past it?" through the MIME structure itself: forwarded messages whose own
// parts are encoded, parser differentials (two Content-Type headers that disagree), text in a
// multipart's preamble or epilogue, uuencoded files, and odd framing (boundaries that prefix each
// other, encoded multiparts, bare-LF header ends, NUL bytes). Each message is built here byte by byte and
// goes through analyzeMessage; the card must reach a detector, or the part must be reported unscannable
// with the right reason. A subset goes through a real gateway over SMTP and must be refused.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS, type AnalysisLimits, type UnscannableReason } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { RECIPIENT, SENDER, useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { CARD, zip } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { uuencode } from '../fixtures/uuencode.js';

type Expectation = { readonly card: true; readonly label?: RegExp } | { readonly unscannable: UnscannableReason; readonly detail?: RegExp };

interface Variant {
  readonly name: string;
  readonly build: () => Promise<Buffer> | Buffer;
  readonly expect: Expectation;
  /** Also sent through the gateway over SMTP: must be refused 550 (card) or 554 (unscannable). */
  readonly smtp?: true;
  readonly limits?: Partial<AnalysisLimits>;
}

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const FOUND = { card: true } as const;
const b64 = (text: string | Buffer): string => (typeof text === 'string' ? Buffer.from(text) : text).toString('base64').replace(/(.{76})/g, '$1\n');
/** Line ends as CRLF (the test text is written with LF). */
const crlf = (text: string): Buffer => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
const HEAD = `From: <${SENDER}>\nTo: <${RECIPIENT}>\nSubject: structure\nMIME-Version: 1.0\n`;

/** A message whose inner body is base64: the card is only visible once the inner message is parsed as MIME. */
const innerMessage = (type = 'text/plain'): string => `From: c@x.test\nSubject: inner\nMIME-Version: 1.0\nContent-Type: ${type}\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n`;

const forwarded = (partHeaders: string, body: string): Buffer =>
  crlf(`${HEAD}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfwd\n--b\n${partHeaders}\n\n${body}\n--b--\n`);

const uuPart = (cte: string, data: Buffer, name = 'c.bin'): Buffer =>
  crlf(`${HEAD}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/octet-stream; name=${name}\nContent-Transfer-Encoding: ${cte}\n\n${uuencode(data, name)}--b--\n`);

/** A forwarded message forwarded again, `depth` times, each level's part base64-encoded. */
const forwardedDeep = (depth: number): Buffer => {
  let msg = innerMessage();
  for (let i = 0; i < depth; i++) {
    msg = `From: f${i}@x.test\nSubject: fwd ${i}\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=l${i}\n\n--l${i}\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n${b64(crlf(msg))}\n--l${i}--\n`;
  }
  return crlf(`${HEAD}${msg.slice(msg.indexOf('Content-Type:'))}`);
};

const attachEml = (filename: string, content: Buffer, contentType?: string): Promise<Buffer> =>
  buildMessage({ text: 'see attached', attachments: [{ filename, content, contentDisposition: 'attachment', ...(contentType === undefined ? {} : { contentType }) }] });

const VARIANTS: readonly Variant[] = [
  // forwarded messages
  { name: 'message/rfc822 without a disposition, its body base64', build: () => forwarded('Content-Type: message/rfc822', innerMessage()), expect: FOUND },
  { name: 'message/rfc822 disposed as attachment (fwd.eml), its body base64', build: () => forwarded('Content-Type: message/rfc822\nContent-Disposition: attachment; filename="fwd.eml"', innerMessage()), expect: { card: true, label: /fwd\.eml/ }, smtp: true },
  { name: 'message/rfc822 part itself base64-encoded, its body base64 again', build: () => forwarded('Content-Type: message/rfc822\nContent-Transfer-Encoding: base64', b64(crlf(innerMessage()))), expect: FOUND, smtp: true },
  { name: 'message/rfc822 part quoted-printable-encoded', build: () => forwarded('Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable', innerMessage().replace(/=/g, '=3D')), expect: FOUND },
  { name: 'message/rfc822 whose inner message is an HTML body in base64', build: () => forwarded('Content-Type: message/rfc822\nContent-Disposition: attachment', innerMessage('text/html')), expect: FOUND },
  { name: 'message/rfc822 whose inner message attaches a zip', build: () => forwarded('Content-Type: message/rfc822\nContent-Disposition: attachment', `Subject: inner\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: application/zip; name=c.zip\nContent-Transfer-Encoding: base64\n\n${b64(zip([{ name: 'card.txt', data: CARD_TEXT }]))}\n--i--\n`), expect: FOUND },
  {
    name: 'message/rfc822 inline, its inner message multipart, the card only in its encoded-word Subject',
    build: () => forwarded('Content-Type: message/rfc822\nContent-Disposition: inline', `From: c@x.test\nSubject: =?utf-8?B?${Buffer.from(CARD_TEXT).toString('base64')}?=\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=i\n\n--i\nContent-Type: text/plain\n\nhello\n--i--\n`),
    expect: FOUND,
  },
  { name: 'message/rfc822 disposed as attachment, the card only in its Subject', build: () => forwarded('Content-Type: message/rfc822\nContent-Disposition: attachment', `From: c@x.test\nSubject: ${CARD_TEXT}\nContent-Type: text/plain\n\nhello\n`), expect: { card: true, label: /headers/ } },
  { name: 'message/global (RFC 6532), UTF-8 headers, its body base64', build: () => forwarded('Content-Type: message/global\nContent-Disposition: attachment; filename="fwd.u8msg"', `From: Jürgen <j@x.test>\nSubject: Grüße\n${innerMessage().slice(innerMessage().indexOf('MIME-Version'))}`), expect: FOUND },
  { name: 'message/global part base64-encoded', build: () => forwarded('Content-Type: message/global\nContent-Transfer-Encoding: base64', b64(crlf(innerMessage()))), expect: FOUND },
  { name: 'forwarded three times, each level base64-encoded', build: () => forwardedDeep(3), expect: FOUND },
  { name: 'forwarded deeper than maxDepth, each level base64-encoded', build: () => forwardedDeep(5), expect: { unscannable: 'limit' }, limits: { maxDepth: 3 } },
  {
    name: 'text/rfc822-headers (a bounce) with the card in an encoded-word Subject',
    build: () => crlf(`${HEAD}Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n--r\nContent-Type: text/plain\n\nundeliverable\n--r\nContent-Type: text/rfc822-headers\n\nFrom: c@x.test\nSubject: =?utf-8?B?${Buffer.from(CARD_TEXT).toString('base64')}?=\n\n--r--\n`),
    expect: FOUND,
  },
  { name: '.eml file declared application/octet-stream, its body base64', build: () => attachEml('fwd.eml', crlf(innerMessage()), 'application/octet-stream'), expect: { card: true, label: /fwd\.eml/ } },
  { name: '.eml file inside a zip, its body base64', build: () => attachEml('mails.zip', zip([{ name: 'fwd.eml', data: crlf(innerMessage()) }])), expect: { card: true, label: /mails\.zip\/fwd\.eml/ } },
  { name: '.eml file inside a zip big enough for a worker thread, its body base64', build: () => attachEml('big.zip', zip([{ name: 'noise.bin', data: randomBytes(96 << 10), method: 0 }, { name: 'fwd.eml', data: crlf(innerMessage()) }])), expect: { card: true, label: /big\.zip\/fwd\.eml/ } },
  { name: 'message/partial fragment (cannot be reassembled)', build: () => forwarded('Content-Type: message/partial; id="abc@x.test"; number=1; total=2', `Subject: part 1\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT).slice(0, 20)}`), expect: { unscannable: 'unsupported', detail: /message\/partial/ }, smtp: true },
  // parser differentials
  {
    name: 'two Content-Type headers: text/plain, then multipart/mixed with a boundary',
    build: () => crlf(`${HEAD}Content-Type: text/plain\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n--b--\n`),
    expect: { unscannable: 'corrupt', detail: /Content-Type/ },
    smtp: true,
  },
  {
    name: 'two Content-Type headers on a part: multipart/mixed, then text/plain',
    build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: multipart/mixed; boundary="b"\nContent-Type: text/plain\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n--b--\n--o--\n`),
    expect: { unscannable: 'corrupt', detail: /Content-Type/ },
  },
  {
    name: 'two Content-Transfer-Encoding headers: 7bit, then base64',
    build: () => crlf(`${HEAD}Content-Type: text/plain\nContent-Transfer-Encoding: 7bit\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n`),
    expect: { unscannable: 'corrupt', detail: /Content-Transfer-Encoding/ },
  },
  {
    name: 'two Content-Transfer-Encoding headers on an attachment: base64, then quoted-printable',
    build: () => forwarded('Content-Type: application/octet-stream; name=x.bin\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: quoted-printable', b64(CARD_TEXT)),
    expect: { unscannable: 'corrupt', detail: /Content-Transfer-Encoding/ },
  },
  {
    name: 'two Content-Disposition headers naming different files (notes.txt, then vault.kdbx)',
    build: () => forwarded('Content-Type: application/octet-stream\nContent-Disposition: attachment; filename="notes.txt"\nContent-Disposition: attachment; filename="vault.kdbx"\nContent-Transfer-Encoding: base64', b64('not a card')),
    expect: { unscannable: 'corrupt', detail: /Content-Disposition/ },
  },
  { name: 'harmless duplicate: the same Content-Type twice (case and spacing differ)', build: () => crlf(`${HEAD}Content-Type: text/plain; charset=utf-8\ncontent-type:  TEXT/PLAIN;  charset=utf-8\n\n${CARD_TEXT}\n`), expect: FOUND },
  // preamble and epilogue
  { name: 'card in the preamble, delimiter lines with trailing whitespace', build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary="b"\n\npreamble ${CARD}\n--b  \nContent-Type: text/plain\n\nhi\n--b--  \n`), expect: { card: true, label: /^preamble$/ } },
  { name: 'card in the epilogue', build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nhi\n--b--\nepilogue ${CARD}\n`), expect: { card: true, label: /^epilogue$/ }, smtp: true },
  { name: 'card in the epilogue of a nested multipart', build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary="o"\n\n--o\nContent-Type: multipart/alternative; boundary="i"\n\n--i\nContent-Type: text/plain\n\nhi\n--i--\ninner epilogue ${CARD}\n--o--\n`), expect: { card: true, label: /^epilogue$/ } },
  { name: 'multipart without a boundary parameter (the whole body is structure)', build: () => crlf(`${HEAD}Content-Type: multipart/mixed\n\n${CARD_TEXT}\n`), expect: FOUND },
  // uuencode
  { name: 'uuencoded block inside a text body', build: () => buildMessage({ text: `see below\n\n${uuencode(Buffer.from(CARD_TEXT))}` }), expect: { card: true, label: /card\.txt/ } },
  { name: 'uuencoded zip inside a text body', build: () => buildMessage({ text: `see below\n\n${uuencode(zip([{ name: 'card.txt', data: CARD_TEXT }]), 'cards.zip')}` }), expect: { card: true, label: /cards\.zip/ }, smtp: true },
  { name: 'uuencoded block inside a multipart text part', build: () => forwarded('Content-Type: text/plain', uuencode(Buffer.from(CARD_TEXT))), expect: FOUND },
  { name: 'Content-Transfer-Encoding: x-uuencode', build: () => uuPart('x-uuencode', Buffer.from(CARD_TEXT)), expect: FOUND },
  { name: 'Content-Transfer-Encoding: uuencode', build: () => uuPart('uuencode', Buffer.from(CARD_TEXT)), expect: FOUND },
  { name: 'Content-Transfer-Encoding: x-uue, a zip', build: () => uuPart('x-uue', zip([{ name: 'card.txt', data: CARD_TEXT }]), 'c.zip'), expect: FOUND },
  // framing
  {
    name: 'a boundary that is a prefix of the nested multipart boundary',
    build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: multipart/mixed; boundary="b-inner"\n\n--b-inner\nContent-Type: text/plain\n\nhi\n--b-inner\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n--b-inner--\n--b--\n`),
    expect: FOUND,
  },
  {
    name: 'a nested boundary that is a prefix of the outer one',
    build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary="bb"\n\n--bb\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n--b--\n--bb--\n`),
    expect: FOUND,
  },
  {
    name: 'Content-Transfer-Encoding: base64 on a multipart/mixed part',
    build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\nhi\n--o\nContent-Type: multipart/mixed; boundary=i\nContent-Transfer-Encoding: base64\n\n${b64(crlf(`--i\nContent-Type: text/plain\n\n${CARD_TEXT}\n--i--\n`))}\n--o--\n`),
    expect: FOUND,
  },
  { name: 'Content-Transfer-Encoding: base64 on the top-level multipart', build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary=i\nContent-Transfer-Encoding: base64\n\n${b64(crlf(`--i\nContent-Type: text/plain\n\n${CARD_TEXT}\n--i--\n`))}\n`), expect: FOUND },
  { name: 'encoded-word Subject in unusual case (=?UtF-8?b?…?=)', build: () => crlf(`${HEAD.replace('Subject: structure', `Subject: =?UtF-8?b?${Buffer.from(CARD_TEXT).toString('base64')}?=`)}Content-Type: text/plain\n\nhi\n`), expect: FOUND },
  { name: 'encoded-word file name in unusual case (=?uTf-8?Q?…?=)', build: () => forwarded(`Content-Type: application/octet-stream; name="=?uTf-8?q?${CARD.replace(/ /g, '_')}.bin?="\nContent-Transfer-Encoding: base64`, 'AAEC'), expect: FOUND },
  { name: 'header block and body with bare LF line ends only', build: () => Buffer.from(`${HEAD}Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n`, 'latin1'), expect: FOUND },
  { name: 'CRLF header lines, then a bare LF ending the header block', build: () => Buffer.from(`${HEAD.replace(/\n/g, '\r\n')}Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\n${b64(CARD_TEXT)}\r\n`, 'latin1'), expect: FOUND },
  { name: 'bare-LF multipart (boundaries and part headers LF only)', build: () => Buffer.from(`${HEAD}Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n--b--\n`, 'latin1'), expect: FOUND },
  { name: 'NUL byte in the Subject before the card', build: () => crlf(`${HEAD.replace('Subject: structure', `Subject: x\0 ${CARD}`)}Content-Type: text/plain\n\nhi\n`), expect: FOUND },
  { name: 'NUL byte inside the Content-Type header of a base64 part', build: () => forwarded('Content-Type: text/plain;\0 charset=utf-8\nContent-Transfer-Encoding: base64', b64(CARD_TEXT)), expect: FOUND },
  { name: 'NUL byte inside the top-level Content-Type (multipart boundary)', build: () => crlf(`${HEAD}Content-Type: multipart/mixed;\0 boundary=b\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64(CARD_TEXT)}\n--b--\n`), expect: { unscannable: 'corrupt', detail: /NUL/ } },
  { name: 'NUL byte in a header name', build: () => crlf(`${HEAD}X-\0Note: ${CARD}\nContent-Type: text/plain\n\nhi\n`), expect: FOUND },
];

describe('evasion through MIME structure: every hiding place reaches a detector or is reported unscannable', () => {
  for (const v of VARIANTS) {
    const want = 'card' in v.expect ? 'the card number is found' : `the part is unscannable (${v.expect.unscannable})`;
    it(`${v.name}: ${want}`, async () => {
      const a = await analyzeMessage(await v.build(), { ...DEFAULT_ANALYSIS_LIMITS, ...v.limits });
      if ('card' in v.expect) expect(cardFound(a, v.expect.label), describeAnalysis(a)).toBe(true);
      else {
        const reason = v.expect.unscannable;
        expect(a.unscannable.map((u) => u.reason), describeAnalysis(a)).toContain(reason);
        const part = a.unscannable.find((u) => u.reason === reason);
        expect(part?.label).not.toBe('');
        expect(part?.detail).toMatch(v.expect.detail ?? /./);
      }
    });
  }

  it('a uuencoded file is listed as an attachment under its own name', async () => {
    const a = await analyzeMessage(await buildMessage({ text: `see below\n\n${uuencode(zip([{ name: 'card.txt', data: CARD_TEXT }]), 'cards.zip')}` }), DEFAULT_ANALYSIS_LIMITS);
    expect(a.attachments.map((x) => [x.name, x.sniffedType])).toContainEqual(['cards.zip', 'application/zip']);
    expect(a.attachments.map((x) => x.name)).toContain('card.txt');
  });

  it('control: harmless duplicates (the same Content-Type and Content-Transfer-Encoding twice) are not unscannable', async () => {
    const msg = crlf(`${HEAD}Content-Type: multipart/mixed; boundary="b"\nContent-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\nContent-Transfer-Encoding: BASE64\n\n${b64('nothing here')}\n--b--\n`);
    const a = await analyzeMessage(msg, DEFAULT_ANALYSIS_LIMITS);
    expect(a.unscannable, describeAnalysis(a)).toEqual([]);
    expect(a.segments.map((s) => s.text).join('\n')).toContain('nothing here');
  });

  it('control: an ordinary multipart has no preamble or epilogue segment, and a forwarded clean message nothing unscannable', async () => {
    const inner = await buildMessage({ subject: 'inner', text: 'nothing here' });
    const a = await analyzeMessage(await buildMessage({ text: 'fwd', attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822', contentDisposition: 'attachment' }] }), DEFAULT_ANALYSIS_LIMITS);
    expect(a.unscannable, describeAnalysis(a)).toEqual([]);
    expect(a.segments.map((s) => s.label)).not.toContain('preamble');
    expect(a.segments.map((s) => s.label)).not.toContain('epilogue');
    expect(cardFound(a)).toBe(false);
    expect(a.segments.map((s) => s.text).join('\n')).toContain('nothing here');
  });
});

const BLOCK = '550 5.7.1 card numbers may not leave (mime-structure suite)';
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

describe('evasion through MIME structure over SMTP: a gateway with a card-number block policy refuses each variant', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  const send = (message: Buffer): Promise<number> => sendMessage(peers.gw.port, message, 'mime-structure');

  for (const v of VARIANTS.filter((x) => x.smtp === true)) {
    const code = 'card' in v.expect ? 550 : 554;
    it(`${v.name}: ${code}, nothing delivered`, async () => {
      const before = peers.mx.messages.length;
      expect(await send(await v.build())).toBe(code);
      expect(peers.mx.messages.length).toBe(before);
    });
  }

  it('control: a clean forwarded message and a clean multipart are delivered', async () => {
    const before = peers.mx.messages.length;
    const inner = await buildMessage({ subject: 'inner', text: 'nothing here' });
    const msg = await buildMessage({ text: 'fwd', attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822', contentDisposition: 'attachment' }] });
    expect(await send(msg)).toBe(250);
    await peers.mx.waitForMessages(before + 1);
  });
});
