// The in-place DATA feed against the library's own: same message bytes, same end of DATA, same
// commands after it, for every chunking; and the chunks it emits are views of the socket reads.
import { describe, expect, it } from 'vitest';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { boundaryIsPlain, installInPlaceDataFeed } from './data-stream.js';

const original = installInPlaceDataFeed();

interface Run {
  readonly body: Buffer;
  readonly chunks: readonly Buffer[];
  readonly commands: readonly string[];
}

/** Feeds `input` in the given pieces to a parser in data mode; resolves when the parser has taken all. */
async function feed(input: Buffer, cuts: readonly number[], library: boolean): Promise<Run> {
  const parser = new SMTPStream();
  if (library) parser._feedDataStream = original;
  const commands: string[] = [];
  parser.oncommand = (line: Buffer, next?: () => void) => {
    commands.push(line.toString('binary'));
    next?.();
  };
  const data = parser.startDataMode();
  const chunks: Buffer[] = [];
  const ended = new Promise<void>((resolve) => {
    data.on('data', (c: Buffer) => chunks.push(c));
    data.on('end', () => {
      parser.continue();
      resolve();
    });
  });
  let at = 0;
  for (const cut of [...cuts, input.length]) {
    if (cut <= at) continue;
    await new Promise<void>((resolve, reject) => parser.write(input.subarray(at, cut), (err) => (err ? reject(err) : resolve())));
    at = cut;
  }
  await ended;
  await new Promise<void>((resolve) => parser.end(resolve));
  return { body: Buffer.concat(chunks), chunks, commands };
}

// A PRNG with a seed, so a failure names the case that reproduces it.
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PIECES = ['\r\n', '\r\n.', '\r\n..', '\n.', '\n..', '.', '..', 'text ', '\r', '\n', '\r\n.\r', 'a.b', '\r\n.\n'];

function randomMessage(rand: () => number): Buffer {
  const parts: string[] = [];
  const n = 200 + Math.floor(rand() * 600);
  for (let i = 0; i < n; i++) {
    parts.push(rand() < 0.3 ? 'x'.repeat(1 + Math.floor(rand() * 900)) : (PIECES[Math.floor(rand() * PIECES.length)] as string));
  }
  return Buffer.from(`${parts.join('')}\r\n.\r\nNOOP\r\nQUIT\r\n`, 'binary');
}

function randomCuts(rand: () => number, length: number): number[] {
  const cuts: number[] = [];
  for (let at = 0; at < length; ) {
    at += rand() < 0.2 ? 1 + Math.floor(rand() * 6) : 1024 + Math.floor(rand() * 3000);
    cuts.push(at);
  }
  return cuts;
}

describe('in-place DATA feed', () => {
  it('parses every random message and chunking exactly as the library does', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed);
      const input = randomMessage(rand);
      const cuts = randomCuts(rand, input.length);
      const [ours, lib] = [await feed(input, cuts, false), await feed(input, cuts, true)];
      expect(ours.body.equals(lib.body), `seed ${seed}: message bytes differ`).toBe(true);
      expect(ours.commands, `seed ${seed}: commands after DATA differ`).toEqual(lib.commands);
    }
  });

  it('keeps the framing of boundary cases: terminator, escape dot and dot-only lines straddling two reads', async () => {
    const cases = [
      'hello\r\n.\r\nNOOP\r\n',
      'hello\r\n..\r\n.\r\nNOOP\r\n',
      '..\r\n.\r\nNOOP\r\n',
      '.\r\nNOOP\r\n',
      'a\n.\r\nb\r\n.\r\nNOOP\r\n',
    ];
    for (const text of cases) {
      const input = Buffer.from(`${'y'.repeat(1998)}\r\n${text}`, 'binary');
      for (let cut = 1990; cut < 2000 + text.length; cut++) {
        const [ours, lib] = [await feed(input, [cut], false), await feed(input, [cut], true)];
        expect(ours.body.toString('binary'), `${JSON.stringify(text)} cut at ${cut}`).toBe(lib.body.toString('binary'));
        expect(ours.commands).toEqual(lib.commands);
      }
    }
  });

  it('emits the reads themselves, not copies, when no dot sits at the boundary', async () => {
    const reads = [Buffer.from('x'.repeat(4096)), Buffer.from('y'.repeat(4096)), Buffer.from('z'.repeat(4096)), Buffer.from('\r\n.\r\n')];
    const cuts = [4096, 8192, 12288];
    const input = Buffer.concat(reads);
    const run = await feed(input, cuts, false);
    expect(run.body.equals(input.subarray(0, input.length - 3))).toBe(true);
    const big = run.chunks.filter((c) => c.length > 64);
    expect(big.length).toBeGreaterThanOrEqual(3);
    // the parser got subarrays of `input`: an emitted chunk is a view of the same memory
    for (const c of big) expect(c.buffer, 'a chunk was copied').toBe(input.buffer);
  });
});

describe('boundaryIsPlain', () => {
  it.each([
    ['abcd', 'efgh', true],
    ['ab\r\n', '.\r\n', false],
    ['ab\r\n', 'x.', true],
    ['a\r\n.', 'xy', false],
    ['.abc', 'xy', false],
    ['abc\n', 'x.', true],
    ['abc\r', '\n.', false],
  ])('%j then %j: %s', (held, next, plain) => {
    expect(boundaryIsPlain(Buffer.from(held), Buffer.from(next))).toBe(plain);
  });
});
