import { describe, expect, it } from 'vitest';
import { invisibleOn, parseColour, WHITE } from './css-colour.js';
import { conditionsHold, DESKTOP, declarationList, mediaList, READING_CONTEXTS, styleRules, UNLAYERED } from './css-rules.js';
import { SHOWN_TEXT_MAX_HTML, shownReadings } from './shown-text.js';

const PHONE = READING_CONTEXTS[1] ?? DESKTOP;
const shown = (html: string): string[] | undefined => ((r) => ('readings' in r ? r.readings.map((t) => t.replace(/\s+/g, ' ').trim()) : undefined))(shownReadings(html));

describe('styleRules', () => {
  it('reads rules in order with their conditions, layers and !important', () => {
    const rules = styleRules(['@import url(x.css); .a{display:none !important; color: Red} @media print { .b { opacity:0 } } @layer x { .c { color:red } }']);
    expect(rules.map((r) => [r.selectors, r.conditions, r.layered])).toEqual([
      ['.a', [], false],
      ['.b', ['@media print'], false],
      ['.c', ['@layer x'], true],
    ]);
    expect(rules[0]?.declarations).toEqual([
      { name: 'display', value: 'none', important: true },
      { name: 'color', value: 'red', important: false },
    ]);
  });

  it('resolves nested rules against their parent, and closes what the sheet leaves open', () => {
    expect(styleRules(['.p { color:red; & .h { display:none } .k { opacity:0 } }']).map((r) => r.selectors)).toEqual([':is(.p) .h', ':is(.p) .k', '.p']);
    expect(styleRules(['.h{display:none']).map((r) => r.declarations)).toEqual([[{ name: 'display', value: 'none', important: false }]]);
  });

  it('orders cascade layers by their first mention, sublayers before their layer, unlayered rules last', () => {
    const rules = styleRules(['@layer b, a; @layer a { .x{color:red} @layer in { .y{color:red} } } @layer b { .z{color:red} } .u{color:red} @layer { .v{color:red} }']);
    expect(Object.fromEntries(rules.map((r) => [r.selectors, r.layer]))).toEqual({ '.x': 2, '.y': 1, '.z': 0, '.u': UNLAYERED, '.v': 3 });
  });

  it('ignores <!-- and --> around rules, and puts a sheet\'s own conditions first', () => {
    expect(styleRules([{ text: '<!-- .h{display:none} -->', conditions: ['@media print'] }]).map((r) => [r.selectors, r.conditions])).toEqual([['.h', ['@media print']]]);
  });

  it('decodes escapes and drops comments in declarations, keeps the case of custom properties', () => {
    expect(declarationList('displ\\61 y:/* x */none; --Dark: #FFF')).toEqual([
      { name: 'display', value: 'none', important: false },
      { name: '--dark', value: '#FFF', important: false },
    ]);
  });
});

describe('media queries', () => {
  it('are evaluated for a desktop and a phone screen', () => {
    for (const [q, desktop, phone] of [
      ['only screen and (max-width: 600px)', false, true],
      ['screen and (min-width:601px)', true, false],
      ['(width >= 600px)', true, false],
      ['(400px <= width <= 700px)', false, false],
      ['print', false, false],
      ['not print', true, true],
      ['all and (orientation: portrait)', false, true],
      ['(prefers-color-scheme: light)', true, true],
      ['(hover: none)', false, true],
      ['(-webkit-min-device-pixel-ratio: 2)', false, true],
      ['(max-width: 37.5em)', false, true],
      ['(unknown-feature: 1)', false, false],
      ['not (unknown-feature: 1)', false, false],
      ['print, (max-width: 600px)', false, true],
    ] as const) {
      expect([q, mediaList(q, DESKTOP)]).toEqual([q, desktop]);
      expect([q, mediaList(q, PHONE)]).toEqual([q, phone]);
    }
  });

  it('makes a rule under an unknown at-rule unknown, and one under @page or @keyframes never apply', () => {
    expect(conditionsHold(['@container (min-width: 1px)'], DESKTOP)).toBeUndefined();
    expect(conditionsHold(['@page :first'], DESKTOP)).toBe(false);
    expect(conditionsHold(['@supports (display: grid)'], DESKTOP)).toBe(true);
    expect(conditionsHold(['@supports not (display: grid)'], DESKTOP)).toBe(false);
  });
});

describe('colours', () => {
  it('reads hex, rgb, hsl and named colours, and tells text painted on its own colour', () => {
    expect(parseColour('#fff')).toEqual(WHITE);
    expect(parseColour('rgb(255 255 255 / 50%)')).toEqual({ r: 255, g: 255, b: 255, a: 0.5 });
    expect(parseColour('hsl(0, 0%, 100%)')).toEqual(WHITE);
    expect(parseColour('snow')).toEqual({ r: 255, g: 250, b: 250, a: 1 });
    expect(parseColour('rgb(from white r g b)')).toBeUndefined();
    expect(invisibleOn({ r: 250, g: 250, b: 250, a: 1 }, WHITE)).toBe(true);
    expect(invisibleOn({ r: 200, g: 200, b: 200, a: 1 }, WHITE)).toBe(false);
    expect(invisibleOn({ r: 0, g: 0, b: 0, a: 0 }, WHITE)).toBe(true);
  });

  it('reads newer colour syntax, system colours and light-dark(), and mixes translucent text into its background', () => {
    const near = (c: ReturnType<typeof parseColour>): number[] | undefined => (c === undefined ? undefined : [c.r, c.g, c.b, c.a].map((n) => Math.round(n)));
    for (const v of ['lab(100% 0 0)', 'lch(100% 0 0)', 'oklab(1 0 0)', 'oklch(100% 0 0)', 'hwb(0 100% 0%)', 'color(srgb 1 1 1)', 'color(display-p3 1 1 1)', 'canvas', 'window', 'light-dark(white, black)', 'color-mix(in srgb, white 30%, #fff)', 'color-mix(in oklch, white, #fefefe)'])
      expect([v, near(parseColour(v))]).toEqual([v, [255, 255, 255, 1]]);
    expect(near(parseColour('light-dark(white, black)', true))).toEqual([0, 0, 0, 1]);
    expect(near(parseColour('canvas', true))).toEqual([18, 18, 18, 1]);
    expect(near(parseColour('color-mix(in srgb, red, blue)'))).toEqual([128, 0, 128, 1]);
    expect(parseColour('color-mix(in oklch, red, blue)')).toBeUndefined();
    expect(invisibleOn({ r: 255, g: 255, b: 255, a: 0.5 }, WHITE)).toBe(true);
    expect(invisibleOn({ r: 0, g: 0, b: 0, a: 0.5 }, WHITE)).toBe(false);
    expect(invisibleOn({ r: 0, g: 0, b: 0, a: 1 }, WHITE, 0.04)).toBe(true);
  });
});

describe('shownReadings', () => {
  it('gives nothing when nothing is hidden', () => {
    expect(shown('<p style="color:red">4111 <span>1111</span></p>')).toEqual([]);
  });

  it('matches whole selectors and applies the cascade', () => {
    expect(shown('<style>.a .h{display:none}</style><p>1 <span class="h">2</span> <b class="a"><span class="h">x</span></b> 3</p>')).toEqual(['1 2 3']);
    expect(shown('<style>#i{display:inline} .h{display:none}</style><p>1 <span class="h" id="i">2</span><span class="h">x</span> 3</p>')).toEqual(['1 2 3']);
    expect(shown('<style>.h{display:none !important}</style><p>1 <span class="h" style="display:inline">x</span>3</p>')).toEqual(['1 3']);
  });

  it('follows inheritance: a child shows what its parent hid by visibility or font size', () => {
    expect(shown('<p>1 <span style="visibility:hidden">x<b style="visibility:visible">2</b></span> 3</p>')).toEqual(['1 2 3']);
    expect(shown('<p>1 <span style="font-size:0">x<b style="font-size:1em">y</b><b style="font-size:12px">2</b></span> 3</p>')).toEqual(['1 2 3']);
  });

  it('drops the rule of a selector a browser does not read (jQuery\'s :contains), and reads an unknown pseudo-class in a reading of its own', () => {
    expect(shown('<style>span:contains(2){display:none}</style><p>1 <span>2</span> <i style="display:none">x</i>3</p>')).toEqual(['1 2 3']);
    expect(shown('<style>span:dir(ltr){display:none}</style><p>1 <span>x</span>2</p>')).toEqual(['1 2']);
  });

  it('gives one reading per screen where @media changes what shows', () => {
    expect(shown('<style>@media (max-width:600px){.m{display:none}} @media (min-width:601px){.d{display:none}}</style><p>1<span class="m">a</span><span class="d">b</span>2</p>')).toEqual(['1a2', '1b2']);
  });

  it('evaluates calc(), min(), max() and clamp() in a font size, and drops a size a browser rejects', () => {
    expect(shown('<p>1 <span style="font-size:calc(2em - 32px)">x</span><span style="font-size:max(0px, -1em)">y</span><span style="font-size:clamp(1px, 0px, 1.5px)">z</span>2</p>')).toEqual(['1 2']);
    expect(shown('<p>1 <span style="font-size:0"><b style="font-size:-2px">x</b><i style="font-size:calc(8px * 2)">2</i></span> 3</p>')).toEqual(['1 2 3']);
  });

  it('reads the sheets a browser applies: not one for print, not one that is not CSS, not one in a <template>', () => {
    expect(shown('<style media="print">.a{display:none}</style><style type="text/x">.a{display:none}</style><template><style>.a{display:none}</style></template><p>1 <span class="a">2</span> <i hidden>x</i>3</p>')).toEqual(['1 2 3']);
  });

  it('moves what a table may not hold before it (foster parenting), as a browser does', () => {
    expect(shown('<div>1 <table style="display:none">2<tr><td>x</td></tr></table></div>')).toEqual(['1 2']);
  });

  it('matches descendant chains over a deep tree without backtracking through every ancestor, and stops at selectors nested too deep', () => {
    // without css-select's per-ancestor cache this took about 85 CPU s (vitest's timeout stops it long before)
    const deep = `<style>.a7 .b .c div span.h{display:none} .a1 .b .c div span.g{display:none}</style>${'<div class="a1 b c">'.repeat(500)}<span class="h">1</span><span class="g">x</span>${'</div>'.repeat(500)}`;
    expect(shown(deep)).toEqual(['1']);
    expect(shownReadings(`<style>${':is('.repeat(40)}.h${')'.repeat(40)}{display:none}</style><p class="h">x</p>`)).toEqual({ notLaidOut: 'a selector nested over 32 deep' });
  });

  it('reads mso-hide:all as hidden only in an Outlook reading', () => {
    expect(shown('<p>1 <span style="mso-hide:all">x</span>2 <span style="display:none">y</span>3</p>')).toEqual(['1 x2 3', '1 2 3']);
  });

  it('says why a document too large, too deep or too slow to match is not laid out', () => {
    expect(shownReadings(`<p style="display:none">x</p>${' '.repeat(SHOWN_TEXT_MAX_HTML)}`)).toEqual({ notLaidOut: `over ${SHOWN_TEXT_MAX_HTML} characters of HTML` });
    expect(shownReadings(`${'<b>'.repeat(513)}<i hidden>x</i>`)).toEqual({ notLaidOut: 'elements nested over 512 deep' });
    expect(shownReadings(`${'<b>'.repeat(500)}<i hidden>x</i>`)).toEqual({ readings: [''] });
    const slow = shownReadings(`<style>${Array.from({ length: 3000 }, (_, i) => `i:nth-child(${i}){color:red}`).join('\n')}</style>${'<i></i>'.repeat(3000)}`);
    expect(slow).toEqual({ notLaidOut: expect.stringMatching(/over 20000000 steps to match \(3000 rules, 3001 elements\)/) });
  });
});

describe('a sheet nested too deep', () => {
  it('is not laid out (every rule would carry thousands of conditions: 480 KB took 131 s and 3.7 GB)', () => {
    const html = `<style>${'@media all{'.repeat(20_000)}${'.x{color:red}'.repeat(20_000)}</style><p>1 <span style="display:none">x</span>2</p>`;
    expect(shownReadings(html)).toEqual({ notLaidOut: 'style blocks nested over 32 deep' });
    expect(shownReadings(`<style>${'@media all{'.repeat(31)}.h{display:none}</style><p>1 <span class="h">x</span>2</p>`)).toEqual({ readings: ['\n1 2\n'] });
  });
});
