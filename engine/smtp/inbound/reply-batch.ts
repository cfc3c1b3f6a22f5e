// Replies to a pipelined MAIL/RCPT group go out as one write (RFC 2920 §3.1: the server SHOULD buffer
// the replies to grouped MAIL and RCPT commands and send them as a unit; it flushes whenever it would
// otherwise wait for input). A client that pipelines MAIL and RCPT reads both replies before its DATA,
// so holding the MAIL reply until the RCPT's (which waits for the receiving MTA) costs it nothing, and
// saves one write system call per transaction on the gateway's critical path.
import type { Socket } from 'node:net';

export class ReplyBatch {
  readonly #socket: () => Socket;
  /** The socket holding replies (cork()ed), or null when nothing is held. */
  #corked: Socket | null = null;
  /** MAIL/RCPT commands dispatched to the engine and not answered yet. */
  #inFlight = 0;
  /** The next reply written is the one the answering command gives. */
  #own = false;

  constructor(socket: () => Socket) {
    this.#socket = socket;
  }

  /** A MAIL or RCPT has been handed to the engine. */
  started(): void {
    this.#inFlight++;
  }

  /**
   * Answers a MAIL or RCPT: `write` makes smtp-server write the reply and run whatever the client
   * pipelined behind it. The reply stays in the socket's buffer only while another MAIL/RCPT of the
   * group is in flight (its reply joins it); any other reply written meanwhile flushes the lot at once.
   */
  answer(write: () => void): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#corked === null) {
      const socket = this.#socket();
      socket.cork();
      this.#corked = socket;
    }
    this.#own = true;
    try {
      write();
    } finally {
      this.#own = false;
      if (this.#inFlight === 0) this.flush();
    }
  }

  /** Called after every reply smtp-server writes: only the answering command's own reply may wait. */
  written(): void {
    if (this.#own) {
      this.#own = false;
      return;
    }
    this.flush();
  }

  flush(): void {
    const socket = this.#corked;
    if (socket === null) return;
    this.#corked = null;
    socket.uncork();
  }
}
