import { describe, expect, it } from 'vitest';
import { DocumentHiding, HidingRules, hides, styleSheets } from './hidden-elements.js';
import { htmlParts } from './markup-text.js';

describe('hides', () => {
  it.each(['display:none', 'visibility:hidden', 'opacity:0', 'opacity:0.09', 'font-size:1.5px', 'font-size:0.1em', 'max-width:0;overflow:clip', 'position:absolute;top:-600px', 'transform:scaleX(0)', 'color:hsla(0,0%,0%,0)', 'mso-hide:all', 'display :  none  !important'])('hides: %s', (css) => {
    expect(hides(css)).toBe(true);
  });

  it.each(['display:block', 'opacity:0.1', 'opacity:1', 'font-size:2px', 'font-size:12pt', 'height:0', 'overflow:hidden', 'position:absolute;left:-20px', 'position:relative;left:-9999px', 'transform:scale(0.5)', 'color:#000', 'color:rgba(0,0,0,0.5)', 'clip-path:inset(10%)', ''])('shows: %s', (css) => {
    expect(hides(css)).toBe(false);
  });
});

describe('HidingRules', () => {
  const rules = new HidingRules(['/* c */ .a{display:none} div > #b { opacity: 0 } s, .c.d { font-size: 0 } .e:hover{display:none} @media print { .p { display:none } } u{display:block}']);

  it('matches by class, id, tag, every class of a compound, and rules inside @media', () => {
    expect(rules.matches('span', 'x a', undefined)).toBe(true);
    expect(rules.matches('i', undefined, 'b')).toBe(true);
    expect(rules.matches('s', undefined, undefined)).toBe(true);
    expect(rules.matches('b', 'd c', undefined)).toBe(true);
    expect(rules.matches('b', 'p', undefined)).toBe(true);
  });

  it('does not match a partial compound, a pseudo-class rule or a rule that shows', () => {
    expect(rules.matches('b', 'c', undefined)).toBe(false);
    expect(rules.matches('b', 'e', undefined)).toBe(false);
    expect(rules.matches('u', undefined, undefined)).toBe(false);
    expect(new HidingRules([]).matches('span', 'a', 'b')).toBe(false);
  });

  it('matches attribute selectors by the attribute names a tag has, and leaves the universal selector alone', () => {
    const r = new HidingRules(['[data-h]{display:none} b[title="x"]{opacity:0} *{display:none}']);
    expect(r.attributeRules).toBe(true);
    expect(r.matches('span', undefined, undefined, ' data-h')).toBe(true);
    expect(r.matches('span', undefined, undefined, ' DATA-H="1" class=x')).toBe(true);
    expect(r.matches('b', undefined, undefined, ' title="y"')).toBe(true);
    expect(r.matches('i', undefined, undefined, ' title="x"')).toBe(false);
    expect(r.matches('span', undefined, undefined, ' data-x="data-h"')).toBe(false);
    expect(r.matches('span', undefined, undefined)).toBe(false);
  });

  it('reads through CSS comments in a declaration block', () => {
    expect(hides('/* a */ display: /* b */ none')).toBe(true);
    expect(hides('display: block /* none */')).toBe(false);
  });

  it('reads a rule the sheet leaves open at its end', () => {
    expect(new HidingRules(['.h { visibility: hidden']).matches('span', 'h', undefined)).toBe(true);
  });

  it('finds every style element, an unclosed one too', () => {
    expect(styleSheets('<STYLE media=x>.a{}</style><p>x</p><style>.b{')).toEqual(['.a{}', '.b{']);
  });

  it('DocumentHiding: the hidden attribute, the style attribute (a CSS escape too, read twice from its cache), then the rules', () => {
    const plain = new DocumentHiding(styleSheets('<p>x</p>'));
    expect(plain.hides('span', { style: undefined, classes: undefined, id: undefined, hiddenAttribute: true, attributes: '' })).toBe(true);
    expect(plain.hides('span', { classes: undefined, id: undefined, hiddenAttribute: false, style: 'DISPLAY:NONE', attributes: '' })).toBe(true);
    expect(plain.hides('span', { classes: undefined, id: undefined, hiddenAttribute: false, style: 'displ\\61 y:none', attributes: '' })).toBe(true);
    expect(plain.hides('span', { classes: undefined, id: undefined, hiddenAttribute: false, style: 'displ\\61 y:none', attributes: '' })).toBe(true);
    expect(plain.hides('span', { id: undefined, hiddenAttribute: false, style: 'color:red', classes: 'a', attributes: '' })).toBe(false);
    expect(new DocumentHiding(styleSheets('<style>.a{display:none}</style>')).hides('span', { style: undefined, id: undefined, hiddenAttribute: false, classes: 'A', attributes: '' })).toBe(true);
  });
});

describe('htmlParts: the text as shown', () => {
  it('adds the text without hidden elements, which make no line break, as a line of the hidden text', () => {
    // (in a <div>: a <div> start tag closes a <p>, and then the reader sees two lines)
    const { visible, hidden } = htmlParts('<div>4111 <div style="display:none">zq</div>1111</div><p>next</p>');
    expect(visible).toBe('4111\nzq\n1111\nnext');
    expect(hidden.split('\n')).toContain('4111 1111');
  });

  it('ends a hidden span at the end of its paragraph, and counts nested elements of its name', () => {
    expect(htmlParts('<p>a <span hidden>x</p><p>b</p>').hidden).toContain('a\nb');
    expect(htmlParts('<b>1 <i style="opacity:0"><i>x</i>y</i>2</b>').hidden.split('\n')).toContain('1 2');
  });

  it('adds nothing when no element hides', () => {
    expect(htmlParts('<p style="color:red">4111 <span>1111</span></p>').hidden).not.toContain('4111 1111');
  });
});
