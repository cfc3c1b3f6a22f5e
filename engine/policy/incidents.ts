// Incident records: one JSON line per matched policy, written off the hot path with size-based rotation.
import { appendFile, rename, stat, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageAnalysis } from './analysis.js';
import { maskIdentifiers } from './detectors/identifiers/mask-text.js';
import { maskNumbers } from './detectors/mask.js';
import type { Envelope, PolicyMatch, Verdict } from './verdict.js';

export interface Incident {
  readonly time: string;
  readonly transactionId: string;
  readonly upstream: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly messageId: string;
  readonly subject: string;
  readonly policy: string;
  readonly severity: PolicyMatch['severity'];
  /** The policy's own action; `verdict` is what happened to the message. */
  readonly action: PolicyMatch['action'];
  readonly mode: PolicyMatch['mode'];
  readonly verdict: Verdict['kind'];
  readonly counts: Readonly<Record<string, number>>;
  readonly samples: readonly string[];
  readonly inspection: Verdict['inspection'];
  /** The unreadable parts this record is about (label, reason, detail), when any. */
  readonly unscannable?: PolicyMatch['unscannable'];
}

export function incidentsFrom(verdict: Verdict, envelope: Envelope, msg: Pick<MessageAnalysis, 'messageId' | 'subject'>, now: Date = new Date()): Incident[] {
  const time = now.toISOString();
  return verdict.matches.map((m) => ({
    time,
    transactionId: envelope.transactionId,
    upstream: envelope.upstream,
    sender: envelope.sender,
    recipients: [...envelope.recipients],
    messageId: msg.messageId,
    // the subject may itself carry the number that matched
    subject: maskIdentifiers(maskNumbers(msg.subject)),
    policy: m.policy,
    severity: m.severity,
    action: m.action,
    mode: m.mode,
    verdict: verdict.kind,
    counts: m.counts,
    samples: m.samples,
    inspection: verdict.inspection,
    ...(m.unscannable === undefined ? {} : { unscannable: m.unscannable.map((p) => ({ label: maskNumbers(p.label), reason: p.reason, detail: maskNumbers(p.detail) })) }),
  }));
}

export interface IncidentLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface IncidentWriterOptions {
  readonly path: string;
  /** Rotate when the file would grow beyond this many bytes. */
  readonly maxBytes: number;
  /** Rotated files kept: path.1 (newest) … path.N. */
  readonly keep: number;
  readonly logger?: IncidentLogger;
  /** Lines waiting to be written; beyond this, new incidents are dropped and counted. */
  readonly maxQueue?: number;
}

export const DEFAULT_INCIDENT_PATH = 'var/incidents.jsonl';

export class IncidentWriter {
  readonly #opts: IncidentWriterOptions;
  readonly #queue: string[] = [];
  #size: number | undefined;
  #draining: Promise<void> | undefined;
  #dropped = 0;
  #closed = false;

  constructor(opts: IncidentWriterOptions) {
    this.#opts = opts;
  }

  /** Incidents dropped because the queue was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Never blocks and never throws: lines are queued and written in the background. */
  record(incidents: readonly Incident[]): void {
    if (this.#closed) return;
    const max = this.#opts.maxQueue ?? 10_000;
    for (const incident of incidents) {
      if (this.#queue.length >= max) {
        this.#dropped++;
        this.#opts.logger?.warn({ code: 'RG_INCIDENT_QUEUE_FULL', policy: incident.policy, dropped: this.#dropped }, 'incident queue full, incident dropped');
        continue;
      }
      this.#queue.push(`${JSON.stringify(incident)}\n`);
    }
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** Writes what is queued, then stops accepting. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Resolves once everything queued so far is written (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#takeBatch();
      try {
        await this.#write(batch);
      } catch (err) {
        this.#size = undefined;
        this.#opts.logger?.error({ code: 'RG_INCIDENT_WRITE', path: this.#opts.path, err }, 'cannot write incidents');
      }
    }
  }

  // One append per batch, never crossing maxBytes, so rotation happens between whole lines.
  #takeBatch(): string {
    let batch = this.#queue.shift() ?? '';
    const room = Math.max(0, this.#opts.maxBytes - (this.#size ?? 0));
    while (this.#queue.length > 0 && Buffer.byteLength(batch) + Buffer.byteLength(this.#queue[0] ?? '') <= room) batch += this.#queue.shift();
    return batch;
  }

  async #write(batch: string): Promise<void> {
    const bytes = Buffer.byteLength(batch);
    if (this.#size === undefined) {
      await mkdir(dirname(this.#opts.path), { recursive: true });
      this.#size = await stat(this.#opts.path).then((s) => s.size, () => 0);
    }
    if (this.#size > 0 && this.#size + bytes > this.#opts.maxBytes) await this.#rotate();
    await appendFile(this.#opts.path, batch);
    this.#size += bytes;
  }

  async #rotate(): Promise<void> {
    const { path, keep } = this.#opts;
    if (keep <= 0) await rm(path, { force: true });
    else {
      await rm(`${path}.${keep}`, { force: true });
      for (let i = keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(ignoreMissing);
      await rename(path, `${path}.1`);
    }
    this.#size = 0;
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
