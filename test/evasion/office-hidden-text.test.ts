// Word text the reader does not see, put between the digits of a number: a run formatted as hidden
// (<w:vanish/>: Word neither shows nor prints it unless "hidden text" is switched on) or a tracked
// deletion (<w:del>, <w:moveFrom>: gone from the document as it reads once the changes are accepted, and in
// Word's "No Markup" view). Word shows "card 4111 1111 1111 1111"; the text of the XML is "card 4111 zq1111 …".
// The gateway reads the XML's text as before and, where a part has such runs, the text without them too.
// Below: the same through styles (Word's styles.xml, OpenDocument's common styles), and text a reader cannot
// see although nothing hides it (1pt, white on white, no fill), in Word, OpenDocument, slides and sheets.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { zip } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

const TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const run = (text: string, props = ''): string => `<w:r>${props === '' ? '' : `<w:rPr>${props}</w:rPr>`}<w:t xml:space="preserve">${text}</w:t></w:r>`;
/** A document whose one paragraph is "card 4111 ", then `middle`, then "1111 1111 1111". */
const doc = (middle: string, part = 'word/document.xml'): Buffer => {
  const xml = `<?xml version="1.0"?><w:document ${W}><w:body><w:p>${run('card 4111 ')}${middle}${run('1111 1111 1111')}</w:p></w:body></w:document>`;
  return zip(Object.entries({ '[Content_Types].xml': TYPES, 'word/document.xml': part === 'word/document.xml' ? xml : `<?xml version="1.0"?><w:document ${W}><w:body><w:p>${run('see the notes')}</w:p></w:body></w:document>`, ...(part === 'word/document.xml' ? {} : { [part]: xml }) }).map(([name, data]) => ({ name, data })));
};

const VARIANTS: readonly { name: string; build: () => Buffer; found: boolean }[] = [
  { name: 'a hidden run (<w:vanish/>)', build: () => doc(run('zq', '<w:b/><w:vanish/>')), found: true },
  { name: 'a hidden run (<w:vanish w:val="true"/>)', build: () => doc(run('zq', '<w:vanish w:val="true"/>')), found: true },
  { name: 'a hidden run (<w:vanish w:val="1"/>)', build: () => doc(run('zq', '<w:vanish w:val="1"/>')), found: true },
  { name: 'a hidden run (<w:specVanish/>)', build: () => doc(run('zq', '<w:specVanish/>')), found: true },
  { name: 'two hidden runs in a row', build: () => doc(run('z', '<w:vanish/>') + run('q', '<w:vanish/>')), found: true },
  { name: 'a tracked deletion (<w:del><w:r><w:delText>)', build: () => doc('<w:del w:id="1" w:author="A" w:date="2026-12-01T00:00:00Z"><w:r><w:delText>zq</w:delText></w:r></w:del>'), found: true },
  { name: 'a tracked move away (<w:moveFrom>)', build: () => doc('<w:moveFrom w:id="2" w:author="A"><w:r><w:t>zq</w:t></w:r></w:moveFrom>'), found: true },
  { name: 'a hidden run in a footnote part', build: () => doc(run('zq', '<w:vanish/>'), 'word/footnotes.xml'), found: true },
  { name: 'a hidden run in a header part', build: () => doc(run('zq', '<w:vanish/>'), 'word/header1.xml'), found: true },
  // controls
  { name: 'control: <w:vanish w:val="0"/> (shown)', build: () => doc(run('zq', '<w:vanish w:val="0"/>')), found: false },
  { name: 'control: <w:vanish w:val="false"/> (shown)', build: () => doc(run('zq', '<w:vanish w:val="false"/>')), found: false },
  { name: 'control: a tracked insertion (<w:ins>, shown)', build: () => doc('<w:ins w:id="3" w:author="A"><w:r><w:t>zq</w:t></w:r></w:ins>'), found: false },
  { name: 'control: a bold run', build: () => doc(run('zq', '<w:b/>')), found: false },
];

const ODF_NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"';
/** An odt whose paragraph is "card 4111 ", then `middle`, then "1111 1111 1111", with `styles` as its automatic styles. */
const odt = (middle: string, styles = ''): Buffer =>
  zip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
    { name: 'content.xml', data: `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ODF_NS}><office:automatic-styles>${styles}</office:automatic-styles><office:body><office:text><text:p>card 4111 ${middle}1111 1111 1111</text:p></office:text></office:body></office:document-content>` },
    { name: 'META-INF/manifest.xml', data: '<?xml version="1.0"?><manifest:manifest xmlns:manifest="m"/>' },
  ]);
const HIDDEN_STYLE = '<style:style style:name="T1" style:family="text"><style:text-properties text:display="none"/></style:style>';

const ODF_VARIANTS: readonly { name: string; build: () => Buffer; found: boolean }[] = [
  { name: 'odt: a span in an automatic style with text:display="none"', build: () => odt('<text:span text:style-name="T1">zq</text:span>', HIDDEN_STYLE), found: true },
  { name: 'odt: a hidden span holding another span', build: () => odt('<text:span text:style-name="T1"><text:span text:style-name="T2">z</text:span>q</text:span>', HIDDEN_STYLE), found: true },
  { name: 'odt: a hidden-text field (text:hidden-text, text:is-hidden="true")', build: () => odt('<text:hidden-text text:condition="ooow:1" text:string-value="zq" text:is-hidden="true">zq</text:hidden-text>'), found: true },
  { name: 'odt: a tracked deletion is not in the text (its text sits in text:tracked-changes)', build: () => odt('<text:change text:change-id="c1"/>'), found: true },
  { name: 'control: odt: a span in a style that shows', build: () => odt('<text:span text:style-name="T1">zq</text:span>', '<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>'), found: false },
];


// Word hides through styles too: a character style (w:rStyle) or a paragraph style (w:pStyle) in
// word/styles.xml, followed through w:basedOn, and the document defaults (w:docDefaults); a run's own
// property wins over them. Text the reader cannot see although it is not "hidden": a font of 1pt or less
// (w:sz counts half-points), white on a white page, a colour on a highlight or shading of that colour.
// styles.xml is stored after document.xml, as Word writes it.
const styleSheet = (inner: string): string => `<?xml version="1.0"?><w:styles ${W}>${inner}</w:styles>`;
const charStyle = (id: string, rPr: string, extra = ''): string => `<w:style w:type="character" w:styleId="${id}">${extra}<w:rPr>${rPr}</w:rPr></w:style>`;
const paraStyle = (id: string, rPr: string, extra = ''): string => `<w:style w:type="paragraph" w:styleId="${id}">${extra}<w:rPr>${rPr}</w:rPr></w:style>`;
const docDefaults = (rPr: string): string => `<w:docDefaults><w:rPrDefault><w:rPr>${rPr}</w:rPr></w:rPrDefault></w:docDefaults>`;
const HIDES = charStyle('Secret', '<w:vanish/>');
interface StyledDoc { readonly middle: string; readonly digits?: string; readonly pPr?: string; readonly styles?: string; readonly background?: string; readonly tableStyle?: string }
/** "card 4111 " and "1111 1111 1111" in runs with `digits` as their properties, `middle` between them. */
const styledDoc = ({ middle, digits = '', pPr = '', styles, background = '', tableStyle }: StyledDoc): Buffer => {
  const paragraph = `<w:p>${pPr === '' ? '' : `<w:pPr>${pPr}</w:pPr>`}${run('card 4111 ', digits)}${middle}${run('1111 1111 1111', digits)}</w:p>`;
  const body = tableStyle === undefined ? paragraph : `<w:tbl><w:tblPr><w:tblStyle w:val="${tableStyle}"/></w:tblPr><w:tr><w:tc>${paragraph}</w:tc></w:tr></w:tbl>`;
  const xml = `<?xml version="1.0"?><w:document ${W}>${background}<w:body>${body}</w:body></w:document>`;
  return zip([{ name: '[Content_Types].xml', data: TYPES }, { name: 'word/document.xml', data: xml }, ...(styles === undefined ? [] : [{ name: 'word/styles.xml', data: styleSheet(styles) }])]);
};
const VANISHED = run('zq', '<w:vanish/>');
/** "card 4111 1111" in a paragraph whose mark has `mark` as its properties, then "1111 1111" in the next. */
const twoParagraphs = (mark: string): Buffer =>
  zip([
    { name: '[Content_Types].xml', data: TYPES },
    { name: 'word/document.xml', data: `<?xml version="1.0"?><w:document ${W}><w:body><w:p><w:pPr><w:rPr>${mark}</w:rPr></w:pPr>${run('card 4111 1111 ')}</w:p><w:p>${run('1111 1111')}</w:p></w:body></w:document>` },
  ]);
const WHITE = '<w:color w:val="FFFFFF"/>';

const WORD_STYLE_VARIANTS: readonly { name: string; build: () => Buffer; found: boolean }[] = [
  { name: 'a run in a character style that hides (w:rStyle, the style has w:vanish)', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Secret"/>'), styles: HIDES }), found: true },
  { name: 'a character style based on one that hides (w:basedOn)', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Quiet"/>'), styles: HIDES + charStyle('Quiet', '<w:b/>', '<w:basedOn w:val="Secret"/>') }), found: true },
  { name: 'a basedOn chain of three character styles', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="C"/>'), styles: charStyle('C', '<w:i/>', '<w:basedOn w:val="B"/>') + charStyle('B', '<w:b/>', '<w:basedOn w:val="Secret"/>') + HIDES }), found: true },
  { name: 'the paragraph style hides (w:pStyle), the digits shown by their own <w:vanish w:val="0"/>', build: () => styledDoc({ middle: run('zq'), pPr: '<w:pStyle w:val="Gone"/>', digits: '<w:vanish w:val="0"/>', styles: paraStyle('Gone', '<w:vanish/>') }), found: true },
  { name: 'the default paragraph style (w:default="1") hides, the digits shown', build: () => styledDoc({ middle: run('zq'), digits: '<w:vanish w:val="0"/>', styles: '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:rPr><w:vanish/></w:rPr></w:style>' }), found: true },
  { name: 'the table style hides (w:tblStyle, w:type="table"), the digits shown', build: () => styledDoc({ middle: run('zq'), digits: '<w:vanish w:val="0"/>', tableStyle: 'HiddenGrid', styles: '<w:style w:type="table" w:styleId="HiddenGrid"><w:rPr><w:vanish/></w:rPr></w:style>' }), found: true },
  { name: 'a paragraph style that is not defined: the default paragraph style (which hides) applies, the digits shown', build: () => styledDoc({ middle: run('zq'), pPr: '<w:pStyle w:val="Missing"/>', digits: '<w:vanish w:val="0"/>', styles: '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:rPr><w:vanish/></w:rPr></w:style>' }), found: true },
  { name: 'the document defaults hide (w:rPrDefault), the digits shown by w:val="0"', build: () => styledDoc({ middle: run('zq'), digits: '<w:vanish w:val="0"/>', styles: docDefaults('<w:vanish/>') }), found: true },
  { name: 'the document defaults hide, the digits shown by w:val="off"', build: () => styledDoc({ middle: run('zq'), digits: '<w:vanish w:val="off"/>', styles: docDefaults('<w:vanish/>') }), found: true },
  { name: 'a run of 0.5pt (<w:sz w:val="1"/>)', build: () => styledDoc({ middle: run('zq', '<w:sz w:val="1"/>') }), found: true },
  { name: 'a run of 1pt through its character style (w:sz w:val="2")', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Tiny"/>'), styles: charStyle('Tiny', '<w:sz w:val="2"/><w:szCs w:val="2"/>') }), found: true },
  { name: 'a run at 1% width (<w:w w:val="1"/>)', build: () => styledDoc({ middle: run('zq', '<w:w w:val="1"/>') }), found: true },
  { name: 'white text on a white page (<w:color w:val="FFFFFF"/>)', build: () => styledDoc({ middle: run('zq', WHITE) }), found: true },
  { name: 'white text by theme (w:themeColor="background1")', build: () => styledDoc({ middle: run('zq', '<w:color w:val="FFFFFF" w:themeColor="background1"/>') }), found: true },
  { name: 'white text through a character style', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Pale"/>'), styles: charStyle('Pale', WHITE) }), found: true },
  { name: 'near-white text (F8F8F8)', build: () => styledDoc({ middle: run('zq', '<w:color w:val="F8F8F8"/>') }), found: true },
  { name: 'black text on a black highlight (w:highlight)', build: () => styledDoc({ middle: run('zq', '<w:color w:val="000000"/><w:highlight w:val="black"/>') }), found: true },
  { name: 'text on a shading of its own colour (w:shd w:fill)', build: () => styledDoc({ middle: run('zq', '<w:color w:val="1F3864"/><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/>') }), found: true },
  { name: 'a field code (w:instrText) whose result is empty', build: () => styledDoc({ middle: '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> SET zq "" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>' }), found: true },
  { name: 'a paragraph whose mark is hidden (w:pPr/w:rPr/w:vanish) runs on into the next: the number across both', build: () => twoParagraphs('<w:vanish/>'), found: true },
  // visible digits formatted with something that looks like a hider but is not, beside a real hidden filler:
  // a reading that dropped the digits would lose the number in both readings
  { name: 'digits in a hiding character style switched off by the run, a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: '<w:rStyle w:val="Secret"/><w:vanish w:val="0"/>', styles: HIDES }), found: true },
  { name: 'digits in a style whose vanish is w:val="false", a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: '<w:rStyle w:val="Off"/>', styles: charStyle('Off', '<w:vanish w:val="false"/>') }), found: true },
  { name: 'digits in a paragraph style and a character style that both hide (toggled off, ECMA-376 17.7.3), a hidden filler', build: () => styledDoc({ middle: VANISHED, pPr: '<w:pStyle w:val="Gone"/>', digits: '<w:rStyle w:val="Secret"/>', styles: HIDES + paraStyle('Gone', '<w:vanish/>') }), found: true },
  { name: 'digits whose former formatting was hidden (w:rPrChange), a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: '<w:b/><w:rPrChange w:id="5" w:author="A"><w:rPr><w:vanish/></w:rPr></w:rPrChange>' }), found: true },
  { name: 'digits hidden only in web layout (w:webHidden), a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: '<w:webHidden/>' }), found: true },
  { name: 'digits in white on a black run shading, a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: `${WHITE}<w:shd w:val="clear" w:color="auto" w:fill="000000"/>` }), found: true },
  { name: 'digits in white on a black highlight, a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: `${WHITE}<w:highlight w:val="black"/>` }), found: true },
  { name: 'digits in white on a shaded paragraph, a hidden filler', build: () => styledDoc({ middle: VANISHED, pPr: '<w:shd w:val="clear" w:color="auto" w:fill="000000"/>', digits: WHITE }), found: true },
  { name: 'digits in white on a dark page colour (w:background), a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: WHITE, background: '<w:background w:color="000000"/>' }), found: true },
  { name: 'digits in white with an outline (w:outline), a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: `${WHITE}<w:outline/>` }), found: true },
  { name: 'digits whose w:val is white but whose theme colour is text1, a hidden filler', build: () => styledDoc({ middle: VANISHED, digits: '<w:color w:val="FFFFFF" w:themeColor="text1"/>' }), found: true },
  { name: 'digits whose run sets 12pt over a 1pt character style, a tiny filler', build: () => styledDoc({ middle: run('zq', '<w:sz w:val="1"/>'), digits: '<w:rStyle w:val="Tiny"/><w:sz w:val="24"/>', styles: charStyle('Tiny', '<w:sz w:val="2"/>') }), found: true },
  // controls: the filler is seen
  { name: 'control: two paragraphs whose mark is shown: the number on two lines', build: () => twoParagraphs('<w:b/>'), found: false },
  { name: 'control: a hiding character style switched off by the run', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Secret"/><w:vanish w:val="0"/>'), styles: HIDES }), found: false },
  { name: 'control: a table style that hides, switched off by every run', build: () => styledDoc({ middle: run('zq', '<w:vanish w:val="0"/>'), digits: '<w:vanish w:val="0"/>', tableStyle: 'HiddenGrid', styles: '<w:style w:type="table" w:styleId="HiddenGrid"><w:rPr><w:vanish/></w:rPr></w:style>' }), found: false },
  { name: 'control: a hiding style no run uses', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Other"/>'), styles: HIDES }), found: false },
  { name: 'control: a style whose vanish is w:val="false"', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Off"/>'), styles: charStyle('Off', '<w:vanish w:val="false"/>') }), found: false },
  { name: 'control: a run at 4pt (w:sz w:val="8")', build: () => styledDoc({ middle: run('zq', '<w:sz w:val="8"/>') }), found: false },
  { name: 'control: white text on a black run shading', build: () => styledDoc({ middle: run('zq', `${WHITE}<w:shd w:val="clear" w:color="auto" w:fill="000000"/>`) }), found: false },
  { name: 'control: white text on a dark page colour', build: () => styledDoc({ middle: run('zq', WHITE), background: '<w:background w:color="1F1F1F"/>' }), found: false },
  { name: 'control: light grey text (C0C0C0)', build: () => styledDoc({ middle: run('zq', '<w:color w:val="C0C0C0"/>') }), found: false },
  { name: 'control: yellow text (FFFF00, 1.074:1 on white: faint, not unseen)', build: () => styledDoc({ middle: run('zq', '<w:color w:val="FFFF00"/>') }), found: false },
  { name: 'near-white text given by a style, the part holding no colour of its own', build: () => styledDoc({ middle: run('zq', '<w:rStyle w:val="Pale"/>'), styles: charStyle('Pale', '<w:color w:val="FAFAFA"/>') }), found: true },
  { name: 'control: text hidden only in web layout (w:webHidden)', build: () => styledDoc({ middle: run('zq', '<w:webHidden/>') }), found: false },
  { name: 'control: a field result (after w:fldChar separate) is shown', build: () => styledDoc({ middle: '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> QUOTE "zq" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>zq</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>' }), found: false },
];

// OpenDocument: common styles (styles.xml, not content.xml's automatic styles), parent styles, paragraph
// styles, hidden paragraphs and sections (inside an inline text box, the only place a block sits within a
// line of text), and text a reader cannot see (a font of 1pt or less, white on a white page).
const FO = 'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"';
interface StyledOdt { readonly middle: string; readonly auto?: string; readonly common?: string; readonly pStyle?: string; readonly digits?: string }
const textStyle = (name: string, props: string, parent = ''): string => `<style:style style:name="${name}" style:family="text"${parent === '' ? '' : ` style:parent-style-name="${parent}"`}><style:text-properties ${props}/></style:style>`;
const paraStyleOdf = (name: string, props: string, parent = ''): string => `<style:style style:name="${name}" style:family="paragraph"${parent === '' ? '' : ` style:parent-style-name="${parent}"`}><style:text-properties ${props}/></style:style>`;
/** An odt whose paragraph (style `pStyle`) is "card 4111 ", `middle`, "1111 1111 1111"; the digits in spans of style `digits`. */
const styledOdt = ({ middle, auto = '', common, pStyle, digits }: StyledOdt): Buffer => {
  const span = (t: string): string => (digits === undefined ? t : `<text:span text:style-name="${digits}">${t}</text:span>`);
  const content = `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ODF_NS} ${FO}><office:automatic-styles>${auto}</office:automatic-styles><office:body><office:text><text:p${pStyle === undefined ? '' : ` text:style-name="${pStyle}"`}>${span('card 4111 ')}${middle}${span('1111 1111 1111')}</text:p></office:text></office:body></office:document-content>`;
  return zip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
    { name: 'content.xml', data: content },
    ...(common === undefined ? [] : [{ name: 'styles.xml', data: `<?xml version="1.0" encoding="UTF-8"?><office:document-styles ${ODF_NS} ${FO}><office:styles>${common}</office:styles></office:document-styles>` }]),
    { name: 'META-INF/manifest.xml', data: '<?xml version="1.0"?><manifest:manifest xmlns:manifest="m"/>' },
  ]);
};
const NONE = 'text:display="none"';
const inlineBox = (inner: string): string => `<draw:frame text:anchor-type="as-char"><draw:text-box>${inner}</draw:text-box></draw:frame>`;
const zqSpan = (style: string): string => `<text:span text:style-name="${style}">zq</text:span>`;

const ODF_STYLE_VARIANTS: readonly { name: string; build: () => Buffer; found: boolean }[] = [
  { name: 'odt: a span in a common style (styles.xml) with text:display="none"', build: () => styledOdt({ middle: zqSpan('Secret'), common: textStyle('Secret', NONE) }), found: true },
  { name: 'odt: a span whose automatic style has a hiding parent (style:parent-style-name)', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:font-weight="bold"', 'Secret'), common: textStyle('Secret', NONE) }), found: true },
  { name: 'odt: a common style whose grandparent hides', build: () => styledOdt({ middle: zqSpan('C'), common: textStyle('C', 'fo:font-style="italic"', 'B') + textStyle('B', 'fo:font-weight="bold"', 'Secret') + textStyle('Secret', NONE) }), found: true },
  { name: 'odt: the paragraph style hides, the digits in spans shown (text:display="true")', build: () => styledOdt({ middle: 'zq', pStyle: 'Gone', digits: 'Shown', common: paraStyleOdf('Gone', NONE), auto: textStyle('Shown', 'text:display="true"') }), found: true },
  { name: 'odt: a hidden paragraph (text:hidden-paragraph) in an inline text box', build: () => styledOdt({ middle: inlineBox('<text:p><text:hidden-paragraph text:condition="ooow:1" text:is-hidden="true"/>zq</text:p>') }), found: true },
  { name: 'odt: a hidden section (text:display="none") in an inline text box', build: () => styledOdt({ middle: inlineBox('<text:section text:name="S" text:display="none"><text:p>zq</text:p></text:section>') }), found: true },
  { name: 'odt: a paragraph with a hiding style in an inline text box', build: () => styledOdt({ middle: inlineBox('<text:p text:style-name="Gone">zq</text:p>'), common: paraStyleOdf('Gone', NONE) }), found: true },
  { name: 'odt: a span of 1pt (fo:font-size="1pt")', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:font-size="1pt"') }), found: true },
  { name: 'odt: a span of 5% of a 12pt paragraph (fo:font-size="5%")', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:font-size="5%"') }), found: true },
  { name: 'odt: a span squeezed to 1% width (style:text-scale="1%")', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'style:text-scale="1%"') }), found: true },
  { name: 'odt: a white span (fo:color="#ffffff") on a white page', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:color="#ffffff"') }), found: true },
  { name: 'odt: a white span through a common style', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:font-weight="bold"', 'Pale'), common: textStyle('Pale', 'fo:color="#FFFFFF"') }), found: true },
  { name: 'odt: digits shown (text:display="true") in a style whose parent hides, a hidden filler', build: () => styledOdt({ middle: zqSpan('Secret'), digits: 'Shown', auto: textStyle('Shown', 'text:display="true"', 'Secret'), common: textStyle('Secret', NONE) }), found: true },
  { name: 'odt: white digits on a black span background, a hidden filler', build: () => styledOdt({ middle: zqSpan('Secret'), digits: 'Inverse', auto: textStyle('Inverse', 'fo:color="#ffffff" fo:background-color="#000000"'), common: textStyle('Secret', NONE) }), found: true },
  { name: 'odt: white digits in a paragraph with a black background, a hidden filler', build: () => styledOdt({ middle: zqSpan('Secret'), pStyle: 'Dark', digits: 'Pale', auto: textStyle('Pale', 'fo:color="#ffffff"'), common: textStyle('Secret', NONE) + '<style:style style:name="Dark" style:family="paragraph"><style:paragraph-properties fo:background-color="#000000"/></style:style>' }), found: true },
  { name: 'control: odt: a span whose own style shows though its parent hides', build: () => styledOdt({ middle: zqSpan('Shown'), auto: textStyle('Shown', 'text:display="true"', 'Secret'), common: textStyle('Secret', NONE) }), found: false },
  { name: 'control: odt: a white span on a black span background', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:color="#ffffff" fo:background-color="#000000"') }), found: false },
  { name: 'control: odt: a paragraph style of that name in styles.xml does not hide a text span', build: () => styledOdt({ middle: zqSpan('Gone'), common: paraStyleOdf('Gone', NONE) }), found: false },
  { name: 'control: odt: a span at 50% width', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'style:text-scale="50%"') }), found: false },
  { name: 'control: odt: a span of 6pt', build: () => styledOdt({ middle: zqSpan('T1'), auto: textStyle('T1', 'fo:font-size="6pt"') }), found: false },
];

// PowerPoint (DrawingML): a run of 1pt or less (a:rPr sz counts hundredths of a point) or with no text fill.
const slide = (middle: string, digits = '', pPr = '', lstStyle = ''): Buffer => {
  const r = (t: string): string => `<a:r>${digits === '' ? '' : `<a:rPr lang="en-US"${digits}</a:rPr>`}<a:t>${t}</a:t></a:r>`;
  const xml = `<?xml version="1.0"?><p:sld xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="Text 1"/></p:nvSpPr><p:txBody><a:bodyPr/>${lstStyle}<a:p>${pPr}${r('card 4111 ')}${middle}${r('1111 1111 1111')}</a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`;
  return zip([{ name: '[Content_Types].xml', data: TYPES }, { name: 'ppt/slides/slide1.xml', data: xml }]);
};
const TINY = '<a:r><a:rPr lang="en-US" sz="100"/><a:t>zq</a:t></a:r>';
const SLIDE_VARIANTS: readonly { name: string; build: () => Buffer; found: boolean }[] = [
  { name: 'pptx: a run of 1pt (a:rPr sz="100")', build: () => slide(TINY), found: true },
  { name: 'pptx: a run with no text fill (a:noFill)', build: () => slide('<a:r><a:rPr lang="en-US"><a:noFill/></a:rPr><a:t>zq</a:t></a:r>'), found: true },
  { name: 'pptx: digits whose outline has no fill (a:ln a:noFill), a 1pt filler', build: () => slide(TINY, '><a:ln><a:noFill/></a:ln>'), found: true },
  { name: 'pptx: digits with no fill but a drawn outline, a 1pt filler', build: () => slide(TINY, '><a:ln w="9525"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln><a:noFill/>'), found: true },
  { name: 'pptx: a run without a size in a paragraph whose runs default to 1pt (a:pPr/a:defRPr), the digits 18pt', build: () => slide('<a:r><a:rPr lang="en-US"/><a:t>zq</a:t></a:r>', ' sz="1800">', '<a:pPr><a:defRPr sz="100"/></a:pPr>'), found: true },
  { name: 'pptx: a run without a size in a text body whose list style is 1pt (a:lstStyle/a:lvl1pPr/a:defRPr), the digits 18pt', build: () => slide('<a:r><a:t>zq</a:t></a:r>', ' sz="1800">', '', '<a:lstStyle><a:lvl1pPr><a:defRPr sz="100"/></a:lvl1pPr></a:lstStyle>'), found: true },
  { name: 'control: pptx: a run of 18pt in a paragraph whose runs default to 1pt', build: () => slide('<a:r><a:rPr lang="en-US" sz="1800"/><a:t>zq</a:t></a:r>', ' sz="1800">', '<a:pPr><a:defRPr sz="100"/></a:pPr>'), found: false },
  { name: 'control: pptx: a 1pt list style for level 2, the paragraph at level 1', build: () => slide('<a:r><a:t>zq</a:t></a:r>', '', '', '<a:lstStyle><a:lvl2pPr><a:defRPr sz="100"/></a:lvl2pPr></a:lstStyle>'), found: false },
  { name: 'control: pptx: a run of 8pt', build: () => slide('<a:r><a:rPr lang="en-US" sz="800"/><a:t>zq</a:t></a:r>'), found: false },
  { name: 'control: pptx: a run whose outline has no fill', build: () => slide('<a:r><a:rPr lang="en-US"><a:ln><a:noFill/></a:ln></a:rPr><a:t>zq</a:t></a:r>'), found: false },
  { name: 'control: pptx: a run with no fill but an outline', build: () => slide('<a:r><a:rPr lang="en-US"><a:ln w="9525"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln><a:noFill/></a:rPr><a:t>zq</a:t></a:r>'), found: false },
];

// Excel: a number lives in one cell; rich text in a shared string holds runs, and a run of 1pt (<sz val="1"/>,
// points here) is a speck within the cell's number.
const sharedStrings = (middle: string): Buffer =>
  zip([
    { name: '[Content_Types].xml', data: TYPES },
    { name: 'xl/worksheets/sheet1.xml', data: '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>' },
    { name: 'xl/sharedStrings.xml', data: `<?xml version="1.0"?><sst count="1" uniqueCount="1"><si><r><t xml:space="preserve">card 4111 </t></r>${middle}<r><t>1111 1111 1111</t></r></si></sst>` },
  ]);
// A row's cells read as one line (a card typed over four cells is found); a cell whose number format is
// ";;;" shows nothing (Excel shows its value only in the formula bar), so between the groups it splits the
// number in that line and not on the screen.
const row = (middle: string, formats = ';;;'): Buffer =>
  zip([
    { name: '[Content_Types].xml', data: TYPES },
    { name: 'xl/worksheets/sheet1.xml', data: `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>4111</v></c>${middle}<c r="C1"><v>1111</v></c><c r="D1"><v>1111</v></c><c r="E1"><v>1111</v></c></row></sheetData></worksheet>` },
    { name: 'xl/styles.xml', data: `<?xml version="1.0"?><styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="${formats}"/></numFmts><cellXfs count="2"><xf numFmtId="0" fontId="0"/><xf numFmtId="164" fontId="0" applyNumberFormat="1"/></cellXfs></styleSheet>` },
  ]);
const SHEET_VARIANTS: readonly { name: string; build: () => Buffer; found: boolean }[] = [
  { name: 'xlsx: a card typed over four cells of a row', build: () => row(''), found: true },
  { name: 'xlsx: a cell formatted ";;;" (shows nothing) between the groups of a card typed over cells', build: () => row('<c r="B1" s="1"><v>99</v></c>'), found: true },
  { name: 'xlsx: an inline-string cell formatted ";;;" between the groups', build: () => row('<c r="B1" s="1" t="inlineStr"><is><t>zq</t></is></c>'), found: true },
  { name: 'control: xlsx: a cell formatted "0;-0;;@" (a number shows) between the groups', build: () => row('<c r="B1" s="1"><v>99</v></c>', '0;-0;;@'), found: false },
  { name: 'xlsx: a rich-text run of 1pt in a shared string (<sz val="1"/>)', build: () => sharedStrings('<r><rPr><sz val="1"/><rFont val="Calibri"/></rPr><t>zq</t></r>'), found: true },
  { name: 'control: xlsx: a rich-text run of 6pt', build: () => sharedStrings('<r><rPr><sz val="6"/></rPr><t>zq</t></r>'), found: false },
];

/** Each variant attached as `filename`: the card found, or (a control) nothing found. */
function attachedSuite(variants: readonly { name: string; build: () => Buffer; found: boolean }[], filename: string): void {
  for (const v of variants) {
    it(`${v.name}: ${v.found ? 'the card number is found' : 'nothing is found'}`, async () => {
      const raw = await buildMessage({ text: 'see attached', attachments: [{ filename, content: v.build() }] });
      const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
      expect(cardFound(a), describeAnalysis(a)).toBe(v.found);
    });
  }
}

describe('evasion: OpenDocument text hidden from the reader between the digits', () => {
  attachedSuite(ODF_VARIANTS, 'report.odt');
  attachedSuite(ODF_STYLE_VARIANTS, 'styled.odt');
});

describe('evasion: Word text hidden through styles or by its look', () => {
  attachedSuite(WORD_STYLE_VARIANTS, 'styled.docx');
});

describe('evasion: slide and sheet text the reader cannot see', () => {
  attachedSuite(SLIDE_VARIANTS, 'deck.pptx');
  attachedSuite(SHEET_VARIANTS, 'book.xlsx');
});

describe('evasion: Word text hidden from the reader between the digits', () => {
  attachedSuite(VARIANTS, 'report.docx');

  it('the hidden text itself is still inspected', async () => {
    const content = zip([
      { name: '[Content_Types].xml', data: TYPES },
      { name: 'word/document.xml', data: `<?xml version="1.0"?><w:document ${W}><w:body><w:p>${run('hello ')}${run('4111 1111 1111 1111', '<w:vanish/>')}</w:p></w:body></w:document>` },
    ]);
    const a = await analyzeMessage(await buildMessage({ text: 'see attached', attachments: [{ filename: 'report.docx', content }] }), DEFAULT_ANALYSIS_LIMITS);
    expect(cardFound(a), describeAnalysis(a)).toBe(true);
  });
});
