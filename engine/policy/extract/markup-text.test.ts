// markup-text.ts reads HTML once per window of a long part, so its shortcuts (the lower-cased copy made
// only for a raw-text element, a set of block names, percent-decoding without a byte array, collapse
// that only trims a text without runs of blanks or line ends) must leave the text as it was.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlParts, htmlToText, percentDecode, xmlToText } from './markup-text.js';

// percentDecode as it was written first (the reference)
function referencePercentDecode(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === 0x2b) bytes.push(0x20);
    else if (c < 0x80) bytes.push(c);
    else bytes.push(...Buffer.from(value[i] ?? '', 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

// collapse as it was written first: every blank run a space, a line end without the blanks around it
const referenceCollapse = (text: string): string => text.replace(/[ \t\r\f\v]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim();

describe('markup text', () => {
  it('percent-decodes as the byte-array reference does (escapes, bytes that are not UTF-8, plus, non-ASCII units, lone and paired surrogates)', () => {
    const unit = fc.constantFrom('%', '4', '1', 'e', 'F', 'g', '+', ' ', 'é', 'ß', '€', '\ud83d', '\ude00', '%e2%82%ac', '%F0%9F%98%80', '%ed%a0%80', '%zz', '%4', '%C3', '%c3%a9', '%C0%80', '%f4%90%80%80', '%EF%BF%BE', '%25', '%2B', '%00', '%80', '%20', '%41', '%7f', '%7F', '%0a', 'a%2', '%%41');
    fc.assert(fc.property(fc.array(unit, { maxLength: 30 }), (units) => {
      const s = units.join('');
      expect(percentDecode(s)).toBe(referencePercentDecode(s));
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      expect(percentDecode(s)).toBe(referencePercentDecode(s));
    }), { numRuns: 3000 });
  });

  it('reads raw-text elements and attr() whatever the case of their names', () => {
    const { visible, hidden } = htmlParts('<P>a</P><SCRIPT>var x = "<b>4111</b>";</SCRIPT><TITLE>t &amp; u</Title><Div>b</DIV>');
    expect(visible).toBe('a\nb');
    expect(hidden.split('\n')).toEqual(['var x = "<b>4111</b>";', 't & u']);
    expect(htmlToText('<style>p::after { content: ATTR(data-n) }</style><p data-n="4111 1111">x</p>')).toContain('4111 1111');
  });

  it('collapses blanks and line ends of visible and hidden text, and only trims a text without runs of them', () => {
    expect(htmlParts('<p title=" a  b ">  one \t two\r\n\n three </p><i title=" c ">x</i>')).toEqual({ visible: 'one two\nthree\nx', hidden: 'a b\nc', dataUris: [] });
    expect(htmlParts('\u00a0x\u00a0 <a title="\u00a0y ">z</a>')).toEqual({ visible: 'x\u00a0 z', hidden: 'y', dataUris: [] });
  });

  it('collapses white space as the two plain replaces do (text without tags or references: xmlToText is collapse)', () => {
    const unit = fc.constantFrom(' ', '  ', '\t', '\n', '\r', '\r\n', '\f', '\v', '\u00a0', '\u2028', '\u3000', '\ufeff', 'a', 'word', '4111');
    fc.assert(fc.property(fc.array(unit, { maxLength: 40 }), (units) => {
      const s = units.join('');
      expect(xmlToText(s)).toBe(referenceCollapse(s));
    }), { numRuns: 5000 });
  });
});

describe('htmlParts: the gate for the text as shown', () => {
  it('reads a text of unclosed image tags in linear time and finds a digit in an alt text', () => {
    // (the gate's `<img\\b[^>]*\\salt` ran to the end of the text from every "<img": 140 KB took 4.1 s)
    const unclosed = '<img a '.repeat(20_000);
    expect(htmlParts(unclosed).visible).toBe(unclosed.trim());
    expect(htmlParts('<p>card 4111 <img src="x.png" alt="1111"> 1111 1111</p>').hidden.split('\n')).toContain('card 4111 1111 1111 1111');
  });
});

