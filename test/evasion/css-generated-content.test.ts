// Text a browser-based mail client draws that is in no text node: `content: attr(data-x)` on ::before and
// ::after shows an attribute's value, `counter(x)` shows a number set by `counter-reset`/`counter-set`
// and moved by `counter-increment`. Each piece alone is no card (an attribute "4111 1111", a rule " 1111
// 1111"); the reader sees them as one line, so the gateway must read them so too. css-escapes.test.ts
// has the escapes and the plain `content` strings.
import { analysisSuite, b64, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';

const html = (style: string, body: string): string => `<html><head><style>${style}</style></head><body>${body}</body></html>`;
const page = (style: string, body: string): Buffer => single('Content-Type: text/html', html(style, body));

const VARIANTS: readonly Variant[] = [
  { name: 'attr(data-a) then a string: data-a="4111 1111", " 1111 1111" in the rule', build: () => page('.n::after{content: attr(data-a) " 1111 1111"}', '<p>hello</p><span class="n" data-a="4111 1111"></span>'), expect: 'card', smtp: true },
  { name: 'attr() twice: data-a="41111111", data-b="11111111"', build: () => page('.n::before{content: attr(data-a) attr(data-b)}', '<span class="n" data-a="41111111" data-b="11111111"></span>'), expect: 'card' },
  { name: '::before shows attr(data-a), ::after a string, in two rules', build: () => page('#n::before{content:attr(data-a)} #n::after{content:"1111 1111"}', '<b id="n" data-a="4111 1111 "></b>'), expect: 'card' },
  { name: 'ATTR(DATA-A) in upper case, the attribute in mixed case', build: () => page('.n::after{CONTENT: ATTR(DATA-A) " 1111 1111"}', '<i class="n" Data-A="4111 1111"></i>'), expect: 'card' },
  { name: 'attr() in the <style> of an attached .html file', build: () => inMultipart('Content-Type: text/html; name=page.html\nContent-Disposition: attachment; filename=page.html\nContent-Transfer-Encoding: base64', b64(html('.n::after{content: attr(data-a) " 1111 1111"}', '<span class="n" data-a="4111 1111"></span>'))), expect: 'card' },
  { name: 'counters set by counter-reset: a 4111 b 1111, content counter(a) " " counter(b) …', build: () => page('.c::before{counter-reset: a 4111 b 1111; content: counter(a) " " counter(b) " " counter(b) " " counter(b)}', '<p class="c"></p>'), expect: 'card', smtp: true },
  { name: 'counter-reset on body (4110, 1110), counter-increment on p', build: () => page('body{counter-reset: a 4110 b 1110} p{counter-increment: a b} p::before{content: counter(a) " " counter(b) " " counter(b) " " counter(b)}', '<p></p>'), expect: 'card' },
  { name: 'counter-set and counters(x, ".")', build: () => page('p{counter-set: g 1111} p::before{content: "4111 " counters(g, ".") " " counter(g, decimal) " " counter(g)}', '<p></p>'), expect: 'card' },
  { name: 'counter(c, decimal-leading-zero) at 1 shows 01: "4" 01 "2 8888 8888 1881"', build: () => page('p{counter-reset: c 1} p::before{content: "4" counter(c, decimal-leading-zero) "2 8888 8888 1881"}', '<p></p>'), expect: 'card', smtp: true },
  { name: 'counters(c, ".", decimal-leading-zero) at 1', build: () => page('p{counter-reset: c 1} p::before{content: "4" counters(c, ".", decimal-leading-zero) "2 8888 8888 1881"}', '<p></p>'), expect: 'card' },
  { name: 'counter(c, DECIMAL-LEADING-ZERO) at 0, in upper case: "4" 00 "0 0000 0000 0002" shows 4000 0000 0000 0002', build: () => page('p{counter-set: c 0} p::after{content: "4" counter(c, DECIMAL-LEADING-ZERO) "0 0000 0000 0002"}', '<p></p>'), expect: 'card' },
  { name: 'an SSN from three counters', build: () => page('p::after{counter-reset: x 536 y 22 z 4417; content: counter(x) "-" counter(y) "-" counter(z)}', '<p></p>'), expect: 'ssn' },
  // held before the fix
  { name: 'a card split over .a::before and .b::after (two selectors, two elements)', build: () => page('.a::before{content:"4111 1111"} .b::after{content:" 1111 1111"}', '<span class="a"></span><span class="b"></span>'), expect: 'card' },
  { name: 'the whole card in one data-x attribute', build: () => page('.n::after{content: attr(data-x)}', '<span class="n" data-x="4111 1111 1111 1111"></span>'), expect: 'card' },
  // controls
  { name: 'control: list numbering with counter(item) ". "', build: () => page('ol{counter-reset: item} li{counter-increment: item} li::before{content: counter(item) ". "}', '<ol><li>one</li><li>two</li></ol>'), expect: 'clean', smtp: true },
  { name: 'control: attr(title) tooltips', build: () => page('abbr::after{content: " (" attr(title) ")"}', '<abbr title="as soon as possible">ASAP</abbr>'), expect: 'clean' },
];

analysisSuite('evasion: CSS generated content from attributes and counters (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: CSS generated content', 'css-generated', VARIANTS);
