// Opening a relay connection: TCP connect, banner, EHLO (HELO fallback), STARTTLS per policy, EHLO again.
import net from 'node:net';
import { RelayError } from './relay-error.js';
import { RelayWire } from './relay-wire.js';
import { HELO_CAPABILITIES, parseCapabilities } from './relay-capabilities.js';
import { describeTls, handshake } from './relay-tls.js';
import { replyText } from '../reply.js';
import type { RelayCapabilities } from './relay-capabilities.js';
import type { RelayTlsInfo, RelayTlsPolicy } from './relay-tls.js';
import type { Endpoint } from './relay-wire.js';

export type RelayTimeouts = {
  readonly connectMs: number;
  readonly greetingMs: number;
  readonly commandMs: number;
  /** The whole DATA transfer plus the final reply. */
  readonly dataMs: number;
  /** How long a pooled connection may sit idle. */
  readonly idleMs: number;
};

export const DEFAULT_RELAY_TIMEOUTS: RelayTimeouts = Object.freeze({
  connectMs: 30_000,
  greetingMs: 60_000,
  commandMs: 60_000,
  dataMs: 600_000,
  idleMs: 30_000,
});

export type RelayConnectOptions = {
  readonly host: string;
  readonly port: number;
  readonly ehloName: string;
  readonly timeouts?: Partial<RelayTimeouts>;
  readonly tls: RelayTlsPolicy;
  readonly localAddress?: string;
  /** Per-endpoint pool limits (a receiver's maxConnections / maxMessagesPerConnection); the pool's defaults otherwise. */
  readonly limits?: { readonly maxConnections?: number; readonly maxMessagesPerConnection?: number };
};

export type Established = {
  readonly wire: RelayWire;
  readonly capabilities: RelayCapabilities;
  readonly tlsInfo: RelayTlsInfo | null;
  /** Why the connection is in clear although TLS was wanted (opportunistic only). */
  readonly tlsFallback: string | null;
};

const QUIT_GRACE_MS = 2_000;

export function connectSocket(opts: RelayConnectOptions, timeoutMs: number, signal?: AbortSignal): Promise<net.Socket> {
  const ep = { host: opts.host, port: opts.port };
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: opts.host, port: opts.port, ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }) });
    const done = (err: RelayError | null): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      if (err === null) return resolve(socket);
      socket.destroy();
      reject(err);
    };
    const onAbort = (): void => done(new RelayError('RG_RELAY_ABORTED', 'connect', 'connect aborted', { ...ep, cause: signal?.reason }));
    const onError = (err: NodeJS.ErrnoException): void =>
      done(
        err.code === 'ECONNREFUSED'
          ? new RelayError('RG_RELAY_CONNECT_REFUSED', 'connect', 'connection refused', { ...ep, cause: err })
          : new RelayError('RG_RELAY_CONNECT_FAILED', 'connect', `cannot connect: ${err.message}`, { ...ep, cause: err }),
      );
    const timer = setTimeout(
      () => done(new RelayError('RG_RELAY_CONNECT_TIMEOUT', 'connect', `no TCP connection within ${timeoutMs} ms`, ep)),
      timeoutMs,
    );
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.setNoDelay(true);
      done(null);
    });
  });
}

/** Everything after the TCP connect. Rejects with a RelayError; the socket is closed on any failure. */
export async function establish(opts: RelayConnectOptions, t: RelayTimeouts, policy: RelayTlsPolicy['starttls'], signal?: AbortSignal): Promise<Established> {
  const ep: Endpoint = { host: opts.host, port: opts.port };
  const socket = await connectSocket(opts, t.connectMs, signal);
  const wire = new RelayWire(ep, socket);
  const onAbort = (): void => wire.fail('RG_RELAY_ABORTED', 'connection setup aborted', { cause: signal?.reason });
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const banner = await wire.next('greeting', t.greetingMs);
    if (banner.code < 200 || banner.code > 299) {
      throw wire.error('greeting', 'RG_RELAY_GREETING', `refused at greeting: ${replyText(banner)}`, { reply: banner });
    }
    const capabilities = await ehlo(wire, opts.ehloName, t.commandMs);
    return await negotiateTls(wire, opts, t, policy, capabilities);
  } catch (err) {
    wire.fail('RG_RELAY_ABORTED', 'connection setup failed');
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

async function ehlo(wire: RelayWire, name: string, timeoutMs: number): Promise<RelayCapabilities> {
  const [reply] = await wire.command(`EHLO ${name}\r\n`, 'ehlo', timeoutMs);
  if (reply !== undefined && reply.code === 250) return parseCapabilities(reply);
  if (reply !== undefined && reply.code >= 500) {
    const [helo] = await wire.command(`HELO ${name}\r\n`, 'ehlo', timeoutMs);
    if (helo !== undefined && helo.code === 250) return HELO_CAPABILITIES;
    const shown = helo ?? reply;
    throw wire.error('ehlo', 'RG_RELAY_EHLO_REJECTED', `EHLO and HELO refused: ${replyText(shown)}`, { reply: shown });
  }
  const shown = reply ?? { code: 0, lines: [] };
  throw wire.error('ehlo', 'RG_RELAY_EHLO_REJECTED', `EHLO refused: ${replyText(shown)}`, { reply: shown });
}

async function negotiateTls(
  wire: RelayWire,
  opts: RelayConnectOptions,
  t: RelayTimeouts,
  policy: RelayTlsPolicy['starttls'],
  caps: RelayCapabilities,
): Promise<Established> {
  if (policy === 'disabled') return { wire, capabilities: caps, tlsInfo: null, tlsFallback: null };
  if (!caps.starttls) {
    if (policy === 'optional') return { wire, capabilities: caps, tlsInfo: null, tlsFallback: 'STARTTLS not offered' };
    await politeQuit(wire, t.commandMs);
    throw wire.error('starttls', 'RG_RELAY_NO_STARTTLS', 'STARTTLS is required but the receiving MTA does not offer it');
  }
  const pending = wire.next('starttls', t.commandMs, (r) => r.code === 220);
  wire.write('STARTTLS\r\n');
  const answer = await pending;
  if (answer.code !== 220) {
    if (policy === 'optional') return { wire, capabilities: caps, tlsInfo: null, tlsFallback: `STARTTLS refused: ${replyText(answer)}` };
    await politeQuit(wire, t.commandMs);
    throw wire.error('starttls', 'RG_RELAY_STARTTLS_REJECTED', `STARTTLS refused: ${replyText(answer)}`, { reply: answer });
  }
  const raw = wire.detachForTls();
  const secure = await handshake(raw, opts.tls.options, t.commandMs, { host: opts.host, port: opts.port });
  wire.attach(secure);
  const verdict = opts.tls.verify?.(secure);
  if (verdict !== undefined && !verdict.ok) {
    await politeQuit(wire, t.commandMs);
    throw wire.error('starttls', 'RG_RELAY_TLS_VERIFY', `peer certificate not trusted [${verdict.code}]: ${verdict.message}`);
  }
  const tlsInfo = describeTls(secure, verdict !== undefined);
  const capabilities = await ehlo(wire, opts.ehloName, t.commandMs);
  return { wire, capabilities, tlsInfo, tlsFallback: null };
}

/** QUIT for the receiving MTA's log, never waiting long; errors are irrelevant here. */
export async function politeQuit(wire: RelayWire, timeoutMs: number): Promise<void> {
  if (!wire.alive) return;
  try {
    await wire.command('QUIT\r\n', 'quit', Math.min(timeoutMs, QUIT_GRACE_MS));
  } catch {
    // the connection is going away anyway
  }
  await wire.end(QUIT_GRACE_MS);
}
