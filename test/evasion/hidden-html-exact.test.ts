// The text as an HTML mail shows it, computed exactly: the selectors matched whole (combinators, attribute
// values, pseudo-classes), the cascade applied (order, specificity, !important, inline styles, layers),
// @media evaluated for a desktop and a phone screen, inheritance followed (a child shows what its parent
// hid by visibility or font size), and colours compared with the background they are painted on.
//
// Why exact: a reading "as shown" that drops text the reader does see can be defeated together with a real
// hiding place. The card's second group goes in an element some rule only seems to hide (`.a .h` outside any
// .a, a rule for print, a rule a later one overrides) and a filler in a really hidden span: the markup's text
// holds the filler, an over-approximated "as shown" text loses the digits, and neither reads as the card
// the reader sees. Session 10's reading matched the last compound of each selector and no cascade, and fell
// to every variant of the first group below.
import { analysisSuite, single, smtpSuite, type Variant } from './variant-suite.js';

const page = (body: string, style = ''): Buffer => single('Content-Type: text/html; charset=utf-8', `<html><head>${style === '' ? '' : `<style>${style}</style>`}</head><body>${body}</body></html>`);
/** The card with a really hidden filler after its first group and its second group inside `open … close`. */
const seemsHidden = (open: string, close: string): string => `<p>card 4111 <span style="display:none">zq</span>${open}1111${close} 1111 1111</p>`;
/** The card with `open filler close` after its first group. */
const split = (open: string, close: string, filler = 'zq', block = 'p'): string => `<${block}>card 4111 ${open}${filler}${close}1111 1111 1111</${block}>`;
const span = (style: string): string => split(`<span style="${style}">`, '</span>');

const OVER_APPROXIMATIONS: readonly Variant[] = [
  { name: 'digits in .h outside any .a, the rule `.a .h{display:none}`', build: () => page(seemsHidden('<span class="h">', '</span>'), '.a .h{display:none}'), expect: 'card', smtp: true },
  { name: 'digits in .h, the rule only for print (@media print)', build: () => page(seemsHidden('<span class="h">', '</span>'), '@media print { .h{display:none} }'), expect: 'card' },
  { name: 'digits in .h, a later rule shows .h again', build: () => page(seemsHidden('<span class="h">', '</span>'), '.h{display:none} .h{display:inline}'), expect: 'card' },
  { name: 'digits in .h whose inline style shows it', build: () => page(seemsHidden('<span class="h" style="display:inline">', '</span>'), '.h{display:none}'), expect: 'card' },
  { name: 'digits in span[title="y"], the rule for span[title="x"]', build: () => page(seemsHidden('<span title="y">', '</span>'), 'span[title="x"]{display:none}'), expect: 'card' },
  { name: 'digits in .h inside no p.x, the rule `p.x .h{visibility:hidden}`', build: () => page(seemsHidden('<span class="h">', '</span>'), 'p.x .h{visibility:hidden}'), expect: 'card' },
  { name: 'digits in .h, an id rule (more specific) shows it', build: () => page(seemsHidden('<span class="h" id="d">', '</span>'), '#d{display:inline} .h{display:none}'), expect: 'card' },
  { name: 'digits in .h, an earlier !important rule shows it', build: () => page(seemsHidden('<span class="h">', '</span>'), '.h{display:inline !important} .h{display:none}'), expect: 'card' },
  { name: 'digits in .h, the hiding rule in a cascade layer (unlayered rules win)', build: () => page(seemsHidden('<span class="h">', '</span>'), '.h{display:inline} @layer x { .h{display:none} }'), expect: 'card' },
  { name: 'digits made visible again inside a visibility:hidden span', build: () => page(`<p>card 4111 <span style="display:none">zq</span><span style="visibility:hidden"><b style="visibility:visible">1111</b></span> 1111 1111</p>`), expect: 'card' },
  { name: 'digits at 16px inside a font-size:0 span', build: () => page(`<p>card 4111 <span style="display:none">zq</span><span style="font-size:0"><b style="font-size:16px">1111</b></span> 1111 1111</p>`), expect: 'card' },
  { name: 'digits in an inline span with width:0 and overflow hidden (width does not apply to it)', build: () => page(seemsHidden('<span style="width:0;overflow:hidden">', '</span>')), expect: 'card' },
  { name: 'digits in a span hidden only while hovered (.h:hover)', build: () => page(seemsHidden('<span class="h">', '</span>'), '.h:hover{display:none}'), expect: 'card' },
  { name: 'digits in mso-hide:all (only Outlook hides it; every other reader sees it)', build: () => page(seemsHidden('<span style="mso-hide:all">', '</span>')), expect: 'card', smtp: true },
  { name: 'white digits on a black background (the rest light grey)', build: () => page(`<div style="background:#000;color:#ccc">${seemsHidden('<span style="color:#fff">', '</span>')}</div>`), expect: 'card' },
  { name: 'white digits on a cell whose bgcolor is black (the rest light grey)', build: () => page(`<table><tr><td bgcolor="#000000" style="color:#ccc">${seemsHidden('<font color="#ffffff">', '</font>')}</td></tr></table>`), expect: 'card' },
];

const NEW_HIDING_PLACES: readonly Variant[] = [
  ...['color:#fff', 'color:#FFFFFF', 'color:white', 'color:rgb(255, 255, 255)', 'color:#fefefe', 'color:hsl(0, 0%, 100%)'].map((s): Variant => ({ name: `a filler in <span style="${s}"> on the white page`, build: () => page(span(s)), expect: 'card' })),
  { name: 'a filler the colour of its own background (color:red;background:red)', build: () => page(span('color:red;background:red')), expect: 'card', smtp: true },
  { name: 'a filler the colour of its parent\'s background (black on black)', build: () => page(`<div style="background-color:#000;color:#eee">${span('color:#000')}</div>`), expect: 'card' },
  { name: 'a filler in <font color="#ffffff">', build: () => page(split('<font color="#ffffff">', '</font>')), expect: 'card' },
  { name: 'a filler in the colour of the table cell\'s bgcolor', build: () => page(`<table bgcolor="#ff0000"><tr><td>${split('<font color="red">', '</font>')}</td></tr></table>`), expect: 'card' },
  { name: 'a filler in a white span of a .w class rule', build: () => page(split('<span class="w">', '</span>'), '.w{color:#ffffff}'), expect: 'card' },
  { name: 'a filler in font:0/0 a (the shorthand)', build: () => page(span('font:0/0 a')), expect: 'card' },
  { name: 'a filler moved off screen by transform:translateX(-9999px)', build: () => page(span('position:absolute;transform:translateX(-9999px)')), expect: 'card' },
  { name: 'a filler moved off screen by position:relative;left:-9999px', build: () => page(span('position:relative;left:-9999px')), expect: 'card' },
  { name: 'a filler in content-visibility:hidden', build: () => page(split('<span style="display:inline-block;content-visibility:hidden"><b>', '</b></span>')), expect: 'card' },
  { name: 'a filler in filter:opacity(0)', build: () => page(span('filter:opacity(0)')), expect: 'card' },
  { name: 'a filler in a 1px box with its overflow hidden', build: () => page(span('display:inline-block;width:1px;height:1px;overflow:hidden')), expect: 'card' },
  { name: 'a filler in a closed <details>', build: () => page(split('<details style="display:inline"><summary></summary>', '</details>', 'zq', 'div')), expect: 'card' },
  { name: 'a filler in an <svg width="0" height="0">', build: () => page(split('<svg width="0" height="0"><text>', '</text></svg>')), expect: 'card' },
  { name: 'a filler hidden by :nth-child(2)', build: () => page('<p>card 4111 <i></i><span>zq</span>1111 1111 1111</p>', 'span:nth-child(2){display:none}'), expect: 'card' },
  { name: 'a filler hidden by :not(.x)', build: () => page(split('<span>', '</span>'), 'span:not(.x){display:none}'), expect: 'card' },
  { name: 'a filler hidden by :first-of-type', build: () => page(split('<span>', '</span>'), 'span:first-of-type{display:none}'), expect: 'card' },
  { name: 'a filler hidden by :is(span)', build: () => page(split('<span>', '</span>'), ':is(span){display:none}'), expect: 'card' },
  { name: 'a filler hidden by :where(.h)', build: () => page(split('<span class="h">', '</span>'), ':where(.h){display:none}'), expect: 'card' },
  { name: 'a filler hidden by the universal selector under a class (.c *)', build: () => page('<p class="c">card 4111 <span>zq</span>1111 1111 1111</p>', '.c *{display:none}'), expect: 'card' },
  { name: 'a filler hidden by a custom property (display:var(--d))', build: () => page(split('<span class="h">', '</span>'), ':root{--d:none} .h{display:var(--d)}'), expect: 'card' },
  { name: 'a filler hidden by an !important rule over its inline style', build: () => page(split('<span class="h" style="display:inline">', '</span>'), '.h{display:none !important}'), expect: 'card' },
  { name: 'a filler hidden by the checkbox hack (input:checked ~ span)', build: () => page('<p>card 4111 <input type="checkbox" checked><span>zq</span>1111 1111 1111</p>', 'input:checked ~ span{display:none}'), expect: 'card' },
  { name: 'a filler hidden on phones only (@media (max-width: 600px))', build: () => page(split('<span class="m">', '</span>'), '@media only screen and (max-width: 600px) { .m { display:none } }'), expect: 'card', smtp: true },
  { name: 'a filler hidden on wide screens only (@media (min-width: 601px))', build: () => page(split('<span class="m">', '</span>'), '@media screen and (min-width: 601px) { .m { display:none } }'), expect: 'card' },
  { name: 'a filler hidden in dark mode (@media (prefers-color-scheme: dark))', build: () => page(split('<span class="m">', '</span>'), '@media (prefers-color-scheme: dark) { .m { display:none } }'), expect: 'card' },
];

// Reordered on screen and split by a hidden filler: the bidi reading (markup-bidi.ts) lays out the markup's
// text, filler included, and the text as shown is in logical order. The text as shown is laid out too.
const REORDERED: readonly Variant[] = [
  { name: 'a card written backwards in <bdo dir="rtl">, a hidden filler inside', build: () => page('<p>card <bdo dir="rtl">1111 1111 <span style="display:none">zq</span>1111 1114</bdo></p>'), expect: 'card', smtp: true },
  { name: 'the same with RLO … PDF as character references', build: () => page('<p>card &#x202e;1111 1111 <span style="display:none">zq</span>1111 1114&#x202c;</p>'), expect: 'card' },
  { name: 'the same in a class with direction:rtl and unicode-bidi:bidi-override', build: () => page('<p>card <span class="r">1111 1111 <span style="display:none">zq</span>1111 1114</span></p>', '.r{direction:rtl;unicode-bidi:bidi-override}'), expect: 'card' },
  { name: 'control: the same without the override (the reader sees 1111 1111 1111 1114)', build: () => page('<p>card <span>1111 1111 <span style="display:none">zq</span>1111 1114</span></p>'), expect: 'clean' },
];

// A document this does not lay out is a part not read whole: reported, and refused unless a policy says otherwise.
const NOT_LAID_OUT: readonly Variant[] = [
  { name: 'a hidden filler inside 600 nested elements (deeper than Blink nests)', build: () => page(`${'<b>'.repeat(600)}${span('display:none')}${'</b>'.repeat(600)}`), expect: { unscannable: 'limit', detail: /nested over 512 deep/ } },
  { name: 'the same in a long body (1.2 MB: laid out window by window when streamed)', build: () => page(`${'<p>quarterly report of the north region</p>\n'.repeat(28_000)}${'<b>'.repeat(600)}${span('display:none')}${'</b>'.repeat(600)}`), expect: { unscannable: 'limit', detail: /nested over 512 deep/ } },
  { name: 'a sheet of 3,000 :nth-child rules over 3,000 elements (built to be slow to match)', build: () => page(`${'<i></i>'.repeat(3000)}${span('display:none')}`, Array.from({ length: 3000 }, (_, i) => `i:nth-child(${i}){color:red}`).join('\n')), expect: { unscannable: 'limit', detail: /steps to match/ } },
];

const CONTROLS: readonly Variant[] = [
  { name: 'control: a white filler on a black paragraph of light grey text (the reader sees it)', build: () => page(`<div style="background:#000;color:#ccc">${span('color:#fff')}</div>`), expect: 'clean', smtp: true },
  { name: 'control: a filler in .h outside any .a, the rule `.a .h{display:none}`', build: () => page(split('<span class="h">', '</span>'), '.a .h{display:none}'), expect: 'clean' },
  { name: 'control: a filler hidden only in print', build: () => page(split('<span class="h">', '</span>'), '@media print { .h{display:none} }'), expect: 'clean' },
  { name: 'control: a filler in an inline span with width:0 and overflow hidden', build: () => page(span('width:0;overflow:hidden')), expect: 'clean' },
  { name: 'control: a filler made visible again by a later rule', build: () => page(split('<span class="h">', '</span>'), '.h{display:none} .h{display:inline}'), expect: 'clean' },
  { name: 'control: a filler in an open <details>', build: () => page(split('<details open style="display:inline"><summary></summary>', '</details>', 'zq', 'div')), expect: 'clean' },
];

analysisSuite('evasion: the HTML text as shown, computed exactly (held and streamed)', [...OVER_APPROXIMATIONS, ...NEW_HIDING_PLACES, ...REORDERED, ...NOT_LAID_OUT, ...CONTROLS]);
smtpSuite('evasion over SMTP: the HTML text as shown, computed exactly', 'hidden-html-exact', [...OVER_APPROXIMATIONS, ...NEW_HIDING_PLACES, ...REORDERED, ...NOT_LAID_OUT, ...CONTROLS]);
