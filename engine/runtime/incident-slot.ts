// The incident sinks, shared by every generation: sessions record through this slot, so after a reload
// that changes gateway.incidents even an old generation's sessions write to the new sinks. A sink whose
// settings did not change is kept (with its buffer and connection) across reloads.
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { IncidentWriter } from '../policy/incidents.js';
import type { Incident, IncidentSinkHealth } from '../policy/incidents.js';
import { sinkKey } from '../graph/incident-sinks.js';
import type { IncidentSinkSpec } from '../graph/incident-sinks.js';
import type { IncidentSink } from '../smtp/engine-api.js';
import { ClusterFileSink, onPrimaryIncidentHealth } from './incident-sinks/cluster-file.js';
import { SyslogSink } from './incident-sinks/syslog-sink.js';
import type { RuntimeIncidentSink, SinkKind } from './incident-sinks/runtime-sink.js';

export type IncidentSettings = { readonly path: string; readonly maxBytes: number; readonly keep: number; readonly sinks?: readonly IncidentSinkSpec[] };

export interface PreparedIncidents {
  commit(): void;
  rollback(): void;
}

/** Metrics for sink trouble, attached by GatewayMetrics.countIncidents. */
export type SinkHealthFactory = (kind: SinkKind) => IncidentSinkHealth;

const NOTHING: PreparedIncidents = { commit: () => undefined, rollback: () => undefined };

export class IncidentSlot implements IncidentSink {
  readonly #logger: Logger;
  #sinks = new Map<string, RuntimeIncidentSink>();
  #health: SinkHealthFactory | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
    // In a cluster worker the primary writes the file; its failures are counted in this worker's metrics.
    if (cluster.isWorker) onPrimaryIncidentHealth(() => this.#health?.('file'));
  }

  record(incidents: readonly unknown[]): void {
    for (const sink of this.#sinks.values()) sink.record(incidents as readonly Incident[]);
  }

  observeHealth(factory: SinkHealthFactory): void {
    this.#health = factory;
  }

  /** Sinks for `settings` (new ones only where they changed); commit makes them the ones in use. */
  prepare(settings: IncidentSettings): PreparedIncidents {
    const specs = settings.sinks ?? [{ type: 'file', path: settings.path, maxBytes: settings.maxBytes, keep: settings.keep }];
    const keys = specs.map(sinkKey);
    if (keys.length === this.#sinks.size && keys.every((k) => this.#sinks.has(k))) return NOTHING;
    const created: RuntimeIncidentSink[] = [];
    const next = new Map<string, RuntimeIncidentSink>();
    specs.forEach((spec, i) => {
      const key = keys[i] as string;
      let sink = this.#sinks.get(key) ?? next.get(key);
      if (sink === undefined) created.push((sink = this.#open(spec)));
      next.set(key, sink);
    });
    return {
      commit: () => {
        const old = this.#sinks;
        this.#sinks = next;
        // close() writes what is queued first.
        for (const [key, sink] of old) if (!next.has(key)) void sink.close();
      },
      rollback: () => {
        for (const sink of created) void sink.close();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.#sinks.values()].map((s) => s.close()));
  }

  #open(spec: IncidentSinkSpec): RuntimeIncidentSink {
    const health = this.#healthFor(spec.type);
    switch (spec.type) {
      case 'file':
        if (cluster.isWorker && process.send !== undefined) return new ClusterFileSink(spec, health);
        return new IncidentWriter({ path: spec.path, maxBytes: spec.maxBytes, keep: spec.keep, logger: this.#logger, health });
      case 'syslog':
        return new SyslogSink(spec, { logger: this.#logger, health });
      default: {
        const never: never = spec;
        return never;
      }
    }
  }

  // Looked up at each event: metrics may be attached after a sink exists.
  #healthFor(kind: SinkKind): IncidentSinkHealth {
    return {
      writeFailed: () => this.#health?.(kind).writeFailed(),
      dropped: (n) => this.#health?.(kind).dropped(n),
    };
  }
}
