// Numbers whose groups are separated by a dash a reader takes for a hyphen but that is not U+002D: en
// and em dash, hyphen, non-breaking hyphen, figure dash, horizontal bar, minus sign, small and full-width
// hyphen-minus, and windows-1252's 0x96/0x97. The card detector accepted some of them itself; the SSN
// scan and every catalogue identifier written with '-' (UK NHS, Finnish HETU's century sign, Swedish
// personnummer, Spanish NIE…) read only U+002D, so "536–22–4417" was no SSN. The detection text now
// reads every dash as '-' (detection-text.ts), for every detector at once.
import { describe, expect, it } from 'vitest';
import { detectionText } from '../../engine/policy/detectors/detection-text.js';
import { lookupIdentifier } from '../../engine/policy/detectors/identifiers/catalogue.js';
import { scanUsSsns } from '../../engine/policy/detectors/us-ssn.js';
import { analysisSuite, b64, inMultipart, single, smtpSuite, type Variant } from './variant-suite.js';

const DASHES: readonly (readonly [string, string])[] = [
  ['en dash U+2013', '\u2013'],
  ['em dash U+2014', '\u2014'],
  ['hyphen U+2010', '\u2010'],
  ['non-breaking hyphen U+2011', '\u2011'],
  ['figure dash U+2012', '\u2012'],
  ['horizontal bar U+2015', '\u2015'],
  ['minus sign U+2212', '\u2212'],
  ['small hyphen-minus U+FE63', '\ufe63'],
  ['small em dash U+FE58', '\ufe58'],
  ['full-width hyphen-minus U+FF0D', '\uff0d'],
];
const SSN = ['536', '22', '4417'];
const ssn = (sep: string): string => SSN.join(sep);
const utf8 = (s: string): Buffer => single('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64', b64(s));

const VARIANTS: readonly Variant[] = [
  ...DASHES.map(([name, d], i): Variant => ({ name: `SSN with ${name} (UTF-8, base64)`, build: () => utf8(`employee ssn ${ssn(d)} on file`), expect: 'ssn', ...(i < 3 || d === '\u2212' ? { smtp: true as const } : {}) })),
  { name: 'SSN with windows-1252 en dashes (0x96), 8bit', build: () => single('Content-Type: text/plain; charset=windows-1252\nContent-Transfer-Encoding: 8bit', `ssn ${ssn('\x96')}`), expect: 'ssn', smtp: true },
  { name: 'SSN with en dashes in an HTML part', build: () => single('Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64', b64(`<p>ssn <b>${ssn('\u2013')}</b></p>`)), expect: 'ssn' },
  { name: 'SSN with &ndash; entities in HTML', build: () => single('Content-Type: text/html; charset=utf-8', `<p>ssn ${ssn('&ndash;')}</p>`), expect: 'ssn', smtp: true },
  { name: 'SSN with en dashes in a text attachment of a multipart', build: () => inMultipart('Content-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename=hr.txt\nContent-Transfer-Encoding: base64', b64(`ssn ${ssn('\u2013')}`)), expect: 'ssn', smtp: true },
  { name: 'card with horizontal bars at the end of a text over 1 MiB (windows)', build: () => utf8(`${'filler words without numbers\n'.repeat(40000)}card ${['4111', '1111', '1111', '1111'].join('\u2015')}`), expect: 'card' },
  { name: 'card with horizontal bars U+2015', build: () => utf8(`card ${['4111', '1111', '1111', '1111'].join('\u2015')}`), expect: 'card', smtp: true },
  // held before the change
  { name: 'SSN with ASCII hyphens', build: () => utf8(`ssn ${ssn('-')}`), expect: 'ssn' },
  { name: 'card with en dashes', build: () => utf8(`card ${['4111', '1111', '1111', '1111'].join('\u2013')}`), expect: 'card' },
  // controls
  { name: 'control: dates and ranges with en dashes, no SSN', build: () => utf8('pages 12\u201314, 2024\u201310\u201331, 555\u20130100'), expect: 'clean', smtp: true },
];

analysisSuite('evasion: typographic dashes between the groups of a number (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: typographic dashes', 'dashes', VARIANTS);
// the analysis suite's windowed scan carries card findings only, so a long text's SSN is checked end to end
smtpSuite('evasion over SMTP: typographic dashes in a long text', 'dashes-long', [
  { name: 'SSN with en dashes at the end of a text over 1 MiB (scanned in windows)', build: () => utf8(`${'filler words without numbers\n'.repeat(40000)}ssn ${ssn('\u2013')}`), expect: 'ssn', smtp: true },
]);

describe('typographic dashes in the detection text', () => {
  it('every dash a reader takes for a hyphen reads as one; the text keeps its length where nothing is dropped', () => {
    for (const [name, d] of DASHES) {
      expect(detectionText(`a${d}b`), name).toBe('a-b');
      expect(scanUsSsns(detectionText(`x ${ssn(d)} y`)).count, name).toBe(1);
    }
  });
  it('catalogue identifiers written with a hyphen are found with an en dash too', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['uk-nhs', '943\u2013476\u20135919'],
      ['fi-hetu', '131052\u2013308T'],
      ['se-personnummer', '811228\u20139874'],
      ['us-ssn', '536\u201322\u20134417'],
    ];
    for (const [name, value] of cases) {
      const id = lookupIdentifier(name);
      expect(id, name).toBeDefined();
      const plain = [...(id?.find(`ref ${value.replace(/\u2013/g, '-')} end`) ?? [])].length;
      expect(plain, `${name} with '-'`).toBe(1);
      expect([...(id?.find(detectionText(`ref ${value} end`)) ?? [])].length, `${name} with an en dash`).toBe(1);
    }
  });
});
