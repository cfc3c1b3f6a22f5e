// Text parts labelled UTF-16. Without a byte order mark "utf-16" is big-endian by RFC 2781 but
// little-endian to the WHATWG decoders, and a BOM overrides the label in browser-based readers; text in
// the other order read by the label is CJK noise to a detector. body-charsets.test.ts has the other charsets.
import { analysisSuite, b64, crlf, HEAD, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';
import { CARD } from './extraction-fixtures.js';

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const be = (text: string): Buffer => Buffer.from(text, 'utf16le').swap16();
const le = (text: string): Buffer => Buffer.from(text, 'utf16le');
const BOM_BE = Buffer.from([0xfe, 0xff]);
const BOM_LE = Buffer.from([0xff, 0xfe]);
const utf16Body = (label: string, bytes: Buffer, type = 'text/plain'): Buffer => single(`Content-Type: ${type}; charset=${label}\nContent-Transfer-Encoding: base64`, b64(bytes));
const LONG = `${'filler words without numbers '.repeat(40)}\n`.repeat(1000);

const VARIANTS: readonly Variant[] = [
  { name: 'charset=utf-16, big-endian with a BOM', build: () => utf16Body('utf-16', Buffer.concat([BOM_BE, be(CARD_TEXT)])), expect: 'card', smtp: true },
  { name: 'charset=utf-16, big-endian without a BOM (RFC 2781)', build: () => utf16Body('utf-16', be(CARD_TEXT)), expect: 'card', smtp: true },
  { name: 'charset=UTF-16 in a multipart text part, big-endian, no BOM', build: () => inMultipart('Content-Type: text/plain; charset=UTF-16\nContent-Transfer-Encoding: base64', b64(be(CARD_TEXT))), expect: 'card' },
  { name: 'charset=utf-16be, but a little-endian BOM and little-endian bytes', build: () => utf16Body('utf-16be', Buffer.concat([BOM_LE, le(CARD_TEXT)])), expect: 'card' },
  { name: 'charset=utf-16le, but big-endian bytes without a BOM', build: () => utf16Body('utf-16le', be(CARD_TEXT)), expect: 'card' },
  { name: 'charset=utf-16 HTML part in a multipart, big-endian, no BOM', build: () => inMultipart('Content-Type: text/html; charset=utf-16\nContent-Transfer-Encoding: base64', b64(be(`<p>${CARD_TEXT}</p>`))), expect: 'card' },
  { name: 'charset=unicode (a Windows label), big-endian with a BOM', build: () => utf16Body('unicode', Buffer.concat([BOM_BE, be(CARD_TEXT)])), expect: 'card' },
  { name: 'charset=utf-16 over 1 MiB, big-endian without a BOM, the card at its end', build: () => utf16Body('utf-16', be(`${LONG}${CARD_TEXT}`)), expect: 'card' },
  // held before the fix: the WHATWG reading is right
  { name: 'charset=utf-16, little-endian without a BOM', build: () => utf16Body('utf-16', le(CARD_TEXT)), expect: 'card' },
  { name: 'charset=utf-16, little-endian with a BOM', build: () => utf16Body('utf-16', Buffer.concat([BOM_LE, le(CARD_TEXT)])), expect: 'card' },
  { name: 'charset=utf-16be with a big-endian BOM', build: () => utf16Body('utf-16be', Buffer.concat([BOM_BE, be(CARD_TEXT)])), expect: 'card' },
  // controls
  { name: 'control: clean utf-16 text, big-endian without a BOM', build: () => utf16Body('utf-16', be('hello, nothing to see')), expect: 'clean', smtp: true },
  { name: 'control: an empty utf-16 body', build: () => crlf(`${HEAD}Content-Type: text/plain; charset=utf-16\n\n`), expect: 'clean' },
];

analysisSuite('evasion: UTF-16 text parts in either byte order (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: UTF-16 text parts', 'utf16-parts', VARIANTS);
