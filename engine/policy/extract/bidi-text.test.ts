import { describe, expect, it } from 'vitest';
import { BidiState, bidiReading } from './bidi-text.js';
import { htmlParts } from './markup-text.js';

describe('bidiReading: the lines a reader sees reordered, in display order', () => {
  it('reverses every character under RLO, to its PDF or the end of the line', () => {
    expect(bidiReading('card \u202e1111 1111 1111 1114\u202c ok')).toBe('card 4111 1111 1111 1111 ok');
    expect(bidiReading('a \u202e7144-22-635\nb')).toBe('a 536-22-4417');
  });
  it('lays digit groups out right to left in an RTL embedding, isolate or Hebrew-led line (W7, N1, I2, L2)', () => {
    expect(bidiReading('a \u202b1111 1111 1111 4111\u202c b')).toBe('a 4111 1111 1111 1111 b');
    expect(bidiReading('x \u20671111 (22) 33\u2069 y')).toBe('x 33 (22) 1111 y');
    expect(bidiReading('כרטיס 1111 1111 1111 4111')).toBe('4111 1111 1111 1111 סיטרכ');
  });
  it('keeps a number joined by one separator (W4) and Latin runs in order', () => {
    expect(bidiReading('התקשרו 03-555-1234 תודה\u200f')).toBe('\u200fהדות 03-555-1234 ורשקתה');
  });
  it('leaves out a line without explicit controls whose digits form one number (it cannot show another)', () => {
    expect(bidiReading('התקשרו 03-555-1234 תודה')).toBe('');
    expect(bidiReading('מספר 1111 2222')).toBe('2222 1111 רפסמ');
    expect(bidiReading('מספר 1111--2222')).toBe('2222--1111 רפסמ');
    // after an Arabic letter the digits are Arabic numbers, which a '-' does not join: laid out in the other order
    expect(bidiReading('رقم 1111-2222')).not.toBe('');
    expect(bidiReading('رقم ١١١١-٢٢٢٢')).not.toBe('');
  });
  it('lays out a line longer than the kept work arrays, then a short one', () => {
    expect(bidiReading(`\u202e${'a '.repeat(40_000)}1111 1111 1111 1114`).startsWith('4111 1111 1111 1111 a a')).toBe(true);
    expect(bidiReading('\u202e12 34')).toBe('43 21');
  });
  it('gives nothing for text without anything right to left, or a line without digits', () => {
    expect(bidiReading('plain 1111 1111 1111 4111')).toBe('');
    expect(bidiReading('שלום עולם')).toBe('');
  });
  it('carries a markup line’s open embeddings to the next line', () => {
    expect(bidiReading('\u2067\n1111 4111\n\u2069', new BidiState())).toBe('4111 1111');
  });
});

describe('htmlParts: elements that set a direction add the text as shown', () => {
  it('reads <bdo dir=rtl>, bidi-override styles and class rules, dir=rtl, and closes them at their end tag', () => {
    expect(htmlParts('<p>a <bdo dir="rtl">1234 56</bdo> z 12 34</p>').hidden).toContain('a 65 4321 z 12 34');
    expect(htmlParts('<style>.r{unicode-bidi:bidi-override;direction:rtl}</style><p>a <b class="r">12 3</b></p>').hidden).toContain('a 3 21');
    expect(htmlParts('<div dir="rtl"><p>11 22</p></div><p>33 44</p>').hidden.split('\n')).toEqual(['rtl', '22 11']);
  });
  it('adds nothing to a document with nothing right to left', () => {
    expect(htmlParts('<div dir="ltr"><p>11 22</p></div>').hidden).toBe('ltr');
  });
});
