// A text part in a charset the WHATWG decoders do not have (UTF-7, IBM code pages) is read with the
// wider decoder set the single-part path uses (iconv-lite), also inside a multipart and streamed; a part
// in a charset nothing here can decode, whose bytes are not ASCII, is reported unscannable, never read
// as UTF-8 garbage and passed.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { CARD } from './extraction-fixtures.js';
import { cardFound, describeAnalysis } from './analysis-checks.js';

const raw = (text: string): Buffer => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');
/** UTF-7 (RFC 2152) with the digits and spaces base64-shifted, as a hostile sender would write them. */
const utf7 = (s: string): string => s.replace(/[0-9 ]+/g, (m) => `+${Buffer.from(m, 'utf16le').swap16().toString('base64').replace(/=+$/, '')}-`);
const multipart = (type: string, body: string): Buffer =>
  raw(`From: a@corp.example\nSubject: x\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: ${type}\n\n${body}\n--b\nContent-Type: text/plain\n\nsecond part\n--b--\n`);
const EBCDIC_CARD = Buffer.from([...CARD].map((c) => (c === ' ' ? 0x40 : 0xf0 + Number(c)))).toString('latin1');

describe('evasion: text parts in charsets the WHATWG decoders lack', () => {
  for (const [name, message] of [
    ['a UTF-7 text part in a multipart', multipart('text/plain; charset=utf-7', `card ${utf7(CARD)}`)],
    ['a UTF-7 HTML part in a multipart', multipart('text/html; charset=UTF-7', `<p>card ${utf7(CARD)}</p>`)],
    ['a UTF-7 text part cut across many stream chunks', multipart('text/plain; charset=utf-7', `${'padding line\n'.repeat(3000)}card ${utf7(CARD)}`)],
  ] as const) {
    it(`${name}: the card number is found`, async () => {
      const a = await analyzeMessage(message, DEFAULT_ANALYSIS_LIMITS);
      expect(cardFound(a), describeAnalysis(a)).toBe(true);
    });
  }

  it('an EBCDIC (IBM037) part, a charset nothing here decodes: unscannable (unsupported), naming the charset', async () => {
    const a = await analyzeMessage(multipart('text/plain; charset=ibm037', EBCDIC_CARD), DEFAULT_ANALYSIS_LIMITS);
    const part = a.unscannable.find((u) => u.reason === 'unsupported');
    expect(part, describeAnalysis(a)).toBeDefined();
    expect(part?.detail).toMatch(/ibm037/);
  });

  it('the same EBCDIC part inside an attached message (message/rfc822): unscannable (unsupported), labelled inside the attachment', async () => {
    const inner = multipart('text/plain; charset=ibm037', EBCDIC_CARD).toString('latin1');
    const outer = raw(`From: a@corp.example\nSubject: fwd\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=o\n\n--o\nContent-Type: text/plain\n\nforwarded\n--o\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=fwd.eml\n\n${inner.replace(/\r\n/g, '\n')}\n--o--\n`);
    const a = await analyzeMessage(outer, DEFAULT_ANALYSIS_LIMITS);
    const part = a.unscannable.find((u) => u.reason === 'unsupported');
    expect(part, describeAnalysis(a)).toBeDefined();
    expect(part?.label).toMatch(/fwd\.eml/);
  });

  it('control: an unknown charset label on ASCII text is read as it is, nothing unscannable', async () => {
    const a = await analyzeMessage(multipart('text/plain; charset=x-unknown-label', `plain ascii card ${CARD}`), DEFAULT_ANALYSIS_LIMITS);
    expect(a.unscannable, describeAnalysis(a)).toEqual([]);
    expect(cardFound(a)).toBe(true);
  });

  it('control: an unknown label on mostly-ASCII text with a few high bytes (a mislabelled latin1 letter) is read, nothing unscannable', async () => {
    const a = await analyzeMessage(multipart('text/plain; charset=unknown-8bit', 'Gr\xfc\xdfe aus M\xfcnchen, the quarterly figures are attached as agreed.'), DEFAULT_ANALYSIS_LIMITS);
    expect(a.unscannable, describeAnalysis(a)).toEqual([]);
  });
});
