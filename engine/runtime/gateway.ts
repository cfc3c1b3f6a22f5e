// The running gateway: one generation cell, the listeners, the admin listener, the reloader, and the
// services every generation shares (logger, metrics, one relay pool, the incident file).
// Lifecycle: start (the first config must compile) → reloads swap generations → shutdown drains.
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Diagnostic } from '../config/diagnostic.js';
import { formatDiagnostics } from '../config/load.js';
import { buildGraph } from '../graph/build.js';
import type { BuildResult } from '../graph/build.js';
import type { RoutingGraph } from '../graph/types.js';
import { RelayPool } from '../smtp/relay/relay-pool.js';
import { prepareSpoolDir } from '../smtp/transaction/spool-dir.js';
import { RefusedSockets } from '../smtp/inbound/refused-sockets.js';
import type { PreparedSpool } from '../smtp/transaction/spool-dir.js';
import { rm } from 'node:fs/promises';
import { createGenerationEngine } from '../smtp/generation-engine.js';
import type { ConnectionMeta, CreateGenerationEngine, EngineServices } from '../smtp/engine-api.js';
import { AdminSlot } from './admin-slot.js';
import type { StartAdmin } from './admin-slot.js';
import { startAdminServer } from './admin-server.js';
import { GenerationCell } from './generation.js';
import type { Generation } from './generation.js';
import { IncidentSlot } from './incident-slot.js';
import { ListenerSet } from './listeners.js';
import type { ListenerStatus } from './listeners.js';
import { combineObservers, createLogObserver } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { ReloadResult, ReloadTrigger } from './reload-result.js';
import { Reloader } from './reloader.js';
import { ShadowEvaluator } from './shadow.js';
import { buildStatus, reloadReportOf } from './status.js';
import type { StatusSnapshot } from './status.js';

export interface GatewayOptions {
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** The SMTP engine factory (tests swap in a fake). */
  readonly createEngine?: CreateGenerationEngine;
  /** Start the admin HTTP listener when the topology names one. Default true. */
  readonly admin?: boolean;
  readonly startAdmin?: StartAdmin;
  /** false: reload only on SIGHUP / reloadNow. Default true. */
  readonly watch?: boolean;
  readonly debounceMs?: number;
  readonly proxyHeaderTimeoutMs?: number;
  /** How long a replaced generation keeps its sessions before they are drained. Default: its drain.graceMs. */
  readonly retireMs?: number;
  readonly build?: (dir: string) => Promise<BuildResult>;
  /** serve --shadow DIR: the shadow candidate, overriding the topology's gateway.shadow. */
  readonly shadowDir?: string;
  /** Refused sockets that may linger (reading their reply) at once; more are closed at once. Default 64. */
  readonly maxLingeringRefusals?: number;
  /** Connections still waiting for a PROXY header, across listeners; more are closed at once. Default 256. */
  readonly maxPendingConnections?: number;
}

export class GatewayStartError extends Error {
  constructor(readonly code: string, message: string, readonly diagnostics: readonly Diagnostic[] = []) {
    super(message);
    this.name = 'GatewayStartError';
  }
}

export class Gateway {
  readonly #opts: GatewayOptions;
  readonly #dir: string;
  readonly #startedAt = new Date();
  // Receivers carry their own limits (maxConnections, maxMessagesPerConnection); these cover reflect legs.
  readonly #pool = new RelayPool({ maxConnections: 50, maxMessagesPerConnection: 1000 });
  readonly #incidents: IncidentSlot;
  readonly #listeners: ListenerSet;
  readonly #admin: AdminSlot;
  readonly #services: EngineServices;
  /** Configured spool dir → this process's private directory in it (prepared once per dir). */
  readonly #spools = new Map<string, PreparedSpool>();
  #cell: GenerationCell | undefined;
  #reloader: Reloader | undefined;
  #shadow: ShadowEvaluator | undefined;
  #shadowSync: Promise<void> = Promise.resolve();
  #nextId = 1;
  #shutdown: Promise<void> | undefined;

  private constructor(dir: string, opts: GatewayOptions) {
    this.#dir = dir;
    this.#opts = opts;
    this.#incidents = new IncidentSlot(opts.logger);
    this.#listeners = new ListenerSet({
      logger: opts.logger,
      accept: (socket, meta) => this.#accept(socket, meta),
      ...(opts.proxyHeaderTimeoutMs !== undefined ? { proxyHeaderTimeoutMs: opts.proxyHeaderTimeoutMs } : {}),
      ...(opts.maxPendingConnections !== undefined ? { maxPendingConnections: opts.maxPendingConnections } : {}),
      onShed: (reason) => opts.metrics.connectionShed(reason),
    });
    this.#admin = new AdminSlot(opts.startAdmin ?? startAdminServer, {
      logger: opts.logger,
      metrics: opts.metrics,
      status: () => this.status(),
      ready: () => this.ready(),
    });
    this.#services = {
      logger: opts.logger,
      observer: combineObservers(createLogObserver(opts.logger), opts.metrics),
      pool: this.#pool,
      incidents: opts.metrics.countIncidents(this.#incidents),
      // Stable across generations; forwards to whichever candidate is current (none: a no-op).
      shadow: { offer: (offer) => this.#shadow?.offer(offer) },
      spoolDir: (configured) => this.#spools.get(configured)?.dir ?? configured,
      refusals: new RefusedSockets({ ...(opts.maxLingeringRefusals !== undefined ? { maxLingering: opts.maxLingeringRefusals } : {}), onOverflow: () => opts.metrics.connectionShed('refusal-overflow') }),
    };
  }

  /** Builds the first graph and starts everything; GatewayStartError (with diagnostics) when it cannot. */
  static async start(dir: string, opts: GatewayOptions): Promise<Gateway> {
    const built = await (opts.build ?? buildGraph)(dir);
    if (built.graph === undefined) throw new GatewayStartError('RG_RUNTIME_CONFIG_INVALID', `the configuration in ${dir} is not valid`, built.diagnostics);
    if (built.diagnostics.length > 0) opts.logger.warn({ code: 'RG_RUNTIME_CONFIG_WARNINGS', diagnostics: formatDiagnostics(built.diagnostics, 'text') }, `configuration loaded with ${built.diagnostics.length} warning(s):\n${formatDiagnostics(built.diagnostics, 'text')}`);
    const gateway = new Gateway(dir, opts);
    try {
      await gateway.#begin(built.graph);
    } catch (err) {
      await gateway.shutdown(0).catch(() => undefined);
      if (err instanceof GatewayStartError) throw err;
      const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : 'RG_RUNTIME_START_FAILED';
      throw new GatewayStartError(code, err instanceof Error ? err.message : String(err));
    }
    return gateway;
  }

  get graph(): RoutingGraph {
    return this.#current().graph;
  }

  get dir(): string {
    return this.#dir;
  }

  get adminPort(): number | undefined {
    return this.#admin.server?.port;
  }

  listeners(): readonly ListenerStatus[] {
    return this.#listeners.addresses();
  }

  ready(): boolean {
    return this.#shutdown === undefined && this.#cell !== undefined && this.#listeners.addresses().some((l) => l.state === 'listening');
  }

  reloadNow(trigger: ReloadTrigger = 'manual'): Promise<ReloadResult> {
    if (this.#reloader === undefined) return Promise.reject(new Error('RG_RUNTIME_NOT_STARTED: the gateway is not running'));
    return this.#reloader.reloadNow(trigger);
  }

  /** Every reload result from now on; returns an unsubscribe function. */
  onReload(listener: (r: ReloadResult) => void): () => void {
    return this.#reloader?.onResult(listener) ?? (() => undefined);
  }

  status(): StatusSnapshot {
    const live = this.#cell?.live() ?? [];
    const last = this.#reloader?.last;
    const snapshot = buildStatus(this.#cell?.current.graph, {
      startedAt: this.#startedAt,
      ...(last !== undefined ? { lastReload: reloadReportOf(last) } : {}),
      listeners: this.#listeners.addresses().map((l) => ({ address: l.address, port: l.port, state: l.state === 'listening' && this.#shutdown === undefined ? 'listening' : 'draining' })),
      sessionsInFlight: live.reduce((n, g) => n + g.generation.engine.activeSessions, 0),
      transactionsInFlight: live.reduce((n, g) => n + g.generation.engine.activeTransactions, 0),
      draining: this.#shutdown !== undefined,
      retiredGenerations: live.length - 1 > 0 ? live.length - 1 : 0,
    });
    return this.#shadow === undefined ? snapshot : { ...snapshot, shadow: this.#shadow.status() };
  }

  /** The shadow evaluator, once started (tests wait on its queue). */
  get shadow(): ShadowEvaluator | undefined {
    return this.#shadow;
  }

  /** Resolves when the shadow candidate for the current graph has been (re)started. */
  shadowReady(): Promise<void> {
    return this.#shadowSync;
  }

  /** Readiness off, stop accepting, drain every generation until `graceMs`, then close the shared services. */
  shutdown(graceMs?: number): Promise<void> {
    this.#shutdown ??= this.#stop(graceMs ?? this.#cell?.current.graph.gateway.drain.graceMs ?? 0);
    return this.#shutdown;
  }

  async #begin(graph: RoutingGraph): Promise<void> {
    await this.#prepareSpool(graph);
    this.#incidents.prepare(graph.gateway.incidents).commit();
    const first = this.#newGeneration(graph);
    this.#cell = new GenerationCell(first, { logger: this.#opts.logger });
    await this.#listeners.reconcile(graph.listeners);
    if (this.#opts.admin !== false) (await this.#admin.prepare(graph.admin)).commit();
    this.#reloader = new Reloader({
      dir: this.#dir,
      logger: this.#opts.logger,
      current: () => this.graph,
      apply: (g) => this.#apply(g),
      ...(this.#opts.watch !== undefined ? { watch: this.#opts.watch } : {}),
      ...(this.#opts.debounceMs !== undefined ? { debounceMs: this.#opts.debounceMs } : {}),
      ...(this.#opts.build !== undefined ? { build: this.#opts.build } : {}),
    });
    this.#reloader.onResult((r) => this.#recordReload(r));
    await this.#reloader.start();
    this.#publish(graph);
    await this.#syncShadow(graph);
    this.#opts.metrics.setReady(true);
    const { hash, gitCommit } = graph.revision;
    this.#opts.logger.info({ code: 'RG_RUNTIME_STARTED', revision: hash, gitCommit, dir: this.#dir, listeners: this.listeners().map((l) => `${l.address}:${l.port}`) }, 'relayguard is running');
  }

  /** The swap: everything that can fail (engine, ports, files) is done before the one assignment. */
  async #apply(graph: RoutingGraph): Promise<void> {
    if (this.#shutdown !== undefined) throw Object.assign(new Error('the gateway is shutting down'), { code: 'RG_RUNTIME_SHUTTING_DOWN' });
    // Before the engine: it takes its spool directory when it is built. An unsafe new dir fails the reload.
    await this.#prepareSpool(graph);
    const next = this.#newGeneration(graph);
    const steps: { commit(): void; rollback(): void }[] = [];
    try {
      steps.push(this.#incidents.prepare(graph.gateway.incidents));
      steps.push(await this.#listeners.prepare(graph.listeners));
      if (this.#opts.admin !== false) steps.push(await this.#admin.prepare(graph.admin));
    } catch (err) {
      for (const step of steps.reverse()) step.rollback();
      void next.engine.drain(Date.now()).catch(() => undefined);
      throw err;
    }
    const previous = this.#cell?.swap(next, this.#retireTiming());
    for (const step of steps) step.commit();
    // Idle receiving legs were opened with the old graph's TLS material: never reused, only holding slots.
    this.#pool.closeIdle();
    this.#publish(graph);
    void this.#syncShadow(graph);
    if (previous !== undefined) this.#opts.logger.debug({ generation: next.id, previous: previous.id }, 'generation swapped');
  }

  /** A private per-process directory in the configured spool dir; orphans of crashed processes swept and counted. */
  async #prepareSpool(graph: RoutingGraph): Promise<void> {
    const configured = graph.gateway.spool.dir;
    if (this.#spools.has(configured)) return;
    const prepared = await prepareSpoolDir(configured);
    this.#spools.set(configured, prepared);
    this.#opts.metrics.spoolOrphansSwept(prepared.orphansSwept);
    if (prepared.orphansSwept > 0) this.#opts.logger.warn({ code: 'RG_SPOOL_ORPHANS_SWEPT', dir: configured, files: prepared.orphansSwept }, `deleted ${prepared.orphansSwept} spooled message file(s) left by a gateway process that no longer runs`);
  }

  #retireTiming(): { readonly retireMs: number; readonly graceMs: number } {
    const graceMs = this.graph.gateway.drain.graceMs;
    return { retireMs: this.#opts.retireMs ?? graceMs, graceMs };
  }

  #newGeneration(graph: RoutingGraph): Generation {
    const engine = (this.#opts.createEngine ?? createGenerationEngine)(graph, this.#services);
    return { id: this.#nextId++, graph, engine, createdAt: new Date() };
  }

  #current(): Generation {
    if (this.#cell === undefined) throw new Error('RG_RUNTIME_NOT_STARTED: the gateway is not running');
    return this.#cell.current;
  }

  #accept(socket: Socket, meta: ConnectionMeta): void {
    const cell = this.#cell;
    if (cell === undefined || this.#shutdown !== undefined) {
      socket.destroy();
      return;
    }
    try {
      cell.current.engine.accept(socket, meta);
    } catch (err) {
      this.#opts.logger.error({ err, code: 'RG_RUNTIME_ACCEPT_FAILED', remoteAddress: meta.remoteAddress }, 'the SMTP engine could not take a connection');
      socket.destroy();
    }
  }

  #publish(graph: RoutingGraph): void {
    this.#opts.metrics.setRevision({ hash: graph.revision.hash, ...(graph.revision.gitCommit !== undefined ? { gitCommit: graph.revision.gitCommit } : {}) });
    this.#opts.metrics.setCertificates(graph.certificates);
  }

  /** Starts, moves or stops the shadow candidate when the wanted directory changes; never fails the live config. */
  #syncShadow(graph: RoutingGraph): Promise<void> {
    const wanted = this.#opts.shadowDir ?? graph.gateway.shadow?.dir;
    this.#shadowSync = this.#shadowSync.then(async () => {
      if (wanted === this.#shadow?.dir || this.#shutdown !== undefined) return;
      const old = this.#shadow;
      this.#shadow = undefined;
      await old?.close();
      if (wanted === undefined) return;
      try {
        this.#shadow = await ShadowEvaluator.start({
          dir: wanted,
          logger: this.#opts.logger,
          registry: this.#opts.metrics.registry,
          record: (records) => this.#incidents.record(records),
          ...(this.#opts.watch !== undefined ? { watch: this.#opts.watch } : {}),
          ...(this.#opts.debounceMs !== undefined ? { debounceMs: this.#opts.debounceMs } : {}),
        });
      } catch (err) {
        this.#opts.logger.error({ err, code: 'RG_SHADOW_START_FAILED', dir: wanted }, 'shadow candidate could not be started; live traffic is unaffected');
      }
    });
    return this.#shadowSync;
  }

  #recordReload(r: ReloadResult): void {
    const report = reloadReportOf(r);
    this.#opts.metrics.reloadFinished({ result: report.result, durationMs: report.durationMs ?? 0 });
  }

  async #stop(graceMs: number): Promise<void> {
    const log = this.#opts.logger;
    this.#opts.metrics.setReady(false);
    this.#listeners.stopAccepting();
    await this.#reloader?.close();
    await this.#shadowSync;
    await this.#shadow?.close();
    const sessions = this.status().sessionsInFlight;
    log.info({ code: 'RG_RUNTIME_DRAINING', sessions, graceMs }, `draining ${sessions} session(s), at most ${graceMs} ms`);
    await this.#cell?.drainAll(Date.now() + graceMs);
    await this.#pool.close().catch((err: unknown) => log.warn({ err }, 'closing relay connections failed'));
    // Every transaction has ended: this process's spool directories are empty now.
    for (const s of this.#spools.values()) await rm(s.dir, { recursive: true, force: true }).catch(() => undefined);
    await this.#incidents.close();
    await this.#admin.close();
    log.info({ code: 'RG_RUNTIME_STOPPED' }, 'relayguard stopped');
  }
}
