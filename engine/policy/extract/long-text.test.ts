// Texts longer than one window (HOLD_CHARS) are scanned window by window while they stream, and
// only the hits are kept. What was tried: long plain, HTML, flowed and non-UTF-8 bodies; long text,
// binary and zip attachments; the budget; and that windowed hits equal whole-text hits.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildMessage, policySet } from '../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../analysis.js';
import { analyzeMessage } from './analyze.js';
import { evaluatePolicies, type Envelope } from '../decide/evaluate.js';
import { inspectMessage } from '../inspect.js';
import { ByteBudget, parseMime } from './mime-parse.js';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { QuotedPrintableDecoder, installStreamingQpDecoder } from './qp-stream.js';
import { decodeQuotedPrintable } from './simple-message.js';
import { HOLD_CHARS, TextDecodeStream, cutPoint } from './text-collector.js';

const env: Envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };

const POLICIES = `
version: 1
policies:
  - name: cards
    match: { creditCardNumber: { min: 1 } }
    action: { type: block }
  - name: falcon
    match: { keywords: { words: ["project falcon"] } }
    action: { type: modify, addHeaders: { X-Falcon: "yes" } }
  - name: ssn
    match: { usSsn: {} }
    action: { type: modify, addHeaders: { X-Ssn: "yes" } }
  - name: ticket
    match: { regex: { pattern: "TICKET-[0-9]{6}" } }
    action: { type: modify, addHeaders: { X-Ticket: "yes" } }
`;
const set = policySet(POLICIES);
const settings = { budgetMs: 60_000, onFailure: 'tempfail' as const, onUnscannable: 'block' as const, limits: DEFAULT_ANALYSIS_LIMITS };

/** Filler lines with findings spread so that several land in every window. */
function longText(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 5000 === 17) out.push(`card 4111 1111 1111 1111 on line ${i}`);
    else if (i % 7000 === 3) out.push(`notes about Project Falcon, ssn 234-56-7890, TICKET-${String(i).padStart(6, '0')}`);
    else out.push(`line ${i} of ordinary text that says nothing in particular, padded to look like mail`);
  }
  return out.join('\r\n') + '\r\n';
}

const streamed = (raw: Buffer): Readable => Readable.from((function* () {
  for (let i = 0; i < raw.length; i += 65_536) yield raw.subarray(i, i + 65_536);
})());

async function bothWays(raw: Buffer): Promise<{ windowed: MessageAnalysis; whole: MessageAnalysis }> {
  const windowed = await analyzeMessage(streamed(raw), DEFAULT_ANALYSIS_LIMITS, undefined, set);
  const whole = await analyzeMessage(streamed(raw), DEFAULT_ANALYSIS_LIMITS);
  return { windowed, whole };
}

function counts(a: MessageAnalysis): Record<string, Record<string, number>> {
  const v = evaluatePolicies(set, a, env, { deadline: performance.now() + 60_000 });
  return Object.fromEntries(v.matches.map((m) => [m.policy, m.counts]));
}

describe('long texts are scanned in windows', () => {
  it('mailparser hands inline text over as a stream (the textTypes override still works)', async () => {
    const raw = await buildMessage({ text: 'plain part', html: '<p>html part</p>', attachments: [{ filename: 'a.txt', content: 'attached' }] });
    const parsed = await parseMime(raw, { budget: new ByteBudget(1e9), maxParts: 100, maxDepth: 16, scans: undefined });
    expect(parsed.bodies.map((b) => [b.html, b.text.trim()])).toEqual([
      [false, 'plain part'],
      [true, '<p>html part</p>'],
    ]);
    expect(parsed.parts.map((p) => p.name)).toEqual(['a.txt']);
  });

  it('a 5 MB plain body: windowed hits equal whole-text hits, and no text is held', async () => {
    const body = longText(60_000);
    expect(body.length).toBeGreaterThan(4 * HOLD_CHARS);
    const raw = Buffer.from(`From: <a@corp.example>\r\nSubject: big\r\n\r\n${body}`);
    const { windowed, whole } = await bothWays(raw);
    const seg = windowed.segments.find((s) => s.location === 'body' && s.prescanned !== undefined);
    expect(seg?.text).toBe('');
    expect(windowed.segments.reduce((n, s) => n + s.text.length, 0)).toBeLessThan(10_000);
    expect(counts(windowed)).toEqual(counts(whole));
    expect(counts(windowed)).toEqual({ cards: { creditCardNumber: 12 }, falcon: { keywords: 9 }, ssn: { usSsn: 9 }, ticket: { regex: 9 } });
  });

  it('a long base64 UTF-8 HTML part in a multipart message is reduced to text per window', async () => {
    const html = `<html><body>${longText(30_000).split('\r\n').map((l) => `<p>${l.replace('Falcon', '<b>Falcon</b>')}</p>`).join('\n')}</body></html>`;
    const raw = await buildMessage({ text: 'see below', html, textEncoding: 'base64' });
    const { windowed, whole } = await bothWays(raw);
    expect(windowed.segments.some((s) => s.label === 'html' && s.prescanned !== undefined)).toBe(true);
    expect(counts(windowed)).toEqual(counts(whole));
    expect(counts(windowed).falcon).toEqual({ keywords: 5 });
  });

  it('a long ISO-8859-1 quoted-printable body decodes across chunk boundaries', async () => {
    const line = 'Stra=DFe M=FCnchen project falcon =3D ok\r\n';
    const raw = Buffer.from(`Subject: qp\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${line.repeat(60_000)}`, 'latin1');
    const a = await analyzeMessage(streamed(raw), DEFAULT_ANALYSIS_LIMITS, undefined, set);
    expect(counts(a).falcon).toEqual({ keywords: 60_000 });
  });

  it('a long text attachment is scanned, a long binary one is scanned for strings but not held, a long zip is kept whole', async () => {
    const csv = longText(40_000);
    const zip = zipSync({ 'inner.txt': strToU8('card 4111 1111 1111 1111'), 'pad.bin': randomBytes(1_500_000) }, { level: 0 });
    const raw = await buildMessage({
      text: 'three files',
      attachments: [
        { filename: 'export.csv', content: csv, contentType: 'text/csv' },
        { filename: 'noise.bin', content: randomBytes(3_000_000), contentType: 'application/octet-stream' },
        { filename: 'bundle.zip', content: Buffer.from(zip), contentType: 'application/zip' },
      ],
    });
    const parsed = await parseMime(streamed(raw), { budget: new ByteBudget(1e9), maxParts: 100, maxDepth: 16, scans: set });
    const [csvPart, binPart, zipPart] = parsed.parts;
    expect(csvPart?.scannedText?.prescanned).toBeDefined();
    expect(csvPart?.size).toBe(csv.length);
    expect(binPart).toMatchObject({ name: 'noise.bin', size: 3_000_000, truncated: false });
    expect(binPart?.scannedText).toBeDefined();
    expect(binPart?.content.length).toBeLessThanOrEqual(4096);
    expect(zipPart?.content.length).toBe(zip.length);

    const { windowed, whole } = await bothWays(raw);
    expect(counts(windowed)).toEqual(counts(whole));
    expect(counts(windowed).cards).toEqual({ creditCardNumber: 9 });
    expect(windowed.attachments.map((a) => [a.name, a.size])).toEqual(whole.attachments.map((a) => [a.name, a.size]));
  });

  it('the decoded-byte budget still bounds what is scanned, and says so', async () => {
    const raw = Buffer.from(`Subject: big\r\n\r\n${longText(40_000)}`);
    const limits = { ...DEFAULT_ANALYSIS_LIMITS, maxDecodedBytes: 2 * HOLD_CHARS };
    const a = await analyzeMessage(streamed(raw), limits, undefined, set);
    expect(a.limitsHit.map((l) => l.limit)).toEqual(['maxDecodedBytes']);
    // what was found still counts (a card blocks); a clean but uninspected rest is an unscannable part (limit)
    expect((await inspectMessage(set, streamed(raw), env, { ...settings, limits })).verdict.kind).toBe('block');
    const clean = Buffer.from(`Subject: big\r\n\r\n${'nothing to see here\r\n'.repeat(200_000)}`);
    const rest = (await inspectMessage(set, streamed(clean), env, { ...settings, limits })).verdict;
    expect(rest).toMatchObject({ kind: 'block', reply: { code: 554, enhanced: '5.7.1' }, unscannable: [{ reason: 'limit' }] });
    expect((await inspectMessage(set, streamed(clean), env, { ...settings, limits, onUnscannable: 'tempfail' })).verdict.kind).toBe('tempfail');
  });

  it('inspectMessage blocks a card in the last line of a 20 MB message', async () => {
    const filler = 'x'.repeat(98) + '\r\n';
    const raw = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), Buffer.from(filler.repeat(200_000)), Buffer.from('card 4111-1111-1111-1111\r\n')]);
    const v = await inspectMessage(set, streamed(raw), env, settings);
    expect(v.verdict.kind).toBe('block');
    expect(v.analysis?.segments.every((s) => s.text.length < HOLD_CHARS)).toBe(true);
  });
});

describe('window cuts and streaming decoding', () => {
  it('cuts after the last line end in the second half, else at a blank, else anywhere', () => {
    expect(cutPoint('aaaa\nbbbb\ncc', false)).toBe(10);
    expect(cutPoint('a\nbbbbbbbb cccc', false)).toBe(11);
    expect(cutPoint('abcdefgh', false)).toBe(8);
    expect(cutPoint('<p>aa</p>bbbb<i>cc', true)).toBe(16);
  });

  it('decodes multi-byte characters and CRLF split across chunks', () => {
    const d = new TextDecodeStream('utf-8');
    const bytes = Buffer.from('Grüße\r\nzwei');
    let out = '';
    for (const b of bytes) out += d.write(Uint8Array.of(b));
    out += d.end();
    expect(out).toBe('Grüße\nzwei');
  });

  it('joins format=flowed soft breaks, honours DelSp and space-stuffing, keeps the signature line', () => {
    const d = new TextDecodeStream('us-ascii', { delSp: false });
    expect(d.write(Buffer.from('soft \r\nbreak\r\n From me\r\n-- \r\nsig')) + d.end()).toBe('soft break\nFrom me\n-- \nsig');
    const sp = new TextDecodeStream('utf-8', { delSp: true });
    expect(sp.write(Buffer.from('Fal \r\ncon\r\n')) + sp.end()).toBe('Falcon\n');
  });
});

describe('streaming quoted-printable', () => {
  const decodeInChunks = async (input: Buffer, cuts: readonly number[]): Promise<Buffer> => {
    const d = new QuotedPrintableDecoder();
    const out: Buffer[] = [];
    d.on('data', (b: Buffer) => out.push(b));
    const done = new Promise((r) => d.once('end', r));
    let at = 0;
    for (const c of [...cuts].sort((a, b) => a - b)) {
      d.write(input.subarray(at, Math.max(at, c)));
      at = Math.max(at, c);
    }
    d.end(input.subarray(at));
    await done;
    return Buffer.concat(out);
  };

  it('decodes exactly like the whole-buffer decoder, however the input is chunked (soft breaks, escapes, CRLF and LF)', async () => {
    const piece = fc.constantFrom('a', 'Stra', '=DF', '=3D', '=\r\n', '=\n', '= \r\n', '\r\n', '\n', ' ', '=', '=Z', '=4', 'ü');
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 60 }), fc.array(fc.nat(200), { maxLength: 6 }), async (parts, cuts) => {
        const input = Buffer.from(parts.join(''), 'latin1');
        expect((await decodeInChunks(input, cuts)).equals(decodeQuotedPrintable(input))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('emits as lines arrive instead of at the end of the part', async () => {
    const d = new QuotedPrintableDecoder();
    const seen: string[] = [];
    d.on('data', (b: Buffer) => seen.push(b.toString('latin1')));
    d.write('first line =3D one\r\nsecond');
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(['first line = one\r\n']);
    d.end(' line\r\n');
  });

  it('is what mailsplit (under mailparser) uses for quoted-printable parts', () => {
    installStreamingQpDecoder();
    const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
    const libqp = createRequire(fromMailparser.resolve('@zone-eu/mailsplit/lib/mime-node.js'))('libqp') as { Decoder: new () => unknown };
    expect(new libqp.Decoder()).toBeInstanceOf(QuotedPrintableDecoder);
  });
});
