import { describe, expect, it } from 'vitest';
import { decodeEntities } from './html-entities.js';

// What an HTML5 parser makes of each (WHATWG "character reference state").
const CASES: readonly (readonly [string, string])[] = [
  ['&#x34&#x31', '41'],
  ['&#52&#49;', '41'],
  ['&#X34;&#x0000000031;', '41'],
  ['&#0;', '\ufffd'],
  ['&#xD800;&#xdfff', '\ufffd\ufffd'],
  ['&#x110000;', '\ufffd'],
  ['&#99999999999999999999;', '\ufffd'],
  ['&#128;&#x99;&#159', '€™Ÿ'],
  ['&#x81;', '\u0081'],
  ['&#x1F600;', '😀'],
  ['&#;&#x;&#xg', '&#;&#x;&#xg'],
  ['&amp &lt&gt &quot &AMP', '& <> " &'],
  ['&copy 2026 &REG', '© 2026 ®'],
  ['&notit; &ampx', '¬it; &x'],
  ['&nbsp;&nbsp', '  '],
  ['a&shyb', 'ab'],
  ['&eacute;t&eacute', 'été'],
  ['&hellip; &hellip', '… &hellip'],
  ['&unknown; & &', '&unknown; & &'],
];

describe('decodeEntities (HTML5)', () => {
  for (const [input, out] of CASES) it(`${JSON.stringify(input)} → ${JSON.stringify(out)}`, () => expect(decodeEntities(input)).toBe(out));

  it('in an attribute, a legacy name without ; before a letter, digit or = stays as written', () => {
    expect(decodeEntities('?a=1&copy=2&amp;b=3&lang=en', true)).toBe('?a=1&copy=2&b=3&lang=en');
    expect(decodeEntities('x&amp y&copy', true)).toBe('x& y©');
    expect(decodeEntities('&#x34&#x31', true)).toBe('41');
  });
});
