// Receiving MTAs for tests. startRecordingMta: a real smtp-server that records every message byte-exact.
// startScriptedMta: a raw TCP peer driven by a script, for faults smtp-server cannot produce.
import net from 'node:net';
import tls from 'node:tls';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { SMTPServerOptions, SMTPServerSession, SMTPServerDataStream } from 'smtp-server';
import type { SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';

/**
 * What the MTA answers, sent verbatim as `code message`: put an enhanced code at the start of the message
 * ("5.1.1 No such user") to send one. With `enhancedStatusCodes: true` smtp-server adds its own instead.
 */
export type MtaReply = { readonly code: number; readonly message: string };

export type RecordedMessage = {
  readonly from: string;
  readonly to: string[];
  /** The message as received, after the server removed dot-stuffing; CRLF line endings. */
  readonly raw: Buffer;
  /** Body bytes received, also when keepBody is false. */
  readonly size: number;
  readonly tls: { readonly protocol: string; readonly cipher: string; readonly servername: string | null } | null;
  readonly clientCert?: { readonly subject: string; readonly fingerprint256: string };
  readonly sessionId: string;
};

export type RecordingMtaOptions = {
  readonly tls?: { readonly key: string; readonly cert: string; readonly requestCert?: boolean; readonly ca?: string };
  /** Keep STARTTLS out of the EHLO list even with a certificate. */
  readonly hideStartTls?: boolean;
  readonly hidePipelining?: boolean;
  /** Advertise ENHANCEDSTATUSCODES and let smtp-server prefix every reply with one (default false). */
  readonly enhancedStatusCodes?: boolean;
  readonly name?: string;
  readonly banner?: string;
  /** SIZE limit to advertise (and enforce with 552). */
  readonly size?: number;
  readonly failAt?: { readonly connect?: MtaReply; readonly mail?: MtaReply };
  readonly rejectRcpt?: (address: string) => MtaReply | undefined;
  /** Final reply to the end of DATA; undefined accepts with `250 ... queued as <id>`. */
  readonly dataReply?: (msg: RecordedMessage) => MtaReply | undefined;
  /** Destroy the connection as soon as the first DATA bytes arrive. */
  readonly dropDuringData?: boolean;
  /** false: count body bytes but keep none (large-message tests); raw is then empty. Default true. */
  readonly keepBody?: boolean;
};

export type RecordingMta = {
  readonly port: number;
  readonly host: '127.0.0.1';
  readonly messages: RecordedMessage[];
  readonly rejected: RecordedMessage[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** DATA bytes received so far over all messages, counted as they arrive. */
  bytesReceived(): number;
  waitForMessages(n: number, timeoutMs?: number): Promise<RecordedMessage[]>;
  close(): Promise<void>;
};

/** smtp-server minus its fixed 100 ms early-talker delay before the banner (SMTPConnection.init). */
class FastGreetingServer extends SMTPServer {
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): void {
    const connection = new SMTPConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection._setListeners(() => {
      const max = this.options.maxClients;
      if (max !== undefined && max > 0 && this.connections.size > max) {
        connection.send(421, `${connection.name} Too many connected clients, try again in a moment`, false);
        return;
      }
      connection.connectionReady();
    });
  }
}

function smtpError(r: MtaReply): Error & { responseCode: number } {
  return Object.assign(new Error(r.message), { responseCode: r.code });
}

function socketOf(server: SMTPServer, session: SMTPServerSession): net.Socket | tls.TLSSocket | undefined {
  for (const c of server.connections) if (c.id === session.id) return c._socket;
  return undefined;
}

function describeSession(server: SMTPServer, session: SMTPServerSession, raw: Buffer, size: number): RecordedMessage {
  const socket = socketOf(server, session);
  const secure = socket instanceof tls.TLSSocket ? socket : null;
  const peer = secure?.getPeerCertificate();
  const base = {
    from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
    to: session.envelope.rcptTo.map((r) => r.address),
    raw,
    size,
    sessionId: session.id,
    tls: secure === null ? null : { protocol: secure.getProtocol() ?? '', cipher: secure.getCipher().name, servername: session.servername || null },
  };
  if (peer === undefined || peer === null || peer.fingerprint256 === undefined) return base;
  const subject = Object.entries(peer.subject ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return { ...base, clientCert: { subject, fingerprint256: peer.fingerprint256 } };
}

function serverOptions(opts: RecordingMtaOptions, handlers: Partial<SMTPServerOptions>): SMTPServerOptions {
  const withTls = opts.tls !== undefined;
  return {
    name: opts.name ?? 'mx.example.test',
    ...(opts.banner === undefined ? {} : { banner: opts.banner }),
    ...(opts.size === undefined ? {} : { size: opts.size, rejectOversized: true }),
    disabledCommands: ['AUTH'],
    authOptional: true,
    disableReverseLookup: true,
    useXClient: false,
    useXForward: false,
    logger: false,
    hideSTARTTLS: !withTls || opts.hideStartTls === true,
    hidePIPELINING: opts.hidePipelining === true,
    hideENHANCEDSTATUSCODES: opts.enhancedStatusCodes !== true,
    closeTimeout: 1000,
    ...(withTls
      ? { key: opts.tls.key, cert: opts.tls.cert, requestCert: opts.tls.requestCert ?? false, rejectUnauthorized: false, ...(opts.tls.ca ? { ca: opts.tls.ca } : {}) }
      : {}),
    ...handlers,
  };
}

export async function startRecordingMta(opts: RecordingMtaOptions = {}): Promise<RecordingMta> {
  const messages: RecordedMessage[] = [];
  const rejected: RecordedMessage[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let received = 0;
  let queueId = 0;
  const server: SMTPServer = new FastGreetingServer(
    serverOptions(opts, {
      onConnect: (_s, cb) => cb(opts.failAt?.connect ? smtpError(opts.failAt.connect) : null),
      onMailFrom: (_a, _s, cb) => cb(opts.failAt?.mail ? smtpError(opts.failAt.mail) : null),
      onRcptTo: (addr, _s, cb) => {
        const r = opts.rejectRcpt?.(addr.address);
        cb(r === undefined ? null : smtpError(r));
      },
      onData: (stream: SMTPServerDataStream, session, cb) => {
        const chunks: Buffer[] = [];
        const keep = opts.keepBody !== false;
        let size = 0;
        if (opts.dropDuringData === true) stream.once('data', () => socketOf(server, session)?.destroy());
        stream.on('data', (c: Buffer) => {
          size += c.length;
          received += c.length;
          if (keep) chunks.push(c);
        });
        stream.on('end', () => {
          const msg = describeSession(server, session, Buffer.concat(chunks), size);
          const r = opts.dataReply?.(msg);
          if (r !== undefined) {
            rejected.push(msg);
            return cb(smtpError(r));
          }
          messages.push(msg);
          for (const w of waiters) w();
          cb(null, `OK: queued as RGTEST${String(++queueId).padStart(6, '0')}`);
        });
      },
    }),
  );
  server.on('error', () => undefined);
  server.server.on('connection', (s: net.Socket) => {
    accepted++;
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return {
    port,
    host: '127.0.0.1',
    messages,
    rejected,
    connections: () => accepted,
    bytesReceived: () => received,
    waitForMessages: (n, timeoutMs = 10_000) => waitFor(() => messages.length >= n, waiters, timeoutMs, `${n} messages`).then(() => messages),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function waitFor(ready: () => boolean, waiters: Set<() => void>, timeoutMs: number, what: string): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (!ready()) return;
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`recording MTA: timed out waiting for ${what}`));
    }, timeoutMs);
    waiters.add(check);
  });
}

// ---- scripted raw peer ----------------------------------------------------------------------

/** One accepted connection, driven by a test script. */
export class ScriptedPeer {
  #socket: net.Socket;
  #buf = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #ended = false;
  readonly closed: Promise<void>;

  constructor(socket: net.Socket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.#bind(socket);
  }

  get socket(): net.Socket {
    return this.#socket;
  }

  send(text: string): void {
    this.#socket.write(text);
  }

  /** Next line without its line ending; rejects when the client closed first. */
  async readLine(): Promise<string> {
    const at = await this.#until(() => this.#buf.indexOf('\n'));
    const line = this.#buf.subarray(0, at).toString('latin1').replace(/\r$/, '');
    this.#buf = this.#buf.subarray(at + 1);
    return line;
  }

  /** Reads a command line and checks its verb, e.g. expect('MAIL'). */
  async expect(verb: string): Promise<string> {
    const line = await this.readLine();
    if (!line.toUpperCase().startsWith(verb.toUpperCase())) throw new Error(`scripted MTA: expected ${verb}, got ${JSON.stringify(line)}`);
    return line;
  }

  /** Raw (still dot-stuffed) DATA bytes up to and excluding CRLF.CRLF. */
  async readData(): Promise<Buffer> {
    const find = (): number => (this.#buf.subarray(0, 3).toString() === '.\r\n' ? 0 : this.#buf.indexOf('\r\n.\r\n'));
    const at = await this.#until(find);
    const data = at === 0 ? Buffer.alloc(0) : this.#buf.subarray(0, at + 2);
    this.#buf = this.#buf.subarray(at === 0 ? 3 : at + 5);
    return data;
  }

  /** Server side of STARTTLS after the script sent its 220. */
  async startTls(key: string, cert: string): Promise<tls.TLSSocket> {
    const secure = new tls.TLSSocket(this.#socket, { isServer: true, key, cert });
    this.#socket.removeAllListeners('data');
    this.#socket = secure;
    this.#bind(secure);
    await new Promise<void>((resolve, reject) => {
      secure.once('secure', resolve);
      secure.once('error', reject);
    });
    return secure;
  }

  /** The standard opening: banner, EHLO answered with the given extensions. */
  async greet(extensions: readonly string[] = ['PIPELINING']): Promise<void> {
    this.send('220 scripted.example.test ESMTP\r\n');
    await this.expect('EHLO');
    const lines = ['scripted.example.test', ...extensions];
    this.send(lines.map((l, i) => `250${i < lines.length - 1 ? '-' : ' '}${l}\r\n`).join(''));
  }

  #bind(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  async #until(find: () => number): Promise<number> {
    for (;;) {
      const at = find();
      if (at >= 0) return at;
      if (this.#ended) throw new Error('scripted MTA: client closed the connection');
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }
}

export type ScriptedMta = {
  readonly port: number;
  readonly host: '127.0.0.1';
  connections(): number;
  /** Errors thrown by scripts (a failed expect), for the test to assert on. */
  readonly errors: unknown[];
  close(): Promise<void>;
};

export async function startScriptedMta(script: (peer: ScriptedPeer) => Promise<void>): Promise<ScriptedMta> {
  const sockets = new Set<net.Socket>();
  const errors: unknown[] = [];
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.once('close', () => sockets.delete(socket));
    script(new ScriptedPeer(socket)).catch((err: unknown) => {
      errors.push(err);
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    host: '127.0.0.1',
    connections: () => accepted,
    errors,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- a throwaway certificate ---------------------------------------------------------------

export type TestKeyPair = { readonly key: string; readonly cert: string };

/** Self-signed certificate for hostname (and 127.0.0.1); RSA key from node:crypto, certificate from node-forge. */
export function selfSignedCertificate(hostname = 'mx.example.test'): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: hostname }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 7, ip: '127.0.0.1' }] }]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}
