// "Protect it with a password" is the first thing a user tries after "zip it": an encrypted Office
// document is an OLE compound file (EncryptedPackage for OOXML, FIB fEncrypted for .doc, FILEPASS for
// .xls, EncryptedSummary for .ppt). Its printable strings say nothing of its content, so it must be
// reported unscannable ('encrypted'), never read for strings and passed. Unencrypted legacy files are
// still read for their strings.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { buildMessage } from '../fixtures/policy/helpers.js';
import { cfb, wordStream, workbookStream } from './cfb-fixtures.js';
import { CARD } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const analyse = async (filename: string, content: Buffer, contentType?: string): Promise<MessageAnalysis> =>
  analyzeMessage(await buildMessage({ text: 'see attached', attachments: [{ filename, content, ...(contentType === undefined ? {} : { contentType }) }] }), DEFAULT_ANALYSIS_LIMITS);
const ENCRYPTED: readonly { readonly name: string; readonly file: string; readonly type?: string; readonly build: () => Buffer; readonly detail: RegExp }[] = [
  { name: 'password-protected xlsx (EncryptionInfo in the mini stream, EncryptedPackage in sectors)', file: 'salaries.xlsx', type: XLSX_TYPE, build: () => cfb([{ name: 'EncryptionInfo', data: randomBytes(300) }, { name: 'EncryptedPackage', data: randomBytes(9000) }]), detail: /EncryptedPackage/ },
  { name: 'password-protected docx declared application/octet-stream, named data.bin', file: 'data.bin', type: 'application/octet-stream', build: () => cfb([{ name: 'EncryptedPackage', data: randomBytes(5000) }, { name: 'EncryptionInfo', data: randomBytes(200) }]), detail: /EncryptedPackage/ },
  { name: 'password-protected .doc (FIB fEncrypted)', file: 'letter.doc', build: () => cfb([{ name: 'WordDocument', data: wordStream('x', true) }, { name: '1Table', data: randomBytes(600) }]), detail: /fEncrypted/ },
  { name: 'password-protected .xls (FILEPASS after BOF, workbook in the mini stream)', file: 'book.xls', build: () => cfb([{ name: 'Workbook', data: workbookStream('x', true) }]), detail: /FILEPASS/ },
  { name: 'password-protected .ppt (EncryptedSummary)', file: 'deck.ppt', build: () => cfb([{ name: 'PowerPoint Document', data: randomBytes(5000) }, { name: 'EncryptedSummary', data: randomBytes(500) }]), detail: /PowerPoint/ },
];

describe('evasion: password-protected Office documents are reported, not passed', () => {
  for (const v of ENCRYPTED) {
    it(`${v.name}: unscannable (encrypted)`, async () => {
      const a = await analyse(v.file, v.build(), v.type);
      const part = a.unscannable.find((u) => u.reason === 'encrypted');
      expect(part, describeAnalysis(a)).toBeDefined();
      expect(part?.label).toBe(v.file);
      expect(part?.detail).toMatch(v.detail);
    });
  }

  it('control: an unencrypted .doc is read for its strings, the card found, nothing unscannable', async () => {
    const a = await analyse('letter.doc', cfb([{ name: 'WordDocument', data: wordStream(`customer card ${CARD}`, false) }]));
    expect(a.unscannable, describeAnalysis(a)).toEqual([]);
    expect(cardFound(a), describeAnalysis(a)).toBe(true);
  });

  it('control: an unencrypted .xls (workbook in the mini stream) is read for its strings', async () => {
    const a = await analyse('book.xls', cfb([{ name: 'Workbook', data: workbookStream(`card ${CARD}`, false) }]));
    expect(a.unscannable, describeAnalysis(a)).toEqual([]);
    expect(cardFound(a), describeAnalysis(a)).toBe(true);
  });

  it('a damaged compound file (cut after its header) is read for strings, not taken for encrypted', async () => {
    const a = await analyse('cut.doc', cfb([{ name: 'EncryptedPackage', data: randomBytes(5000) }]).subarray(0, 600));
    expect(a.unscannable.map((u) => u.reason)).not.toContain('encrypted');
  });
});
