import { describe, expect, it } from 'vitest';
import { buildMessage } from '../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS } from '../analysis.js';
import { analyzeMessage } from './analyze.js';
import { dataUrisIn, parseDataUri } from './data-uri.js';

describe('parseDataUri', () => {
  it('reads base64 and percent-encoded payloads and the media type', () => {
    expect(parseDataUri('data:text/plain;charset=utf-8;base64,aGk=')).toEqual({ mediaType: 'text/plain', bytes: Buffer.from('hi') });
    expect(parseDataUri('DATA:,a%20b%ff')).toEqual({ mediaType: 'text/plain', bytes: Buffer.from([0x61, 0x20, 0x62, 0xff]) });
    expect(parseDataUri('data:image/png;BASE64 , aG%6B=')?.bytes.toString()).toBe('hi');
    expect(parseDataUri('data:text/plain')).toBeUndefined();
    expect(parseDataUri('https://example.org/,x')).toBeUndefined();
  });

  it('finds a whole-value URI, and URIs in url(...) and srcset lists', () => {
    const out: string[] = [];
    dataUrisIn(' data:text/plain,hello world ', out);
    dataUrisIn("background: url('data:a/b;base64,QQ==') no-repeat, url(data:c/d,x)", out);
    dataUrisIn('a.png 1x, data:image/png;base64,QUJD 2x', out);
    dataUrisIn('https://example.org/?q=data', out);
    expect(out).toEqual(['data:text/plain,hello world', 'data:a/b;base64,QQ==', 'data:c/d,x', 'data:image/png;base64,QUJD']);
  });
});

describe('data: URIs in an HTML body', () => {
  const page = (n: number, payload: string): Promise<Buffer> =>
    buildMessage({ html: Array.from({ length: n }, (_, i) => `<img src="data:text/plain;base64,${Buffer.from(`${payload} ${i}`).toString('base64')}">`).join('') });

  it('become attachments labelled "html (data: URI n)", sniffed by their bytes', async () => {
    const a = await analyzeMessage(await page(2, 'hello'), DEFAULT_ANALYSIS_LIMITS);
    expect(a.attachments.map((x) => [x.name, x.declaredType, x.sniffedType])).toEqual([
      ['html (data: URI 1)', 'text/plain', 'text/plain'],
      ['html (data: URI 2)', 'text/plain', 'text/plain'],
    ]);
    expect(a.segments.find((s) => s.label === 'html (data: URI 2)')?.text).toBe('hello 1');
  });

  it('count as parts: over maxParts the rest is reported unscannable (limit)', async () => {
    const a = await analyzeMessage(await page(8, 'x'), { ...DEFAULT_ANALYSIS_LIMITS, maxParts: 5 });
    expect(a.unscannable).toEqual([expect.objectContaining({ reason: 'limit', label: expect.stringMatching(/^html \(data: URI \d\)$/) })]);
  });

  it('take their decoded bytes from maxDecodedBytes: a cut one is unscannable (limit)', async () => {
    const big = 'y'.repeat(6000);
    const a = await analyzeMessage(await page(1, big), { ...DEFAULT_ANALYSIS_LIMITS, maxDecodedBytes: 12_000 });
    expect(a.unscannable.map((u) => [u.label, u.reason])).toContainEqual(['html (data: URI 1)', 'limit']);
  });
});
