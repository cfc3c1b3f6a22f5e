// The fast DATA feed against smtp-server's own: the same bytes, split at every point (and byte by
// byte), give the same message bodies and the same commands after them, terminators and escape
// dots included.
import { createServer, connect } from 'node:net';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';
import { feedDataStream } from './data-feed.js';
import { InboundServer } from './inbound-server.js';

interface Seen {
  readonly bodies: string[];
  readonly commands: string[];
}

/** Feeds `pieces` to a parser as a socket would (each write after the previous one's callback). */
async function parse(fast: boolean, pieces: readonly Buffer[]): Promise<Seen> {
  const p = new SMTPStream();
  if (fast) p._feedDataStream = feedDataStream;
  const seen: Seen = { bodies: [], commands: [] };
  p.oncommand = (cmd: Buffer, next?: () => void): void => {
    const line = cmd.toString('latin1');
    seen.commands.push(line);
    if (line.toUpperCase() === 'DATA') {
      const stream = p.startDataMode();
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        seen.bodies.push(Buffer.concat(parts).toString('latin1'));
        p.continue();
      });
    }
    next?.();
  };
  // Each piece after the previous one's callback, as a piped socket does; escape dots continue on
  // setImmediate and ends on the stream's 'end', so a few turns of the loop let both settle. (After an
  // empty message the library never calls back; the later pieces then stay queued, for both alike.)
  const turns = async (): Promise<void> => {
    for (let i = 0; i < 8; i++) await new Promise((r) => setImmediate(r));
  };
  for (const piece of pieces) {
    let called = false;
    p.write(piece, () => (called = true));
    for (let i = 0; i < 8 && !called; i++) await turns();
  }
  await turns();
  return seen;
}

const INPUTS: readonly string[] = [
  'DATA\r\nSubject: x\r\n\r\nhello\r\n.\r\nQUIT\r\n',
  'DATA\r\n.\r\nNOOP\r\n',
  'DATA\r\n..\r\n.\r\nNOOP\r\n',
  'DATA\r\n...\r\nx\r\n.\r\n',
  'DATA\r\n.x\r\n.\r\n',
  'DATA\r\na\r\n..b\r\n...\r\n..\r\n.\r\nRSET\r\nDATA\r\n..\r\n\r\n.\r\nQUIT\r\n',
  'DATA\r\na\n.\nb\r\n.\r\n',
  'DATA\r\na\r.\rb\n.\r\nc\r\n.\r\n',
  'DATA\r\na\r\n.\nb\r\n.\r\n',
  'DATA\r\n\r\n.\r\n',
  'DATA\r\n\n..x\r\n.\r\n',
  'DATA\r\n\n.\r\n.\r\n',
  'DATA\r\nx\r\n\r\n..\r\n\r\n.\r\nDATA\r\n.\r\n',
  'DATA\r\nline\r\n.. \r\n .\r\n.\r\n\r\n.\r\nMAIL FROM:<a@b>\r\n',
  'DATA\r\nno terminator yet\r\n..',
];

const split2 = (b: Buffer): Buffer[][] => Array.from({ length: b.length + 1 }, (_, k) => [b.subarray(0, k), b.subarray(k)].filter((x) => x.length > 0));

describe('feedDataStream', () => {
  it.each(INPUTS.map((s) => [JSON.stringify(s), s]))('matches smtp-server on %s, split anywhere', async (_name, text) => {
    const bytes = Buffer.from(text, 'latin1');
    const splits = [[bytes], ...split2(bytes), [...bytes].map((c) => Buffer.from([c]))];
    for (const pieces of splits) {
      const [lib, fast] = await Promise.all([parse(false, pieces), parse(true, pieces)]);
      expect(fast, `split ${pieces.map((p) => p.length).join('+')}`).toEqual(lib);
    }
  });

  it('matches smtp-server on a long body with stuffed lines, in socket-sized pieces', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 4000; i++) lines.push(i % 97 === 0 ? `..stuffed ${i}` : i % 89 === 0 ? '..' + '.'.repeat(i % 3) : `line ${i} ${'x'.repeat(i % 70)}`);
    const bytes = Buffer.from(`DATA\r\n${lines.join('\r\n')}\r\n.\r\nQUIT\r\n`, 'latin1');
    for (const size of [1000, 4093, 16384, 65536]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      const [lib, fast] = await Promise.all([parse(false, pieces), parse(true, pieces)]);
      expect(fast.bodies[0]?.length).toBeGreaterThan(100_000);
      expect(fast).toEqual(lib);
    }
  });
});

describe('installDataFeed', () => {
  it('a session started by InboundServer parses DATA with it, and so does the parser STARTTLS makes', async () => {
    const accepted = new Promise<Socket>((resolve) => {
      const listener = createServer((socket) => {
        listener.close();
        resolve(socket);
      }).listen(0, '127.0.0.1', () => {
        const address = listener.address();
        if (address !== null && typeof address === 'object') client = connect(address.port, '127.0.0.1');
      });
    });
    let client: Socket | undefined;
    const socket = await accepted;
    const server = new InboundServer({ authOptional: true }, 0);
    const meta = { remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2, proxied: false };
    const connection = server.startSession(socket, meta, 'feed-test', () => undefined);
    try {
      expect(connection._parser === false ? undefined : connection._parser._feedDataStream).toBe(feedDataStream);
      expect(connection._createParser()._feedDataStream).toBe(feedDataStream);
    } finally {
      connection.close();
      client?.destroy();
      socket.destroy();
    }
  });
});
