import { describe, expect, it } from 'vitest';
import { detectionText } from './detection-text.js';

/** Every assigned code point of a class, as strings (planes 0-1 and 14, where the table looks). */
function codePoints(re: RegExp): number[] {
  const out: number[] = [];
  for (let cp = 0; cp <= 0xe0fff; cp++) {
    if (cp === 0xd800) cp = 0xe000;
    if (cp === 0x20000) cp = 0xe0000;
    if (re.test(String.fromCodePoint(cp))) out.push(cp);
  }
  return out;
}

describe('detectionText', () => {
  it('returns ASCII and Latin-1 text as the same string (no copy)', () => {
    for (const text of ['', 'card 4111 1111 1111 1111', 'tab\there\r\n', 'café crème à 12\u00a0€ … “quoted”', '日本語のテキスト', '😀 emoji']) {
      expect(detectionText(text)).toBe(text);
    }
  });

  it('reads every dash and the minus sign as a hyphen, in place (the text keeps its length)', () => {
    const dashes = '\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u058a\u2e3a';
    expect(detectionText(`a${dashes}b`)).toBe(`a${'-'.repeat(dashes.length)}b`);
    expect(detectionText('café — “quoted”')).toBe('café - “quoted”');
  });

  it('maps every Unicode Nd digit to ASCII; each run of ten reads 0123456789', () => {
    const nd = codePoints(/^\p{Nd}$/u).filter((cp) => cp > 0x7f);
    expect(nd.length).toBeGreaterThan(600);
    for (const cp of nd) expect(detectionText(String.fromCodePoint(cp)), cp.toString(16)).toMatch(/^[0-9]$/);
    const zeros = nd.filter((cp) => detectionText(String.fromCodePoint(cp)) === '0');
    expect(zeros.length * 10).toBe(nd.length);
    for (const z of zeros) expect(detectionText(String.fromCodePoint(...Array.from({ length: 10 }, (_, i) => z + i))), z.toString(16)).toBe('0123456789');
  });

  it('agrees with NFKC where NFKC folds a digit (full-width, mathematical)', () => {
    for (const cp of codePoints(/^\p{Nd}$/u)) {
      const folded = String.fromCodePoint(cp).normalize('NFKC');
      if (/^[0-9]$/.test(folded)) expect(detectionText(String.fromCodePoint(cp))).toBe(folded);
    }
  });

  it('knows the digits at the edges of the table', () => {
    expect(detectionText('\u0660\u0669\u06f9\u096f\uff19\u{1d7ce}\u{1d7ff}\u{1fbf0}\u{1fbf9}\u{104a9}')).toBe('0999909099');
  });

  it('drops every format character (Cf), enclosing marks, the grapheme joiner and variation selectors', () => {
    const cf = codePoints(/^\p{Cf}$/u);
    expect(cf).toContain(0x200b);
    for (const cp of [...cf, 0x34f, 0xfe0f, 0x180b, 0xe0100, 0x20e3, 0x20dd]) expect(detectionText(`a${String.fromCodePoint(cp)}b`), cp.toString(16)).toBe('ab');
  });

  it('folds spaces, line separators and full-width ASCII; digits NFKC folds to one digit', () => {
    expect(detectionText('a\u2009b\u3000c\u202fd\u2028e')).toBe('a b c d\ne');
    expect(detectionText('ＤＥ８９！～')).toBe('DE89!~');
    expect(detectionText('x² ① ⑴ ½')).toBe('x2 1 ⑴ ½');
  });

  it('keeps what it does not map, surrogates included, around what it does', () => {
    expect(detectionText('😀\u200b٤日\ud800x')).toBe('😀4日\ud800x');
    expect(detectionText('conf\u200bidential')).toBe('confidential');
  });

  it('drops combining marks after a digit (one or several, after a mapped digit too) and keeps them after a letter', () => {
    expect(detectionText('4\u03011\u0332\u03361')).toBe('411');
    expect(detectionText('\uff14\u0300\u0661\u0301')).toBe('41');
    expect(detectionText('cafe\u0301 4')).toBe('cafe\u0301 4');
    expect(detectionText('\u0301x')).toBe('\u0301x');
    expect(detectionText('e\u03014\u0301')).toBe('e\u03014');
  });
});
