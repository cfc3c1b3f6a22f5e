// The incident file with `serve --workers N`: one writer. Workers send their records to the cluster
// primary over IPC; the primary appends them to the file and rotates it by the whole file's size, so no
// worker rotates another's lines away and each worker's records stay in the order it recorded them.
import type { Logger } from 'pino';
import { IncidentWriter } from '../../policy/incidents.js';
import type { Incident, IncidentSinkHealth } from '../../policy/incidents.js';
import type { FileIncidentSink } from '../../graph/incident-sinks.js';
import type { RuntimeIncidentSink } from './runtime-sink.js';

export const INCIDENTS_MESSAGE = 'relayguard:incidents';
export const INCIDENT_HEALTH_MESSAGE = 'relayguard:incident-health';

export interface IncidentsMessage {
  readonly type: typeof INCIDENTS_MESSAGE;
  readonly sink: FileIncidentSink;
  readonly records: readonly Incident[];
}

export interface IncidentHealthMessage {
  readonly type: typeof INCIDENT_HEALTH_MESSAGE;
  readonly writeFailures: number;
  readonly dropped: number;
}

interface Channel {
  send?: (message: unknown, callback: (err: Error | null) => void) => boolean;
}

/** In a worker: the file sink forwards to the primary. A closed channel (primary gone) counts as dropped. */
export class ClusterFileSink implements RuntimeIncidentSink {
  readonly #spec: FileIncidentSink;
  readonly #health: IncidentSinkHealth | undefined;
  readonly #channel: Channel;
  #pending = 0;
  #idle: (() => void)[] = [];

  constructor(spec: FileIncidentSink, health?: IncidentSinkHealth, channel: Channel = process) {
    this.#spec = spec;
    this.#health = health;
    this.#channel = channel;
  }

  record(incidents: readonly Incident[]): void {
    if (incidents.length === 0) return;
    const message: IncidentsMessage = { type: INCIDENTS_MESSAGE, sink: this.#spec, records: incidents };
    this.#pending++;
    try {
      this.#channel.send?.(message, (err) => this.#sent(err, incidents.length));
    } catch {
      this.#sent(new Error('IPC channel closed'), incidents.length);
    }
  }

  /** Resolves once the primary's channel took everything sent so far. */
  async close(): Promise<void> {
    if (this.#pending > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #sent(err: Error | null, count: number): void {
    if (err) this.#health?.dropped(count);
    if (--this.#pending === 0) for (const r of this.#idle.splice(0)) r();
  }
}

/** Sends the primary's failure and drop counts to one worker, whose metrics the scrape aggregates. */
export type HealthReporter = (report: Omit<IncidentHealthMessage, 'type'>) => void;

/** In the primary: one IncidentWriter per file the workers name; a file unused for 10 minutes is closed. */
export class PrimaryIncidentFiles {
  readonly #writers = new Map<string, { writer: IncidentWriter; lastUsed: number }>();
  readonly #logger: Logger;
  readonly #report: HealthReporter;
  readonly #sweep: NodeJS.Timeout;

  constructor(logger: Logger, report: HealthReporter) {
    this.#logger = logger;
    this.#report = report;
    this.#sweep = setInterval(() => this.#closeIdle(10 * 60_000), 60_000);
    this.#sweep.unref();
  }

  /** True when `message` was an incidents message (and was handled). */
  handle(message: unknown): boolean {
    const m = message as Partial<IncidentsMessage> | null;
    if (m?.type !== INCIDENTS_MESSAGE || m.sink === undefined || !Array.isArray(m.records)) return false;
    this.#writerFor(m.sink).record(m.records);
    return true;
  }

  async close(): Promise<void> {
    clearInterval(this.#sweep);
    await Promise.all([...this.#writers.values()].map((w) => w.writer.close()));
    this.#writers.clear();
  }

  #writerFor(spec: FileIncidentSink): IncidentWriter {
    const key = `${spec.path}\0${spec.maxBytes}\0${spec.keep}`;
    let entry = this.#writers.get(key);
    if (entry === undefined) {
      const health: IncidentSinkHealth = {
        writeFailed: () => this.#report({ writeFailures: 1, dropped: 0 }),
        dropped: (n) => this.#report({ writeFailures: 0, dropped: n }),
      };
      entry = { writer: new IncidentWriter({ path: spec.path, maxBytes: spec.maxBytes, keep: spec.keep, logger: this.#logger, health }), lastUsed: 0 };
      this.#writers.set(key, entry);
    }
    entry.lastUsed = Date.now();
    return entry.writer;
  }

  #closeIdle(ms: number): void {
    const cutoff = Date.now() - ms;
    for (const [key, entry] of this.#writers) {
      if (entry.lastUsed >= cutoff) continue;
      this.#writers.delete(key);
      void entry.writer.close();
    }
  }
}

/** In a worker: the primary's reports about the shared file reach this worker's metrics. */
export function onPrimaryIncidentHealth(health: () => IncidentSinkHealth | undefined): void {
  process.on('message', (m: Partial<IncidentHealthMessage> | null) => {
    if (m?.type !== INCIDENT_HEALTH_MESSAGE) return;
    const h = health();
    for (let i = 0; i < (m.writeFailures ?? 0); i++) h?.writeFailed();
    if ((m.dropped ?? 0) > 0) h?.dropped(m.dropped ?? 0);
  });
}
