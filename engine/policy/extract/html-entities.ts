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

// Legacy names by first letter, longest first: the first that starts a reference is the longest prefix
// it has ("&notit" is "¬it"); names outside 2..LEGACY_MAX letters are never decoded without ';'.
const LEGACY_BY_FIRST: readonly (readonly (readonly [string, string])[] | undefined)[] = (() => {
  const table: (readonly [string, string])[][] = [];
  for (const [name, value] of LEGACY) {
    if (name.length < 2 || name.length > LEGACY_MAX) continue;
    (table[name.charCodeAt(0)] ??= []).push([name, value]);
  }
  for (const names of table) names?.sort((a, b) => b[0].length - a[0].length);
  return table;
})();

// A name has at most this many letters and digits; a longer run is a name of 32 and plain text
const NAME_MAX = 32;

/**
 * Decodes character references. In an attribute value (`attribute`), a legacy name without ';' that
 * is followed by a letter, digit or '=' stays as written ("?a=1&copy=2"), as the HTML5 parser does.
 */
export function decodeEntities(text: string, attribute = false): string {
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  // one pass from '&' to '&': what is between stays as written, copied in slices
  let out = '';
  let copied = 0;
  while (amp >= 0) {
    const at = amp + 1;
    const c = text.charCodeAt(at);
    let end = -1;
    let value: string | undefined;
    if (c === 0x23) {
      const x = text.charCodeAt(at + 1);
      const hex = x === 0x78 || x === 0x58;
      const start = hex ? at + 2 : at + 1;
      let i = start;
      while (hex ? hexValue(text.charCodeAt(i)) >= 0 : isDigit(text.charCodeAt(i))) i++;
      if (i > start) {
        value = numeric(text, start, i, hex ? 16 : 10);
        end = text.charCodeAt(i) === 0x3b ? i + 1 : i;
      }
    } else if (isLetter(c)) {
      let nameEnd = at + 1;
      while (nameEnd < at + NAME_MAX && isLetterOrDigit(text.charCodeAt(nameEnd))) nameEnd++;
      if (text.charCodeAt(nameEnd) === 0x3b) {
        value = NAMED.get(text.slice(at, nameEnd));
        end = nameEnd + 1;
      }
      if (value === undefined) {
        const legacy = legacyPrefix(text, at);
        // in an attribute, the character after the name ('=', or the rest of a longer name) keeps it
        if (legacy !== undefined && !(attribute && keepsLegacy(text.charCodeAt(at + legacy[0].length)))) {
          value = legacy[1];
          // the rest of the name (and its ';') stays as written
          end = at + legacy[0].length;
        }
      }
    }
    if (value === undefined) {
      amp = text.indexOf('&', at);
      continue;
    }
    out += text.slice(copied, amp);
    out += value;
    copied = end;
    amp = text.indexOf('&', end);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** The longest legacy name the name at `at` starts with (a legacy name is letters and digits: it cannot run past it). */
function legacyPrefix(text: string, at: number): readonly [string, string] | undefined {
  const names = LEGACY_BY_FIRST[text.charCodeAt(at)];
  if (names === undefined) return undefined;
  for (const entry of names) if (text.startsWith(entry[0], at)) return entry;
  return undefined;
}

/** The code point the digits text[start, end) (at least one) stand for, as an HTML5 parser reads it. */
function numeric(text: string, start: number, end: number, radix: number): string {
  let i = start;
  while (i < end && text.charCodeAt(i) === 0x30) i++;
  // more digits than any code point needs: out of range, whatever their value
  if (end - i > 8) return '\ufffd';
  let cp = 0;
  for (; i < end; i++) cp = cp * radix + hexValue(text.charCodeAt(i));
  if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\ufffd';
  if (cp >= 0x80 && cp <= 0x9f) return String.fromCharCode(WINDOWS_1252[cp - 0x80] ?? cp);
  return String.fromCodePoint(cp);
}

/** The value of a hex digit's code, -1 for any other (NaN past the end of a string included). */
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isLetter = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isLetterOrDigit = (c: number): boolean => isLetter(c) || isDigit(c);
const keepsLegacy = (c: number): boolean => isLetterOrDigit(c) || c === 0x3d;
