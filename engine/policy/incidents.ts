// Incident records: one JSON line per matched policy, written off the hot path with size-based rotation.
import { appendFile, rename, stat, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { MessageAnalysis } from './analysis.js';
import { detectionText } from './detectors/detection-text.js';
import { maskIdentifiers } from './detectors/identifiers/mask-text.js';
import { maskNumbers } from './detectors/mask.js';
import type { Envelope, PolicyMatch, Verdict } from './decide/verdict.js';

/** Which message a record is about: the fields every incident-like record (live or shadow) starts with. */
export interface IncidentEnvelope {
  readonly time: string;
  readonly transactionId: string;
  readonly upstream: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly messageId: string;
  readonly subject: string;
}

export interface Incident extends IncidentEnvelope {
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
    subject: maskRecordText(msg.subject),
    policy: m.policy,
    severity: m.severity,
    action: m.action,
    mode: m.mode,
    verdict: verdict.kind,
    counts: m.counts,
    samples: m.samples,
    inspection: verdict.inspection,
    ...(m.unscannable === undefined ? {} : { unscannable: m.unscannable.map((p) => ({ label: maskRecordText(p.label), reason: p.reason, detail: maskRecordText(p.detail) })) }),
  }));
}

export interface IncidentLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How a sink tells metrics about trouble (relayguard_incident_write_failures_total, relayguard_incidents_dropped_total). */
export interface IncidentSinkHealth {
  writeFailed(): void;
  dropped(count: number): void;
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
  /** A failed write is retried after this long, doubling up to retryMaxMs. Defaults 100 ms and 30 s. */
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  readonly health?: IncidentSinkHealth;
}

export const DEFAULT_INCIDENT_PATH = 'var/incidents.jsonl';
/** How long close() keeps retrying a failing path before it counts what is left as dropped. */
const CLOSE_TIMEOUT_MS = 5_000;

export class IncidentWriter {
  readonly #opts: IncidentWriterOptions;
  readonly #queue: string[] = [];
  /** The batch that failed: written before anything newer, so order survives a retry. */
  #held: { readonly text: string; readonly lines: number } | undefined;
  #size: number | undefined;
  #draining: Promise<void> | undefined;
  #dropped = 0;
  #closed = false;
  #giveUpAt: number | undefined;
  #wake: (() => void) | undefined;

  constructor(opts: IncidentWriterOptions) {
    this.#opts = opts;
  }

  /** Incidents dropped because the queue was full, or left unwritten when close() gave up. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Never blocks and never throws: lines are queued and written in the background. */
  record(incidents: readonly Incident[]): void {
    if (this.#closed) return this.#drop(incidents.length, 'RG_INCIDENT_CLOSED', 'incident writer closed, incident dropped');
    const max = this.#opts.maxQueue ?? 10_000;
    for (const incident of incidents) {
      if (this.#pending() >= max) {
        this.#drop(1, 'RG_INCIDENT_QUEUE_FULL', 'incident queue full, incident dropped', incident.policy);
        continue;
      }
      this.#queue.push(`${JSON.stringify(incident)}\n`);
    }
    this.#draining ??= this.#drain().finally(() => (this.#draining = undefined));
  }

  /** Writes what is queued (retrying for up to timeoutMs while writes fail), then stops accepting. */
  async close(timeoutMs = CLOSE_TIMEOUT_MS): Promise<void> {
    this.#closed = true;
    this.#giveUpAt = Date.now() + timeoutMs;
    this.#wake?.();
    while (this.#draining !== undefined) await this.#draining;
  }

  /** Resolves once everything queued so far is written (tests, shutdown); keeps waiting while writes fail. */
  async flush(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  async #drain(): Promise<void> {
    let delay = this.#opts.retryMinMs ?? 100;
    while (this.#held !== undefined || this.#queue.length > 0) {
      // Held while it is written too: a batch in flight counts against maxQueue like a failed one.
      const batch = this.#held ?? this.#takeBatch();
      this.#held = batch;
      try {
        await this.#write(batch.text);
        this.#held = undefined;
        delay = this.#opts.retryMinMs ?? 100;
      } catch (err) {
        this.#size = undefined;
        this.#opts.health?.writeFailed();
        if (this.#giveUpAt !== undefined && Date.now() >= this.#giveUpAt) return this.#abandon(err);
        this.#opts.logger?.error({ code: 'RG_INCIDENT_WRITE', path: this.#opts.path, err, retryInMs: delay, held: this.#pending() }, 'cannot write incidents; retrying');
        await this.#sleep(delay);
        delay = Math.min(delay * 2, this.#opts.retryMaxMs ?? 30_000);
      }
    }
  }

  #pending(): number {
    return this.#queue.length + (this.#held?.lines ?? 0);
  }

  #abandon(err: unknown): void {
    const lost = this.#pending();
    this.#held = undefined;
    this.#queue.length = 0;
    this.#drop(lost, 'RG_INCIDENT_LOST', 'incident file still failing at close; incidents not written', undefined, err);
  }

  #drop(count: number, code: string, msg: string, policy?: string, err?: unknown): void {
    if (count === 0) return;
    this.#dropped += count;
    this.#opts.health?.dropped(count);
    const log = code === 'RG_INCIDENT_QUEUE_FULL' ? this.#opts.logger?.warn : this.#opts.logger?.error;
    log?.call(this.#opts.logger, { code, path: this.#opts.path, count, dropped: this.#dropped, ...(policy !== undefined ? { policy } : {}), ...(err !== undefined ? { err } : {}) }, msg);
  }

  /** Backoff that close() cuts short, so shutdown is bounded by its own timeout. */
  #sleep(ms: number): Promise<void> {
    const wait = this.#giveUpAt !== undefined ? Math.max(0, Math.min(ms, this.#giveUpAt - Date.now())) : ms;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, wait);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).then(() => void (this.#wake = undefined));
  }

  // One append per batch, never crossing maxBytes, so rotation happens between whole lines.
  #takeBatch(): { readonly text: string; readonly lines: number } {
    let text = this.#queue.shift() ?? '';
    let lines = 1;
    const room = Math.max(0, this.#opts.maxBytes - (this.#size ?? 0));
    while (this.#queue.length > 0 && Buffer.byteLength(text) + Buffer.byteLength(this.#queue[0] ?? '') <= room) {
      text += this.#queue.shift();
      lines++;
    }
    return { text, lines };
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

/** Sender-controlled text in a record (subject, part names): numbers and catalogue values redacted. */
export function maskRecordText(text: string): string {
  // masked as the detectors read it, so "4111\u200b1111..." or full-width digits are starred too; a text
  // with nothing to mask is kept as written
  const readable = detectionText(text);
  const masked = maskIdentifiers(maskNumbers(readable));
  return masked === readable ? text : masked;
}
