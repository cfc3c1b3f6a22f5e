// The reload pipeline: event → quiet period → build (read, validate, compile: one pass over the files) → same hash? stop → swap.
// Single-flight: events during a pass mark it dirty and cause exactly one follow-up with the newest files.
// A failed pass changes nothing but the reported result (a DLP gateway fails closed).
import type { Logger } from 'pino';
import type { Diagnostic } from '../config/diagnostic.js';
import { formatDiagnostics } from '../config/load.js';
import { buildGraph } from '../graph/build.js';
import type { BuildResult } from '../graph/build.js';
import { planChanges, summarizePlan } from '../graph/plan.js';
import type { RoutingGraph } from '../graph/types.js';
import { ConfigWatcher } from './config-watcher.js';
import type { ReloadResult, ReloadTrigger } from './reload-result.js';

export interface ReloaderOptions {
  readonly dir: string;
  readonly logger: Logger;
  /** The graph running now; undefined while none has loaded yet (a shadow candidate that was invalid from the start). */
  readonly current: () => RoutingGraph | undefined;
  /** Makes a compiled graph live; throwing fails the reload and leaves the running graph as it was. */
  readonly apply: (graph: RoutingGraph) => Promise<void>;
  /** Quiet period after the last event. Default 150 ms. */
  readonly debounceMs?: number;
  /** false: no file watcher (SIGHUP and reloadNow only). */
  readonly watch?: boolean;
  readonly build?: (dir: string) => Promise<BuildResult>;
}

export type ReloadListener = (result: ReloadResult) => void;

export class Reloader {
  readonly #opts: ReloaderOptions;
  readonly #watcher: ConfigWatcher | undefined;
  readonly #listeners = new Set<ReloadListener>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<ReloadResult> | undefined;
  #dirty: ReloadTrigger | undefined;
  #lastSeen: string | null;
  #last: ReloadResult | undefined;
  #closed = false;

  constructor(opts: ReloaderOptions) {
    this.#opts = opts;
    this.#lastSeen = opts.current()?.revision.hash ?? null;
    this.#watcher = opts.watch === false ? undefined : new ConfigWatcher({ logger: opts.logger, onEvent: (event, path) => this.#onEvent(event, path) });
  }

  /** Starts watching; resolves when the watcher is ready. */
  async start(): Promise<void> {
    await this.#retarget();
  }

  /** The last attempt that produced a result (undefined before the first). */
  get last(): ReloadResult | undefined {
    return this.#last;
  }

  /** Every result from now on (applied, unchanged after a change, failed); returns an unsubscribe function. */
  onResult(listener: ReloadListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Debounced: bursts of events (a `git pull`, an editor's save dance) become one pass. */
  schedule(trigger: ReloadTrigger = 'watch'): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.reloadNow(trigger), this.#opts.debounceMs ?? 150);
  }

  /** Runs a pass now; while one runs, marks it dirty and resolves with the follow-up's result. */
  reloadNow(trigger: ReloadTrigger = 'manual'): Promise<ReloadResult> {
    clearTimeout(this.#timer);
    if (this.#closed) return Promise.resolve(this.#last ?? this.#unchanged(trigger, this.#opts.current()?.revision.hash ?? '', false));
    if (this.#running !== undefined) {
      this.#dirty = trigger;
      return this.#running;
    }
    this.#running = this.#loop(trigger);
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#watcher?.close();
    await this.#running?.catch(() => undefined);
  }

  #onEvent(event: string, path: string): void {
    this.#opts.logger.trace({ event, path }, 'config file event');
    this.schedule('watch');
  }

  async #loop(first: ReloadTrigger): Promise<ReloadResult> {
    let trigger = first;
    for (;;) {
      this.#dirty = undefined;
      const result = await this.#pass(trigger).catch((err: unknown) => this.#crashed(trigger, err));
      // Checked and cleared in the same tick as the dirty flag, so no event slips between the two.
      if (this.#dirty === undefined || this.#closed) {
        this.#running = undefined;
        return result;
      }
      trigger = this.#dirty;
    }
  }

  async #pass(trigger: ReloadTrigger): Promise<ReloadResult> {
    const started = Date.now();
    const running = this.#opts.current();
    // One read of the directory: the build's content hash decides whether anything changed.
    const built = await (this.#opts.build ?? buildGraph)(this.#opts.dir);
    // Editors fire several events per save: the same bytes as last time end here. A signal always re-checks.
    if (trigger === 'watch' && built.revision === this.#lastSeen) return this.#last ?? this.#unchanged(trigger, running?.revision.hash ?? '', false);
    this.#lastSeen = built.revision;
    if (running !== undefined && built.revision === running.revision.hash) return this.#unchanged(trigger, built.revision, true);
    if (built.graph === undefined) return this.#failed(trigger, built.revision, built.diagnostics, started);
    try {
      await this.#opts.apply(built.graph);
    } catch (err) {
      // The files were fine, the moment was not (a port still taken): the same bytes must be tried again
      // on the next event, not skipped as already seen.
      this.#lastSeen = null;
      return this.#failed(trigger, built.revision, [applyDiagnostic(this.#opts.dir, err)], started);
    }
    return this.#applied(trigger, running, built.graph, built.diagnostics, started);
  }

  #applied(trigger: ReloadTrigger, old: RoutingGraph | undefined, graph: RoutingGraph, diagnostics: readonly Diagnostic[], started: number): ReloadResult {
    const summary = old === undefined ? 'first load' : summarizePlan(planChanges(old, graph));
    const { hash, gitCommit } = graph.revision;
    const result: ReloadResult = {
      outcome: 'applied',
      trigger,
      at: new Date(),
      revision: hash,
      ...(gitCommit !== undefined ? { gitCommit } : {}),
      previousRevision: old?.revision.hash ?? '',
      summary,
      diagnostics,
      durationMs: Date.now() - started,
    };
    this.#opts.logger.info({ code: 'RG_RELOAD_APPLIED', trigger, revision: hash, gitCommit, previousRevision: old?.revision.hash, changes: summary, durationMs: result.durationMs }, `config reloaded: ${summary}`);
    if (diagnostics.length > 0) this.#opts.logger.warn({ diagnostics: formatDiagnostics(diagnostics, 'text') }, 'config loaded with warnings');
    void this.#retarget();
    return this.#record(result);
  }

  #failed(trigger: ReloadTrigger, revision: string | null, diagnostics: readonly Diagnostic[], started: number): ReloadResult {
    const result: ReloadResult = { outcome: 'failed', trigger, at: new Date(), revision, diagnostics, durationMs: Date.now() - started };
    const text = formatDiagnostics(diagnostics, 'text');
    this.#opts.logger.error(
      { code: 'RG_RELOAD_FAILED', trigger, revision, running: this.#opts.current()?.revision.hash ?? null, errors: diagnostics.filter((d) => d.severity === 'error').length, diagnostics: text },
      `config reload failed, still running revision ${this.#opts.current()?.revision.hash.slice(0, 12) ?? '(none)'}:\n${text}`,
    );
    return this.#record(result);
  }

  #unchanged(trigger: ReloadTrigger, revision: string, record: boolean): ReloadResult {
    const result: ReloadResult = { outcome: 'unchanged', trigger, at: new Date(), revision };
    if (!record) return result;
    this.#opts.logger.info({ code: 'RG_RELOAD_UNCHANGED', trigger, revision }, 'config files match the running revision');
    return this.#record(result);
  }

  #crashed(trigger: ReloadTrigger, err: unknown): ReloadResult {
    return this.#failed(trigger, null, [applyDiagnostic(this.#opts.dir, err, 'RG_RELOAD_CRASHED')], Date.now());
  }

  #record(result: ReloadResult): ReloadResult {
    this.#last = result;
    for (const listener of this.#listeners) listener(result);
    return result;
  }

  async #retarget(): Promise<void> {
    try {
      await this.#watcher?.target(this.#opts.dir, this.#opts.current()?.files ?? []);
    } catch (err) {
      this.#opts.logger.warn({ err, code: 'RG_RELOAD_WATCH_ERROR' }, 'could not watch the config files; SIGHUP still reloads');
    }
  }
}

function applyDiagnostic(dir: string, err: unknown, fallback = 'RG_RELOAD_APPLY_FAILED'): Diagnostic {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && err.code.startsWith('RG_') ? err.code : fallback;
  const message = err instanceof Error ? err.message : String(err);
  return { code, severity: 'error', file: dir, line: 0, column: 0, pointer: '', message };
}
