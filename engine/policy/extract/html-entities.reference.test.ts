// decodeEntities reads from '&' to '&' with character codes; the regex replace it replaced (kept below
// verbatim, the reference) must read every string the same, in text and in attribute values: a card
// written as &#52;&#49;... is found only if every numeric, named and legacy form still decodes.
import { describe, expect, it } from 'vitest';
import { decodeEntities } from './html-entities.js';

// ---- the implementation before session 9 (html-entities.ts at 8f5c774), verbatim but for its name ----

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
function referenceDecodeEntities(text: string, attribute = false): string {
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

// ---- seeded random strings rich in what the reference reads ----

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// every name either table holds, with and without its last letters, and names no table has
const NAMES = [...new Set([...NAMED.keys(), ...LEGACY.keys()])];
const UNKNOWN = ['q', 'id', 'lang', 'page', 'x', 'foo', 'notin', 'ampere', 'copyright', 'ltx', 'AMPx', 'Amp', 'aMp', 'nbs', 'euroz', 'hellipsis'];
const BOUNDARY = ['0', '00000000', '000000000', '80', '81', '8d', '9f', '9F', 'a0', 'd7ff', 'D800', 'dbff', 'dc00', 'dfff', 'e000', 'fffd', 'ffff', 'FFFF', '10000', '1f600', '10ffff', '10FFFF', '110000', 'ffffffff', '100000000'];
const DECIMAL = ['0', '9', '10', '13', '31', '32', '48', '52', '57', '127', '128', '129', '141', '150', '159', '160', '55295', '55296', '57343', '57344', '65533', '1114111', '1114112', '99999999', '999999999'];
const PIECES = ['&', '&', '&', '&#', '&#x', '&#X', '#', 'x', 'X', ';', ';', '=', ' ', '\n', '?', '%26', 'a', 'F', 'g', 'Z', '0', '1', '4', '9', 'é', '\ud83d\ude00', '\ud800', '\u00a0', '<', '"'];

function piece(rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const r = rand();
  if (r < 0.3) return pick(PIECES);
  if (r < 0.5) {
    const name = pick(NAMES);
    // a prefix of a name, or the name and more letters or digits after it
    const cut = rand() < 0.3 ? name.slice(0, 1 + Math.floor(rand() * name.length)) : name;
    return `&${cut}${rand() < 0.3 ? pick(['x', 'it', '1', '2', 'A', '=']) : ''}${rand() < 0.5 ? ';' : ''}`;
  }
  if (r < 0.55) return `&${pick(UNKNOWN)}${rand() < 0.5 ? ';' : ''}`;
  if (r < 0.7) return `&#${pick(['x', 'X'])}${'0'.repeat(rand() < 0.2 ? Math.floor(rand() * 12) : 0)}${pick(BOUNDARY)}${rand() < 0.6 ? ';' : ''}`;
  if (r < 0.85) return `&#${'0'.repeat(rand() < 0.2 ? Math.floor(rand() * 12) : 0)}${pick(DECIMAL)}${rand() < 0.6 ? ';' : ''}`;
  if (r < 0.9) return pick('0123456789abcdefABCDEF'.split('')).repeat(1 + Math.floor(rand() * 20));
  if (r < 0.95) return `&${'a'.repeat(28 + Math.floor(rand() * 8))}${pick(['', ';', '=', 'copy'])}`;
  return pick(['row ', 'https://intranet.example.org/doc?id=1', ' title=', 'text ']);
}

function randomString(rand: () => number, pieces: number): string {
  let s = '';
  for (let i = 0; i < pieces; i++) s += piece(rand);
  return s;
}

describe('decodeEntities reads as the regex replace it replaced', () => {
  it('on 40,000 seeded random strings, in text and in attribute values', () => {
    const rand = mulberry32(0x5eed_0009);
    let differing = 0;
    const first: string[] = [];
    for (let n = 0; n < 40_000; n++) {
      const s = randomString(rand, 1 + Math.floor(rand() * 12));
      for (const attribute of [false, true]) {
        if (decodeEntities(s, attribute) === referenceDecodeEntities(s, attribute)) continue;
        differing++;
        if (first.length < 5) first.push(JSON.stringify([s, attribute]));
      }
    }
    expect(first).toEqual([]);
    expect(differing).toBe(0);
  });

  it('on long strings (tens of thousands of pieces)', () => {
    const rand = mulberry32(0x1009);
    for (let n = 0; n < 8; n++) {
      const s = randomString(rand, 20_000);
      for (const attribute of [false, true]) expect(decodeEntities(s, attribute) === referenceDecodeEntities(s, attribute)).toBe(true);
    }
  });

  it('on every name of the tables, alone, cut short and followed by each kind of character', () => {
    const after = ['', ';', '=', 'a', 'Z', '0', ' ', '&', '&amp;', '#'];
    const differing: string[] = [];
    for (const name of NAMES)
      for (let len = 1; len <= name.length; len++)
        for (const next of after)
          for (const attribute of [false, true]) {
            const s = `x&${name.slice(0, len)}${next}`;
            if (decodeEntities(s, attribute) !== referenceDecodeEntities(s, attribute)) differing.push(JSON.stringify([s, attribute]));
          }
    expect(differing.slice(0, 5)).toEqual([]);
  });

  it('on every code point written in decimal and hex, with and without ;, and with leading zeros', () => {
    const differing: string[] = [];
    for (let cp = 0; cp <= 0x10ffff + 2; cp += cp < 0x3000 ? 1 : 0x3f)
      for (const s of [`&#${cp}`, `&#${cp};`, `&#x${cp.toString(16)}`, `&#X${cp.toString(16).toUpperCase()};`, `&#0000${cp}1`])
        if (decodeEntities(s) !== referenceDecodeEntities(s)) differing.push(s);
    expect(differing.slice(0, 5)).toEqual([]);
  });

  it('returns a string without a reference as it is', () => {
    for (const s of ['', 'plain text', 'a & b', '&&', '&#;', '&#x;', '& amp;', '&1;', '&;'])
      for (const attribute of [false, true]) expect([s, decodeEntities(s, attribute)]).toEqual([s, s]);
  });
});
