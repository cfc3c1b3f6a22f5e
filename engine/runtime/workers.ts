// `serve --workers N` (N > 1): a node:cluster primary that accepts no connections itself (the workers
// accept on the shared socket, or their own: schedulingPolicyFor, listen-sharing.ts). Each worker is a
// complete gateway (its own graph, file watcher and reloader; listening sockets are shared through the
// cluster module); the primary forwards signals, restarts a crashed worker, relays the metrics snapshots
// that make worker 1's /metrics cover every worker, writes the incident file for all of them (one writer,
// so rotation sees every line: incident-sinks/cluster-file.ts), and exits when the workers have.
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { INCIDENT_HEALTH_MESSAGE, PrimaryIncidentFiles } from './incident-sinks/cluster-file.js';

export const WORKER_ID_ENV = 'RELAYGUARD_WORKER_ID';
export const READY_MESSAGE = 'relayguard:ready';

// /metrics across workers: the worker serving it asks the primary, the primary asks the others.
const METRICS_REQUEST = 'relayguard:metrics-request';
const METRICS_COLLECT = 'relayguard:metrics-collect';
const METRICS_SNAPSHOT = 'relayguard:metrics-snapshot';
const METRICS_RESULT = 'relayguard:metrics-result';
/** A worker that does not answer in time is left out of that scrape (a restart, a stuck event loop). */
const METRICS_TIMEOUT_MS = 1500;

type Snapshot = readonly object[];
interface MetricsMessage {
  readonly type?: unknown;
  readonly id?: unknown;
  readonly metrics?: unknown;
  readonly snapshots?: unknown;
}

export interface PrimaryOptions {
  readonly workers: number;
  readonly logger: Logger;
  readonly signals?: EventEmitter;
  readonly exit?: (code: number) => void;
}

/** More crashes than this within RESTART_WINDOW_MS: give up rather than crash-loop. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/** This process's worker number (1..N) in cluster mode, undefined otherwise. */
export function workerId(): number | undefined {
  if (!cluster.isWorker) return undefined;
  const id = Number(process.env[WORKER_ID_ENV]);
  return Number.isInteger(id) && id > 0 ? id : undefined;
}

export function reportReady(): void {
  process.send?.({ type: READY_MESSAGE });
}

/** In every worker: answer the primary's collect requests with this worker's metrics. */
export function answerMetricsCollect(snapshot: () => Promise<Snapshot>): void {
  process.on('message', (m: MetricsMessage) => {
    if (m?.type !== METRICS_COLLECT) return;
    snapshot().then(
      (metrics) => process.send?.({ type: METRICS_SNAPSHOT, id: m.id, metrics }),
      () => process.send?.({ type: METRICS_SNAPSHOT, id: m.id, metrics: [] }),
    );
  });
}

let nextRequest = 0;

/** In the worker serving /metrics: the other workers' snapshots ([] when the primary does not answer in time). */
export function requestPeerMetrics(): Promise<readonly Snapshot[]> {
  return new Promise((resolve) => {
    if (process.send === undefined) return resolve([]);
    const id = `${process.pid}-${nextRequest++}`;
    const done = (snapshots: readonly Snapshot[]): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
      resolve(snapshots);
    };
    const onMessage = (m: MetricsMessage): void => {
      if (m?.type === METRICS_RESULT && m.id === id) done(Array.isArray(m.snapshots) ? (m.snapshots as Snapshot[]) : []);
    };
    const timer = setTimeout(() => done([]), METRICS_TIMEOUT_MS * 2);
    process.on('message', onMessage);
    process.send({ type: METRICS_REQUEST, id });
  });
}

/**
 * How connections reach the workers. Round robin (Node's default off Windows) has the primary accept every
 * connection and pass it to a worker over IPC: about 320 µs of the primary's CPU per connection on the
 * bench host, on top of the worker's. SCHED_NONE lets the workers accept on the shared socket themselves
 * (measured balanced under load, docs/benchmarks.md). NODE_CLUSTER_SCHED_POLICY, when set, is the
 * operator's choice and wins. Where Node has reusePort the workers bind their own sockets anyway
 * (listen-sharing.ts) and this only matters for port-0 listeners.
 */
export function schedulingPolicyFor(env: NodeJS.ProcessEnv): number | undefined {
  return env.NODE_CLUSTER_SCHED_POLICY === undefined || env.NODE_CLUSTER_SCHED_POLICY === '' ? cluster.SCHED_NONE : undefined;
}

/** Runs the primary until every worker has exited; resolves 0 when all exited 0 after a stop signal. */
export function runPrimary(opts: PrimaryOptions): Promise<number> {
  // Frozen by Node at the first fork.
  const policy = schedulingPolicyFor(process.env);
  if (policy !== undefined) cluster.schedulingPolicy = policy;
  return new Promise<number>((resolve) => new Primary(opts, resolve).start());
}

class Primary {
  readonly #opts: PrimaryOptions;
  readonly #resolve: (code: number) => void;
  readonly #workers = new Map<number, Worker>();
  readonly #ready = new Set<number>();
  readonly #crashes: number[] = [];
  readonly #incidents: PrimaryIncidentFiles;
  #stopping = false;
  #failed = false;
  #finished = false;
  #unread: Promise<void>[] = [];

  constructor(opts: PrimaryOptions, resolve: (code: number) => void) {
    this.#opts = opts;
    this.#resolve = resolve;
    // Failures of the shared file count once, in one worker's metrics (a scrape sums the workers).
    this.#incidents = new PrimaryIncidentFiles(opts.logger, (report) => {
      const w = [...this.#workers.entries()].sort(([a], [b]) => a - b).find(([, x]) => x.isConnected())?.[1];
      w?.send({ type: INCIDENT_HEALTH_MESSAGE, ...report });
    });
  }

  start(): void {
    const signals = this.#opts.signals ?? process;
    signals.on('SIGHUP', () => this.#broadcast('SIGHUP'));
    signals.on('SIGTERM', (s: NodeJS.Signals) => this.#onStop(s));
    signals.on('SIGINT', (s: NodeJS.Signals) => this.#onStop(s));
    for (let id = 1; id <= this.#opts.workers; id++) this.#fork(id);
  }

  #fork(id: number): void {
    const w = cluster.fork({ [WORKER_ID_ENV]: String(id) });
    this.#workers.set(id, w);
    w.on('message', (m: unknown) => {
      if (this.#incidents.handle(m)) return;
      const type = (m as MetricsMessage | null)?.type;
      if (type === METRICS_REQUEST) return this.#collectMetrics(w, (m as MetricsMessage).id);
      if (type !== READY_MESSAGE) return;
      this.#ready.add(id);
      if (this.#ready.size === this.#opts.workers) this.#opts.logger.info({ workers: this.#opts.workers }, `${this.#opts.workers} workers running`);
    });
    w.on('exit', (code, signal) => this.#onExit(id, w, code, signal));
  }

  /** Asks every other worker for its snapshot and answers the requester with what came back in time. */
  #collectMetrics(requester: Worker, id: unknown): void {
    const others = [...this.#workers.values()].filter((w) => w !== requester && w.isConnected());
    const snapshots: Snapshot[] = [];
    let waiting = others.length;
    const finish = (): void => {
      clearTimeout(timer);
      for (const w of others) w.off('message', onSnapshot);
      if (requester.isConnected()) requester.send({ type: METRICS_RESULT, id, snapshots });
    };
    const onSnapshot = (m: unknown): void => {
      const msg = m as MetricsMessage | null;
      if (msg?.type !== METRICS_SNAPSHOT || msg.id !== id) return;
      if (Array.isArray(msg.metrics)) snapshots.push(msg.metrics as Snapshot);
      if (--waiting === 0) finish();
    };
    const timer = setTimeout(finish, METRICS_TIMEOUT_MS);
    if (others.length === 0) return finish();
    for (const w of others) {
      w.on('message', onSnapshot);
      w.send({ type: METRICS_COLLECT, id });
    }
  }

  #onExit(id: number, w: Worker, code: number | null, signal: string | null): void {
    if (this.#workers.get(id) === w) this.#workers.delete(id);
    // Its last incident records may still be in the IPC pipe: the channel closes after they are read.
    if (w.isConnected()) this.#unread.push(new Promise<void>((resolve) => w.once('disconnect', () => resolve())));
    if (code !== 0) this.#failed = true;
    const wasReady = this.#ready.delete(id);
    if (this.#stopping) return this.#finishIfDone();
    // A worker that never came up (an invalid config): the others cannot do better.
    if (!wasReady) return this.#stopAll(`worker ${id} exited while starting (${code ?? signal})`);
    if (this.#tooManyCrashes()) return this.#stopAll(`workers crashed more than ${MAX_RESTARTS} times within ${RESTART_WINDOW_MS / 1000} s`);
    this.#opts.logger.error({ code: 'RG_RUNTIME_WORKER_DIED', worker: id, exitCode: code, signal }, `worker ${id} died; starting a new one`);
    this.#fork(id);
  }

  #tooManyCrashes(): boolean {
    const now = Date.now();
    this.#crashes.push(now);
    while ((this.#crashes[0] ?? now) < now - RESTART_WINDOW_MS) this.#crashes.shift();
    return this.#crashes.length > MAX_RESTARTS;
  }

  #onStop(signal: NodeJS.Signals): void {
    if (!this.#stopping) return this.#stopAll(`${signal} received`);
    // Workers treat a second SIGTERM as "exit now" too.
    this.#broadcast('SIGTERM');
    (this.#opts.exit ?? ((code: number) => process.exit(code)))(1);
  }

  #stopAll(why: string): void {
    this.#stopping = true;
    this.#opts.logger.info({ why }, `stopping ${this.#workers.size} worker(s): ${why}`);
    this.#broadcast('SIGTERM');
    this.#finishIfDone();
  }

  #finishIfDone(): void {
    if (this.#workers.size > 0 || this.#finished) return;
    this.#finished = true;
    // The workers sent their last records before exiting: write them before the primary goes.
    const read = Promise.race([Promise.all(this.#unread), new Promise((r) => setTimeout(r, METRICS_TIMEOUT_MS).unref())]);
    void read.then(() => this.#incidents.close()).finally(() => this.#resolve(this.#failed ? 1 : 0));
  }

  #broadcast(signal: NodeJS.Signals): void {
    for (const w of this.#workers.values()) w.process.kill(signal);
  }
}
