import { describe, expect, it } from 'vitest';
import { unseenOn } from './office-colour.js';
import { shownDrawingXml } from './office-drawing.js';
import { lookIn, readOdfStyles } from './office-odf-styles.js';
import { readOdfSheet, shownOdfXml } from './office-odf-text.js';
import { NO_SHEET_FORMATS, readSheetFormats, shownSheetXml } from './office-sheet.js';
import { shownWordXml } from './office-word-runs.js';
import { readRunProps, readWordStyles, resolveRun, shading } from './office-word-styles.js';
import { officeReadOrder, withoutHiddenWordText } from './office.js';

describe('withoutHiddenWordText', () => {
  it('drops deletions, moves away and hidden runs, and keeps what only shares their prefixes', () => {
    const xml = '<w:p><w:pPr><w:rPr><w:del w:id="9"/></w:rPr></w:pPr><w:r><w:t>a</w:t></w:r><w:del w:id="1"><w:r><w:delText>x</w:delText></w:r></w:del>'
      + '<w:r><w:rPr><w:rStyle w:val="s"/><w:vanish/></w:rPr><w:t>y</w:t></w:r><w:moveFrom w:id="2"><w:r><w:t>z</w:t></w:r></w:moveFrom><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>b</w:t></w:r></w:p>';
    expect(withoutHiddenWordText(xml)).toBe('<w:p><w:pPr><w:rPr><w:del w:id="9"/></w:rPr></w:pPr><w:r><w:t>a</w:t></w:r><w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t>b</w:t></w:r></w:p>');
  });

  it('keeps a run whose hidden mark is outside its properties, and text after an unclosed deletion goes', () => {
    expect(withoutHiddenWordText('<w:r><w:t>&lt;w:vanish/&gt;</w:t></w:r>')).toBe('<w:r><w:t>&lt;w:vanish/&gt;</w:t></w:r>');
    expect(withoutHiddenWordText('<w:r><w:t>a</w:t></w:r><w:del w:id="1"><w:r><w:t>x</w:t></w:r>')).toBe('<w:r><w:t>a</w:t></w:r>');
  });

  it('keeps a run whose former formatting (w:rPrChange) was hidden, and drops a field code', () => {
    const changed = '<w:r><w:rPr><w:b/><w:rPrChange w:id="1"><w:rPr><w:vanish/></w:rPr></w:rPrChange></w:rPr><w:t>a</w:t></w:r>';
    expect(withoutHiddenWordText(changed)).toBe(changed);
    expect(withoutHiddenWordText('<w:r><w:instrText> SET x </w:instrText></w:r>')).toBe('<w:r></w:r>');
  });
});

describe('readRunProps and shading', () => {
  it.each([
    ['<w:vanish/>', { vanish: true }],
    ['<w:vanish w:val="off"/>', { vanish: false }],
    ['<w:specVanish w:val="true"/>', { vanish: true }],
    ['<w:sz w:val="2"/><w:szCs w:val="40"/><w:rtl/>', { size: 2, sizeCs: 40, complex: true }],
    ['<w:color w:val="FFFFFF" w:themeColor="background1"/>', { colour: { rgb: 0xffffff, theme: 'background1' } }],
    ['<w:color w:val="auto"/>', { colour: { rgb: undefined, theme: undefined } }],
    ['<w:highlight w:val="none"/>', { highlight: 'none' }],
    ['<w:outline w:val="0"/>', { effects: false }],
    ['<w14:textOutline w14:w="9525"/>', { effects: true }],
  ])('%s', (xml, props) => {
    expect(readRunProps(xml)).toEqual(props);
  });

  it.each([
    ['<w:shd w:val="clear" w:color="auto" w:fill="000000"/>', 0x000000],
    ['<w:shd w:val="clear" w:fill="auto"/>', 'none'],
    ['<w:shd w:val="nil"/>', 'none'],
    ['<w:shd w:val="solid" w:color="1F3864" w:fill="FFFFFF"/>', 0x1f3864],
    ['<w:shd w:val="pct50" w:color="000000" w:fill="FFFFFF"/>', 'unknown'],
    ['<w:shd w:val="clear" w:fill="000000" w:themeFill="text1"/>', 'unknown'],
  ])('%s is the ground %s', (tag, ground) => {
    expect(shading(tag)).toBe(ground);
  });
});

describe('resolveRun', () => {
  const sheet = readWordStyles('<w:styles><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults>'
    + '<w:style w:type="character" w:styleId="H"><w:rPr><w:vanish/></w:rPr></w:style>'
    + '<w:style w:type="character" w:styleId="K"><w:basedOn w:val="H"/><w:rPr><w:b/></w:rPr></w:style>'
    + '<w:style w:type="character" w:styleId="Loop"><w:basedOn w:val="Loop"/></w:style>'
    + '<w:style w:type="paragraph" w:styleId="P"><w:rPr><w:vanish/><w:sz w:val="30"/></w:rPr></w:style>'
    + '<w:style w:type="paragraph" w:styleId="H2"><w:rPr><w:vanish/></w:rPr></w:style></w:styles>');
  it.each([
    // own, rStyle, pStyle, vanish as inherited, vanish as a toggle
    ['', 'H', undefined, true, true],
    ['', 'K', undefined, true, true],
    ['<w:vanish w:val="0"/>', 'K', 'P', false, false],
    ['', 'H', 'P', true, false],
    ['', undefined, 'P', true, true],
    ['', 'Loop', undefined, undefined, false],
    // a character style id used as a paragraph style, and the other way round, is not applied
    ['', 'P', 'H', undefined, false],
  ] as const)('own %s, rStyle %s, pStyle %s', (own, rStyle, pStyle, inherited, toggled) => {
    expect(resolveRun(sheet, readRunProps(own), rStyle, pStyle, undefined, false).vanish).toBe(inherited);
    expect(resolveRun(sheet, readRunProps(own), rStyle, pStyle, undefined, true).vanish).toBe(toggled);
  });

  it('takes other properties from the nearest level: run, character style, paragraph style, defaults', () => {
    expect(resolveRun(sheet, {}, undefined, undefined, undefined, false).size).toBe(22);
    expect(resolveRun(sheet, {}, undefined, 'P', undefined, false).size).toBe(30);
    expect(resolveRun(sheet, { size: 24 }, undefined, 'P', undefined, false).size).toBe(24);
  });

  it('gives one reading per way of reading the toggle where they differ', () => {
    const styles = readWordStyles('<w:styles><w:style w:type="character" w:styleId="H"><w:rPr><w:vanish/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="P"><w:rPr><w:vanish/></w:rPr></w:style></w:styles>');
    const xml = '<w:p><w:pPr><w:pStyle w:val="P"/></w:pPr><w:r><w:rPr><w:rStyle w:val="H"/></w:rPr><w:t>a</w:t></w:r></w:p>';
    // the paragraph's mark is hidden by its style either way: its end goes, and the paragraph runs on into the next
    expect([...shownWordXml(xml, { styles, page: 'none' })].sort()).toEqual(['<w:p><w:pPr><w:pStyle w:val="P"/></w:pPr>', '<w:p><w:pPr><w:pStyle w:val="P"/></w:pPr><w:r><w:rPr><w:rStyle w:val="H"/></w:rPr><w:t>a</w:t></w:r>'].sort());
  });
});

describe('unseenOn', () => {
  it.each([
    [0xffffff, 0xffffff, true],
    [0xf8f8f8, 0xffffff, true],
    [0xc0c0c0, 0xffffff, false],
    [0xffff00, 0xffffff, false],
    [0x000000, 0x000000, true],
    [0xffffff, 0x000000, false],
    [0x1f3864, 0x1f3864, true],
  ])('%i on %i: %s', (text, ground, unseen) => {
    expect(unseenOn(text, ground)).toBe(unseen);
  });
});

describe('OpenDocument styles', () => {
  const common = readOdfStyles('<office:styles><style:style style:name="A" style:family="text"><style:text-properties fo:font-size="50%" text:display="none"/></style:style>'
    + '<style:style style:name="B" style:family="text" style:parent-style-name="A"><style:text-properties fo:font-size="10%"/></style:style>'
    + '<style:style style:name="A" style:family="paragraph"><style:text-properties fo:font-size="20pt"/></style:style></office:styles>', 'styles');
  const root = { hidden: false, size: 12, scale: 100, colour: undefined, ground: 0xffffff };
  it('follows the parent chain, multiplies relative sizes down to an absolute one, and keeps families apart', () => {
    expect(lookIn(root, new Map(), common, 'text', 'B', false)).toMatchObject({ hidden: true, size: 12 * 0.1 * 0.5 });
    expect(lookIn(root, new Map(), common, 'paragraph', 'A', true)).toMatchObject({ hidden: false, size: 20 });
    expect(lookIn(root, new Map(), common, 'text', 'missing', false)).toEqual(root);
  });

  it('finds an automatic style\'s parent among the common styles only', () => {
    const own = readOdfStyles('<office:automatic-styles><style:style style:name="T" style:family="text" style:parent-style-name="X"/><style:style style:name="X" style:family="text"><style:text-properties text:display="none"/></style:style></office:automatic-styles>', 'automatic-styles');
    expect(lookIn(root, own, common, 'text', 'T', false).hidden).toBe(false);
    expect(lookIn(root, own, common, 'text', 'X', false).hidden).toBe(true);
  });

  it('drops the paragraph holding a hidden-paragraph field, not the paragraph around its text box', () => {
    const xml = '<text:p>a<draw:frame><draw:text-box><text:p><text:hidden-paragraph text:is-hidden="true"/>x</text:p></draw:text-box></draw:frame>b</text:p>';
    expect(shownOdfXml(xml, readOdfSheet(''))).toBe('<text:p>a<draw:frame><draw:text-box></draw:text-box></draw:frame>b</text:p>');
  });

  it('counts white text as seen on a page with a colour', () => {
    const styles = '<office:styles><style:style style:name="W" style:family="text"><style:text-properties fo:color="#ffffff"/></style:style></office:styles><office:automatic-styles><style:page-layout style:name="pm1"><style:page-layout-properties fo:background-color="#000000"/></style:page-layout></office:automatic-styles>';
    const xml = '<text:p>a<text:span text:style-name="W">x</text:span></text:p>';
    expect(shownOdfXml(xml, readOdfSheet(styles))).toBeUndefined();
    expect(shownOdfXml(xml, readOdfSheet(styles.replace(/<office:automatic-styles>.*$/, '')))).toBe('<text:p>a<text:span text:style-name="W"></text:span></text:p>');
  });
});

describe('DrawingML and Excel runs', () => {
  it.each([
    ['<a:r><a:rPr sz="100"/><a:t>x</a:t></a:r>', true],
    ['<a:r><a:rPr sz="101"/><a:t>x</a:t></a:r>', false],
    ['<a:r><a:rPr><a:noFill/></a:rPr><a:t>x</a:t></a:r>', true],
    ['<a:r><a:rPr><a:ln><a:noFill/></a:ln><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:rPr><a:t>x</a:t></a:r>', false],
    ['<a:r><a:rPr><a:noFill/><a:effectLst><a:outerShdw blurRad="1"/></a:effectLst></a:rPr><a:t>x</a:t></a:r>', false],
    ['<a:r><a:rPr><a:noFill/><a:effectLst/></a:rPr><a:t>x</a:t></a:r>', true],
    ['<a:r><a:rPr><a:highlight><a:noFill/></a:highlight></a:rPr><a:t>x</a:t></a:r>', false],
  ])('%s hidden: %s', (xml, hidden) => {
    expect(shownDrawingXml(`<a:p>${xml}</a:p>`)).toBe(hidden ? '<a:p></a:p>' : undefined);
  });

  it('drops a shared string\'s rich-text run of 1pt, and nothing else named r', () => {
    expect(shownSheetXml('<si><r><rPr><sz val="1"/></rPr><t>x</t></r><r><t>y</t></r></si>', NO_SHEET_FORMATS)).toBe('<si><r><t>y</t></r></si>');
    expect(shownSheetXml('<pivotCacheRecords><r><rPr/><n v="1"/></r></pivotCacheRecords>', NO_SHEET_FORMATS)).toBeUndefined();
  });

  it('drops a cell whose format shows nothing; ";;" only a number', () => {
    const formats = readSheetFormats('<styleSheet><numFmts><numFmt numFmtId="164" formatCode=";;;"/><numFmt numFmtId="165" formatCode=";;"/></numFmts>'
      + '<cellStyleXfs><xf numFmtId="164"/></cellStyleXfs><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs></styleSheet>');
    expect(formats).toEqual({ hidesAll: new Set([1]), hidesNumbers: new Set([2]) });
    const sheet = '<row><c r="A1"><v>1</v></c><c r="B1" s="1" t="s"><v>2</v></c><c r="C1" s="2"><v>3</v></c><c r="D1" s="2" t="inlineStr"><is><t>x</t></is></c></row>';
    expect(shownSheetXml(sheet, formats)).toBe('<row><c r="A1"><v>1</v></c><c r="D1" s="2" t="inlineStr"><is><t>x</t></is></c></row>');
  });
});

describe('officeReadOrder', () => {
  it('reads style sheets first, then the main document, then the rest as stored', () => {
    const names = ['word/document.xml', 'word/header1.xml', 'word/styles.xml', 'word/glossary/styles.xml', '[Content_Types].xml'];
    expect(officeReadOrder('docx', names.map((name) => ({ name }))).map((e) => e.name)).toEqual(['word/styles.xml', 'word/glossary/styles.xml', 'word/document.xml', 'word/header1.xml', '[Content_Types].xml']);
    expect(officeReadOrder('odf', ['content.xml', 'styles.xml'].map((name) => ({ name }))).map((e) => e.name)).toEqual(['styles.xml', 'content.xml']);
    expect(officeReadOrder('xlsx', [{ name: 'xl/worksheets/sheet1.xml' }, { name: 'xl/styles.xml' }]).map((e) => e.name)).toEqual(['xl/styles.xml', 'xl/worksheets/sheet1.xml']);
    expect(officeReadOrder('pptx', [{ name: 'b' }, { name: 'a' }]).map((e) => e.name)).toEqual(['b', 'a']);
  });
});
