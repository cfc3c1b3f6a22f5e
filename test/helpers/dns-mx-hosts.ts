// Receiving MTAs for MX tests, each on its own loopback address (127.0.0.x or ::1) and the shared MX
// port, so DNS decides which one gets the mail; and a man in the middle that removes STARTTLS from
// the EHLO reply of the MTA behind it (the downgrade MTA-STS and DANE exist to stop).
import net from 'node:net';
import { createHash, X509Certificate } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerDataStream } from 'smtp-server';

export interface MxMessage {
  readonly host: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly secure: boolean;
  readonly servername: string | undefined;
  readonly body: string;
}

export interface MxMta {
  readonly host: string;
  readonly port: number;
  readonly messages: MxMessage[];
  connections(): number;
  close(): Promise<void>;
}

export async function startMxMta(o: { readonly host: string; readonly port: number; readonly tls?: { readonly key: string; readonly cert: string }; readonly name?: string }): Promise<MxMta> {
  const messages: MxMessage[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = new SMTPServer({
    name: o.name ?? `mx-${o.host}`,
    disabledCommands: ['AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    hideSTARTTLS: o.tls === undefined,
    closeTimeout: 500,
    ...(o.tls === undefined ? {} : { key: o.tls.key, cert: o.tls.cert }),
    onData(stream: SMTPServerDataStream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const s = session as typeof session & { servername?: string };
        messages.push({
          host: o.host,
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          servername: s.servername,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        cb(null, `OK queued at ${o.host}`);
      });
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (s: net.Socket) => {
    connections++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    host: o.host,
    port: o.port,
    messages,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Listens on host:port, relays to the MTA at target, and deletes the STARTTLS line from EHLO replies. */
export async function startStartTlsStripper(o: { readonly host: string; readonly port: number; readonly target: { readonly host: string; readonly port: number } }): Promise<{ stripped(): number; close(): Promise<void> }> {
  let stripped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(o.target);
    sockets.add(client).add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    let pending = '';
    upstream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      const cut = pending.lastIndexOf('\r\n');
      if (cut < 0) return;
      const lines = pending.slice(0, cut).split('\r\n');
      pending = pending.slice(cut + 2);
      const out: string[] = [];
      for (const l of lines) {
        const m = /^250([- ])STARTTLS$/i.exec(l);
        if (m === null) {
          out.push(l);
          continue;
        }
        stripped++;
        // Removing the final "250 STARTTLS" line makes the line before it the final one.
        const last = out[out.length - 1];
        if (m[1] === ' ' && last !== undefined) out[out.length - 1] = `250 ${last.slice(4)}`;
      }
      client.write(Buffer.from(`${out.join('\r\n')}\r\n`, 'latin1'));
    });
  });
  await new Promise<void>((resolve) => server.listen(o.port, o.host, resolve));
  return {
    stripped: () => stripped,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** TLSA association data: selector 0 = whole certificate, 1 = SPKI; matching type 1 = SHA-256. */
export function tlsaRecord(usage: 2 | 3, selector: 0 | 1, certPem: string): string {
  const cert = new X509Certificate(certPem);
  const data = selector === 0 ? cert.raw : cert.publicKey.export({ type: 'spki', format: 'der' });
  return `${usage} ${selector} 1 ${createHash('sha256').update(data).digest('hex')}`;
}
