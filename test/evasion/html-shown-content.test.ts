// What an HTML mail shows besides its text nodes, and what it shows elsewhere than inline: the alt text of an
// image the client does not load (most clients block remote images by default, and then draw the alt text in
// its place), a form field's value and a text area's content (drawn in the line), generated content
// (`::before`/`::after { content: … }`), and ruby annotations (drawn above the base text, not in its line).
// Also directions the markup sets in ways the raw markup does not spell: `dir` written with a character
// reference, a direction rule by attribute selector. The card the reader sees is read whole in the text as shown.
import { analysisSuite, single, smtpSuite, type Variant } from './variant-suite.js';

const page = (body: string, style = ''): Buffer => single('Content-Type: text/html; charset=utf-8', `<html><head>${style === '' ? '' : `<style>${style}</style>`}</head><body>${body}</body></html>`);

const VARIANTS: readonly Variant[] = [
  { name: 'the second group as the alt text of a blocked image', build: () => page('<p>card 4111 <img src="https://img.example.org/x.png" alt="1111"> 1111 1111</p>'), expect: 'card', smtp: true },
  { name: 'the second group as the value of a text field', build: () => page('<p>card 4111 <input type="text" value="1111"> 1111 1111</p>'), expect: 'card' },
  { name: 'the second group in a text area', build: () => page('<p>card 4111 <textarea>1111</textarea> 1111 1111</p>'), expect: 'card' },
  { name: 'the second group as ::before content', build: () => page('<p>card 4111 <span class="g"></span> 1111 1111</p>', '.g::before{content:"1111"}'), expect: 'card', smtp: true },
  { name: 'the second group as ::after content from an attribute', build: () => page('<p>card 4111 <span class="g" data-n="1111"></span> 1111 1111</p>', 'span.g::after{content:attr(data-n)}'), expect: 'card' },
  { name: 'a filler in a ruby annotation (<rt>) inside the number', build: () => page('<p>card 4111 <ruby>1111<rt>zq</rt></ruby> 1111 1111</p>'), expect: 'card' },
  { name: 'a card written backwards in <bdo> whose dir is a character reference (&#114;tl)', build: () => page('<p>card <bdo dir="&#114;tl">1111 1111 1111 1114</bdo></p>'), expect: 'card', smtp: true },
  { name: 'a card written backwards under a direction rule by attribute ([data-x])', build: () => page('<p>card <span data-x="1">1111 1111 1111 1114</span></p>', '[data-x]{direction:rtl;unicode-bidi:bidi-override}'), expect: 'card' },
  { name: 'control: an image whose alt text is a caption, beside an order number', build: () => page('<p>order 4111 <img src="x.png" alt="logo"> shipped</p>'), expect: 'clean', smtp: true },
  { name: 'control: a hidden text field (type=hidden) holding the second group', build: () => page('<p>order 4111 <input type="hidden" value="1111"> 1111 1111</p>'), expect: 'clean' },
];

analysisSuite('evasion: what HTML shows besides its text (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: what HTML shows besides its text', 'html-shown-content', VARIANTS);
