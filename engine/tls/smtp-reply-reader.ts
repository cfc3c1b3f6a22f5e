// Minimal lockstep SMTP reply reading over a plain socket, for the certificate probe only
// (the relay itself uses nodemailer's SMTP connection).
import type { Socket } from 'node:net';

export interface SmtpReply {
  readonly code: number;
  readonly lines: readonly string[];
}

export class SmtpReplyReader {
  #buffer = '';
  readonly #socket: Socket;

  constructor(socket: Socket) {
    this.#socket = socket;
  }

  /** Resolves with the next complete (possibly multi-line) reply; rejects when the socket closes first. */
  read(): Promise<SmtpReply> {
    return new Promise((resolve, reject) => {
      const socket = this.#socket;
      const finish = (): void => {
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.off('error', onError);
        // Nothing may be read (and lost) between replies, nor before a TLS upgrade takes the socket over.
        socket.pause();
      };
      const tryParse = (): void => {
        const reply = this.#take();
        if (!reply) return;
        finish();
        resolve(reply);
      };
      const onData = (chunk: Buffer): void => {
        this.#buffer += chunk.toString('latin1');
        tryParse();
      };
      const onClose = (): void => {
        finish();
        reject(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' }));
      };
      const onError = (err: Error): void => {
        finish();
        reject(err);
      };
      socket.on('data', onData).on('close', onClose).on('error', onError);
      socket.resume();
      tryParse();
    });
  }

  #take(): SmtpReply | undefined {
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = this.#buffer.indexOf('\n', offset);
      if (end < 0) return undefined;
      const line = this.#buffer.slice(offset, end).replace(/\r$/, '');
      offset = end + 1;
      lines.push(line);
      const match = /^(\d{3})([ -]|$)/.exec(line);
      if (!match) {
        this.#buffer = this.#buffer.slice(offset);
        return { code: 0, lines };
      }
      if (match[2] !== '-') {
        this.#buffer = this.#buffer.slice(offset);
        return { code: Number(match[1]), lines };
      }
    }
  }
}

export function replyText(reply: SmtpReply): string {
  return reply.lines.join(' / ');
}
