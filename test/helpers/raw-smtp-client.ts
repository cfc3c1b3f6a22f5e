// A raw SMTP client for hostile framing: writes exactly the bytes a test gives it (strings are latin1,
// so every byte value 0-255 survives), reads whole replies, pipelines any number of commands in one
// write, upgrades to TLS mid-stream (or sends garbage instead of a handshake), and reports closure.
import net from 'node:net';
import tls from 'node:tls';

export interface RawReply {
  readonly code: number;
  /** Reply lines as received, without their CRLF. */
  readonly lines: readonly string[];
  /** All lines joined with a newline, for messages and regex assertions. */
  readonly text: string;
}

export interface RawConnectOptions {
  readonly host?: string;
  /** Bind the client side to this address, e.g. 127.0.0.2 to appear as an unknown client. */
  readonly localAddress?: string;
  /** How long a reply read waits before it fails the test (default 10 s). */
  readonly replyTimeoutMs?: number;
}

export class RawSmtpError extends Error {
  readonly code: 'RG_TEST_RAW_CLOSED' | 'RG_TEST_RAW_TIMEOUT';
  constructor(code: RawSmtpError['code'], message: string) {
    super(`${code}: ${message}`);
    this.name = 'RawSmtpError';
    this.code = code;
  }
}

const REPLY_LINE = /^\d{3}(?:[ -]|$)/;

export class RawSmtp {
  #socket: net.Socket;
  #buf: Buffer = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #closed = false;
  readonly #timeoutMs: number;
  /** Every byte received, for transcripts in failure messages. */
  #transcript = '';

  private constructor(socket: net.Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    this.#bind(socket);
  }

  static async connect(port: number, opts: RawConnectOptions = {}): Promise<RawSmtp> {
    const socket = net.connect({
      port,
      host: opts.host ?? '127.0.0.1',
      ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }),
    });
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSmtp(socket, opts.replyTimeoutMs ?? 10_000);
  }

  /** Connects and reads the banner. */
  static async open(port: number, opts: RawConnectOptions = {}): Promise<{ client: RawSmtp; banner: RawReply }> {
    const client = await RawSmtp.connect(port, opts);
    return { client, banner: await client.reply() };
  }

  get closed(): boolean {
    return this.#closed;
  }

  get socket(): net.Socket {
    return this.#socket;
  }

  /** Everything the server sent so far (latin1). */
  get transcript(): string {
    return this.#transcript;
  }

  /** Exact bytes; a string is written as latin1 so "\x00" and "\xff" are single bytes. */
  write(data: string | Buffer): boolean {
    if (this.#closed) return false;
    return this.#socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  async command(line: string): Promise<RawReply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** All lines in one write (each gets CRLF), then one reply per line, in order. */
  async pipeline(lines: readonly string[]): Promise<RawReply[]> {
    this.write(lines.map((l) => `${l}\r\n`).join(''));
    return this.replies(lines.length);
  }

  async replies(n: number): Promise<RawReply[]> {
    const out: RawReply[] = [];
    for (let i = 0; i < n; i++) out.push(await this.reply());
    return out;
  }

  /** One complete (possibly multi-line) reply. */
  async reply(timeoutMs = this.#timeoutMs): Promise<RawReply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.#line(timeoutMs);
      if (!REPLY_LINE.test(line)) throw new Error(`RG_TEST_RAW_GARBLED: not a reply line: ${JSON.stringify(line)}`);
      lines.push(line);
      if (line.charAt(3) !== '-') break;
    }
    const last = lines[lines.length - 1] ?? '';
    return { code: Number(last.slice(0, 3)), lines, text: lines.join('\n') };
  }

  /** EHLO and its reply; the extension keywords, upper-cased. */
  async ehlo(name = 'client.example.test'): Promise<{ reply: RawReply; extensions: readonly string[] }> {
    const r = await this.command(`EHLO ${name}`);
    const extensions = r.lines.slice(1).map((l) => (l.slice(4).split(' ')[0] ?? '').toUpperCase());
    return { reply: r, extensions };
  }

  /** Sends STARTTLS (unless `alreadySent`), expects 220, then handshakes on the same socket. */
  async startTls(options: tls.ConnectionOptions = {}, alreadySent = false): Promise<tls.TLSSocket> {
    if (!alreadySent) {
      const r = await this.command('STARTTLS');
      if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.text}`);
    }
    const plain = this.#socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername: 'gw.example.test', ...options });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#buf = Buffer.alloc(0);
    this.#bind(secure);
    return secure;
  }

  /** Bytes that arrive within `ms`, without waiting for a line end (for "nothing more was said" checks). */
  async drainFor(ms: number): Promise<string> {
    await new Promise((r) => setTimeout(r, ms));
    const out = this.#buf.toString('latin1');
    this.#buf = Buffer.alloc(0);
    return out;
  }

  /** Resolves true when the server closed the connection within `ms`, false otherwise. */
  async waitClosed(ms = this.#timeoutMs): Promise<boolean> {
    const until = Date.now() + ms;
    while (!this.#closed) {
      const left = until - Date.now();
      if (left <= 0) return false;
      await this.#sleepOrWake(left);
    }
    return true;
  }

  /** Ends our side politely (QUIT, not waiting long for 221), then destroys the socket. */
  async quit(): Promise<void> {
    if (!this.#closed) {
      this.write('QUIT\r\n');
      await this.waitClosed(1_000);
    }
    this.destroy();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #bind(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      this.#transcript += chunk.toString('latin1');
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
  }

  async #line(timeoutMs: number): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const at = this.#buf.indexOf('\r\n');
      if (at >= 0) {
        const line = this.#buf.subarray(0, at).toString('latin1');
        this.#buf = this.#buf.subarray(at + 2);
        return line;
      }
      if (this.#closed) throw new RawSmtpError('RG_TEST_RAW_CLOSED', `connection closed; unread: ${JSON.stringify(this.#buf.toString('latin1'))}`);
      const left = until - Date.now();
      if (left <= 0) throw new RawSmtpError('RG_TEST_RAW_TIMEOUT', `no reply within ${timeoutMs} ms; transcript: ${JSON.stringify(this.#transcript.slice(-500))}`);
      await this.#sleepOrWake(left);
    }
  }

  #sleepOrWake(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = null;
        done();
      };
    });
  }
}
