// Two small hiding places: a header parameter continued over RFC 2231 sections (x*0=, x*1=), which
// mailparser joins but the single-part fast path read raw, and a NUL byte between the digits, which an HTML
// parser drops (so a reader shows the number whole) while the detectors took it for a separator.
import { analysisSuite, crlf, HEAD, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';
import { CARD } from './extraction-fixtures.js';

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const DIGITS = CARD.replace(/\D/g, '');
const withNuls = (s: string): string => s.split('').join('\u0000');

const VARIANTS: readonly Variant[] = [
  { name: 'single part, Content-Type parameter in RFC 2231 sections (x-note*0="4111 1111"; x-note*1=" 1111 1111")', build: () => single('Content-Type: text/plain; x-note*0="4111 1111"; x-note*1=" 1111 1111"', 'hello'), expect: 'card', smtp: true },
  { name: 'single part, name*0*= / name*1*= percent-encoded sections', build: () => single("Content-Type: text/plain; name*0*=utf-8''4111%201111; name*1*=%201111%201111", 'hello'), expect: 'card' },
  { name: 'single inline part, Content-Disposition filename*0= / filename*1=', build: () => single('Content-Type: text/plain\nContent-Disposition: inline; filename*0="4111 1111 "; filename*1="1111 1111.txt"', 'hello'), expect: 'card' },
  { name: 'NUL bytes between the groups of a text body', build: () => single('Content-Type: text/plain', `card 4111\u00001111\u00001111\u00001111`), expect: 'card', smtp: true },
  { name: 'a NUL byte after every digit', build: () => single('Content-Type: text/plain', `card ${withNuls(DIGITS)}`), expect: 'card' },
  { name: 'NUL bytes between the digits of an HTML part', build: () => inMultipart('Content-Type: text/html', `<p>card ${withNuls(DIGITS)}</p>`), expect: 'card' },
  { name: 'an SSN (536-22-4417) with a NUL byte after every character', build: () => single('Content-Type: text/plain', `ssn ${withNuls('536-22-4417')}`), expect: 'ssn' },
  // held before the fix
  { name: 'parameter sections in a part of a multipart (mailparser joins them)', build: () => inMultipart('Content-Type: text/plain; x-note*0="4111 1111"; x-note*1=" 1111 1111"', 'hello'), expect: 'card' },
  { name: 'a card split over two adjacent encoded-words in the Subject (q, then b mid-group)', build: () => crlf(`From: <a@x.test>\nTo: <b@y.test>\nSubject: =?utf-8?q?4111_1111?= =?utf-8?b?${Buffer.from(' 1111 1111').toString('base64')}?=\nMIME-Version: 1.0\nContent-Type: text/plain\n\nhello\n`), expect: 'card' },
  { name: 'the card in a comment of the Content-Type', build: () => single(`Content-Type: text/plain (${CARD_TEXT})`, 'hello'), expect: 'card' },
  // controls
  { name: 'control: clean RFC 2231 sections', build: () => single('Content-Type: text/plain; x-note*0="hello "; x-note*1="world"', 'hello'), expect: 'clean', smtp: true },
  { name: 'control: NUL bytes between words', build: () => crlf(`${HEAD}Content-Type: text/plain\n\nhello\u0000world 12\u000034\n`), expect: 'clean' },
];

analysisSuite('evasion: RFC 2231 parameter sections and NUL bytes (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: RFC 2231 parameter sections and NUL bytes', 'params-controls', VARIANTS);
