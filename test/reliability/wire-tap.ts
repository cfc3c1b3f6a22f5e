// A loopback TCP relay between the gateway and a receiving MTA that records every byte the gateway
// sends, exactly as it went on the wire: what a lenient or buggy receiver would have to parse.
import net from 'node:net';

export interface WireTap {
  readonly port: number;
  /** Bytes sent towards the MTA, one Buffer per connection, in connection order. */
  sent(): Buffer[];
  /** Every byte sent towards the MTA over all connections, in arrival order (slice by length to see one test's bytes). */
  all(): Buffer;
  close(): Promise<void>;
}

export async function startWireTap(targetPort: number): Promise<WireTap> {
  const streams: Buffer[][] = [];
  const everything: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const chunks: Buffer[] = [];
    streams.push(chunks);
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.on('data', (c: Buffer) => {
      chunks.push(c);
      everything.push(c);
    });
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sent: () => streams.map((c) => Buffer.concat(c)),
    all: () => Buffer.concat(everything),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Offsets of CR not followed by LF and of LF not preceded by CR. */
export function bareLineBreaks(bytes: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 13 && bytes[i + 1] !== 10) out.push(i);
    if (b === 10 && bytes[i - 1] !== 13) out.push(i);
  }
  return out;
}

/**
 * Splits a client's byte stream the strict way (commands end at CRLF, DATA ends at CRLF.CRLF), assuming
 * every DATA got its 354. With no bare CR or LF on the wire, a lenient receiver would split it the same way.
 */
export function parseClientStream(wire: Buffer): { readonly commands: string[]; readonly bodies: Buffer[] } {
  const commands: string[] = [];
  const bodies: Buffer[] = [];
  let at = 0;
  while (at < wire.length) {
    const eol = wire.indexOf('\r\n', at);
    if (eol < 0) break;
    const line = wire.subarray(at, eol).toString('latin1');
    commands.push(line);
    at = eol + 2;
    if (line.toUpperCase() !== 'DATA') continue;
    const end = wire.subarray(at, at + 3).toString('latin1') === '.\r\n' ? at - 2 : wire.indexOf('\r\n.\r\n', at);
    if (end < 0) break;
    bodies.push(wire.subarray(at, end + 2));
    at = end + 5;
  }
  return { commands, bodies };
}
