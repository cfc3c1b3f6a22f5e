// Incidents to a syslog collector over TCP or TLS. Records wait in a bounded buffer while the collector
// is unreachable and are sent in order after a reconnect (backoff 100 ms doubling to 30 s). A frame counts
// as sent once the kernel took it; plain syslog over TCP has no acknowledgement, so what the collector
// had not read when it crashed can be lost (RELP would close that gap; see docs/operations.md).
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Incident, IncidentSinkHealth } from '../../policy/incidents.js';
import type { SyslogIncidentSink } from '../../graph/incident-sinks.js';
import { formatSyslogMessage, frameOctetCounted } from './syslog-message.js';
import { collectorRefusal, connectCollectorTls } from './syslog-tls.js';
import type { RuntimeIncidentSink } from './runtime-sink.js';

export interface SyslogSinkOptions {
  readonly logger?: Pick<Logger, 'warn' | 'error' | 'info'>;
  readonly health?: IncidentSinkHealth;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** close(): how long to keep trying to deliver what is buffered. */
  readonly closeTimeoutMs?: number;
}

type Frame = Buffer;

export class SyslogSink implements RuntimeIncidentSink {
  readonly #spec: SyslogIncidentSink;
  readonly #opts: SyslogSinkOptions;
  /** Frames not yet handed to a socket, oldest first. */
  readonly #buffer: Frame[] = [];
  /** Frames written to the current socket whose write has not completed: re-sent if it dies first. */
  #inflight: Frame[] = [];
  #socket: net.Socket | undefined;
  #connected = false;
  #closed = false;
  #retryMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;
  #idle: (() => void)[] = [];

  constructor(spec: SyslogIncidentSink, opts: SyslogSinkOptions = {}) {
    this.#spec = spec;
    this.#opts = opts;
    this.#retryMs = opts.retryMinMs ?? 100;
    this.#connect();
  }

  get connected(): boolean {
    return this.#connected;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Frames waiting for a connection. */
  get buffered(): number {
    return this.#buffer.length + this.#inflight.length;
  }

  record(incidents: readonly Incident[]): void {
    let over = 0;
    for (const incident of incidents) {
      if (this.#closed || this.buffered >= this.#spec.maxBuffer) over++;
      else this.#buffer.push(frameOctetCounted(formatSyslogMessage(incident, this.#spec)));
    }
    if (over > 0) this.#drop(over, this.#closed ? 'syslog sink closed' : 'syslog buffer full');
    this.#pump();
  }

  /** Resolves once nothing is buffered or in flight (tests, shutdown). */
  flushed(): Promise<void> {
    if (this.buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async close(): Promise<void> {
    const timeout = this.#opts.closeTimeoutMs ?? 5_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flushed(), new Promise<void>((r) => (timer = setTimeout(r, timeout)))]);
    clearTimeout(timer);
    this.#closed = true;
    clearTimeout(this.#timer);
    const lost = this.buffered;
    this.#buffer.length = 0;
    this.#inflight = [];
    if (lost > 0) this.#drop(lost, 'syslog collector unreachable at close');
    this.#socket?.end();
    this.#socket = undefined;
  }

  #connect(): void {
    if (this.#closed) return;
    const { host, port, tls: t } = this.#spec;
    const socket = t ? connectCollectorTls(host, port, t) : net.connect({ host, port });
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.once(t ? 'secureConnect' : 'connect', () => {
      const refusal = t ? collectorRefusal(socket as TLSSocket, host, port, t) : undefined;
      if (refusal !== undefined) {
        this.#opts.logger?.error({ code: refusal.code, host, port, hint: refusal.hint, buffered: this.buffered }, refusal.message);
        socket.destroy();
        return;
      }
      this.#connected = true;
      this.#retryMs = this.#opts.retryMinMs ?? 100;
      this.#opts.logger?.info({ code: 'RG_INCIDENT_SYSLOG_CONNECTED', host, port, buffered: this.buffered }, 'connected to the syslog collector');
      this.#pump();
    });
    // The collector never talks back; reading keeps the socket from filling and reveals its close.
    socket.on('data', () => undefined);
    socket.on('end', () => socket.destroy());
    socket.on('error', (err) => this.#opts.logger?.warn({ code: 'RG_INCIDENT_SYSLOG_ERROR', host, port, err: err.message, buffered: this.buffered }, 'syslog collector connection failed'));
    socket.on('close', () => this.#onClose(socket));
  }

  #onClose(socket: net.Socket): void {
    if (this.#socket !== socket) return;
    this.#socket = undefined;
    // A lost connection, or a failed connect while records wait, is one failed write.
    if (this.#connected || this.buffered > 0) this.#opts.health?.writeFailed();
    this.#connected = false;
    // Unfinished writes never reached the kernel: send them again first, in order.
    this.#buffer.unshift(...this.#inflight);
    this.#inflight = [];
    if (this.#closed) return;
    this.#timer = setTimeout(() => this.#connect(), this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, this.#opts.retryMaxMs ?? 30_000);
  }

  #pump(): void {
    const socket = this.#socket;
    if (!this.#connected || socket === undefined) return;
    while (this.#buffer.length > 0 && this.#socket === socket) {
      const frame = this.#buffer.shift() as Frame;
      this.#inflight.push(frame);
      const more = socket.write(frame, (err) => {
        if (err !== undefined && err !== null) return;
        const i = this.#inflight.indexOf(frame);
        if (i >= 0) this.#inflight.splice(i, 1);
        if (this.buffered === 0) for (const r of this.#idle.splice(0)) r();
      });
      if (!more) {
        socket.once('drain', () => this.#pump());
        return;
      }
    }
  }

  #drop(count: number, why: string): void {
    this.#dropped += count;
    this.#opts.health?.dropped(count);
    this.#opts.logger?.error({ code: 'RG_INCIDENT_SYSLOG_DROPPED', host: this.#spec.host, port: this.#spec.port, count, dropped: this.#dropped }, `${why}: incidents dropped`);
  }
}
