// A Content-Transfer-Encoding that mailsplit does not know, on a multipart (RFC 2045 §6.4 allows only
// 7bit, 8bit and binary there): mailsplit reads the body as the multipart it says it is, finds no delimiter
// in base64 text and drops it all as preamble, while a lenient reader decodes "x-base64" or "base-64" and
// shows the parts inside. Leaves with such spellings are covered in mime-encodings.test.ts.
import { analysisSuite, b64, crlf, HEAD, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';
import { CARD } from './extraction-fixtures.js';

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const INNER = `--inner\nContent-Type: text/plain\n\n${CARD_TEXT}\n--inner--\n`;
const INNER_HTML = `--inner\nContent-Type: text/html\nContent-Transfer-Encoding: base64\n\n${b64(`<p>${CARD_TEXT}</p>`)}\n--inner--\n`;
/** `text` base64-encoded in two pieces cut at `at` (not a multiple of 3: the first ends in "=" padding). */
const segments = (text: string, at: number): string => `${b64(text.slice(0, at))}\n${b64(text.slice(at))}`;
const qp = (text: string): string => [...Buffer.from(text)].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('').replace(/(.{72})/g, '$1=\n');

const VARIANTS: readonly Variant[] = [
  { name: 'top-level multipart/mixed, CTE "x-base64", its body base64', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-base64', b64(INNER)), expect: 'card', smtp: true },
  { name: 'top-level multipart/mixed, CTE "base-64"', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: base-64', b64(INNER)), expect: 'card' },
  { name: 'top-level multipart/mixed, CTE "x-foo" on base64 bytes', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-foo', b64(INNER)), expect: 'card', smtp: true },
  { name: 'top-level multipart/mixed, CTE "x-quoted-printable", its body escaped', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-quoted-printable', qp(INNER)), expect: 'card' },
  { name: 'multipart/alternative child of multipart/mixed, CTE "x-base64", inner HTML base64 again', build: () => inMultipart('Content-Type: multipart/alternative; boundary=inner\nContent-Transfer-Encoding: x-base64', b64(INNER_HTML)), expect: 'card', smtp: true },
  { name: 'multipart/mixed child, CTE "BASE-64" (upper case)', build: () => inMultipart('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: BASE-64', b64(INNER)), expect: 'card' },
  // base64 as mailparser reads every other part (libbase64): each "="-padded segment decoded on its own,
  // "-" and "_" dropped; Node's decoder alone stopped at the first "=" and read "-"/"_" as url-safe digits
  { name: 'top-level multipart, CTE "base64" in two padded segments (the card after the first "==")', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: base64', segments(INNER, 40)), expect: 'card', smtp: true },
  { name: 'top-level multipart, CTE "x-base64" in two padded segments', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-base64', segments(INNER, 37)), expect: 'card' },
  { name: 'multipart child, CTE "base64" with "-" and "_" strewn through the base64 text', build: () => inMultipart('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: base64', b64(INNER).replace(/(.{7})/g, '$1-').replace(/(.{11})/g, '$1_')), expect: 'card', smtp: true },
  { name: 'a single text/plain body, base64 in two padded segments (the card in the second)', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: base64', segments(`hello\n${CARD_TEXT}`, 4)), expect: 'card', smtp: true },
  { name: 'a single text/plain body, base64 with "-" and "_" strewn through it', build: () => single('Content-Type: text/plain\nContent-Transfer-Encoding: base64', b64(CARD_TEXT).replace(/(.{5})/g, '$1-').replace(/(.{9})/g, '$1_')), expect: 'card', smtp: true },
  { name: 'a text leaf of a multipart with an unknown CTE on base64 bytes, in two padded segments', build: () => inMultipart('Content-Type: text/plain\nContent-Transfer-Encoding: x-foo', segments(`hello\n${CARD_TEXT}`, 4)), expect: 'card' },
  // held before the fix: the raw text is read as mailsplit reads it
  { name: 'multipart with CTE "x-foo" and real delimiter lines (a reader shows the parts)', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-foo', INNER), expect: 'card' },
  { name: 'a text leaf of a multipart with CTE "base-64"', build: () => inMultipart('Content-Type: text/plain\nContent-Transfer-Encoding: base-64', b64(CARD_TEXT)), expect: 'card' },
  { name: 'a multipart with CTE "x-uuencode" (not a multipart encoding at all), card in its preamble', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-uuencode', `${CARD_TEXT}\n${INNER.replace(CARD_TEXT, 'nothing')}`), expect: 'card' },
  // controls
  { name: 'control: multipart with CTE "x-base64", base64 of clean parts', build: () => single('Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: x-base64', b64(INNER.replace(CARD_TEXT, 'hello there'))), expect: 'clean', smtp: true },
  { name: 'control: multipart with CTE "7bit" and clean parts', build: () => crlf(`${HEAD}Content-Type: multipart/mixed; boundary=inner\nContent-Transfer-Encoding: 7bit\n\n${INNER.replace(CARD_TEXT, 'hello there')}`), expect: 'clean' },
];

analysisSuite('evasion: a nonstandard transfer encoding on a multipart (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: a nonstandard transfer encoding on a multipart', 'multipart-cte', VARIANTS);
