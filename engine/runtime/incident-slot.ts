// The incident file, shared by every generation: sessions record through this slot, so after a reload
// that moves the file (gateway.incidents.path) even an old generation's sessions write to the new one.
import type { Logger } from 'pino';
import { IncidentWriter } from '../policy/incidents.js';
import type { Incident } from '../policy/incidents.js';
import type { IncidentSink } from '../smtp/engine-api.js';

export type IncidentSettings = { readonly path: string; readonly maxBytes: number; readonly keep: number };

export interface PreparedIncidents {
  commit(): void;
  rollback(): void;
}

const NOTHING: PreparedIncidents = { commit: () => undefined, rollback: () => undefined };

export class IncidentSlot implements IncidentSink {
  readonly #logger: Logger;
  #writer: IncidentWriter | undefined;
  #settings: IncidentSettings | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  record(incidents: readonly unknown[]): void {
    this.#writer?.record(incidents as readonly Incident[]);
  }

  /** A writer for `settings` (a new one only when they changed); commit makes it the one in use. */
  prepare(settings: IncidentSettings): PreparedIncidents {
    const s = this.#settings;
    if (s !== undefined && s.path === settings.path && s.maxBytes === settings.maxBytes && s.keep === settings.keep) return NOTHING;
    const next = new IncidentWriter({ ...settings, logger: this.#logger });
    return {
      commit: () => {
        const old = this.#writer;
        this.#writer = next;
        this.#settings = settings;
        // close() writes what is queued first.
        void old?.close();
      },
      rollback: () => void next.close(),
    };
  }

  async close(): Promise<void> {
    await this.#writer?.close();
  }
}
