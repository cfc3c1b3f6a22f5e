// Office packages hide text in more places than the main document: image alt text and cell values held
// in attributes, hyperlinks in relationship parts, custom XML data, SmartArt, charts, pivot caches, modern
// comments, slide masters, sheet names, an OpenDocument object embedded in another. Word, Excel or
// LibreOffice show (or give back) every one of them; each must reach a detector. Every package here is
// built in the test with a [Content_Types].xml, so it is recognised as OOXML (or by its mimetype as ODF).
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { CARD, CARD_DIGITS, zip } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

const TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';
const plainDoc = `<?xml version="1.0"?><w:document ${W}><w:body><w:p><w:r><w:t>Quarterly report</w:t></w:r></w:p></w:body></w:document>`;
const plainSheet = '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>';
const plainSlide = '<?xml version="1.0"?><p:sld xmlns:p="p" xmlns:a="a"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Agenda</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>';

const docx = (parts: Record<string, string>): Buffer => zip(Object.entries({ '[Content_Types].xml': TYPES, 'word/document.xml': plainDoc, ...parts }).map(([name, data]) => ({ name, data })));
const xlsx = (parts: Record<string, string>): Buffer => zip(Object.entries({ '[Content_Types].xml': TYPES, 'xl/worksheets/sheet1.xml': plainSheet, ...parts }).map(([name, data]) => ({ name, data })));
const pptx = (parts: Record<string, string>): Buffer => zip(Object.entries({ '[Content_Types].xml': TYPES, 'ppt/slides/slide1.xml': plainSlide, ...parts }).map(([name, data]) => ({ name, data })));

const ODF_NS = 'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"';
const odfContent = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${ODF_NS}><office:body>${body}</office:body></office:document-content>`;
const odt = (parts: Record<string, string>): Buffer =>
  zip([
    { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text', method: 0 },
    ...Object.entries({ 'content.xml': odfContent('<office:text><text:p>Dear customer</text:p></office:text>'), 'META-INF/manifest.xml': '<?xml version="1.0"?><manifest:manifest xmlns:manifest="m"/>', ...parts }).map(([name, data]) => ({ name, data })),
  ]);

interface Variant {
  readonly name: string;
  readonly file: string;
  readonly build: () => Buffer;
}

const VARIANTS: readonly Variant[] = [
  // Word
  { name: 'docx: card in an image alt text (wp:docPr descr)', file: 'alt.docx', build: () => docx({ 'word/document.xml': plainDoc.replace('</w:body>', `<w:p><w:r><w:drawing><wp:inline xmlns:wp="wp"><wp:docPr id="1" name="Picture 1" descr="card ${CARD}"/></wp:inline></w:drawing></w:r></w:p></w:body>`) }) },
  { name: 'docx: card in an external hyperlink target (word/_rels/document.xml.rels)', file: 'link.docx', build: () => docx({ 'word/_rels/document.xml.rels': `<?xml version="1.0"?><Relationships xmlns="r"><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://pay.example.org/?card=${CARD_DIGITS}" TargetMode="External"/></Relationships>` }) },
  { name: 'docx: card only in a custom XML data part (customXml/item1.xml)', file: 'bound.docx', build: () => docx({ 'customXml/item1.xml': `<?xml version="1.0"?><customer><card>${CARD}</card></customer>` }) },
  { name: 'docx: card in a custom XML attribute', file: 'bound-attr.docx', build: () => docx({ 'customXml/item2.xml': `<?xml version="1.0"?><customer card="${CARD}"/>` }) },
  { name: 'docx: card in SmartArt data (word/diagrams/data1.xml)', file: 'smartart.docx', build: () => docx({ 'word/diagrams/data1.xml': `<?xml version="1.0"?><dgm:dataModel xmlns:dgm="d" xmlns:a="a"><dgm:ptLst><dgm:pt><dgm:t><a:p><a:r><a:t>${CARD}</a:t></a:r></a:p></dgm:t></dgm:pt></dgm:ptLst></dgm:dataModel>` }) },
  { name: 'docx: card in a chart title (word/charts/chart1.xml)', file: 'chart.docx', build: () => docx({ 'word/charts/chart1.xml': `<?xml version="1.0"?><c:chartSpace xmlns:c="c" xmlns:a="a"><c:chart><c:title><c:tx><c:rich><a:p><a:r><a:t>${CARD}</a:t></a:r></a:p></c:rich></c:tx></c:title></c:chart></c:chartSpace>` }) },
  { name: 'docx: card in the glossary document (word/glossary/document.xml)', file: 'glossary.docx', build: () => docx({ 'word/glossary/document.xml': `<?xml version="1.0"?><w:glossaryDocument ${W}><w:docParts><w:docPart><w:docPartBody><w:p><w:r><w:t>${CARD}</w:t></w:r></w:p></w:docPartBody></w:docPart></w:docParts></w:glossaryDocument>` }) },
  { name: 'docx: card as a legacy form field default (w:default w:val)', file: 'form.docx', build: () => docx({ 'word/document.xml': plainDoc.replace('</w:body>', `<w:p><w:r><w:fldChar w:fldCharType="begin"><w:ffData><w:name w:val="Text1"/><w:textInput><w:default w:val="${CARD}"/></w:textInput></w:ffData></w:fldChar></w:r></w:p></w:body>`) }) },
  { name: 'docx: card as a drop-down content control item (w:listItem w:displayText)', file: 'dropdown.docx', build: () => docx({ 'word/document.xml': plainDoc.replace('</w:body>', `<w:sdt><w:sdtPr><w:dropDownList><w:listItem w:displayText="${CARD}" w:value="1"/></w:dropDownList></w:sdtPr></w:sdt></w:body>`) }) },
  { name: 'docx: card in a document variable (word/settings.xml w:docVar)', file: 'vars.docx', build: () => docx({ 'word/settings.xml': `<?xml version="1.0"?><w:settings ${W}><w:docVars><w:docVar w:name="customer" w:val="${CARD}"/></w:docVars></w:settings>` }) },
  // Excel
  { name: 'xlsx: card in a pivot cache record (attribute v, the source sheet deleted)', file: 'pivot.xlsx', build: () => xlsx({ 'xl/pivotCache/pivotCacheRecords1.xml': `<?xml version="1.0"?><pivotCacheRecords count="1"><r><s v="Alice"/><s v="${CARD}"/><n v="12"/></r></pivotCacheRecords>` }) },
  { name: 'xlsx: card in a threaded comment (xl/threadedComments)', file: 'comments.xlsx', build: () => xlsx({ 'xl/threadedComments/threadedComment1.xml': `<?xml version="1.0"?><ThreadedComments><threadedComment ref="A1" id="{1}"><text>${CARD}</text></threadedComment></ThreadedComments>` }) },
  { name: 'xlsx: card in a drawing text box (xl/drawings/drawing1.xml)', file: 'box.xlsx', build: () => xlsx({ 'xl/drawings/drawing1.xml': `<?xml version="1.0"?><xdr:wsDr xmlns:xdr="x" xmlns:a="a"><xdr:twoCellAnchor><xdr:sp><xdr:txBody><a:p><a:r><a:t>${CARD}</a:t></a:r></a:p></xdr:txBody></xdr:sp></xdr:twoCellAnchor></xdr:wsDr>` }) },
  { name: 'xlsx: card as a sheet name (xl/workbook.xml)', file: 'names.xlsx', build: () => xlsx({ 'xl/workbook.xml': `<?xml version="1.0"?><workbook><sheets><sheet name="${CARD}" sheetId="1" r:id="rId1" xmlns:r="r"/></sheets></workbook>` }) },
  { name: 'xlsx: card in a defined name (xl/workbook.xml)', file: 'defined.xlsx', build: () => xlsx({ 'xl/workbook.xml': `<?xml version="1.0"?><workbook><definedNames><definedName name="card">"${CARD}"</definedName></definedNames></workbook>` }) },
  { name: 'xlsx: card in a data-validation prompt (attribute prompt)', file: 'prompt.xlsx', build: () => xlsx({ 'xl/worksheets/sheet1.xml': plainSheet.replace('</worksheet>', `<dataValidations count="1"><dataValidation type="list" showInputMessage="1" promptTitle="Card" prompt="use ${CARD}" sqref="A1"/></dataValidations></worksheet>`) }) },
  // PowerPoint
  { name: 'pptx: card on the slide master (shown on every slide)', file: 'master.pptx', build: () => pptx({ 'ppt/slideMasters/slideMaster1.xml': plainSlide.replace('Agenda', CARD).replace(/p:sld\b/g, 'p:sldMaster') }) },
  { name: 'pptx: card on a slide layout', file: 'layout.pptx', build: () => pptx({ 'ppt/slideLayouts/slideLayout1.xml': plainSlide.replace('Agenda', CARD).replace(/p:sld\b/g, 'p:sldLayout') }) },
  { name: 'pptx: card in a slide comment (ppt/comments/comment1.xml)', file: 'comment.pptx', build: () => pptx({ 'ppt/comments/comment1.xml': `<?xml version="1.0"?><p:cmLst xmlns:p="p"><p:cm authorId="0"><p:text>${CARD}</p:text></p:cm></p:cmLst>` }) },
  { name: 'pptx: card in a picture description (p:cNvPr descr)', file: 'pic.pptx', build: () => pptx({ 'ppt/slides/slide1.xml': plainSlide.replace('<p:sp>', `<p:pic><p:nvPicPr><p:cNvPr id="4" name="Picture 3" descr="${CARD}"/></p:nvPicPr></p:pic><p:sp>`) }) },
  // OpenDocument
  { name: 'odt: card in an embedded object (Object 1/content.xml)', file: 'embedded.odt', build: () => odt({ 'Object 1/content.xml': odfContent(`<office:spreadsheet><table:table><table:table-row><table:table-cell><text:p>${CARD}</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`) }) },
  { name: 'ods: card only in a cell value attribute (office:value, shown formatted)', file: 'value.ods', build: () => odt({ 'content.xml': odfContent(`<office:spreadsheet><table:table><table:table-row><table:table-cell office:value-type="float" office:value="${CARD_DIGITS}"><text:p>4.11E+15</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>`) }) },
  { name: 'odt: card in a link target (xlink:href)', file: 'href.odt', build: () => odt({ 'content.xml': odfContent(`<office:text><text:p><text:a xlink:href="https://pay.example.org/?c=${CARD_DIGITS}">pay here</text:a></text:p></office:text>`) }) },
];

describe('evasion: text in every part of an Office package reaches a detector', () => {
  for (const v of VARIANTS) {
    it(`${v.name}: the card number is found`, async () => {
      const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: v.file, content: v.build() }] });
      const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
      expect(cardFound(a), describeAnalysis(a)).toBe(true);
    });
  }

  it('control: formatting attributes (sizes, ids, coordinates, revision ids) do not become text', async () => {
    const noisy = plainDoc.replace(
      '</w:body>',
      '<w:p><w:pPr><w:spacing w:before="4111" w:after="1111"/></w:pPr><w:r w:rsidR="41111111" w:rsidRPr="11111111"><w:rPr><w:sz w:val="4111"/></w:rPr><w:t>plain</w:t></w:r><w:drawing><wp:extent xmlns:wp="wp" cx="4111111" cy="1111111"/><a:off xmlns:a="a" x="4111" y="1111"/></w:drawing></w:p></w:body>',
    );
    const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: 'noisy.docx', content: docx({ 'word/document.xml': noisy, 'word/styles.xml': '<?xml version="1.0"?><w:styles><w:style w:styleId="4111111111111111"/></w:styles>' }) }] });
    const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
    const text = a.segments.map((s) => s.text).join('\n');
    expect(text).toContain('plain');
    expect(text).not.toMatch(/4111/);
  });
});
