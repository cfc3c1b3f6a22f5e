import { describe, expect, it } from 'vitest';
import { cssContentText, cssGeneratedContent, cssHiddenText, decodeCssEscapes, renderContent } from './css-text.js';

describe('decodeCssEscapes (CSS Syntax 3 §4.3.7)', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['\\34 111', '4111'],
    ['\\000034\\000031', '41'],
    ['\\34\r\n1', '41'],
    ['\\34\t\\31', '41'],
    ['\\34  1', '4 1'],
    ['\\ 1\\-\\"', ' 1-"'],
    ['\\0 x\\d800 \\110000 ', '\ufffdx\ufffd\ufffd'],
    ['a\\\nb', 'ab'],
    ['end\\', 'end\ufffd'],
    ['\\1F600 !', '😀!'],
    ['no escapes', 'no escapes'],
  ];
  for (const [css, text] of cases) it(`${JSON.stringify(css)} is ${JSON.stringify(text)}`, () => expect(decodeCssEscapes(css)).toBe(text));
});

describe('cssContentText', () => {
  it('joins the content strings of a sheet in order, escapes decoded', () => {
    expect(cssContentText('#a::before{content:"4111 \\31 111 "} /* c:"x" */ #a::after { content : \'1111\' "\\20 1111"; color: red }')).toBe('4111 1111 1111 1111');
  });
  it('reads no string outside a content declaration (selectors, font names, a:hover)', () => {
    expect(cssContentText('a:hover{font-family:"4111"} [title="1111"]{color:red} .content:hover{x:"9"}')).toBe('');
  });
  it('a property name spelled with escapes is still content', () => {
    expect(cssContentText('p::after{c\\6fntent:"41"}')).toBe('41');
  });
  it('an escaped quote does not end the string', () => {
    expect(cssContentText('p::after{content:"a\\"b" \'c\\\'\'}')).toBe('a"bc\'');
  });
  it('cssHiddenText adds nothing for plain CSS without content', () => {
    expect(cssHiddenText('p{color:#411111;margin:0}')).toEqual([]);
  });
  it('counters show their reset or set value plus their increments; attr() reads an element\'s attribute', () => {
    expect(cssContentText('body{counter-reset:a 4110 b}p{counter-increment:a b 2}p::before{content:counter(a) "-" counter(b) "-" counters(c, ".")}')).toBe('4111-2-0');
    const { items, counters } = cssGeneratedContent('.n::after{content:attr(data-a) " " ATTR( data-b )}');
    expect(renderContent(items, counters, new Map([['data-a', '4111'], ['data-b', '1111']]))).toBe('4111 1111');
  });
});
