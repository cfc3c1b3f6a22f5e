// Sockets refused at connect (unknown client, over a limit, draining) get their reply and linger a few
// seconds so the client can read it before the close. Lingering is bounded: under a flood, refusals
// beyond `maxLingering` are closed at once (the reply still written when the socket takes it
// immediately), so a refused client can never hold more than that many descriptors.
import type { Socket } from 'node:net';
import { formatReply } from '../reply.js';
import type { SmtpReply } from '../reply.js';

export interface RefusedSocketsOptions {
  /** Refused sockets allowed to linger at once. Default 64. */
  readonly maxLingering?: number;
  /** How long one lingers before it is destroyed. Default 5 s. */
  readonly lingerMs?: number;
  /** A refusal beyond the cap (closed at once): for the metrics. */
  readonly onOverflow?: () => void;
}

export class RefusedSockets {
  readonly #max: number;
  readonly #lingerMs: number;
  readonly #onOverflow: (() => void) | undefined;
  readonly #lingering = new Set<Socket>();

  constructor(opts: RefusedSocketsOptions = {}) {
    this.#max = Math.max(0, opts.maxLingering ?? 64);
    this.#lingerMs = opts.lingerMs ?? 5_000;
    this.#onOverflow = opts.onOverflow;
  }

  get lingering(): number {
    return this.#lingering.size;
  }

  /** Writes the reply and closes; lingers only while under the cap. */
  refuse(socket: Socket, r: SmtpReply): void {
    socket.on('error', () => undefined);
    if (this.#lingering.size >= this.#max) {
      this.#onOverflow?.();
      socket.end(formatReply(r));
      socket.destroy();
      return;
    }
    this.#lingering.add(socket);
    const timer = setTimeout(() => socket.destroy(), this.#lingerMs);
    timer.unref();
    socket.once('close', () => {
      clearTimeout(timer);
      this.#lingering.delete(socket);
    });
    socket.end(formatReply(r));
  }
}
