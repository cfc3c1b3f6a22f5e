// Character references as an HTML5 parser decodes them (WHATWG "character reference state"): numeric
// ones with or without the ';' ("&#x34&#x31" is "41"), out-of-range and surrogate values as U+FFFD,
// &#128;-&#159; remapped from Windows-1252, and the legacy named ones a browser decodes without ';'.

// The names HTML5 decodes without a ';': the Latin-1 characters U+00A0-U+00FF in order, plus these.
const LATIN1_NAMES = (
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro ' +
  'para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil ' +
  'Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave ' +
  'Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml ' +
  'igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml'
).split(' ');

const LEGACY: ReadonlyMap<string, string> = new Map([
  ...LATIN1_NAMES.map((name, i) => [name, String.fromCharCode(0xa0 + i)] as const),
  ['amp', '&'], ['AMP', '&'], ['lt', '<'], ['LT', '<'], ['gt', '>'], ['GT', '>'], ['quot', '"'], ['QUOT', '"'],
  ['COPY', '©'], ['REG', '®'],
  // as the text reads for detection: a no-break space is a blank (collapsed with its neighbours), a soft hyphen nothing
  ['nbsp', ' '], ['shy', ''],
]);
const LEGACY_MAX = 6;

// Names decoded only with their ';' (a subset of the HTML5 table: the ones mail and office text use).
const NAMED: ReadonlyMap<string, string> = new Map([
  ...LEGACY,
  ['apos', "'"], ['ndash', '–'], ['mdash', '—'], ['hellip', '…'], ['euro', '€'], ['lsquo', '‘'], ['rsquo', '’'],
  ['ldquo', '“'], ['rdquo', '”'], ['sbquo', '‚'], ['bdquo', '„'], ['bull', '•'], ['trade', '™'], ['minus', '−'],
  ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'], ['zwnj', '\u200c'], ['zwj', '\u200d'], ['lrm', '\u200e'], ['rlm', '\u200f'],
  ['NewLine', '\n'], ['Tab', '\t'], ['colon', ':'], ['sol', '/'], ['period', '.'], ['comma', ','], ['lpar', '('], ['rpar', ')'],
  ['num', '#'], ['percnt', '%'], ['plus', '+'], ['equals', '='], ['quest', '?'], ['commat', '@'], ['lowbar', '_'], ['hyphen', '‐'],
]);

// What &#128;-&#159; mean (the bytes of Windows-1252); the five undefined ones stay as the control characters.
const WINDOWS_1252 = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

// Linear: each alternative is a bounded or greedy run of one class, never nested.
const REFERENCE = /&(?:#[xX]([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z][A-Za-z0-9]{0,31})(;?))/g;

/**
 * Decodes character references. In an attribute value (`attribute`), a legacy name without ';' that
 * is followed by a letter, digit or '=' stays as written ("?a=1&copy=2"), as the HTML5 parser does.
 */
export function decodeEntities(text: string, attribute = false): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (all: string, hex: string | undefined, dec: string | undefined, name: string | undefined, semi: string, at: number) => {
    if (hex !== undefined) return numeric(hex, 16);
    if (dec !== undefined) return numeric(dec, 10);
    if (name === undefined) return all;
    if (semi === ';') {
      const full = NAMED.get(name);
      if (full !== undefined) return full;
    }
    // the longest legacy name the reference starts with: "&notit" is "¬it", "&ampx" is "&x"
    for (let len = Math.min(LEGACY_MAX, name.length); len >= 2; len--) {
      const value = LEGACY.get(name.slice(0, len));
      if (value === undefined) continue;
      const next = len < name.length ? name[len] : semi === ';' ? ';' : text[at + all.length];
      if (attribute && next !== undefined && /[A-Za-z0-9=]/.test(next)) return all;
      return value + all.slice(len + 1);
    }
    return all;
  });
}

function numeric(digits: string, radix: number): string {
  // more digits than any code point needs: out of range, whatever their value
  const cp = digits.replace(/^0+/, '').length > 8 ? Infinity : parseInt(digits, radix);
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  if (cp >= 0x80 && cp <= 0x9f) return String.fromCharCode(WINDOWS_1252[cp - 0x80] ?? cp);
  return String.fromCodePoint(cp);
}
