import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DotStuffer, createDotStuffStream, dotStuff } from './dot-stuff.js';
import { Readable } from 'node:stream';

/** Obvious reference: normalise every line ending, stuff leading dots, terminate. */
function reference(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  const lines = text.split('\r\n');
  const endsWithNewline = text.endsWith('\r\n');
  if (endsWithNewline) lines.pop();
  const stuffed = lines.map((l) => (l.startsWith('.') ? `.${l}` : l));
  const out = text === '' ? '.\r\n' : `${stuffed.join('\r\n')}\r\n.\r\n`;
  return Buffer.from(out, 'latin1');
}

function encodeInChunks(body: Buffer, cuts: readonly number[]): Buffer {
  const stuffer = new DotStuffer();
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let from = 0;
  for (const p of [...points, body.length]) {
    parts.push(Buffer.from(stuffer.push(body.subarray(from, p))));
    from = p;
  }
  parts.push(stuffer.end());
  return Buffer.concat(parts);
}

/** Unstuffs the wire form the way a receiver does; returns the body and how many terminators were seen. */
function receive(wire: Buffer): { body: string; terminators: number } {
  const lines = wire.toString('latin1').split('\r\n');
  let body = '';
  let terminators = 0;
  for (const line of lines) {
    if (line === '.') {
      terminators++;
      break;
    }
    body += `${line.startsWith('.') ? line.slice(1) : line}\r\n`;
  }
  return { body, terminators };
}

const bodyArb = fc
  .array(
    fc.oneof(
      fc.constantFrom('.', '..', '\r', '\n', '\r\n', '.\r\n', '\r\n.\r\n', '\n.\n', 'a', 'xyz', ' '),
      fc.string({ maxLength: 40 }),
      fc.string({ minLength: 900, maxLength: 1200 }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => Buffer.from(parts.join(''), 'latin1'));

describe('DotStuffer', () => {
  it('matches the reference for any body and any chunking', () => {
    fc.assert(
      fc.property(bodyArb, fc.array(fc.nat(), { maxLength: 12 }), (body, cuts) => {
        expect(encodeInChunks(body, cuts).toString('latin1')).toBe(reference(body).toString('latin1'));
      }),
      { numRuns: 1500 },
    );
  });

  it('never lets a body line end the message early', () => {
    fc.assert(
      fc.property(bodyArb, fc.array(fc.nat(), { maxLength: 8 }), (body, cuts) => {
        const wire = encodeInChunks(body, cuts);
        const { terminators } = receive(wire);
        expect(terminators).toBe(1);
        expect(wire.subarray(-3).toString()).toBe('.\r\n');
        // The first end-of-data sequence a receiver can see is the one we appended.
        expect(Buffer.concat([Buffer.from('\r\n'), wire]).indexOf('\r\n.\r\n')).toBe(wire.length - 3);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips a CRLF body byte-exact through a receiver', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[^\r\n]*$/), { maxLength: 30 }), (lines) => {
        const body = lines.map((l) => `${l}\r\n`).join('');
        expect(receive(dotStuff(Buffer.from(body, 'latin1'))).body).toBe(body);
      }),
    );
  });

  it('returns the same buffer when nothing needs changing', () => {
    const stuffer = new DotStuffer();
    const chunk = Buffer.from('Subject: hi\r\n\r\nbody line\r\n');
    expect(stuffer.push(chunk)).toBe(chunk);
  });

  it.each([
    ['', '.\r\n'],
    ['a', 'a\r\n.\r\n'],
    ['.', '..\r\n.\r\n'],
    ['a\n.\nb', 'a\r\n..\r\nb\r\n.\r\n'],
    ['a\r.b\r', 'a\r\n..b\r\n.\r\n'],
    ['a\r\r\n', 'a\r\n\r\n.\r\n'],
  ])('encodes %j as %j', (body, wire) => {
    expect(dotStuff(Buffer.from(body)).toString()).toBe(wire);
  });

  it('works as a Transform stream', async () => {
    const out: Buffer[] = [];
    const stream = Readable.from([Buffer.from('a\r\n.'), Buffer.from('b\n')]).pipe(createDotStuffStream());
    for await (const chunk of stream) out.push(chunk as Buffer);
    expect(Buffer.concat(out).toString()).toBe('a\r\n..b\r\n.\r\n');
  });
});
