// Text an HTML mail hides from its reader, put between the digits of a number: the reader sees
// "4111 1111 1111 1111", the text of the markup is "4111 zq1111 1111 1111". Hidden by an inline style
// (display, visibility, opacity, a zero or tiny font, a zero box with its overflow hidden, off-screen
// positions, clipping, scaling, Outlook's mso-hide), by the `hidden` attribute, or by a <style> rule on a
// class, an id or a tag. The gateway reads the markup's text as before and, where an element is hidden,
// also the text as shown without it. The hidden text itself is still inspected (its own line).
import { analysisSuite, b64, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';

const FILLER = 'zq';
const page = (body: string, style = ''): Buffer => single('Content-Type: text/html; charset=utf-8', `<html><head>${style === '' ? '' : `<style>${style}</style>`}</head><body>${body}</body></html>`);
/** The card with a filler in `open … close` after its first group. */
const split = (open: string, close: string, filler = FILLER, block = 'p'): string => `<${block}>card 4111 ${open}${filler}${close}1111 1111 1111</${block}>`;
const span = (style: string): string => split(`<span style="${style}">`, '</span>');

const INLINE_STYLES = [
  'display:none',
  'display: none !important',
  'DISPLAY:NONE',
  'visibility:hidden',
  'visibility: collapse',
  'opacity:0',
  'opacity: 0.0',
  'opacity:.05',
  'opacity:0%',
  'font-size:0',
  'font-size:0px',
  'font-size: 1px',
  'font-size:0.5pt',
  'font-size:0em',
  // height, width and transforms do not apply to an inline box (a browser shows an inline span's text whatever
  // its height): these are inline-block, as the hiding places mail really uses are
  'display:inline-block;max-height:0;overflow:hidden',
  'display:inline-block;width:0;overflow:hidden',
  'display:inline-block;height:0px; overflow-y: hidden',
  'position:absolute;left:-9999px',
  'position:fixed; top:-5000px',
  'clip:rect(0,0,0,0);position:absolute',
  'clip-path:inset(50%)',
  'display:inline-block;transform:scale(0)',
  'color:transparent',
  'color:rgba(0,0,0,0)',
  'mso-hide:all',
];

const VARIANTS: readonly Variant[] = [
  ...INLINE_STYLES.map((style): Variant => ({ name: `a filler in <span style="${style}">`, build: () => page(span(style)), expect: 'card', ...(style === 'display:none' || style === 'opacity:0' ? { smtp: true as const } : {}) })),
  // in a <div>: a <div> start tag closes a <p> (HTML §13.2.6.4.7), and then the reader sees two lines
  { name: 'a filler in a <div style="display:none"> (a block: a line break to the markup)', build: () => page(split('<div style="display:none">', '</div>', FILLER, 'div')), expect: 'card' },
  { name: 'a filler in <span hidden>', build: () => page(split('<span hidden>', '</span>')), expect: 'card', smtp: true },
  { name: 'a filler in <span HIDDEN="hidden">', build: () => page(split('<span HIDDEN="hidden">', '</span>')), expect: 'card' },
  { name: 'a filler in a span whose style is written with character references (&#100;isplay:none)', build: () => page(split('<span style="&#100;isplay:none">', '</span>')), expect: 'card' },
  { name: 'a class hidden by a <style> rule (.h{display:none})', build: () => page(split('<span class="x h">', '</span>'), '.h{display:none}'), expect: 'card', smtp: true },
  { name: 'an id hidden by a <style> rule (#f{visibility:hidden})', build: () => page(split('<span id="f">', '</span>'), '#f{visibility:hidden}'), expect: 'card' },
  { name: 'a tag hidden by a <style> rule (s{font-size:0})', build: () => page(split('<s>', '</s>'), 's{font-size:0}'), expect: 'card' },
  { name: 'a selector list (.a, b.c{opacity:0})', build: () => page(split('<b class="c">', '</b>'), '.a, b.c{opacity:0}'), expect: 'card' },
  { name: 'a descendant selector (p .h{display:none})', build: () => page(split('<span class="h">', '</span>'), 'p .h{display:none}'), expect: 'card' },
  { name: 'a rule inside @media screen', build: () => page(split('<span class="h">', '</span>'), '@media screen { .h { display: none } }'), expect: 'card' },
  { name: 'a rule left open at the end of its sheet (.h{display:none)', build: () => page(split('<span class="h">', '</span>'), '.h{display:none'), expect: 'card' },
  { name: 'a CSS escape in the property name (displ\\61 y:none)', build: () => page(span('displ\\61 y:none')), expect: 'card' },
  { name: 'a CSS comment before the property (/* x */display:none)', build: () => page(span('/* x */display:none')), expect: 'card' },
  { name: 'a CSS comment inside the declaration (display:/**/none)', build: () => page(span('display:/**/none')), expect: 'card' },
  { name: 'an attribute selector ([data-h]{display:none}), the attribute without a value', build: () => page(split('<span data-h>', '</span>'), '[data-h]{display:none}'), expect: 'card' },
  { name: 'an attribute selector with a value (span[title="x"]{opacity:0})', build: () => page(split('<span title="x">', '</span>'), 'span[title="x"]{opacity:0}'), expect: 'card' },
  { name: 'the universal selector with an attribute (*[data-h])', build: () => page(split('<i data-h="1">', '</i>'), '*[data-h]{visibility:hidden}'), expect: 'card' },
  { name: 'upper-case class and rule (.H / class="H")', build: () => page(split('<span class="H">', '</span>'), '.H{display:none}'), expect: 'card' },
  { name: 'the <style> at the end of the body, after the hidden span', build: () => page(`${split('<span class="h">', '</span>')}<style>.h{display:none}</style>`), expect: 'card' },
  { name: 'a hidden span holding another span', build: () => page(split('<span style="display:none"><span>zq</span>', '</span>')), expect: 'card' },
  { name: 'two hidden fillers, after the first and the second group', build: () => page(`<p>card 4111 <i style="display:none">zq</i>1111 <i style="display:none">zq</i>1111 1111</p>`), expect: 'card' },
  { name: 'in an attached .html file', build: () => inMultipart('Content-Type: text/html; name=page.html\nContent-Disposition: attachment; filename=page.html\nContent-Transfer-Encoding: base64', b64(`<html><body>${span('display:none')}</body></html>`)), expect: 'card' },
  // held before the fix
  { name: 'a filler in a comment', build: () => page(split('<!--', '-->')), expect: 'card' },
  { name: 'a filler in <template>', build: () => page(split('<template>', '</template>')), expect: 'card' },
  { name: 'the card itself in a hidden span (its own line of hidden text)', build: () => page(`<p>hello <span style="display:none">4111 1111 1111 1111</span> world</p>`), expect: 'card' },
  // controls
  { name: 'control: a visible filler (<span style="color:red">)', build: () => page(span('color:red')), expect: 'clean', smtp: true },
  { name: 'control: a hidden preheader with no number in it', build: () => page(`<div style="display:none;max-height:0;overflow:hidden">Your December statement</div><p>order 4111 and 1111 1111 1111 shipped</p>`), expect: 'clean' },
  { name: 'control: *{display:none} hides every element (the reader sees nothing, so no number)', build: () => page(span('color:red'), '*{display:none}'), expect: 'clean' },
  { name: 'control: opacity:0.5 (shown, faded)', build: () => page(span('opacity:0.5')), expect: 'clean' },
];

analysisSuite('evasion: HTML text hidden from the reader between the digits (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: HTML text hidden from the reader between the digits', 'hidden-html', VARIANTS);
