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

describe('evasion: Word text hidden from the reader between the digits', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: ${v.found ? 'the card number is found' : 'nothing is found'}`, async () => {
      const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: 'report.docx', content: v.build() }] });
      const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
      expect(cardFound(a), describeAnalysis(a)).toBe(v.found);
    });
  }

  it('the hidden text itself is still inspected', async () => {
    const content = zip([
      { name: '[Content_Types].xml', data: TYPES },
      { name: 'word/document.xml', data: `<?xml version="1.0"?><w:document ${W}><w:body><w:p>${run('hello ')}${run('4111 1111 1111 1111', '<w:vanish/>')}</w:p></w:body></w:document>` },
    ]);
    const a = await analyzeMessage(await buildMessage({ text: 'see attached', attachments: [{ filename: 'report.docx', content }] }), DEFAULT_ANALYSIS_LIMITS);
    expect(cardFound(a), describeAnalysis(a)).toBe(true);
  });
});
