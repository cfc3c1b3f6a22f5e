// RFC 2920 §3.1: the replies to a pipelined MAIL/RCPT group go out as a unit (one write), flushed as soon
// as the gateway would otherwise wait for the client; a lone MAIL is answered at once.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { forwardTopology, startGateway } from '../helpers/gateway-harness.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';

let mx: RecordingMta | undefined;
let gw: GatewayHarness | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await gw?.close();
  await mx?.close();
  gw = undefined;
  mx = undefined;
});

/** A client that keeps each chunk the server's writes arrived in. */
class ChunkClient {
  readonly chunks: string[] = [];
  #text = '';
  #wake: (() => void) | null = null;

  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.chunks.push(d.toString('latin1'));
      this.#text += d.toString('latin1');
      this.#wake?.();
    });
  }

  /** Waits until `n` final reply lines (`ddd `) arrived in all; returns their codes. */
  async replies(n: number): Promise<number[]> {
    for (;;) {
      const codes = [...this.#text.matchAll(/^(\d{3}) .*\r\n/gm)].map((m) => Number(m[1]));
      if (codes.length >= n) return codes;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}

async function setup(): Promise<ChunkClient> {
  mx = await startRecordingMta();
  const port = mx.port;
  gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port }] }) });
  const socket = net.connect({ port: gw.port, host: '127.0.0.1' });
  sockets.push(socket);
  const c = new ChunkClient(socket);
  await c.replies(1);
  socket.write('EHLO corp.example\r\n');
  await c.replies(2);
  c.chunks.length = 0;
  return c;
}

describe('pipelined replies', () => {
  it('answers a pipelined MAIL and RCPT in one write', async () => {
    const c = await setup();
    c.socket.write('MAIL FROM:<alice@corp.example>\r\nRCPT TO:<bob@example.org>\r\n');
    expect((await c.replies(4)).slice(2)).toEqual([250, 250]);
    expect(c.chunks).toHaveLength(1);
    c.socket.write('DATA\r\n');
    expect((await c.replies(5))[4]).toBe(354);
    c.socket.write('Subject: pipelined\r\n\r\nhello\r\n.\r\n');
    expect((await c.replies(6))[5]).toBe(250);
    expect(mx?.messages.map((m) => m.to)).toEqual([['bob@example.org']]);
  });

  it('answers MAIL, two RCPTs and DATA pipelined together in one write, 354 included', async () => {
    const c = await setup();
    c.socket.write('MAIL FROM:<alice@corp.example>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<carol@example.org>\r\nDATA\r\n');
    expect((await c.replies(6)).slice(2)).toEqual([250, 250, 250, 354]);
    expect(c.chunks).toHaveLength(1);
    c.socket.write('Subject: pipelined\r\n\r\nhello\r\n.\r\n');
    expect((await c.replies(7))[6]).toBe(250);
    expect(mx?.messages.map((m) => m.to)).toEqual([['bob@example.org', 'carol@example.org']]);
  });

  it('answers a lone MAIL at once (nothing is held when the client waits)', async () => {
    const c = await setup();
    c.socket.write('MAIL FROM:<alice@corp.example>\r\n');
    expect((await c.replies(3))[2]).toBe(250);
    c.socket.write('RCPT TO:<bob@example.org>\r\n');
    expect((await c.replies(4))[3]).toBe(250);
    expect(c.chunks).toHaveLength(2);
  });

  it('flushes held replies before a refused RCPT and a pipelined RSET and NOOP', async () => {
    const c = await setup();
    c.socket.write('MAIL FROM:<alice@corp.example>\r\nRCPT TO:<bob@example.org>\r\nRCPT TO:<bad address>\r\nRSET\r\nNOOP\r\n');
    const codes = (await c.replies(7)).slice(2);
    expect(codes.slice(0, 2)).toEqual([250, 250]);
    expect(codes[2]).toBeGreaterThanOrEqual(500);
    expect(codes.slice(3)).toEqual([250, 250]);
    c.socket.write('QUIT\r\n');
    expect((await c.replies(8))[7]).toBe(221);
  });
});
