// The receiving leg: one SMTP client connection, driven in lockstep with the upstream's commands.
// Replies (including 4xx/5xx) are returned as values; only transport failures throw RelayError.
import { DotStuffer } from './dot-stuff.js';
import { RelayError } from './relay-error.js';
import { DEFAULT_RELAY_TIMEOUTS, establish, politeQuit } from './relay-open.js';
import { isPositive } from '../reply.js';
import type { Readable } from 'node:stream';
import type { RelayCapabilities } from './relay-capabilities.js';
import type { RelayPhase } from './relay-error.js';
import type { Established, RelayConnectOptions, RelayTimeouts } from './relay-open.js';
import type { RelayTlsInfo } from './relay-tls.js';
import type { RelayWire } from './relay-wire.js';
import type { SmtpReply } from '../reply.js';

export { RelayError, toUpstreamReply } from './relay-error.js';
export type { RelayErrorCode, RelayPhase } from './relay-error.js';
export type { RelayConnectOptions, RelayTimeouts } from './relay-open.js';
export type { RelayTlsInfo, RelayTlsPolicy, TlsVerifyResult } from './relay-tls.js';
export type { RelayCapabilities } from './relay-capabilities.js';

export type RelayRecipient = string | { readonly address: string; readonly params?: readonly string[] };
/** Message bytes as the spool yields them (arrays of chunks work too). A yielded Buffer must not be reused by its producer. */
export type RelayBody = AsyncIterable<Buffer | string> | Iterable<Buffer | string> | Readable;
export type PipelinedReplies = { readonly mail: SmtpReply; readonly rcpts: readonly SmtpReply[] };

const UNSAFE = /[\r\n\0]/;

export class RelayConnection {
  readonly #wire: RelayWire;
  readonly #opts: RelayConnectOptions;
  readonly #t: RelayTimeouts;
  readonly #caps: RelayCapabilities;
  readonly #tls: RelayTlsInfo | null;
  readonly #fallback: string | null;
  #transactions = 0;
  #inTransaction = false;
  #busy = false;
  /** The reply to a DATA sent by beginData(), until the body went out (or DATA was refused). */
  #dataStart: Promise<SmtpReply> | null = null;
  #closed = false;
  #lastReply: SmtpReply | null = null;
  /** The final dot was written and its reply has not arrived: the receiver may already hold the message. */
  #awaitingFinal = false;

  private constructor(opts: RelayConnectOptions, t: RelayTimeouts, est: Established, fallback: string | null) {
    this.#opts = opts;
    this.#t = t;
    this.#wire = est.wire;
    this.#caps = est.capabilities;
    this.#tls = est.tlsInfo;
    this.#fallback = fallback;
  }

  /** Connects and negotiates per the TLS policy. `optional` falls back to clear once after a failed handshake. */
  static async open(opts: RelayConnectOptions, signal?: AbortSignal): Promise<RelayConnection> {
    const t: RelayTimeouts = { ...DEFAULT_RELAY_TIMEOUTS, ...opts.timeouts };
    try {
      const est = await establish(opts, t, opts.tls.starttls, signal);
      return new RelayConnection(opts, t, est, est.tlsFallback);
    } catch (err) {
      if (opts.tls.starttls !== 'optional' || !(err instanceof RelayError) || err.code !== 'RG_RELAY_TLS_HANDSHAKE') throw err;
      // Opportunistic TLS: a failed handshake leaves the session unusable, so reconnect once in clear.
      const est = await establish(opts, t, 'disabled', signal);
      return new RelayConnection(opts, t, est, `TLS handshake failed, continued in clear: ${err.message}`);
    }
  }

  get host(): string {
    return this.#opts.host;
  }
  get port(): number {
    return this.#opts.port;
  }
  get options(): RelayConnectOptions {
    return this.#opts;
  }
  get capabilities(): RelayCapabilities {
    return this.#caps;
  }
  get tlsInfo(): RelayTlsInfo | null {
    return this.#tls;
  }
  /** Why this connection runs in clear although TLS was wanted (opportunistic policy only); null otherwise. */
  get tlsFallback(): string | null {
    return this.#fallback;
  }
  /** MAIL commands sent on this connection. */
  get transactions(): number {
    return this.#transactions;
  }
  get busy(): boolean {
    return this.#busy;
  }
  /** A MAIL was accepted or sent and no final DATA reply or RSET ended it. */
  get inTransaction(): boolean {
    return this.#inTransaction;
  }
  get lastReply(): SmtpReply | null {
    return this.#lastReply;
  }
  /** Open, not faulted, no 421 seen, not inside a DATA phase: another command may be sent. */
  get usable(): boolean {
    return !this.#closed && this.#wire.alive && this.#dataStart === null;
  }

  /**
   * The terminator went out and the final reply is still due. Closing now would not undo the message
   * (the receiver may have queued it on the dot); it would only hide the outcome. Drain waits instead.
   */
  get awaitingFinalReply(): boolean {
    return this.#awaitingFinal;
  }

  /** DATA was sent by beginData() and no body followed yet: only a hard close ends this safely. */
  get dataOpen(): boolean {
    return this.#dataStart !== null;
  }

  /**
   * Sends DATA now, while the upstream is still sending the body, so its round trip is off the
   * message's critical path; data() then awaits that reply instead of sending DATA. A connection
   * left in this state (the message was blocked) is never reused: closing it without the final
   * dot is what makes the receiving MTA discard the transaction.
   */
  beginData(): void {
    if (this.#dataStart !== null || this.#busy || !this.usable) return;
    const go = this.#single('DATA\r\n', 'data');
    go.catch(() => undefined);
    this.#dataStart = go;
  }

  async mail(from: string, params: readonly string[] = []): Promise<SmtpReply> {
    const line = this.#line('mail', 'MAIL FROM:', from, params);
    this.#transactions++;
    this.#inTransaction = true;
    return this.#single(line, 'mail');
  }

  async rcpt(to: string, params: readonly string[] = []): Promise<SmtpReply> {
    return this.#single(this.#line('rcpt', 'RCPT TO:', to, params), 'rcpt');
  }

  /** MAIL and every RCPT in one write when the server offers PIPELINING, else one by one; replies in order. */
  async mailAndRcpts(from: string, params: readonly string[], rcpts: readonly RelayRecipient[]): Promise<PipelinedReplies> {
    if (!this.#caps.pipelining) {
      const mail = await this.mail(from, params);
      const out: SmtpReply[] = [];
      for (const r of rcpts) out.push(await this.rcpt(...recipient(r)));
      return { mail, rcpts: out };
    }
    let payload = this.#line('mail', 'MAIL FROM:', from, params);
    for (const r of rcpts) payload += this.#line('rcpt', 'RCPT TO:', ...recipient(r));
    this.#transactions++;
    this.#inTransaction = true;
    const phases: RelayPhase[] = ['mail', ...rcpts.map((): RelayPhase => 'rcpt')];
    const got = await this.#run('mail', () => this.#wire.command(payload, phases, this.#t.commandMs));
    return { mail: got[0] as SmtpReply, rcpts: got.slice(1) };
  }

  /**
   * DATA, then the body dot-stuffed and CRLF-normalised, then the final reply. A non-354 answer to DATA
   * is returned as is. The dataMs timer covers the transfer and the final reply.
   */
  async data(body: RelayBody): Promise<SmtpReply> {
    const started = this.#dataStart;
    const go = await (started ?? this.#single('DATA\r\n', 'data'));
    if (go.code !== 354) {
      this.#dataStart = null;
      return go;
    }
    try {
      return await this.#run('data', () => this.#sendBody(body));
    } finally {
      this.#dataStart = null;
    }
  }

  async rset(): Promise<SmtpReply> {
    const r = await this.#single('RSET\r\n', 'rset');
    if (isPositive(r)) this.#inTransaction = false;
    return r;
  }

  /** Graceful QUIT (a hard close inside an open DATA phase); never throws. */
  async quit(): Promise<void> {
    if (this.#closed) return;
    if (this.#dataStart !== null) return this.close();
    this.#closed = true;
    await politeQuit(this.#wire, this.#t.commandMs);
    this.#wire.fail('RG_RELAY_CLOSED', 'connection closed after QUIT');
  }

  /** Immediate teardown. */
  close(): void {
    this.#closed = true;
    this.#wire.fail('RG_RELAY_CLOSED', 'connection closed by the gateway');
  }

  async #sendBody(body: RelayBody): Promise<SmtpReply> {
    const wire = this.#wire;
    const stuffer = new DotStuffer();
    // Registered before the first byte so an early reply (a server refusing mid-body) is caught.
    const final = wire.next('data', this.#t.dataMs);
    let early = false;
    let ended = false;
    final.then(
      () => (early = !ended),
      () => undefined,
    );
    // Chunks are gathered up to COALESCE_BYTES and leave in one writev (the socket has NODELAY); the
    // last group and the terminator leave together, so a small message is a single segment.
    let held: Buffer[] = [];
    let heldBytes = 0;
    try {
      for await (const chunk of body) {
        if (early || !wire.alive) break;
        const out = stuffer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        if (out.length === 0) continue;
        if (heldBytes >= COALESCE_BYTES) {
          if (!this.#writeGroup(held)) await wire.drain('data');
          held = [];
          heldBytes = 0;
        }
        held.push(out);
        heldBytes += out.length;
      }
    } catch (err) {
      if (err instanceof RelayError) throw err;
      // Never let a truncated body be completed: kill the connection, no terminator.
      wire.fail('RG_RELAY_BODY_READ', 'message body could not be read');
      throw wire.error('data', 'RG_RELAY_BODY_READ', `message body could not be read: ${(err as Error).message}`, { cause: err });
    }
    if (!early) {
      ended = true;
      // Set in the same tick as the write: whoever checks it later knows the dot may have arrived.
      this.#awaitingFinal = wire.alive;
      this.#writeGroup([...held, stuffer.end()]);
    }
    let reply: SmtpReply;
    try {
      reply = await final;
    } finally {
      this.#awaitingFinal = false;
    }
    this.#inTransaction = false;
    if (early) return this.#earlyReply(reply);
    return reply;
  }

  /** Corked writes leave in one writev; false when the socket wants a drain first. */
  #writeGroup(chunks: readonly Buffer[]): boolean {
    const socket = this.#wire.socket;
    socket.cork();
    let ok = true;
    for (const c of chunks) ok = this.#wire.write(c);
    socket.uncork();
    return ok;
  }

  #earlyReply(reply: SmtpReply): SmtpReply {
    // The server answered before the end of data: the session state is unknown, never reuse it.
    this.close();
    if (isPositive(reply)) {
      throw this.#wire.error('data', 'RG_RELAY_PROTOCOL', 'positive reply before the end of the message', { reply });
    }
    return reply;
  }

  async #single(payload: string, phase: RelayPhase): Promise<SmtpReply> {
    const [r] = await this.#run(phase, () => this.#wire.command(payload, phase, this.#t.commandMs));
    return r as SmtpReply;
  }

  /** One command (group) at a time; records the last reply. */
  async #run<T extends SmtpReply | readonly SmtpReply[]>(phase: RelayPhase, fn: () => Promise<T>): Promise<T> {
    if (this.#closed) throw this.#wire.error(phase, 'RG_RELAY_CLOSED', 'connection already closed');
    if (this.#busy) throw this.#wire.error(phase, 'RG_RELAY_BUSY', 'a command is already in flight on this connection');
    this.#busy = true;
    try {
      const got = await fn();
      const last = Array.isArray(got) ? got[got.length - 1] : got;
      if (last !== undefined) this.#lastReply = last as SmtpReply;
      return got;
    } finally {
      this.#busy = false;
    }
  }

  #line(phase: RelayPhase, verb: string, address: string, params: readonly string[]): string {
    if (UNSAFE.test(address) || params.some((p) => UNSAFE.test(p) || p === '')) {
      throw this.#wire.error(phase, 'RG_RELAY_BAD_ARGUMENT', 'address or parameter contains a line break or NUL');
    }
    return params.length === 0 ? `${verb}<${address}>\r\n` : `${verb}<${address}> ${params.join(' ')}\r\n`;
  }
}

/** Body bytes gathered before a write (four 16 KiB spool reads); the buffers go out as they are, uncopied. */
const COALESCE_BYTES = 64 * 1024;

function recipient(r: RelayRecipient): [string, readonly string[]] {
  return typeof r === 'string' ? [r, []] : [r.address, r.params ?? []];
}
