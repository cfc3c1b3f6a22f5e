// Text labelled windows-1252 (or any label WHATWG maps to it: cp1252, x-cp1252, iso-8859-1, latin1,
// us-ascii) whose bytes 0x80-0x9f are what a reader shows as dashes and quotes: 0x96 en dash, 0x97 em
// dash, 0x92 right single quote. Node 20's TextDecoder read them as C1 controls, so a card written with
// en dashes between its groups was no number to the detector (charset-decoder.ts has the table).
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { scanCreditCards } from '../../engine/policy/detectors/credit-card.js';
import { analysisSuite, b64, crlf, HEAD, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';

const EN = '\x96';
const EM = '\x97';
const card = (sep: string): string => ['4111', '1111', '1111', '1111'].join(sep);
const text = (sep: string): string => `customer${'\x92'}s card ${card(sep)} exp 12/29`;
const qp = (s: string): string => s.replace(/[\x80-\xff=]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const body = (label: string, s: string, type = 'text/plain'): Buffer => single(`Content-Type: ${type}; charset=${label}\nContent-Transfer-Encoding: 8bit`, s);

const VARIANTS: readonly Variant[] = [
  { name: 'charset=windows-1252, 8bit, en dashes (0x96)', build: () => body('windows-1252', text(EN)), expect: 'card', smtp: true },
  { name: 'charset=windows-1252, 8bit, em dashes (0x97)', build: () => body('windows-1252', text(EM)), expect: 'card' },
  { name: 'charset=windows-1252, quoted-printable, en dashes', build: () => single('Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable', qp(text(EN))), expect: 'card', smtp: true },
  { name: 'charset=windows-1252, base64, en dashes', build: () => single('Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: base64', b64(latin1(text(EN)))), expect: 'card', smtp: true },
  { name: 'charset=windows-1252 HTML part, en dashes', build: () => body('windows-1252', `<p>${text(EN)}</p>`, 'text/html'), expect: 'card' },
  { name: 'charset=windows-1252 text part of a multipart, en dashes', build: () => inMultipart('Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit', text(EN)), expect: 'card', smtp: true },
  { name: 'charset=windows-1252 HTML part of a multipart, quoted-printable, em dashes', build: () => inMultipart('Content-Type: text/html; charset=windows-1252\nContent-Transfer-Encoding: quoted-printable', qp(`<p>${text(EM)}</p>`)), expect: 'card' },
  { name: 'Subject =?windows-1252?Q?...?= with en dashes', build: () => crlf(`${HEAD.replace('Subject: evasion\n', `Subject: =?windows-1252?Q?card_${qp(card(EN))}?=\n`)}Content-Type: text/plain\n\nsee subject\n`), expect: 'card', smtp: true },
  { name: 'Subject =?iso-8859-1?B?...?= with en dashes', build: () => crlf(`${HEAD.replace('Subject: evasion\n', `Subject: =?iso-8859-1?B?${latin1(`card ${card(EN)}`).toString('base64')}?=\n`)}Content-Type: text/plain\n\nsee subject\n`), expect: 'card' },
  { name: 'charset=cp1252, en dashes', build: () => body('cp1252', text(EN)), expect: 'card' },
  { name: 'charset=x-cp1252, en dashes', build: () => body('x-cp1252', text(EN)), expect: 'card' },
  { name: 'charset=iso-8859-1 (WHATWG: windows-1252), en dashes', build: () => body('iso-8859-1', text(EN)), expect: 'card', smtp: true },
  { name: 'charset=latin1, en dashes', build: () => body('latin1', text(EN)), expect: 'card' },
  { name: 'charset=us-ascii (WHATWG: windows-1252), en dashes', build: () => body('us-ascii', text(EN)), expect: 'card', smtp: true },
  { name: 'a windows-1252 text attachment (no charset, not UTF-8), en dashes', build: () => inMultipart('Content-Type: text/plain\nContent-Disposition: attachment; filename=card.txt\nContent-Transfer-Encoding: base64', b64(latin1(text(EN)))), expect: 'card', smtp: true },
  { name: 'charset=windows-1252 over 1 MiB (streamed in windows), en dashes at the end', build: () => body('windows-1252', `${'filler words without numbers\n'.repeat(40000)}${text(EN)}`), expect: 'card' },
  // the same number in UTF-8 with typographic dashes: the detector takes them as separators
  { name: 'UTF-8 text, en dashes (U+2013)', build: () => single('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64', b64(`card ${card('\u2013')}`)), expect: 'card', smtp: true },
  { name: 'UTF-8 text, em dashes (U+2014)', build: () => single('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64', b64(`card ${card('\u2014')}`)), expect: 'card' },
  { name: 'UTF-8 text, minus signs (U+2212)', build: () => single('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64', b64(`card ${card('\u2212')}`)), expect: 'card' },
  // held before the fix
  { name: 'charset=windows-1252, ASCII dashes', build: () => body('windows-1252', text('-')), expect: 'card' },
  // controls
  { name: 'control: windows-1252 prose with dashes and quotes, no number', build: () => body('windows-1252', `it${'\x92'}s fine ${EN} really ${EM} nothing here`), expect: 'clean', smtp: true },
  { name: 'control: a non-Luhn number with en dashes', build: () => body('windows-1252', `ref ${['4111', '1111', '1111', '1112'].join(EN)}`), expect: 'clean' },
];

analysisSuite('evasion: windows-1252 dashes and quotes (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: windows-1252 dashes and quotes', 'windows-1252', VARIANTS);

describe('windows-1252 text as a reader shows it', () => {
  it('0x92 is a curly apostrophe (U+2019), so a keyword written with one matches', async () => {
    const a = await analyzeMessage(body('windows-1252', text('-')), DEFAULT_ANALYSIS_LIMITS);
    expect(a.segments.some((s) => s.text.includes('customer\u2019s card'))).toBe(true);
  });
  it('a windows-1252 Subject encoded-word keeps its quotes and dashes', async () => {
    const a = await analyzeMessage(crlf(`${HEAD.replace('Subject: evasion\n', `Subject: =?windows-1252?Q?O${qp('\x92')}Brien_${qp(EN)}_Q3?=\n`)}Content-Type: text/plain\n\nhi\n`), DEFAULT_ANALYSIS_LIMITS);
    expect(a.segments.some((s) => s.text.includes('O\u2019Brien \u2013 Q3'))).toBe(true);
  });
  it('the card detector reads en dash, em dash, hyphen and minus between groups, not a mix with letters', () => {
    for (const sep of ['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212']) expect(scanCreditCards(`x ${card(sep)} y`).count, JSON.stringify(sep)).toBe(1);
    expect(scanCreditCards(`x ${card('a')} y`).count).toBe(0);
  });
});
