import { Readable } from 'node:stream';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildMessage, docx, kdbx, xlsx } from '../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../analysis.js';
import { analyzeMessage } from './analyze.js';

const analyze = (raw: Buffer | string, limits = DEFAULT_ANALYSIS_LIMITS): Promise<MessageAnalysis> =>
  analyzeMessage(typeof raw === 'string' ? Buffer.from(raw.replace(/\n/g, '\r\n'), 'latin1') : raw, limits);

const texts = (a: MessageAnalysis, location?: string): string =>
  a.segments.filter((s) => location === undefined || s.location === location).map((s) => s.text).join('\n');

describe('analyzeMessage', () => {
  it('decodes base64 UTF-8 bodies and encoded-word subjects', async () => {
    const body = Buffer.from('Grüße, card 4111 1111 1111 1111\n').toString('base64');
    const a = await analyze(`From: a@x.test\nSubject: =?UTF-8?B?${Buffer.from('Prüfung').toString('base64')}?=\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n${body}\n`);
    expect(a.subject).toBe('Prüfung');
    expect(texts(a, 'body')).toContain('Grüße, card 4111 1111 1111 1111');
    expect(a.limitsHit).toEqual([]);
  });

  it('decodes quoted-printable ISO-8859-1 bodies', async () => {
    const a = await analyze('Subject: qp\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\nStra=DFe und M=FCnchen, project=\n falcon\n');
    expect(texts(a, 'body')).toContain('Straße und München, project falcon');
  });

  it('reduces HTML to visible text, and inspects script, style and attribute text beside it', async () => {
    const raw = await buildMessage({ html: '<style>p{x:1}</style><p title="tip">Hello&nbsp;<b>confidential</b> &amp; more</p><script>var x = "hidden";</script>' });
    const a = await analyze(raw);
    const visible = a.segments.find((s) => s.label === 'html')?.text ?? '';
    expect(visible).toContain('Hello confidential & more');
    expect(visible).not.toContain('hidden');
    expect(visible).not.toContain('<b>');
    const hidden = a.segments.find((s) => s.label === 'html (attributes, comments, scripts)')?.text ?? '';
    expect(hidden.split('\n')).toEqual(['p{x:1}', 'tip', 'var x = "hidden";']);
  });

  it('lists attachments with declared and sniffed type and size, and reads text attachments', async () => {
    const raw = await buildMessage({
      text: 'see attached',
      attachments: [
        { filename: 'notes.txt', content: 'IBAN DE89370400440532013000' },
        { filename: 'vacation.jpg', content: Buffer.from(kdbx()), contentType: 'image/jpeg' },
      ],
    });
    const a = await analyze(raw);
    expect(a.attachments).toEqual([
      { name: 'notes.txt', declaredType: 'text/plain', sniffedType: 'text/plain', size: 27, container: undefined },
      { name: 'vacation.jpg', declaredType: 'image/jpeg', sniffedType: 'application/x-keepass2', size: 76, container: undefined },
    ]);
    expect(texts(a, 'attachments')).toContain('IBAN DE89370400440532013000');
  });

  it('extracts text from docx and xlsx built with fflate', async () => {
    const raw = await buildMessage({
      text: 'reports',
      attachments: [
        { filename: 'report.docx', content: Buffer.from(docx(['Quarterly numbers', 'card 4111-1111-1111-1111'])) },
        { filename: 'sheet.xlsx', content: Buffer.from(xlsx(['name', 'SSN 123-45-6780'])) },
      ],
    });
    const a = await analyze(raw);
    const att = texts(a, 'attachments');
    expect(att).toContain('card 4111-1111-1111-1111');
    expect(att).toContain('SSN 123-45-6780');
    expect(att).toContain('5555555555554444');
    expect(a.attachments.map((x) => x.sniffedType)).toEqual([
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ]);
  });

  it('extracts slide text from pptx', async () => {
    const pptx = zipSync({
      '[Content_Types].xml': strToU8('<Types/>'),
      'ppt/slides/slide1.xml': strToU8('<p:sld><a:p><a:r><a:t>Project </a:t></a:r><a:r><a:t>Falcon</a:t></a:r></a:p><a:p><a:r><a:t>IBAN GB82 WEST 1234 5698 7654 32</a:t></a:r></a:p></p:sld>'),
    });
    const a = await analyze(await buildMessage({ text: 'deck', attachments: [{ filename: 'deck.pptx', content: Buffer.from(pptx) }] }));
    expect(texts(a, 'attachments')).toContain('Project Falcon\nIBAN GB82 WEST 1234 5698 7654 32');
    expect(a.attachments[0]?.sniffedType).toBe('application/vnd.openxmlformats-officedocument.presentationml.presentation');
  });

  it('opens zips: file names become text and inner files become attachments', async () => {
    const zip = zipSync({ 'vault/Passwords.kdbx': kdbx(), 'readme.txt': strToU8('project falcon plans') });
    const raw = await buildMessage({ text: 'backup', attachments: [{ filename: 'backup.zip', content: Buffer.from(zip) }] });
    const a = await analyze(raw);
    expect(a.attachments.map((x) => [x.name, x.sniffedType, x.container])).toEqual([
      ['backup.zip', 'application/zip', undefined],
      ['Passwords.kdbx', 'application/x-keepass2', 'backup.zip'],
      ['readme.txt', 'text/plain', 'backup.zip'],
    ]);
    const att = texts(a, 'attachments');
    expect(att).toContain('vault/Passwords.kdbx');
    expect(att).toContain('project falcon plans');
  });

  it('inspects nested message/rfc822 parts', async () => {
    const inner = await buildMessage({ subject: 'inner', text: 'inner card 378282246310005', attachments: [{ filename: 'deep.txt', content: 'deep secret' }] });
    const raw = await buildMessage({ text: 'forwarding', attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822' }] });
    const a = await analyze(raw);
    expect(texts(a)).toContain('inner card 378282246310005');
    expect(a.attachments.map((x) => x.name)).toContain('deep.txt');
    expect(texts(a, 'attachments')).toContain('deep secret');
  });

  it('reads from a stream and counts the raw size', async () => {
    const raw = await buildMessage({ text: 'streamed body' });
    const a = await analyzeMessage(Readable.from([raw.subarray(0, 10), raw.subarray(10)]), DEFAULT_ANALYSIS_LIMITS);
    expect(a.size).toBe(raw.length);
    expect(texts(a, 'body')).toContain('streamed body');
  });

  it('records the decoded-size limit and keeps what fits', async () => {
    const raw = await buildMessage({ text: 'x'.repeat(5000), attachments: [{ filename: 'big.txt', content: 'y'.repeat(5000) }] });
    const a = await analyze(raw, { ...DEFAULT_ANALYSIS_LIMITS, maxDecodedBytes: 6000 });
    expect(a.limitsHit.map((l) => l.limit)).toEqual(['maxDecodedBytes']);
    expect(a.attachments[0]?.size).toBe(5000);
  });

  it('records the part-count and depth limits', async () => {
    const zip = zipSync(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, strToU8('x')])));
    const raw = await buildMessage({ text: 'many', attachments: [{ filename: 'many.zip', content: Buffer.from(zip) }] });
    const a = await analyze(raw, { ...DEFAULT_ANALYSIS_LIMITS, maxParts: 10 });
    expect(a.limitsHit.map((l) => l.limit)).toContain('maxParts');
    const nested = zipSync({ 'inner.zip': zipSync({ 'deeper.zip': zipSync({ 'x.txt': strToU8('x') }) }) });
    const deep = await buildMessage({ text: 'deep', attachments: [{ filename: 'outer.zip', content: Buffer.from(nested) }] });
    const b = await analyze(deep, { ...DEFAULT_ANALYSIS_LIMITS, maxDepth: 2 });
    expect(b.limitsHit.map((l) => l.limit)).toContain('maxDepth');
  });

  it('reports a PDF that cannot be parsed as unscannable (corrupt), not as a note', async () => {
    const raw = await buildMessage({ text: 'pdf', attachments: [{ filename: 'a.pdf', content: Buffer.from('%PDF-1.4\n%...') }] });
    const a = await analyze(raw);
    expect(a.unscannable.map((u) => [u.label, u.reason])).toEqual([['a.pdf', 'corrupt']]);
    expect(a.notes).toEqual([]);
  });

  it('stops when the signal aborts', async () => {
    const raw = await buildMessage({ text: 'x' });
    await expect(analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS, AbortSignal.abort(new Error('stop')))).rejects.toThrow('stop');
  });
});

describe('analyzeMessage budget accounting', () => {
  it('counts a single-part body once against maxDecodedBytes', async () => {
    const raw = Buffer.from(`Subject: s\r\nContent-Type: text/plain\r\n\r\n${'z'.repeat(6000)}\r\n`);
    const fits = await analyzeMessage(raw, { ...DEFAULT_ANALYSIS_LIMITS, maxDecodedBytes: 7000 });
    expect(fits.limitsHit).toEqual([]);
    const cut = await analyzeMessage(raw, { ...DEFAULT_ANALYSIS_LIMITS, maxDecodedBytes: 5000 });
    expect(cut.limitsHit.map((l) => l.limit)).toEqual(['maxDecodedBytes']);
    expect(cut.segments.find((s) => s.label === 'body')?.text.length).toBe(5000);
  });
});
