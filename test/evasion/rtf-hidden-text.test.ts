// RTF text the reader does not see, put between the digits of a card number: hidden text (\v, until \v0 or
// the end of its group), a tracked deletion (\deleted), white text on the white page, text at half a point
// (\fs1), a field's instruction ({\*\fldinst}: Word shows its result), a bookmark's name. WordPad and Word
// show "card 4111 1111 1111 1111"; the text of the RTF is "card 4111 zq1111 …". The gateway reads the full
// text as before and, where a document has such text, the text as shown besides.
//
// Why exact: a reading "as shown" that drops text the reader does see can be defeated together with a real
// hiding place. The card's second group goes where a reader only seems to hide it (after a hidden group has
// closed, white on a dark highlight, 12pt inside a 0.5pt group) and a filler into really hidden text: the full
// text holds the filler, an over-approximated "as shown" text loses the digits, and neither reads as the card.
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

const COLOURS = '{\\colortbl;\\red255\\green255\\blue255;\\red0\\green0\\blue0;\\red255\\green0\\blue0;\\red252\\green252\\blue252;}';
/** An RTF letter "card 4111 ", `middle`, "1111 1111 1111" (colour 1 white, 2 black, 3 red, 4 near-white). */
const letter = (middle: string, head = '', paragraph = '', tail = '1111 1111 1111'): string => `{\\rtf1\\ansi\\ansicpg1252{\\fonttbl{\\f0 Arial;}}${COLOURS}${head}\\pard${paragraph}\\f0\\fs24 card 4111 ${middle}${tail}\\par}`;
const attached = (rtf: string): Buffer => inMultipart('Content-Type: application/rtf; name="letter.rtf"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="letter.rtf"', b64(Buffer.from(rtf, 'latin1')));
const card = (name: string, middle: string, smtp = false, head = '', paragraph = ''): Variant => ({ name, build: () => attached(letter(middle, head, paragraph)), expect: 'card', ...(smtp ? { smtp: true as const } : {}) });
const clean = (name: string, middle: string, smtp = false, head = '', paragraph = ''): Variant => ({ name, build: () => attached(letter(middle, head, paragraph)), expect: 'clean', ...(smtp ? { smtp: true as const } : {}) });
/** A real hidden filler, then the second group of digits in `open … close`, which a reader shows. */
const seemsHidden = (name: string, open: string, close: string, head = '', paragraph = '', smtp = false): Variant => ({ name, build: () => attached(letter(`{\\v zq}${open}1111${close} `, head, paragraph, '1111 1111')), expect: 'card', ...(smtp ? { smtp: true as const } : {}) });

const HIDING_PLACES: readonly Variant[] = [
  card('a hidden group ({\\v zq})', '{\\v zq}', true),
  card('hidden text toggled off (\\v zq\\v0)', '\\v zq\\v0 '),
  card('hidden text toggled with \\v1 … \\v0', '\\v1 zq\\v0 '),
  card('a hidden group holding a bold group ({\\v z{\\b q}})', '{\\v z{\\b q}}'),
  card('a hidden paragraph mark between the digits ({\\v zq\\par})', '{\\v zq\\par }'),
  card('a tracked deletion ({\\deleted zq})', '{\\deleted\\revauthdel1\\revdttmdel0 zq}', true),
  card('white text on the page ({\\cf1 zq})', '{\\cf1 zq}', true),
  card('near-white text on the page (252,252,252)', '{\\cf4 zq}'),
  card('white text with no highlight (\\highlight0)', '{\\cf1\\highlight0 zq}'),
  card('text at half a point ({\\fs1 zq})', '{\\fs1 zq}', true),
  card('text at size 0 ({\\fs0 zq})', '{\\fs0 zq}'),
  card('text at one point ({\\fs2 zq})', '{\\fs2 zq}'),
  card('a field instruction ({\\field{\\*\\fldinst zq}{\\fldrslt }})', '{\\field{\\*\\fldinst zq}{\\fldrslt }}'),
  card('a bookmark name ({\\*\\bkmkstart zq}{\\*\\bkmkend zq})', '{\\*\\bkmkstart zq}{\\*\\bkmkend zq}'),
  card('a shape property value ({\\sp{\\sn wzName}{\\sv zq}})', '{\\shp{\\*\\shpinst{\\sp{\\sn wzName}{\\sv zq}}}}'),
  card('hidden text as \\u escapes ({\\v \\u122 z\\u113 q})', '{\\v \\u122 z\\u113 q}'),
];

const OVER_APPROXIMATIONS: readonly Variant[] = [
  seemsHidden('digits after the hidden group closed ({\\v zq}1111)', '', '', '', '', true),
  seemsHidden('digits in {\\v\\v0 …}', '{\\v\\v0 ', '}'),
  seemsHidden('digits after \\plain (\\v\\plain 1111)', '{\\v\\plain ', '}'),
  seemsHidden('white digits on a black highlight ({\\cf1\\highlight2 1111})', '{\\cf1\\highlight2 ', '}', '', '', true),
  seemsHidden('white digits on black character shading ({\\cf1\\chcbpat2 1111})', '{\\cf1\\chcbpat2 ', '}'),
  seemsHidden('white digits on a black character background ({\\cf1\\cb2 1111})', '{\\cf1\\cb2 ', '}'),
  seemsHidden('white text in a paragraph shaded black (\\cbpat2\\cf1)', '{\\cf1 ', '}', '', '\\cbpat2'),
  seemsHidden('white digits on a page whose background is a shape ({\\*\\background})', '{\\cf1 ', '}', '{\\*\\background{\\shp{\\*\\shpinst{\\sp{\\sn fillColor}{\\sv 0}}}}}'),
  seemsHidden('12pt digits in a group inside a half-point group ({\\fs1{\\fs24 1111}})', '{\\fs1{\\fs24 ', '}}'),
  seemsHidden('digits at 1.5pt ({\\fs3 1111}: small, but there)', '{\\fs3 ', '}'),
  seemsHidden('digits in auto colour after white ({\\cf1\\cf0 1111})', '{\\cf1\\cf0 ', '}'),
  seemsHidden('digits in a tracked insertion ({\\revised 1111})', '{\\revised ', '}'),
  seemsHidden('digits in a deletion switched off ({\\deleted\\deleted0 1111})', '{\\deleted\\deleted0 ', '}'),
  // Word's Simple Markup view leaves a deletion out, its All Markup view and LibreOffice show it struck through
  seemsHidden('digits in a tracked deletion, which All Markup shows struck through ({\\deleted 1111})', '{\\deleted ', '}', '', '', true),
  seemsHidden('digits as a field result ({\\fldrslt 1111})', '{\\field{\\*\\fldinst HYPERLINK "x"}{\\fldrslt ', '}}'),
  seemsHidden('digits in a shape text box ({\\shptxt 1111})', '{\\shp{\\*\\shpinst{\\shptxt ', '}}}'),
  card('digits after a hidden group that held a \\v0 ({\\v zq{\\v0 }}1111)', '{\\v zq{\\v0 }}'),
];

const CONTROLS: readonly Variant[] = [
  clean('control: a bold filler ({\\b zq})', '{\\b zq}', true),
  clean('control: a filler with hidden text off ({\\v0 zq})', '{\\v0 zq}'),
  clean('control: a red filler ({\\cf3 zq})', '{\\cf3 zq}'),
  clean('control: a white filler on a red highlight ({\\cf1\\highlight3 zq})', '{\\cf1\\highlight3 zq}', true),
  clean('control: a filler at 1.5pt ({\\fs3 zq})', '{\\fs3 zq}'),
  clean('control: a filler in a tracked insertion ({\\revised zq})', '{\\revised zq}'),
  clean('control: a filler as a field result', '{\\field{\\*\\fldinst HYPERLINK "x"}{\\fldrslt zq}}'),
  clean('control: a white filler in a paragraph shaded black', '{\\cf1 zq}', false, '', '\\cbpat2'),
  clean('control: hidden text closed before the filler ({\\v x}zq)', '{\\v x}zq'),
];

const VARIANTS = [...HIDING_PLACES, ...OVER_APPROXIMATIONS, ...CONTROLS];

analysisSuite('evasion: RTF text hidden from the reader between the digits (the text as shown)', VARIANTS);
smtpSuite('evasion: RTF hidden text over SMTP', 'rtf-hidden', VARIANTS);
