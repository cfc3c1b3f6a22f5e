// One net.Server per graph listener. Connections go to whatever generation is current when they arrive
// (after the PROXY header, when the listener expects one). Reconciling after a swap binds new listeners
// before anything old stops, so a port that stays never refuses mail.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { Logger } from 'pino';
import { compileAddressMatcher } from '../graph/address-matcher.js';
import type { AddressMatcher, Listener } from '../graph/types.js';
import type { ConnectionMeta } from '../smtp/engine-api.js';
import { listenSharing } from './listen-sharing.js';
import { readProxyHeader } from './proxy-handshake.js';

export type Accept = (socket: Socket, meta: ConnectionMeta) => void;

export interface ListenerSetOptions {
  readonly logger: Logger;
  /** Hands a connection to the current generation. */
  readonly accept: Accept;
  /** How long a trusted proxy may take to send its header. Default 5 s. */
  readonly proxyHeaderTimeoutMs?: number;
  /**
   * Connections not yet handed to the engine (still waiting for their PROXY header), across all
   * listeners. Beyond it a new connection is closed at once. Default 256.
   */
  readonly maxPendingConnections?: number;
  /** A connection closed at once because of that cap: for the metrics. */
  readonly onShed?: (reason: 'pre-greeting') => void;
}

export interface ListenerStatus {
  readonly address: string;
  readonly port: number;
  readonly proxyProtocol: boolean;
  readonly state: 'listening' | 'closing';
}

interface Bound {
  readonly server: Server;
  listener: Listener;
  trusted: AddressMatcher<true> | undefined;
  /** The address and port bound, when every connection has them as its local end (not a wildcard). */
  local: { readonly address: string; readonly port: number } | undefined;
}

export interface PreparedListeners {
  commit(): void;
  rollback(): void;
}

export class ListenError extends Error {
  readonly code = 'RG_RUNTIME_LISTEN_FAILED';
  constructor(readonly listener: Listener, cause: Error) {
    super(`cannot listen on ${endpoint(listener)}: ${cause.message}`, { cause });
    this.name = 'ListenError';
  }
}

export function listenerKey(l: { readonly address: string; readonly port: number }): string {
  return `${l.address}|${l.port}`;
}

export function endpoint(l: { readonly address: string; readonly port: number }): string {
  return l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
}

export class ListenerSet {
  readonly #opts: ListenerSetOptions;
  readonly #bound = new Map<string, Bound>();
  readonly #closing = new Map<string, Bound>();
  /** Sockets accepted but not yet given to the engine (nobody has greeted them). */
  readonly #pending = new Set<Socket>();

  constructor(opts: ListenerSetOptions) {
    this.#opts = opts;
  }

  /**
   * Binds every listener in `wanted` that is not bound yet. `commit` then stops the ones no longer wanted
   * (after the swap); `rollback` closes what this call bound (the reload failed). On a bind failure
   * everything this call bound is closed again and ListenError is thrown.
   */
  async prepare(wanted: readonly Listener[]): Promise<PreparedListeners> {
    const added: string[] = [];
    const wantedKeys = new Set(wanted.map(listenerKey));
    try {
      for (const l of wanted) {
        const key = listenerKey(l);
        if (this.#bound.has(key)) continue;
        this.#bound.set(key, await this.#bindOrTakeOver(l, wantedKeys));
        added.push(key);
      }
    } catch (err) {
      for (const key of added) this.#stop(key);
      throw err;
    }
    return { commit: () => this.#commit(wanted), rollback: () => added.forEach((key) => this.#stop(key)) };
  }

  /** prepare + commit in one step. */
  async reconcile(wanted: readonly Listener[]): Promise<void> {
    (await this.prepare(wanted)).commit();
  }

  /** Stops accepting everywhere; sessions already accepted carry on (the engine owns them). */
  stopAccepting(): void {
    for (const key of [...this.#bound.keys()]) this.#stop(key);
  }

  /** Connections waiting for their PROXY header right now. */
  get pendingConnections(): number {
    return this.#pending.size;
  }

  /** The port a listener actually got (differs from the configured one only for port 0). */
  addresses(): readonly ListenerStatus[] {
    const view = (b: Bound, state: ListenerStatus['state']): ListenerStatus => {
      const a = b.server.address() as AddressInfo | null;
      return { address: b.listener.address, port: a?.port ?? b.listener.port, proxyProtocol: b.listener.proxyProtocol !== undefined, state };
    };
    return [...[...this.#bound.values()].map((b) => view(b, 'listening')), ...[...this.#closing.values()].map((b) => view(b, 'closing'))];
  }

  #commit(wanted: readonly Listener[]): void {
    const keep = new Map(wanted.map((l) => [listenerKey(l), l] as const));
    for (const [key, bound] of this.#bound) {
      const l = keep.get(key);
      if (l === undefined) this.#stop(key);
      else setListener(bound, l);
    }
  }

  #stop(key: string): void {
    const bound = this.#bound.get(key);
    if (bound === undefined) return;
    this.#bound.delete(key);
    this.#closing.set(key, bound);
    // close() only stops accepting; its callback waits for the sessions on this port to end.
    bound.server.close(() => {
      if (this.#closing.get(key) === bound) this.#closing.delete(key);
    });
    this.#opts.logger.info({ listener: endpoint(bound.listener) }, 'listener stopped accepting');
  }

  /**
   * Same port, other address (127.0.0.1:25 → 0.0.0.0:25): the kernel refuses both at once, so here alone
   * the old listener stops first. Every other change binds the new one while the old still accepts.
   */
  async #bindOrTakeOver(l: Listener, wantedKeys: ReadonlySet<string>): Promise<Bound> {
    try {
      return await this.#bind(l);
    } catch (err) {
      const inUse = err instanceof ListenError && (err.cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
      const conflicting = [...this.#bound].filter(([k, b]) => !wantedKeys.has(k) && b.listener.port === l.port).map(([k]) => k);
      if (!inUse || conflicting.length === 0) throw err;
      this.#opts.logger.warn({ listener: endpoint(l) }, 'the port moves to another address: the old listener stops before the new one binds');
      for (const key of conflicting) this.#stop(key);
      return this.#bind(l);
    }
  }

  async #bind(l: Listener): Promise<Bound> {
    const bound: Bound = { server: createServer(), listener: l, trusted: undefined, local: undefined };
    setListener(bound, l);
    bound.server.on('connection', (socket: Socket) => this.#onConnection(bound, socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(new ListenError(l, err));
      bound.server.once('error', onError);
      // With --workers: one SO_REUSEPORT socket per worker where Node has reusePort, else the primary's shared one.
      bound.server.listen({ host: l.address, port: l.port, ...listenSharing(l.port) }, () => {
        bound.server.off('error', onError);
        resolve();
      });
    });
    bound.server.on('error', (err) => this.#opts.logger.error({ err, listener: endpoint(l), code: 'RG_RUNTIME_LISTENER_ERROR' }, 'listener error'));
    const address = bound.server.address() as AddressInfo;
    const port = address.port;
    // A listener on one address: each connection's local end is known, no getsockname per connection.
    bound.local = isWildcard(address.address) ? undefined : { address: address.address, port };
    this.#opts.logger.info({ listener: endpoint({ address: l.address, port }), proxyProtocol: l.proxyProtocol !== undefined }, 'listening');
    return bound;
  }

  #onConnection(bound: Bound, socket: Socket): void {
    socket.on('error', () => undefined);
    const meta: ConnectionMeta = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: bound.local?.address ?? socket.localAddress ?? '',
      localPort: bound.local?.port ?? socket.localPort ?? 0,
      proxied: false,
    };
    if (bound.trusted === undefined) {
      this.#opts.accept(socket, meta);
      return;
    }
    if (bound.trusted.lookup(meta.remoteAddress) === undefined) {
      this.#opts.logger.warn({ code: 'RG_PROXY_UNTRUSTED', remoteAddress: meta.remoteAddress, listener: endpoint(bound.listener) }, 'connection closed: listener expects a PROXY header and this peer is not a trusted load balancer');
      socket.destroy();
      return;
    }
    if (this.#pending.size >= (this.#opts.maxPendingConnections ?? 256)) {
      this.#opts.onShed?.('pre-greeting');
      socket.destroy();
      return;
    }
    this.#pending.add(socket);
    void this.#acceptProxied(bound, socket, meta).finally(() => this.#pending.delete(socket));
  }

  async #acceptProxied(bound: Bound, socket: Socket, tcp: ConnectionMeta): Promise<void> {
    const result = await readProxyHeader(socket, this.#opts.proxyHeaderTimeoutMs ?? 5000);
    if (!result.ok) {
      this.#opts.logger.warn({ code: result.code, remoteAddress: tcp.remoteAddress, listener: endpoint(bound.listener), reason: result.reason }, 'connection closed: bad PROXY header');
      socket.destroy();
      return;
    }
    if (socket.destroyed) return;
    const h = result.header;
    if (h.kind === 'local') {
      this.#opts.accept(socket, tcp);
      return;
    }
    this.#opts.accept(socket, { ...tcp, remoteAddress: h.source.address, remotePort: h.source.port, proxied: true });
  }
}

function isWildcard(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '';
}

function setListener(bound: Bound, l: Listener): void {
  bound.listener = l;
  bound.trusted = l.proxyProtocol === undefined ? undefined : compileAddressMatcher(l.proxyProtocol.trusted.map((cidr) => ({ cidr, value: true as const })));
}
