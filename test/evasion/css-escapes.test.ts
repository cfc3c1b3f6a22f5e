// Text an HTML mail shows through CSS: generated content (`content:` of ::before/::after) and CSS escapes
// (CSS Syntax Level 3 §4.3.7: a backslash and 1-6 hex digits, one optional whitespace after them; a
// backslash and any other character). "\34 111" is "4111" on screen, and a number split over a ::before
// and an ::after rule is one number to the reader. Style elements and style attributes alike, in the
// HTML body and in an attached .html file.
import { describe, expect, it } from 'vitest';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { useGatewayWithMta } from '../reliability/setup.js';
import { sendMessage } from './smtp-send.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';
import { CARD } from './extraction-fixtures.js';

/** Every character of `text` as a CSS hex escape, each ended by `end` (a space, nothing for six digits, CRLF…). */
const escaped = (text: string, opts: { readonly pad?: number; readonly end?: string } = {}): string =>
  [...text].map((c) => `\\${c.charCodeAt(0).toString(16).padStart(opts.pad ?? 0, '0')}${opts.end ?? ' '}`).join('');
const page = (head: string, body: string): string => `<html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
const htmlBody = (head: string, body = '<p>hello</p>'): Promise<Buffer> => buildMessage({ text: 'plain alternative', html: page(head, body) });

const VARIANTS: readonly { readonly name: string; readonly build: () => Promise<Buffer> }[] = [
  { name: '<style> content: of ::before, every character a hex escape ended by a space', build: () => htmlBody(`<style>.n::before{content:"${escaped(CARD)}"}</style>`, '<p class="n"></p>') },
  { name: '<style> six-digit escapes without whitespace (\\000034\\000031…)', build: () => htmlBody(`<style>.n::after{content:"${escaped(CARD, { pad: 6, end: '' })}"}</style>`, '<p class="n"></p>') },
  { name: '<style> escapes ended by CRLF and by a tab', build: () => htmlBody(`<style>.n::before{content:"${escaped(CARD.slice(0, 9), { end: '\r\n' })}${escaped(CARD.slice(9), { end: '\t' })}"}</style>`, '<p class="n"></p>') },
  { name: '<style> digits escaped, the blanks as "\\ " (backslash and another character)', build: () => htmlBody(`<style>.n::before{content:"${[...CARD].map((c) => (c === ' ' ? '\\ ' : `\\${c.charCodeAt(0).toString(16)}`)).join('')}"}</style>`, '<p class="n"></p>') },
  { name: '<style> card split over ::before and ::after of one empty element', build: () => htmlBody('<style>#n::before{content:"4111 1111 "}#n::after{content:"1111 1111"}</style>', '<p>card: <span id="n"></span></p>') },
  { name: '<style> card split over ::before and ::after, escaped, a comment between the rules', build: () => htmlBody(`<style>#n::before{content:"${escaped('4111 1111')}"} /* layout */ #n::after { content : "\\20 ${escaped('1111 1111')}" }</style>`, '<span id="n"></span>') },
  { name: 'style attribute with escapes (font-family holding the number)', build: () => htmlBody('', `<p style="font-family:'${escaped(CARD)}'">hello</p>`) },
  { name: 'style attribute with escapes written as HTML character references too', build: () => htmlBody('', `<p style="--n:'${escaped(CARD).replace(/\\/g, '&#92;')}'">hello</p>`) },
  { name: 'escapes in the <style> of an attached .html file', build: () => buildMessage({ text: 'see attached', attachments: [{ filename: 'page.html', content: page(`<style>.n::before{content:"${escaped(CARD)}"}</style>`, '<p class="n"></p>'), contentType: 'text/html' }] }) },
];

const analyse = async (msg: Buffer): Promise<MessageAnalysis> => analyzeMessage(msg, DEFAULT_ANALYSIS_LIMITS);

describe('evasion: a card number in CSS escapes and generated content', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: the card number is found`, async () => {
      const a = await analyse(await v.build());
      expect(cardFound(a), describeAnalysis(a)).toBe(true);
    });
  }

  it('control: icon-font escapes (\\f101), hex colours, unicode-range and counters have no card', async () => {
    const css = '.i::before{content:"\\f101"} .j::after{content:"\\2014\\00A0" counter(item) ". "} a{color:#4111aa} @font-face{unicode-range:U+0000-00FF}';
    const a = await analyse(await htmlBody(`<style>${css}</style>`, '<p class="i">x</p><p style="color:#111111;margin:0 1px 1px 1px">y</p>'));
    expect(cardFound(a), describeAnalysis(a)).toBe(false);
  });
});

const BLOCK = '550 5.7.1 card numbers may not leave (CSS)';
const cardPolicy = {
  version: 1,
  policies: [{ name: 'block-cards', severity: 'high', mode: 'enforce', match: { creditCardNumber: { min: 1 } }, action: { type: 'block', reply: BLOCK } }],
} as PolicyFile;

describe('evasion over SMTP: a card number in CSS escapes of the HTML body is refused', () => {
  const peers = useGatewayWithMta({ policies: { cards: cardPolicy } });

  it('<style> content: of ::before as hex escapes: 550, nothing delivered', async () => {
    const msg = await htmlBody(`<style>.n::before{content:"${escaped(CARD)}"}</style>`, '<p class="n"></p>');
    const before = peers.mx.messages.length;
    expect(await sendMessage(peers.gw.port, msg, 'css-escapes')).toBe(550);
    expect(peers.mx.messages.length).toBe(before);
  });
});
