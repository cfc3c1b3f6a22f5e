// smtp-server, wrapped once at the edge. One InboundServer per TLS profile of a generation; it never
// listens: the runtime accepts sockets and the engine hands them to startSession.
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import type { Socket } from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { installDataFeed } from './data-feed.js';
import type { ConnectionMeta } from './connection-meta.js';
import type { SmtpReply } from '../reply.js';

/**
 * smtp-server minus its fixed 100 ms early-talker pause before the banner (SMTPConnection.init runs
 * `setTimeout(() => this.connectionReady(), 100)`): we set the listeners up and call connectionReady
 * ourselves, after gateway.greetingDelayMs when that is > 0. inbound-server.test.ts fingerprints the
 * library code this relies on.
 */
export class InboundServer extends SMTPServer {
  readonly #greetingDelayMs: number;

  constructor(options: SMTPServerOptions, greetingDelayMs: number) {
    super(options);
    this.#greetingDelayMs = greetingDelayMs;
  }

  /** Runs an SMTP session on an accepted socket. `bind` sees the connection before any byte is read. */
  startSession(socket: Socket, meta: ConnectionMeta, id: string, bind: (c: SMTPConnection) => void): SMTPConnection {
    const connection = new SMTPConnection(this, socket, {
      id,
      remoteAddress: meta.remoteAddress,
      remotePort: meta.remotePort,
      localAddress: meta.localAddress,
      localPort: meta.localPort,
    });
    installDataFeed(connection);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this.emit('error', err));
    bind(connection);
    connection._setListeners(() => {
      if (this.#greetingDelayMs <= 0) return connection.connectionReady();
      setTimeout(() => connection.connectionReady(), this.#greetingDelayMs).unref();
    });
    return connection;
  }
}

/**
 * Routes the next reply of a connection through `take`: when it yields a reply, that reply is written
 * instead of the library's fixed text. This is how the receiving MTA's own replies (and ours, with
 * their enhanced codes) reach the upstream verbatim while smtp-server keeps the protocol state.
 * Going through the library's send keeps its write guards (no cleartext mid-handshake) and its
 * close-after-421 behaviour.
 */
export function installReplyOverride(connection: SMTPConnection, take: () => SmtpReply | null, written: () => void = () => undefined): void {
  const send = connection.send.bind(connection);
  connection.send = (code: number, data?: string | string[] | null, context?: string | false): void => {
    const r = take();
    if (r === null) send(code, data, context);
    else send(r.code, wireLines(r), false);
    written();
  };
}

/** Lines for smtp-server's multi-line send: the enhanced code repeated on each line, as RFC 2034 wants. */
export function wireLines(r: SmtpReply): string[] {
  const lines = r.lines.length > 0 ? r.lines : [''];
  return lines.map((l) => (r.enhanced === undefined ? l : `${r.enhanced} ${l}`).trimEnd());
}
