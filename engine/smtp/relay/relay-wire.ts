// The relay client's socket plumbing: ordered reply waiters, per-wait timeouts, drain, and one fault
// that ends everything. A fault destroys the socket; every pending and later wait rejects with it.
import type { Socket } from 'node:net';
import { ReplyParser } from './reply-parser.js';
import { RelayError } from './relay-error.js';
import type { RelayErrorCode, RelayPhase } from './relay-error.js';
import type { SmtpReply } from '../reply.js';

type Waiter = {
  readonly phase: RelayPhase;
  readonly resolve: (r: SmtpReply) => void;
  readonly reject: (e: RelayError) => void;
  readonly timer: NodeJS.Timeout;
  /** STARTTLS: stop reading right after a reply that passes, so TLS gets the socket untouched. */
  readonly pauseAfter?: (r: SmtpReply) => boolean;
};

type Fault = { readonly code: RelayErrorCode; readonly message: string; readonly cause?: unknown; readonly reply?: SmtpReply };

export type Endpoint = { readonly host: string; readonly port: number };

export class RelayWire {
  readonly #endpoint: Endpoint;
  #socket: Socket;
  #parser = new ReplyParser();
  #waiters: Waiter[] = [];
  #drainWaiters: Array<{ resolve: () => void; reject: (e: RelayError) => void; phase: RelayPhase }> = [];
  #fault: Fault | null = null;
  #closing = false;
  #leftover = false;
  #lastPhase: RelayPhase = 'connect';

  constructor(endpoint: Endpoint, socket: Socket) {
    this.#endpoint = endpoint;
    this.#socket = socket;
    this.#listen(socket);
  }

  get socket(): Socket {
    return this.#socket;
  }

  /** Usable for another command: no fault, no 421 seen, socket open. */
  get alive(): boolean {
    return this.#fault === null && !this.#closing && !this.#socket.destroyed && this.#socket.writable;
  }

  get pending(): number {
    return this.#waiters.length;
  }

  error(phase: RelayPhase, code: RelayErrorCode, message: string, extra: { cause?: unknown; reply?: SmtpReply } = {}): RelayError {
    return new RelayError(code, phase, message, { ...this.#endpoint, ...extra });
  }

  /** Waits for the next reply, in order. The timer starts now. */
  next(phase: RelayPhase, timeoutMs: number, pauseAfter?: (r: SmtpReply) => boolean): Promise<SmtpReply> {
    this.#lastPhase = phase;
    if (this.#fault !== null) return Promise.reject(this.#errorFor(phase, this.#fault));
    return new Promise<SmtpReply>((resolve, reject) => {
      const timer = setTimeout(() => this.#onTimeout(phase, timeoutMs), timeoutMs);
      this.#waiters.push(pauseAfter === undefined ? { phase, resolve, reject, timer } : { phase, resolve, reject, timer, pauseAfter });
    });
  }

  /** Writes one command, or a pipelined group with one phase per expected reply, and waits for the replies. */
  async command(payload: string | Buffer, phases: RelayPhase | readonly RelayPhase[], timeoutMs: number): Promise<SmtpReply[]> {
    const waits: Promise<SmtpReply>[] = [];
    for (const phase of typeof phases === 'string' ? [phases] : phases) waits.push(this.next(phase, timeoutMs));
    // Mark every wait handled now; Promise.all below reports the first failure.
    for (const w of waits) w.catch(() => undefined);
    this.write(payload);
    return Promise.all(waits);
  }

  write(payload: string | Buffer): boolean {
    if (this.#fault !== null) return false;
    return this.#socket.write(payload);
  }

  drain(phase: RelayPhase): Promise<void> {
    if (this.#fault !== null) return Promise.reject(this.#errorFor(phase, this.#fault));
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject, phase }));
  }

  /** Ends the wire with a fault: destroys the socket and rejects every wait. Idempotent. */
  fail(code: RelayErrorCode, message: string, extra: { cause?: unknown; reply?: SmtpReply } = {}): void {
    if (this.#fault !== null) return;
    this.#fault = { code, message, ...extra };
    this.#socket.destroy();
    const waiters = this.#waiters.splice(0);
    for (const w of waiters) {
      clearTimeout(w.timer);
      w.reject(this.#errorFor(w.phase, this.#fault));
    }
    for (const d of this.#drainWaiters.splice(0)) d.reject(this.#errorFor(d.phase, this.#fault));
  }

  /**
   * Hands the raw socket over for a TLS handshake after the 220 to STARTTLS. Anything the server
   * sent after that 220 would be read as if it came over TLS: the STARTTLS injection attack. Refuse it.
   */
  detachForTls(): Socket {
    const socket = this.#socket;
    if (this.#leftover || this.#parser.hasPartial || socket.readableLength > 0) {
      this.fail('RG_RELAY_PROTOCOL', 'server sent data after its 220 reply to STARTTLS (possible injection); discarded');
      throw this.#errorFor('starttls', this.#fault as Fault);
    }
    this.#unlisten(socket);
    socket.on('error', () => undefined);
    return socket;
  }

  /** Continues on the TLS socket with a fresh parser. */
  attach(socket: Socket): void {
    this.#socket = socket;
    this.#parser = new ReplyParser();
    this.#leftover = false;
    this.#listen(socket);
  }

  /** Graceful end; resolves once the socket closed (or after graceMs, destroying it). */
  end(graceMs: number): Promise<void> {
    const socket = this.#socket;
    if (socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => socket.destroy(), graceMs);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.#closing = true;
      socket.end();
    });
  }

  #errorFor(phase: RelayPhase, f: Fault): RelayError {
    return this.error(phase, f.code, f.message, { cause: f.cause, ...(f.reply === undefined ? {} : { reply: f.reply }) });
  }

  #onTimeout(phase: RelayPhase, ms: number): void {
    this.fail('RG_RELAY_TIMEOUT', `no reply within ${ms} ms during ${phase}`);
  }

  readonly #onData = (chunk: Buffer): void => {
    let got: SmtpReply[];
    try {
      got = this.#parser.push(chunk);
    } catch (err) {
      this.fail('RG_RELAY_PROTOCOL', `malformed reply: ${(err as Error).message}`, { cause: err });
      return;
    }
    for (let i = 0; i < got.length; i++) {
      const r = got[i] as SmtpReply;
      if (r.code === 421) this.#closing = true;
      const w = this.#waiters.shift();
      if (w === undefined) {
        this.#unsolicited(r);
        return;
      }
      clearTimeout(w.timer);
      w.resolve(r);
      if (w.pauseAfter?.(r) === true) {
        this.#socket.pause();
        this.#unlisten(this.#socket);
        this.#leftover = i < got.length - 1;
        return;
      }
    }
  };

  #unsolicited(r: SmtpReply): void {
    // A 421 while idle is a server announcing shutdown; anything else breaks the reply order.
    if (r.code === 421) this.fail('RG_RELAY_CONNECTION_LOST', 'server closed the connection (421)', { reply: r });
    else this.fail('RG_RELAY_PROTOCOL', 'unexpected reply with no command pending', { reply: r });
  }

  readonly #onDrain = (): void => {
    for (const d of this.#drainWaiters.splice(0)) d.resolve();
  };

  readonly #onError = (err: Error): void => {
    this.fail('RG_RELAY_CONNECTION_LOST', `connection error during ${this.#lastPhase}: ${err.message}`, { cause: err });
  };

  readonly #onClose = (): void => {
    this.fail('RG_RELAY_CONNECTION_LOST', `connection closed by the receiving MTA during ${this.#lastPhase}`);
  };

  #listen(socket: Socket): void {
    socket.on('data', this.#onData);
    socket.on('drain', this.#onDrain);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
  }

  #unlisten(socket: Socket): void {
    socket.off('data', this.#onData);
    socket.off('drain', this.#onDrain);
    socket.off('error', this.#onError);
    socket.off('close', this.#onClose);
  }
}
