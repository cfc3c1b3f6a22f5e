// Prometheus metrics for one gateway process: its own registry (no global singleton), an
// EngineObserver for the SMTP engine, and setters for the runtime (reloads, revision, certificates).
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CertificateSummary } from '../graph/types.js';
import type { EngineObserver, IncidentSink, RefusalReason, TlsHandshakeEvent, TransactionRecord } from '../smtp/engine-api.js';

/** What IncidentSlot offers (kept structural: metrics does not import the runtime's sinks). */
interface HealthReporting {
  observeHealth(factory: (kind: 'file' | 'syslog') => { writeFailed(): void; dropped(count: number): void }): void;
}

export type ReloadMetricResult = 'success' | 'failure' | 'unchanged';

export interface GatewayMetrics extends EngineObserver {
  readonly registry: Registry;
  /** The Prometheus text exposition content type of `render()`. */
  readonly contentType: string;
  sessionRefused(e: { readonly remoteAddress: string; readonly reason: RefusalReason; readonly upstream?: string }): void;
  reloadFinished(e: { readonly result: ReloadMetricResult; readonly durationMs: number }): void;
  setRevision(r: { readonly hash: string; readonly gitCommit?: string }): void;
  setCertificates(summaries: readonly CertificateSummary[]): void;
  setReady(ready: boolean): void;
  policyMatched(e: { readonly policy: string; readonly action: string; readonly mode: string }): void;
  /** Counted from transactionFinished already (its decision says so); for callers outside a transaction. */
  inspectionFailed(e: { readonly reason: string }): void;
  /** A connection closed at once because a cap was full (lingering refusals, connections not yet greeted). */
  connectionShed(reason: 'refusal-overflow' | 'pre-greeting'): void;
  /** Spool files of dead processes deleted at start-up (or when a reload names a new spool dir). */
  spoolOrphansSwept(n: number): void;
  /** Wraps the incident sink: every incident record (one per matched policy) counts in policy_matches_total. */
  countIncidents(sink: IncidentSink): IncidentSink;
  /** This process's metrics as prom-client JSON, for aggregation across cluster workers. */
  snapshot(): Promise<readonly object[]>;
  /** The Prometheus text: this process's metrics, plus the other workers' when `peers` is set. */
  render(): Promise<string>;
}

export interface MetricsOptions {
  /** Register prom-client's process/runtime metrics (prefix relayguard_). Default true. */
  readonly defaultMetrics?: boolean;
  /** Clock for certificate expiry (tests). */
  readonly now?: () => Date;
  /** Distinct values kept per label before further values become "other". Default 200. */
  readonly maxLabelValues?: number;
  /**
   * The other cluster workers' snapshots (serve --workers N, in the worker that serves /metrics): render()
   * then aggregates (counters and histograms summed, see AGGREGATE below).
   */
  readonly peers?: () => Promise<readonly (readonly object[])[]>;
}

const PREFIX = 'relayguard_';
const UNKNOWN = 'unknown';
/** Decisions of transactions that never reached inspection (engine/smtp/transaction/deliver.ts). */
const NOT_INSPECTED: ReadonlySet<string> = new Set(['none', 'loop', 'loop-skip']);
/** The engine's decision for a failed inspection: "<verdict> (inspection failed: <reason>)". */
const INSPECTION_FAILED = /\(inspection failed: (.*)\)$/s;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const RELOAD_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

function defineMetrics(registry: Registry) {
  const registers = [registry];
  return {
    sessions: new Counter({ name: `${PREFIX}sessions_total`, help: 'SMTP sessions by upstream and result (accepted, or the refusal reason).', labelNames: ['upstream', 'result'], registers }),
    active: new Gauge({ name: `${PREFIX}sessions_active`, help: 'SMTP sessions currently open, by upstream.', labelNames: ['upstream'], registers }),
    transactions: new Counter({ name: `${PREFIX}transactions_total`, help: 'Mail transactions by upstream and outcome.', labelNames: ['upstream', 'outcome'], registers }),
    duration: new Histogram({ name: `${PREFIX}relay_duration_seconds`, help: 'Time per transaction phase: receive (DATA from upstream), inspect (DLP), deliver (receiving MTA).', labelNames: ['phase'], buckets: DURATION_BUCKETS, registers }),
    receivingErrors: new Counter({ name: `${PREFIX}receiving_errors_total`, help: 'Failures on the receiving leg by receiver and kind (error code).', labelNames: ['receiver', 'kind'], registers }),
    handshakes: new Counter({ name: `${PREFIX}tls_handshakes_total`, help: 'STARTTLS handshakes by leg, peer, TLS version and result (ok, failed, unverified).', labelNames: ['leg', 'peer', 'version', 'result'], registers }),
    authFailures: new Counter({ name: `${PREFIX}tls_authentication_failures_total`, help: 'Peer certificates refused, by leg, peer and reason code.', labelNames: ['leg', 'peer', 'reason'], registers }),
    policyMatches: new Counter({ name: `${PREFIX}policy_matches_total`, help: 'Policy matches (incidents) by policy, action and mode.', labelNames: ['policy', 'action', 'mode'], registers }),
    incidentWriteFailures: new Counter({ name: `${PREFIX}incident_write_failures_total`, help: 'Failed incident writes (file append, syslog connection) by sink type; each is retried.', labelNames: ['sink'], registers }),
    incidentsDropped: new Counter({ name: `${PREFIX}incidents_dropped_total`, help: 'Incident records lost (buffer full while a sink failed, or still unwritten at shutdown) by sink type.', labelNames: ['sink'], registers }),
    inspectionFailures: new Counter({ name: `${PREFIX}inspection_failures_total`, help: 'Messages whose inspection failed or ran out of budget, by reason.', labelNames: ['reason'], registers }),
    // Every worker reloads the same files: across workers the count of one worker is the count.
    reloads: new Counter({ name: `${PREFIX}reloads_total`, help: 'Config reloads by result (success, failure, unchanged).', labelNames: ['result'], registers, aggregator: 'max' }),
    reloadDuration: new Histogram({ name: `${PREFIX}reload_duration_seconds`, help: 'Time to read, validate and compile a config revision.', buckets: RELOAD_BUCKETS, registers }),
    configInfo: new Gauge({ name: `${PREFIX}config_info`, help: 'The running config revision (always 1).', labelNames: ['revision', 'git_commit'], registers, aggregator: 'max' }),
    // Across workers: ready only when every worker is.
    shed: new Counter({ name: `${PREFIX}connections_shed_total`, help: 'Connections closed at once because a cap was full: refusal-overflow (more refused sockets lingering than allowed), pre-greeting (too many connections still waiting for their PROXY header).', labelNames: ['reason'], registers }),
    spoolOrphans: new Counter({ name: `${PREFIX}spool_orphans_swept_total`, help: 'Spooled message files left by a process that no longer runs (a crash), deleted at start-up.', registers }),
    ready: new Gauge({ name: `${PREFIX}ready`, help: '1 when a graph is loaded, listeners are bound and the process is not draining.', registers, aggregator: 'min' }),
  };
}

/**
 * Keeps label cardinality bounded: names come from config, but a misbehaving caller or a long
 * free-text reason must not create unbounded series. Past the cap, new values become "other".
 */
class LabelGuard {
  readonly #seen = new Map<string, Set<string>>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  value(label: string, value: string): string {
    let seen = this.#seen.get(label);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(label, seen);
    }
    if (seen.has(value)) return value;
    if (seen.size >= this.#max || value.length > 128) return 'other';
    seen.add(value);
    return value;
  }
}

/** A bounded label out of the policy engine's inspection failure text ("limit hit: maxParts (…)" → limit-maxParts). */
export function inspectionFailureReason(reason: string): string {
  if (/^budget/i.test(reason)) return 'budget';
  const limit = /^limit hit: (\w+)/.exec(reason);
  if (limit) return `limit-${limit[1]}`;
  if (/^analysis failed/i.test(reason)) return 'analysis';
  if (/^[a-z0-9-]{1,40}$/.test(reason)) return reason;
  return 'error';
}

/** A bounded label out of a TLS failure reason: a kebab reason as is, else the first error code in the text, else "other". */
export function tlsFailureReason(reason: string | undefined): string {
  if (reason === undefined || reason === '') return 'unknown';
  if (/^[a-z0-9-]{1,40}$/.test(reason)) return reason;
  const code = /\b(RG_[A-Z0-9_]+|ERR_[A-Z0-9_]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/.exec(reason);
  return code?.[1] ?? 'other';
}

type Metrics = ReturnType<typeof defineMetrics>;
type CounterChild = ReturnType<Counter<string>['labels']>;
type GaugeChild = ReturnType<Gauge<string>['labels']>;

/** Label children bound once per distinct label tuple: the hot path is a Map lookup and an add. */
class ChildCache<T> {
  readonly #children = new Map<string, T>();
  readonly #bind: (values: readonly string[]) => T;

  constructor(bind: (values: readonly string[]) => T) {
    this.#bind = bind;
  }

  get(...values: string[]): T {
    const key = values.join('\u0000');
    let child = this.#children.get(key);
    if (child === undefined) {
      child = this.#bind(values);
      this.#children.set(key, child);
    }
    return child;
  }
}

function counterChildren(counter: Counter<string>): ChildCache<CounterChild> {
  return new ChildCache((values) => counter.labels(...values));
}

class PrometheusGatewayMetrics implements GatewayMetrics {
  readonly registry: Registry;
  readonly #m: Metrics;
  readonly #now: () => Date;
  readonly #guard: LabelGuard;
  readonly #sessions: ChildCache<CounterChild>;
  readonly #active: ChildCache<GaugeChild>;
  readonly #transactions: ChildCache<CounterChild>;
  readonly #handshakes: ChildCache<CounterChild>;
  readonly #phase: { receive: ReturnType<Histogram<string>['labels']>; inspect: ReturnType<Histogram<string>['labels']>; deliver: ReturnType<Histogram<string>['labels']> };
  /** sessionId → the upstream label it was counted under, so close decrements the same gauge child. */
  readonly #openSessions = new Map<string, string>();
  #certificates: readonly CertificateSummary[] = [];
  readonly #peers: MetricsOptions['peers'];

  constructor(opts: MetricsOptions) {
    this.#peers = opts.peers;
    this.registry = new Registry();
    this.#m = defineMetrics(this.registry);
    this.#now = opts.now ?? (() => new Date());
    this.#guard = new LabelGuard(opts.maxLabelValues ?? 200);
    this.#sessions = counterChildren(this.#m.sessions);
    this.#transactions = counterChildren(this.#m.transactions);
    this.#handshakes = counterChildren(this.#m.handshakes);
    this.#active = new ChildCache((values) => this.#m.active.labels(...values));
    const d = this.#m.duration;
    this.#phase = { receive: d.labels('receive'), inspect: d.labels('inspect'), deliver: d.labels('deliver') };
    this.#defineCertificateGauge();
    this.#m.ready.set(0);
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #label(name: string, value: string | undefined): string {
    return this.#guard.value(name, value ?? UNKNOWN);
  }

  sessionOpened(e: { readonly sessionId: string; readonly upstream?: string; readonly remoteAddress: string }): void {
    const upstream = this.#label('upstream', e.upstream);
    this.#openSessions.set(e.sessionId, upstream);
    this.#sessions.get(upstream, 'accepted').inc();
    this.#active.get(upstream).inc();
  }

  sessionRefused(e: { readonly remoteAddress: string; readonly reason: RefusalReason; readonly upstream?: string }): void {
    this.#sessions.get(this.#label('upstream', e.upstream), e.reason).inc();
  }

  sessionClosed(e: { readonly sessionId: string; readonly upstream?: string }): void {
    const upstream = this.#openSessions.get(e.sessionId);
    // A close without a matching open (or a second close) must not drive the gauge negative.
    if (upstream === undefined) return;
    this.#openSessions.delete(e.sessionId);
    this.#active.get(upstream).dec();
  }

  tlsHandshake(e: TlsHandshakeEvent): void {
    const peer = this.#label('peer', e.peer);
    const version = e.protocol === undefined ? 'none' : this.#label('version', e.protocol);
    this.#handshakes.get(e.leg, peer, version, e.result).inc();
    if (e.result === 'failed') {
      this.#m.authFailures.labels(e.leg, peer, this.#label('tls_reason', tlsFailureReason(e.reason))).inc();
    }
  }

  transactionFinished(e: TransactionRecord): void {
    this.#transactions.get(this.#label('upstream', e.upstream), e.outcome).inc();
    this.#phase.receive.observe(e.timings.receiveMs / 1000);
    // Phases that did not run are not observed, so they do not pull the histograms towards zero.
    if (!NOT_INSPECTED.has(e.decision)) this.#phase.inspect.observe(e.timings.inspectMs / 1000);
    if (e.downstreamReply !== undefined) this.#phase.deliver.observe(e.timings.deliverMs / 1000);
    const failure = INSPECTION_FAILED.exec(e.decision);
    if (failure) this.inspectionFailed({ reason: failure[1] ?? '' });
  }

  relayError(e: { readonly receiver: string; readonly kind: string }): void {
    this.#m.receivingErrors.labels(this.#label('receiver', e.receiver), this.#label('kind', e.kind)).inc();
  }

  reloadFinished(e: { readonly result: ReloadMetricResult; readonly durationMs: number }): void {
    this.#m.reloads.labels(e.result).inc();
    this.#m.reloadDuration.observe(e.durationMs / 1000);
  }

  setRevision(r: { readonly hash: string; readonly gitCommit?: string }): void {
    // Exactly one series: the old revision disappears with the swap.
    this.#m.configInfo.reset();
    this.#m.configInfo.labels(r.hash, r.gitCommit ?? '').set(1);
  }

  setCertificates(summaries: readonly CertificateSummary[]): void {
    this.#certificates = [...summaries];
  }

  setReady(ready: boolean): void {
    this.#m.ready.set(ready ? 1 : 0);
  }

  policyMatched(e: { readonly policy: string; readonly action: string; readonly mode: string }): void {
    this.#m.policyMatches.labels(this.#label('policy', e.policy), this.#label('action', e.action), this.#label('mode', e.mode)).inc();
  }

  inspectionFailed(e: { readonly reason: string }): void {
    this.#m.inspectionFailures.labels(inspectionFailureReason(e.reason)).inc();
  }

  connectionShed(reason: 'refusal-overflow' | 'pre-greeting'): void {
    this.#m.shed.labels(reason).inc();
  }

  spoolOrphansSwept(n: number): void {
    if (n > 0) this.#m.spoolOrphans.inc(n);
  }

  countIncidents(sink: IncidentSink): IncidentSink {
    // The runtime's incident slot reports sink trouble; other sinks (tests) have nothing to report.
    (sink as Partial<HealthReporting>).observeHealth?.((kind) => ({
      writeFailed: () => this.#m.incidentWriteFailures.labels(kind).inc(),
      dropped: (n) => this.#m.incidentsDropped.labels(kind).inc(n),
    }));
    return {
      record: (incidents) => {
        for (const i of incidents) this.policyMatched({ policy: i.policy, action: i.action, mode: i.mode });
        sink.record(incidents);
      },
    };
  }

  snapshot(): Promise<readonly object[]> {
    return this.registry.getMetricsAsJSON();
  }

  async render(): Promise<string> {
    if (this.#peers === undefined) return this.registry.metrics();
    const [own, others] = await Promise.all([this.registry.getMetricsAsJSON(), this.#peers()]);
    return AggregatorRegistry.aggregate([own, ...others]).metrics();
  }

  /** Seconds until expiry, computed at scrape time so the value never goes stale between reloads. */
  #defineCertificateGauge(): void {
    const self = this;
    new Gauge({
      name: `${PREFIX}certificate_expiry_seconds`,
      help: 'Seconds until the certificate expires (negative once expired), per certificate file the running config uses.',
      labelNames: ['file', 'subject', 'used_by'],
      registers: [this.registry],
      aggregator: 'min',
      collect() {
        this.reset();
        const now = self.#now().getTime();
        for (const c of self.#certificates) {
          this.labels(c.file, c.subject, c.usedBy.join(',')).set(Math.floor((c.validTo.getTime() - now) / 1000));
        }
      },
    });
  }
}

export function createMetrics(opts: MetricsOptions = {}): GatewayMetrics {
  return new PrometheusGatewayMetrics(opts);
}
