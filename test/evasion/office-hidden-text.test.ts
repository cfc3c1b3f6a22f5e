// Word text the reader does not see, put between the digits of a number: a run formatted as hidden
// (<w:vanish/>: Word neither shows nor prints it unless "hidden text" is switched on) or a tracked
// deletion (<w:del>, <w:moveFrom>: gone from the document as it reads once the changes are accepted, and in
// Word's "No Markup" view). Word shows "card 4111 1111 1111 1111"; the text of the XML is "card 4111 zq1111 …".
// The gateway reads the XML's text as before and, where a part has such runs, the text without them too.
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
