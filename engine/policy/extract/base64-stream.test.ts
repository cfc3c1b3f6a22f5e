// The native base64 decoder (base64-stream.ts) against libbase64's Decoder, the one mailsplit used before:
// thousands of seeded bodies with the noise a hostile or broken mailer writes (line lengths, CRLF, LF and
// bare CR, blanks, stray bytes, "=" in the middle, url-safe "-" and "_", segments padded one by one,
// truncation), cut into chunks anywhere; every chunk's output must be the same bytes. Then whole messages:
// inspectMessage with libbase64 put back in mailsplit against the native decoder, findings equal.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { prng } from '../../../bench/corpus.mjs';
import { buildMessage, examplePolicySet } from '../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS } from '../analysis.js';
import { inspectMessage } from '../inspect.js';
import { Base64Chunks } from './base64-chunks.js';
import { Base64Decoder, Base64Stream, decodeBase64 } from './base64-stream.js';
import './mime-parse.js';

// libbase64 as mailsplit loads it, and a fresh copy of the same file (the loaded one's Decoder is replaced)
const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
const fromMailsplit = createRequire(fromMailparser.resolve('@zone-eu/mailsplit/lib/mime-node.js'));
const libbase64Path = fromMailsplit.resolve('libbase64');
const mailsplitLibbase64 = fromMailsplit('libbase64') as { Decoder: new () => Transform };
const cached = fromMailsplit.cache[libbase64Path];
delete fromMailsplit.cache[libbase64Path];
const LibDecoder = (fromMailsplit('libbase64') as { Decoder: new () => Transform }).Decoder;
if (cached !== undefined) fromMailsplit.cache[libbase64Path] = cached;

const STRAY = ['-', '_', '=', '==', ' ', '\t', '.', '*', '!', ':', '\0', '\x7f', '\x80', '\xff', '\xe9', '\r', '\n', '\r\r\n', '%', '~', 'A=B', '-_-'];
const LINE_ENDS = ['\r\n', '\n', '\r', '\r\n', '\r\n', '\n'];

/** A base64 body as mailers (and attackers) write it: the seed decides every choice. */
function body(seed: number): Buffer {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const bytes = Buffer.alloc(Math.floor(rnd() * (rnd() < 0.1 ? 20_000 : 1200)));
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rnd() * 256);
  // one padded encoding, or several (each line or block padded on its own)
  let text = '';
  if (rnd() < 0.25) for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rnd() * 60);
    text += bytes.subarray(i, i + n).toString('base64');
    i += n;
  }
  else text = bytes.toString('base64');
  if (rnd() < 0.1) text = text.replace(/\+/g, '-').replace(/\//g, '_');
  if (rnd() < 0.1) text = text.replace(/=+$/, '');
  const width = pick([76, 76, 64, 72, 4, 1 + Math.floor(rnd() * 120)]);
  const end = pick(LINE_ENDS);
  const mixed = rnd() < 0.2;
  const noise = rnd() < 0.5 ? 0 : rnd() * 0.05;
  let out = '';
  for (let i = 0; i < text.length; i += width) {
    let line = text.slice(i, i + width);
    if (noise > 0) line = [...line].map((c) => (rnd() < noise ? pick(STRAY) + c : c)).join('');
    if (rnd() < 0.02) line += pick([' ', '\t', '  ']);
    out += line + (mixed ? pick(LINE_ENDS) : end);
  }
  if (rnd() < 0.2) out = out.slice(0, Math.floor(rnd() * out.length));
  if (rnd() < 0.1) out += pick(STRAY);
  return Buffer.from(out, 'latin1');
}

function chunks(raw: Buffer, rnd: () => number): Buffer[] {
  const max = [1, 3, 7, 77, 1000, 16384, raw.length + 1][Math.floor(rnd() * 7)] ?? 16384;
  const out: Buffer[] = [];
  for (let i = 0; i < raw.length; ) {
    const n = 1 + Math.floor(rnd() * max);
    out.push(raw.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** A decoder's output chunk by chunk (written without the stream machinery, so each push is seen). */
function run(decoder: Transform, input: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  const d = decoder as unknown as { push(b: Buffer): boolean; _transform(c: Buffer, e: string, cb: () => void): void; _flush(cb: () => void): void };
  // an empty push adds nothing to a byte stream
  d.push = (b) => (b.length > 0 && out.push(Buffer.from(b)), true);
  for (const c of input) d._transform(c, 'buffer', () => undefined);
  d._flush(() => undefined);
  return out;
}

function runChunks(decoder: { write(c: Buffer): Buffer; end(): Buffer }, input: readonly Buffer[]): Buffer {
  return Buffer.concat([...input.map((c) => decoder.write(c)), decoder.end()]);
}

describe('native base64 decoding', () => {
  it('is in place of libbase64.Decoder in the module instance mailsplit uses', () => {
    expect(mailsplitLibbase64.Decoder).toBe(Base64Decoder);
    expect(LibDecoder).not.toBe(Base64Decoder);
  });

  it.each([
    ['plain lines', 'QUJD\r\nREVG\r\n'],
    ['url-safe characters are dropped, not read as 62 and 63', 'QU-JD_REVG\n+/+/'],
    ['"=" in the middle restarts the quartets', 'QQ==QUJD\nQQ=QUI=QUJD'],
    ['missing padding', 'QUJDQQ'],
    ['a lone character at the end', 'QUJDQ'],
    ['stray bytes and blanks', 'Q U\tJ\x80D\xff!*\0R E\r\rVG'],
    ['bare CR line ends', 'QUJD\rREVG\rRw'],
    ['only padding', '===='],
    ['nothing', ''],
  ])('decodes %s as libbase64 does', (_name, text) => {
    const raw = Buffer.from(text, 'latin1');
    for (let size = 1; size <= raw.length + 1; size++) {
      const input: Buffer[] = [];
      for (let i = 0; i < raw.length; i += size) input.push(raw.subarray(i, i + size));
      expect(run(new Base64Decoder(), input)).toEqual(run(new LibDecoder(), input));
    }
  });

  it('gives libbase64 bytes, chunk for chunk, on 4,000 seeded noisy bodies cut anywhere', () => {
    const rnd = prng(13);
    let differ = 0;
    let decoded = 0;
    for (let seed = 1; seed <= 4000; seed++) {
      const raw = body(seed);
      const input = chunks(raw, rnd);
      const expected = run(new LibDecoder(), input);
      const got = run(new Base64Decoder(), input);
      decoded += Buffer.concat(got).length;
      if (!Buffer.concat(got).equals(Buffer.concat(expected)) || got.length !== expected.length || got.some((b, i) => !b.equals(expected[i] ?? Buffer.alloc(0)))) {
        differ++;
        if (differ === 1) expect({ seed, raw: raw.toString('latin1'), got: Buffer.concat(got).toString('hex') }).toEqual({ seed, raw: raw.toString('latin1'), got: Buffer.concat(expected).toString('hex') });
      }
      // the streamed single-part path's decoder (base64-chunks.ts) agrees too, and any other cut gives the same bytes
      expect(runChunks(new Base64Stream(), chunks(raw, rnd)).equals(runChunks(new Base64Chunks(), input))).toBe(true);
    }
    expect(differ).toBe(0);
    expect(decoded).toBeGreaterThan(1_000_000);
  });
});

const set = examplePolicySet();
const settings = { budgetMs: 60_000, onFailure: 'tempfail', onUnscannable: 'block', limits: { ...DEFAULT_ANALYSIS_LIMITS, timeoutMs: 60_000 } } as const;
const envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 'b64' };
const SECRETS = ['card 4111 1111 1111 1111', 'IBAN DE89 3704 0044 0532 0130 00', 'SSN 078-05-1120', 'confidential project falcon', 'nothing to see here'];

/** A multipart message whose attachments are noisy base64 of text with findings in it. */
async function message(seed: number): Promise<Buffer> {
  const rnd = prng(seed);
  const text = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => SECRETS[Math.floor(rnd() * SECRETS.length)]).join('\n');
  const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: 'a.txt', content: text }, { filename: 'b.bin', content: Buffer.from(text, 'utf16le'), contentType: 'application/octet-stream' }] });
  // the attachments' base64 lines get the noise of body(): stray characters, "=", url-safe characters, cuts
  return Buffer.from(
    raw.toString('latin1').replace(/(Content-Transfer-Encoding: base64\r\n(?:[^\r\n]+\r\n)*\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n--)/g, (_m, head: string, b64: string, tail: string) => {
      const r = prng(seed * 7 + b64.length);
      const noisy = [...b64].map((c) => (r() < 0.01 ? (STRAY[Math.floor(r() * STRAY.length)] ?? '') + c : c)).join('');
      return head + (r() < 0.2 ? noisy.slice(0, Math.floor(r() * noisy.length)) : noisy) + tail;
    }),
    'latin1',
  );
}

async function inspectWith(decoder: new () => Transform, raw: Buffer, streamed: boolean): Promise<unknown> {
  mailsplitLibbase64.Decoder = decoder;
  try {
    const source = streamed ? Readable.from([raw.subarray(0, 777), raw.subarray(777)]) : raw;
    const { verdict, analysis } = await inspectMessage(set, source, envelope, settings);
    return { verdict, segments: analysis?.segments, attachments: analysis?.attachments };
  } finally {
    mailsplitLibbase64.Decoder = Base64Decoder;
  }
}

describe('whole messages, libbase64 against the native decoder', () => {
  it('finds the same in 60 generated messages with noisy base64 attachments, held and streamed', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const raw = await message(seed);
      const streamed = seed % 2 === 0;
      const old = await inspectWith(LibDecoder, raw, streamed);
      const now = await inspectWith(Base64Decoder, raw, streamed);
      expect({ seed, now }).toEqual({ seed, now: old });
    }
  });
});

describe('decodeBase64 (every held base64 body: the single-part path, encoded multiparts, unknown encodings)', () => {
  const lib = (input: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const d = new LibDecoder();
      const out: Buffer[] = [];
      d.on('data', (c: Buffer) => out.push(c));
      d.on('end', () => resolve(Buffer.concat(out)));
      d.on('error', reject);
      d.end(input);
    });
  it('gives libbase64 bytes on 2,000 noisy bodies, where Node alone stops at the first "=" and reads "-"/"_" as url-safe', async () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const input = body(seed);
      expect(decodeBase64(input).equals(await lib(input)), `seed ${seed}`).toBe(true);
    }
    expect(decodeBase64(Buffer.from('YQ==Yg==')).toString()).toBe('ab');
    expect(Buffer.from('YQ==Yg==', 'base64').toString()).toBe('a');
    expect(decodeBase64(Buffer.from('Y-Q_=')).toString()).toBe('a');
  });
});
