// Connections to receiving MTAs, reused across transactions: bounded per endpoint, waiters queue with a
// timeout, idle expiry with QUIT. A connection that errored is never reused; nothing is retried after DATA.
import { RelayConnection, RelayError } from './relay-client.js';
import { isPositive } from '../reply.js';
import type { RelayConnectOptions } from './relay-client.js';
import type { SmtpReply } from '../reply.js';

export type RelayPoolOptions = {
  /** Open connections per endpoint (leased + idle + opening). Default 8. */
  readonly maxConnections?: number;
  /** MAIL transactions before a connection is retired. Default 100. */
  readonly maxMessagesPerConnection?: number;
  /** Idle time before QUIT; default the connection's timeouts.idleMs, else 30 s. */
  readonly idleTimeoutMs?: number;
  /** How long acquire waits for a free slot. Default 30 s. */
  readonly acquireTimeoutMs?: number;
  /** Replaces RelayConnection.open (tests, instrumentation). */
  readonly open?: (opts: RelayConnectOptions, signal?: AbortSignal) => Promise<RelayConnection>;
};

export type RelayPoolStats = { readonly endpoints: number; readonly idle: number; readonly leased: number; readonly opening: number; readonly waiting: number };

type Waiter = {
  readonly opts: RelayConnectOptions;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (c: RelayConnection) => void;
  readonly reject: (e: unknown) => void;
  readonly cleanup: () => void;
};

type Endpoint = {
  readonly key: string;
  readonly idle: Array<{ readonly conn: RelayConnection; readonly timer: NodeJS.Timeout }>;
  readonly leased: Set<RelayConnection>;
  opening: number;
  resetting: number;
  readonly waiters: Waiter[];
  readonly max: number;
  readonly maxMessages: number;
};

export class RelayPool {
  readonly #max: number;
  readonly #maxMessages: number;
  readonly #idleMs: number | undefined;
  readonly #acquireMs: number;
  readonly #open: (opts: RelayConnectOptions, signal?: AbortSignal) => Promise<RelayConnection>;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #owner = new WeakMap<RelayConnection, Endpoint>();
  readonly #closing = new Set<Promise<void>>();
  #closed = false;

  constructor(opts: RelayPoolOptions = {}) {
    this.#max = Math.max(1, opts.maxConnections ?? 8);
    this.#maxMessages = Math.max(1, opts.maxMessagesPerConnection ?? 100);
    this.#idleMs = opts.idleTimeoutMs;
    this.#acquireMs = opts.acquireTimeoutMs ?? 30_000;
    this.#open = opts.open ?? ((o, s) => RelayConnection.open(o, s));
  }

  /** A ready connection to the endpoint: an idle one (dead ones are discarded), a new one, or the next freed. */
  async acquire(opts: RelayConnectOptions, signal?: AbortSignal): Promise<RelayConnection> {
    if (this.#closed) throw poolError('RG_RELAY_POOL_CLOSED', opts, 'relay pool is closed');
    const ep = this.#endpoint(opts);
    const idle = this.#takeIdle(ep);
    if (idle !== undefined) return idle;
    if (size(ep) < ep.max) return this.#openFor(ep, opts, signal);
    return this.#wait(ep, opts, signal);
  }

  /** Returns a leased connection. Reused only if asked, healthy, under its message cap, and (after RSET if needed) positive. */
  release(conn: RelayConnection, { reusable }: { readonly reusable: boolean }): void {
    const ep = this.#owner.get(conn);
    if (ep === undefined || !ep.leased.delete(conn)) {
      conn.close();
      return;
    }
    const healthy = reusable && !this.#closed && conn.usable && !conn.busy && conn.transactions < ep.maxMessages;
    if (!healthy) {
      this.#retire(conn);
      this.#serve(ep);
      this.#forgetIfEmpty(ep);
      return;
    }
    const last = conn.lastReply;
    if (!conn.inTransaction && (last === null || isPositive(last))) {
      this.#toIdle(ep, conn);
      return;
    }
    ep.resetting++;
    conn
      .rset()
      .then((r: SmtpReply) => (isPositive(r) && !this.#closed ? this.#toIdle(ep, conn, true) : this.#retire(conn)))
      .catch(() => conn.close())
      .finally(() => {
        ep.resetting--;
        this.#serve(ep);
        this.#forgetIfEmpty(ep);
      });
  }

  /** Refuses new acquires, fails waiters, QUITs idle connections; leased ones are closed when released. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const ep of this.#endpoints.values()) {
      for (const w of ep.waiters.splice(0)) {
        w.cleanup();
        w.reject(poolError('RG_RELAY_POOL_CLOSED', w.opts, 'relay pool is closing'));
      }
      for (const { conn, timer } of ep.idle.splice(0)) {
        clearTimeout(timer);
        this.#retire(conn);
      }
    }
    await Promise.all([...this.#closing]);
  }

  /**
   * QUITs every idle connection. The runtime calls it after every swap: endpoints are keyed by TLS
   * material identity, so idle connections of the old graph are never reused, and left alone they
   * would hold a receiver's connection slots (its maxConnections) until their idle timeout.
   */
  closeIdle(): void {
    for (const ep of this.#endpoints.values()) {
      for (const { conn, timer } of ep.idle.splice(0)) {
        clearTimeout(timer);
        this.#retire(conn);
      }
      this.#forgetIfEmpty(ep);
    }
  }

  stats(): RelayPoolStats {
    let idle = 0;
    let leased = 0;
    let opening = 0;
    let waiting = 0;
    for (const ep of this.#endpoints.values()) {
      idle += ep.idle.length;
      leased += ep.leased.size;
      opening += ep.opening;
      waiting += ep.waiters.length;
    }
    return { endpoints: this.#endpoints.size, idle, leased, opening, waiting };
  }

  #endpoint(opts: RelayConnectOptions): Endpoint {
    const key = endpointKey(opts);
    let ep = this.#endpoints.get(key);
    if (ep === undefined) {
      const max = Math.max(1, opts.limits?.maxConnections ?? this.#max);
      const maxMessages = Math.max(1, opts.limits?.maxMessagesPerConnection ?? this.#maxMessages);
      ep = { key, idle: [], leased: new Set(), opening: 0, resetting: 0, waiters: [], max, maxMessages };
      this.#endpoints.set(key, ep);
    }
    return ep;
  }

  #takeIdle(ep: Endpoint): RelayConnection | undefined {
    for (let entry = ep.idle.pop(); entry !== undefined; entry = ep.idle.pop()) {
      clearTimeout(entry.timer);
      if (entry.conn.usable) {
        ep.leased.add(entry.conn);
        return entry.conn;
      }
      entry.conn.close();
    }
    return undefined;
  }

  /** `extra`: a replacement that may exceed the cap by the one slot its dead predecessor just freed. */
  async #openFor(ep: Endpoint, opts: RelayConnectOptions, signal?: AbortSignal, extra = false): Promise<RelayConnection> {
    if (!extra && size(ep) >= ep.max) return this.#wait(ep, opts, signal);
    ep.opening++;
    try {
      const conn = await this.#open(opts, signal);
      this.#owner.set(conn, ep);
      ep.leased.add(conn);
      return conn;
    } finally {
      ep.opening--;
      if (ep.waiters.length > 0) queueMicrotask(() => this.#serve(ep));
      else this.#forgetIfEmpty(ep);
    }
  }

  #wait(ep: Endpoint, opts: RelayConnectOptions, signal?: AbortSignal): Promise<RelayConnection> {
    return new Promise((resolve, reject) => {
      const fail = (err: unknown): void => {
        const i = ep.waiters.indexOf(waiter);
        if (i >= 0) ep.waiters.splice(i, 1);
        waiter.cleanup();
        reject(err);
      };
      const onAbort = (): void => fail(poolError('RG_RELAY_ABORTED', opts, 'acquire aborted'));
      const timer = setTimeout(
        () => fail(poolError('RG_RELAY_POOL_TIMEOUT', opts, `no connection free within ${this.#acquireMs} ms (max ${ep.max})`)),
        this.#acquireMs,
      );
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = { opts, signal, resolve, reject, cleanup };
      if (signal?.aborted === true) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      ep.waiters.push(waiter);
    });
  }

  /** Hands freed capacity to waiters, oldest first. */
  #serve(ep: Endpoint): void {
    while (ep.waiters.length > 0) {
      const idle = this.#takeIdle(ep);
      if (idle === undefined && size(ep) >= ep.max) return;
      const w = ep.waiters.shift() as Waiter;
      w.cleanup();
      if (idle !== undefined) w.resolve(idle);
      else this.#openFor(ep, w.opts, w.signal).then(w.resolve, w.reject);
    }
  }

  #toIdle(ep: Endpoint, conn: RelayConnection, fromReset = false): void {
    const waiter = ep.waiters.shift();
    if (waiter !== undefined) {
      waiter.cleanup();
      ep.leased.add(conn);
      waiter.resolve(conn);
      return;
    }
    const ms = this.#idleMs ?? conn.options.timeouts?.idleMs ?? 30_000;
    const timer = setTimeout(() => {
      const i = ep.idle.findIndex((e) => e.conn === conn);
      if (i >= 0) ep.idle.splice(i, 1);
      this.#retire(conn);
      this.#forgetIfEmpty(ep);
    }, ms);
    timer.unref();
    ep.idle.push({ conn, timer });
    if (!fromReset) this.#serve(ep);
  }

  /** Endpoints are keyed by TLS material identity, so drop empty ones or every reload would leak one. */
  #forgetIfEmpty(ep: Endpoint): void {
    if (size(ep) === 0 && ep.waiters.length === 0 && this.#endpoints.get(ep.key) === ep) this.#endpoints.delete(ep.key);
  }

  #retire(conn: RelayConnection): void {
    if (!conn.usable) {
      conn.close();
      return;
    }
    const p = conn.quit().finally(() => this.#closing.delete(p));
    this.#closing.add(p);
  }
}

function size(ep: Endpoint): number {
  return ep.leased.size + ep.idle.length + ep.opening + ep.resetting;
}

function poolError(code: 'RG_RELAY_POOL_TIMEOUT' | 'RG_RELAY_POOL_CLOSED' | 'RG_RELAY_ABORTED', opts: RelayConnectOptions, message: string): RelayError {
  return new RelayError(code, 'pool', message, { host: opts.host, port: opts.port });
}

const ids = new WeakMap<object, number>();
let nextId = 1;
function identity(o: object | undefined): number {
  if (o === undefined) return 0;
  let id = ids.get(o);
  if (id === undefined) {
    id = nextId++;
    ids.set(o, id);
  }
  return id;
}

/** Connections are interchangeable only with the same address, name, TLS policy, TLS material and verifier. */
export function endpointKey(opts: RelayConnectOptions): string {
  const t = opts.tls;
  return [
    `${opts.host}:${opts.port}`,
    opts.localAddress ?? '',
    opts.ehloName,
    t.starttls,
    t.options.servername ?? '',
    String(t.options.rejectUnauthorized ?? ''),
    `ctx${identity(t.options.secureContext ?? t.options)}`,
    `v${identity(t.verify)}`,
  ].join('|');
}
