// RFC 2047 encoded-words read the way mailparser (libmime) reads them. libmime joins adjacent encoded-words
// of one encoding and one charset before it decodes them, so a base64 group or a UTF-8 sequence may be cut
// between two words and still show whole to the reader; and it decodes a B word with libbase64, which reads
// every padded segment, where Node's decoder stops at the first '='. The gateway decoded word by word with
// Node's decoder: each variant below showed the card to a mailparser reader and nothing to the detectors.
import { CARD } from './extraction-fixtures.js';
import { analysisSuite, crlf, HEAD, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

const CARD_TEXT = `card ${CARD.replace(/ /g, '')}`;
const B = (s: string | Buffer): string => Buffer.from(s).toString('base64');
/** The base64 of `text` cut at `at` characters (not a multiple of 4: the cut is inside a group). */
const cutB = (text: string, at: number, charsets: readonly [string, string] = ['utf-8', 'utf-8'], between = ' '): string =>
  `=?${charsets[0]}?B?${B(text).slice(0, at)}?=${between}=?${charsets[1]}?B?${B(text).slice(at)}?=`;
const q = (bytes: Buffer): string => [...bytes].map((b) => `=${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
/** Full-width digits (three UTF-8 bytes each), the bytes of one digit split between two Q or B words. */
const FULL_WIDTH = Buffer.from(`card ${CARD.replace(/ /g, '').replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))}`);
const FW_CUT = 5 + 3 * 7 + 1; // inside the eighth digit
const subject = (value: string): Buffer => crlf(HEAD.replace('Subject: evasion', `Subject: ${value}`) + 'Content-Type: text/plain\n\nhello\n');

const VARIANTS: readonly Variant[] = [
  { name: 'Subject: two B words, the base64 cut inside a group (6 | rest)', build: () => subject(cutB(CARD_TEXT, 6)), expect: 'card', smtp: true },
  { name: 'Subject: two B words cut inside a group, folded onto a second line', build: () => subject(cutB(CARD_TEXT, 10, ['utf-8', 'utf-8'], '\n ')), expect: 'card' },
  { name: 'Subject: two B words cut inside a group, charsets UTF-8 and utf8 (one charset to libmime)', build: () => subject(cutB(CARD_TEXT, 7, ['UTF-8', 'utf8'])), expect: 'card' },
  { name: 'Subject: three B words, each cut inside a group', build: () => subject(`=?utf-8?B?${B(CARD_TEXT).slice(0, 5)}?= =?utf-8?B?${B(CARD_TEXT).slice(5, 14)}?= =?utf-8?B?${B(CARD_TEXT).slice(14)}?=`), expect: 'card' },
  { name: 'Subject: one B word of two padded segments (Node stops at the first =)', build: () => subject(`=?utf-8?B?${B('card 4111 ')}${B('1111 1111 1111')}?=`), expect: 'card' },
  { name: 'Subject: full-width digits, the UTF-8 bytes of one digit split between two Q words', build: () => subject(`=?utf-8?Q?${q(FULL_WIDTH.subarray(0, FW_CUT))}?= =?utf-8?Q?${q(FULL_WIDTH.subarray(FW_CUT))}?=`), expect: 'card', smtp: true },
  { name: 'Subject: full-width digits, the UTF-8 bytes of one digit split between two B words (whole groups)', build: () => subject(`=?utf-8?B?${B(FULL_WIDTH.subarray(0, 24))}?= =?utf-8?B?${B(FULL_WIDTH.subarray(24))}?=`), expect: 'card' },
  { name: 'Comments header: two B words cut inside a group', build: () => crlf(`${HEAD}Comments: ${cutB(CARD_TEXT, 9)}\nContent-Type: text/plain\n\nhello\n`), expect: 'card' },
  { name: 'a part header (Content-Description) of a multipart: two B words cut inside a group', build: () => inMultipart(`Content-Type: text/plain\nContent-Description: ${cutB(CARD_TEXT, 6)}`, 'hello'), expect: 'card' },
  // held before the fix
  { name: 'Subject: the card in one B word', build: () => subject(`=?utf-8?B?${B(CARD_TEXT)}?=`), expect: 'card' },
  { name: 'Subject: two B words cut between groups (12 | rest)', build: () => subject(cutB(CARD_TEXT, 12)), expect: 'card' },
  { name: 'Subject: a word of an unpadded partial group, then the rest (a word-by-word reader shows the card, the joined reading does not)', build: () => subject(`=?utf-8?B?${B('card 41').slice(0, 10)}?= =?utf-8?B?${B('11 1111 1111 1111')}?=`), expect: 'card' },
  { name: 'Subject: the card in a UTF-7 B word (libmime shows UTF-7 as UTF-8; decoded here as UTF-7)', build: () => subject(`=?utf-7?B?${B('card +ADQAMQAxADE- 1111 1111 1111')}?=`), expect: 'card' },
  // controls
  { name: 'control: two clean B words cut inside a group', build: () => subject(cutB('quarterly report for 2026 and 2027', 6)), expect: 'clean', smtp: true },
  { name: 'control: a clean Q and B word next to each other', build: () => subject(`=?utf-8?Q?caf=C3=A9?= =?utf-8?B?${B(' au lait 12 34')}?=`), expect: 'clean' },
];

analysisSuite('evasion: encoded-words joined and decoded as mailparser reads them (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: encoded-words joined as mailparser reads them', 'encoded-word-joins', VARIANTS);
