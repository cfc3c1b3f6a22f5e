// Bidirectional reordering: the reader sees the characters in display order, the markup holds them in
// logical order. Under an override (<bdo dir="rtl">, CSS unicode-bidi: bidi-override; direction: rtl,
// U+202E RIGHT-TO-LEFT OVERRIDE) every character is laid out right to left, so "1111 1111 1111 1114" shows
// as "4111 1111 1111 1111"; in a right-to-left context without override (dir="rtl", direction: rtl, U+202B
// RLE, U+2067 RLI, a line led by Hebrew or Arabic) European digits keep their order inside a group but the
// groups, split by spaces, are laid out right to left (UBA W7, N1, I2, L2), so "1111 1111 1111 4111" shows
// as "4111 1111 1111 1111". The gateway reads the logical order as before and, where such a control, attribute
// or right-to-left context is present, also the text as shown (bidi-text.ts).
// Every variant but the ones marked "held before the fix" and the controls failed before the fix.
import { analysisSuite, HEAD, smtpSuite, type Variant } from './variant-suite.js';

const RLO = '\u202e';
const LRO = '\u202d';
const RLE = '\u202b';
const RLI = '\u2067';
const PDF = '\u202c';
const PDI = '\u2069';
/** Reversed character by character: shown as 4111 1111 1111 1111 under an override. */
const CARD_REVERSED = '1111 1111 1111 1114';
/** Its groups in reverse order: shown as 4111 1111 1111 1111 in a right-to-left run. */
const CARD_GROUPS = '1111 1111 1111 4111';
const SSN_REVERSED = '7144-22-635';

/** A whole message in UTF-8 (variant-suite's `single` writes latin1). */
const utf8 = (headers: string, body: string, head = HEAD): Buffer => Buffer.from(`${head}${headers}\n\n${body}\n`.replace(/\r?\n/g, '\r\n'), 'utf8');
const plain = (body: string): Buffer => utf8('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit', body);
const page = (body: string, style = ''): Buffer =>
  utf8('Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit', `<html><head>${style === '' ? '' : `<style>${style}</style>`}</head><body>${body}</body></html>`);
const subject = (value: string): Buffer =>
  utf8('Content-Type: text/plain\n', 'hello', HEAD.replace('Subject: evasion', `Subject: =?utf-8?B?${Buffer.from(value).toString('base64')}?=`));

const VARIANTS: readonly Variant[] = [
  { name: '<bdo dir="rtl"> around the card reversed', build: () => page(`<p>card <bdo dir="rtl">${CARD_REVERSED}</bdo></p>`), expect: 'card', smtp: true },
  { name: '<BDO DIR=RTL> (upper case, unquoted)', build: () => page(`<p>card <BDO DIR=RTL>${CARD_REVERSED}</BDO></p>`), expect: 'card' },
  { name: 'inline style unicode-bidi: bidi-override; direction: rtl', build: () => page(`<p>card <span style="unicode-bidi: bidi-override; direction: rtl">${CARD_REVERSED}</span></p>`), expect: 'card', smtp: true },
  { name: 'a <style> class rule .r{unicode-bidi:bidi-override;direction:rtl}', build: () => page(`<p>card <span class="r">${CARD_REVERSED}</span></p>`, '.r{unicode-bidi:bidi-override;direction:rtl}'), expect: 'card' },
  { name: 'U+202E RLO … U+202C PDF in a plain-text body', build: () => plain(`card ${RLO}${CARD_REVERSED}${PDF} thanks`), expect: 'card', smtp: true },
  { name: 'U+202E RLO to the end of the line in a plain-text body', build: () => plain(`card ${RLO}${CARD_REVERSED}\nsecond line`), expect: 'card' },
  { name: 'U+202E RLO in the Subject (an encoded-word)', build: () => subject(`card ${RLO}${CARD_REVERSED}${PDF}`), expect: 'card', smtp: true },
  { name: 'U+202E RLO in an HTML text node', build: () => page(`<p>card ${RLO}${CARD_REVERSED}${PDF}</p>`), expect: 'card' },
  { name: 'U+202E RLO as a character reference (&#x202E;) in HTML', build: () => page(`<p>card &#x202E;${CARD_REVERSED}&#x202C;</p>`), expect: 'card' },
  { name: 'U+202E RLO at the end of a 1.3 MB plain-text body (scanned in windows)', build: () => plain(`${'lorem ipsum dolor\n'.repeat(75_000)}card ${RLO}${CARD_REVERSED}${PDF}`), expect: 'card' },
  { name: 'an LRO run inside an RLO run (4111 kept, the rest reversed)', build: () => plain(`card ${RLO}1111 1111 1111 ${LRO}4111${PDF}${PDF}`), expect: 'card' },
  { name: 'an SSN reversed under RLO (7144-22-635)', build: () => plain(`ssn ${RLO}${SSN_REVERSED}${PDF}`), expect: 'ssn' },
  { name: 'an SSN reversed in <bdo dir="rtl">', build: () => page(`<p>ssn <bdo dir="rtl">${SSN_REVERSED}</bdo></p>`), expect: 'ssn' },
  { name: 'U+202B RLE embedding: groups laid out right to left', build: () => plain(`card ${RLE}${CARD_GROUPS}${PDF}`), expect: 'card', smtp: true },
  { name: 'U+2067 RLI isolate: groups laid out right to left', build: () => plain(`card ${RLI}${CARD_GROUPS}${PDI}`), expect: 'card' },
  { name: '<span dir="rtl"> around the groups', build: () => page(`<p>card <span dir="rtl">${CARD_GROUPS}</span></p>`), expect: 'card', smtp: true },
  { name: '<div dir="rtl"> holding a <p> with the groups', build: () => page(`<div dir="rtl"><p>${CARD_GROUPS}</p></div>`), expect: 'card' },
  { name: '<div style="direction: rtl"> around the groups', build: () => page(`<div style="direction: rtl">${CARD_GROUPS}</div>`), expect: 'card' },
  { name: 'a plain-text line led by Hebrew, then the groups', build: () => plain(`כרטיס ${CARD_GROUPS}`), expect: 'card', smtp: true },
  { name: 'a plain-text line led by Arabic, then the groups', build: () => plain(`البطاقة ${CARD_GROUPS}`), expect: 'card' },
  // held before the fix
  { name: 'the card in logical order inside RLE (shown with its groups reversed, read as written)', build: () => plain(`card ${LRO}4111 1111 1111 1111${PDF}`), expect: 'card' },
  // controls
  { name: 'control: Hebrew text with a phone number', build: () => plain('התקשרו אלינו 03-555-1234 תודה רבה'), expect: 'clean', smtp: true },
  { name: 'control: Arabic text with a phone number in groups', build: () => plain('رقم الهاتف 050 123 4567 شكرا'), expect: 'clean' },
  { name: 'control: Hebrew HTML with dir="rtl" and no number', build: () => page('<div dir="rtl"><p>שלום, מה שלומך?</p></div>'), expect: 'clean' },
  { name: 'control: a reversed card under <bdo dir="ltr"> (shown as written)', build: () => page(`<p>card <bdo dir="ltr">${CARD_REVERSED}</bdo></p>`), expect: 'clean' },
];

analysisSuite('evasion: bidirectional reordering hides a number (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: bidirectional reordering hides a number', 'bidi-reordering', VARIANTS);
