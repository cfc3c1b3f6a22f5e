// PDF text a reader does not see, drawn between the digits of a card number: invisible (render mode 3, or 7:
// clip only), white on the white page (1 g, 1 1 1 rg, 0 0 0 0 k, white through sc/scn, a white stroke
// in stroke-only mode), under a point high or squeezed to nothing (/F1 0.1 Tf, 1 Tz), or placed off the page
// (Td beyond the MediaBox, a text rise past it). A viewer shows "card 4111 1111 1111 1111"; the strings of the
// content stream read "card 4111 zq1111 …". The gateway reads the strings as before and, where a page has
// such text, the text as shown besides. These PDFs take the gateway's own content-stream reader (standard
// fonts, no Tm/cm); what pdf.js reads (embedded fonts, ToUnicode maps, absolute positioning) has no such
// reading yet (docs/reliability.md, session 11).
//
// Why exact: a reading "as shown" that drops text the reader does see can be combined with a real hiding
// place to defeat both readings; the second group of variants puts the digits where text only seems hidden
// (fill and clip, a black stroke around white fill, a page painted dark, a TJ that moves text in from the left
// of the page, a glyph wider than the default width) and a really invisible filler before them.
import { pdfFile, pdfPage, type PageOptions } from './pdf-fixtures.js';
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

const attached = (pdf: Buffer): Buffer => inMultipart('Content-Type: application/pdf; name="statement.pdf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="statement.pdf"', b64(pdf));
const variant = (name: string, content: string, expect: 'card' | 'clean', smtp: boolean, opts: PageOptions = {}): Variant => ({ name, build: () => attached(pdfPage(content, opts)), expect, ...(smtp ? { smtp: true as const } : {}) });
/** "card 4111 ", then `middle`, then "1111 1111 1111", in one text object; `before` drawn ahead of it. */
const split = (name: string, middle: string, expect: 'card' | 'clean' = 'card', smtp = false, before = '', opts: PageOptions = {}): Variant =>
  variant(name, `${before}BT /F1 12 Tf 72 712 Td (card 4111 ) Tj ${middle} (1111 1111 1111) Tj ET`, expect, smtp, opts);
/** "card 4111", an invisible filler, then `rest`, which shows " 1111 1111 1111" where a reader sees it. */
const hiddenThen = (name: string, rest: string, smtp = false, before = '', opts: PageOptions = {}): Variant =>
  variant(name, `${before}BT /F1 12 Tf 72 712 Td (card 4111) Tj 3 Tr (zq) Tj 0 Tr ${rest} ET`, 'card', smtp, opts);
const DIGITS = '( 1111 1111 1111) Tj';

/**
 * A page filled with a tiling pattern whose cell draws `cell` (a content stream): the cell's coordinates are
 * moved by its /Matrix, so what stands left of the page in the cell is drawn on it.
 */
const patternPage = (cell: string): Buffer =>
  pdfFile([
    { dict: '<< /Type /Catalog /Pages 2 0 R >>' },
    { dict: '<< /Type /Pages /Kids [3 0 R] /Count 1 >>' },
    { dict: '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> /Pattern << /P0 6 0 R >> >> /Contents 4 0 R >>' },
    { dict: '<< >>', stream: Buffer.from('/Pattern cs /P0 scn 0 0 612 792 re f', 'latin1') },
    { dict: '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>' },
    { dict: '<< /PatternType 1 /PaintType 1 /TilingType 1 /BBox [-3000 0 612 792] /XStep 9000 /YStep 9000 /Matrix [1 0 0 1 3000 0] /Resources << /Font << /F1 5 0 R >> >> >>', stream: Buffer.from(cell, 'latin1') },
  ]);

const HIDING_PLACES: readonly Variant[] = [
  split('invisible text (3 Tr)', '3 Tr (zq) Tj 0 Tr', 'card', true),
  split('clip-only text (7 Tr)', '7 Tr (zq) Tj 0 Tr'),
  split('invisible text in a TJ array (3 Tr [(z) 10 (q)] TJ)', '3 Tr [(z) 10 (q)] TJ 0 Tr'),
  split('invisible text with the mode restored by Q (q 3 Tr … Q)', 'q 3 Tr (zq) Tj Q'),
  split('white text (1 g)', '1 g (zq) Tj 0 g', 'card', true),
  split('white text (1 1 1 rg)', '1 1 1 rg (zq) Tj 0 0 0 rg'),
  split('white text (0 0 0 0 k)', '0 0 0 0 k (zq) Tj 0 0 0 1 k'),
  split('near-white text (0.98 g)', '0.98 g (zq) Tj 0 g'),
  split('white text through a colour space (/DeviceRGB cs 1 1 1 sc)', '/DeviceRGB cs 1 1 1 sc (zq) Tj 0 0 0 sc'),
  split('white text through scn (/DeviceGray cs 1 scn)', '/DeviceGray cs 1 scn (zq) Tj 0 scn'),
  split('a white stroke in stroke-only mode (1 Tr 1 G)', '1 Tr 1 G (zq) Tj 0 Tr 0 G'),
  split('white fill and stroke (2 Tr 1 g 1 G)', '2 Tr 1 g 1 G (zq) Tj 0 Tr 0 g 0 G'),
  split('text a tenth of a point high (/F1 0.1 Tf)', '/F1 0.1 Tf (zq) Tj /F1 12 Tf', 'card', true),
  split('text of size 0 (/F1 0 Tf)', '/F1 0 Tf (zq) Tj /F1 12 Tf'),
  split('text squeezed to 1% (1 Tz)', '1 Tz (zq) Tj 100 Tz'),
  split('text below the page (0 -2000 Td)', '0 -2000 Td (zq) Tj 0 2000 Td', 'card', true),
  split('text above the page (0 2000 Td)', '0 2000 Td (zq) Tj 0 -2000 Td'),
  split('text left of the page (-2000 0 Td)', '-2000 0 Td (zq) Tj 2000 0 Td'),
  split('text right of the page (2000 0 Td)', '2000 0 Td (zq) Tj -2000 0 Td'),
  split('text raised off the page (5000 Ts)', '5000 Ts (zq) Tj 0 Ts'),
];

const OVER_APPROXIMATIONS: readonly Variant[] = [
  hiddenThen('digits after the mode is back to fill (0 Tr)', DIGITS, true),
  hiddenThen('digits in fill-and-clip mode (4 Tr)', `4 Tr ${DIGITS}`),
  hiddenThen('digits with a mode restored by Q (q 7 Tr Q)', `q 7 Tr Q ${DIGITS}`),
  hiddenThen('white digits with a black stroke (2 Tr 1 g 0 G)', `2 Tr 1 g 0 G ${DIGITS}`),
  hiddenThen('stroked digits with a white fill (1 Tr 1 g)', `1 Tr 1 g ${DIGITS}`),
  hiddenThen('grey digits (0.8 g)', `0.8 g ${DIGITS}`),
  hiddenThen('light grey digits in CMYK (0 0 0 0.2 k)', `0 0 0 0.2 k ${DIGITS}`),
  hiddenThen('red digits (/DeviceRGB cs 1 0 0 sc)', `/DeviceRGB cs 1 0 0 sc ${DIGITS}`),
  hiddenThen('digits in a named colour space (/CS0 cs 1 1 1 sc: any ink)', `/CS0 cs 1 1 1 sc ${DIGITS}`),
  hiddenThen('white digits on a page painted black first', `1 g ${DIGITS}`, true, '0 g 0 0 612 792 re f '),
  hiddenThen('black digits after white was set and restored (q 1 g Q)', DIGITS, false, 'q 1 g Q '),
  hiddenThen('digits at one point (/F1 1 Tf)', `/F1 1 Tf ${DIGITS}`),
  hiddenThen('digits at a negative size (/F1 -12 Tf: drawn upside down)', `/F1 -12 Tf ${DIGITS}`),
  hiddenThen('digits squeezed to half (50 Tz)', `50 Tz ${DIGITS}`),
  hiddenThen('digits moved in from left of the page by a TJ gap', `-500 0 Td [-50000 ( 1111 1111 1111)] TJ`),
  hiddenThen('digits on a page whose MediaBox reaches far left', `-2000 0 Td ${DIGITS}`, false, '', { mediaBox: '[-3000 0 612 792]' }),
  hiddenThen('digits after a space wider than a page (/Widths [100000])', `-1000 0 Td ${DIGITS}`, false, '', { fontEntries: ' /FirstChar 32 /LastChar 32 /Widths [100000]' }),
  hiddenThen('digits after a tiny font was set and reset (/F1 0.1 Tf /F1 12 Tf)', `/F1 0.1 Tf /F1 12 Tf ${DIGITS}`),
  hiddenThen('digits at 0.12 units on a page whose /UserUnit is 100 (12 points and more)', `/F1 0.12 Tf ${DIGITS}`, false, '', { pageEntries: ' /UserUnit 100' }),
  { name: 'digits left of the page in a tiling pattern cell that its /Matrix moves onto the page', build: () => attached(patternPage('BT /F1 12 Tf -2900 712 Td (card 4111) Tj 3 Tr (zq) Tj 0 Tr ( 1111 1111 1111) Tj ET')), expect: 'card', smtp: true },
  { name: 'white digits in a tiling pattern cell (drawn over the page wherever it is used)', build: () => attached(patternPage('BT /F1 12 Tf -2900 712 Td (card 4111) Tj 3 Tr (zq) Tj 0 Tr 1 g ( 1111 1111 1111) Tj ET')), expect: 'card' },
];

const CONTROLS: readonly Variant[] = [
  split('control: a grey filler (0.5 g)', '0.5 g (zq) Tj 0 g', 'clean', true),
  split('control: a filler in fill-and-clip mode (4 Tr)', '4 Tr (zq) Tj 0 Tr', 'clean'),
  split('control: a white filler with a black stroke (2 Tr 1 g 0 G)', '2 Tr 1 g 0 G (zq) Tj 0 Tr 0 g', 'clean'),
  split('control: a filler at one point (/F1 1 Tf)', '/F1 1 Tf (zq) Tj /F1 12 Tf', 'clean'),
  split('control: a white filler on a page painted blue', '1 g (zq) Tj 0 g', 'clean', true, '0 0 1 rg 0 0 612 792 re f '),
  split('control: invisible mode set and unset before the filler', '3 Tr 0 Tr (zq) Tj', 'clean'),
  split('control: a filler moved left but still on the page (-50 0 Td)', '-50 0 Td (zq) Tj 50 0 Td', 'clean'),
];

const VARIANTS = [...HIDING_PLACES, ...OVER_APPROXIMATIONS, ...CONTROLS];

analysisSuite('evasion: PDF text hidden from the reader between the digits (the text as shown)', VARIANTS);
smtpSuite('evasion: PDF hidden text over SMTP', 'pdf-hidden', VARIANTS);
