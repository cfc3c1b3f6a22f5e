import { describe, expect, it } from 'vitest';
import { withoutHiddenWordText } from './office.js';

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
});
