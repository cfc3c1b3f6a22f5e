// Shadow rollout: a candidate config revision whose policies are evaluated on every live message after the live
// decision. Off the reply path (a bounded queue drained on setImmediate; full: drop and count), never changing
// delivery; disagreements become incident records with "shadow": true and metrics. The candidate reloads like the
// live config (the same Reloader and watcher); an invalid one is reported and the last good candidate stays.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { changesBetween, differs, handlingOf } from '../gitops/replay.js';
import type { Handling } from '../gitops/replay.js';
import { maskRecordText, type IncidentEnvelope } from '../policy/incidents.js';
import { buildGraph } from '../graph/build.js';
import type { BuildResult } from '../graph/build.js';
import { inspectionSettingsOf } from '../graph/inspection-settings.js';
import type { RoutingGraph } from '../graph/types.js';
import { evaluatePolicies } from '../policy/decide/evaluate.js';
import { inspectMessage } from '../policy/inspect.js';
import type { InspectionSettings } from '../policy/inspect.js';
import type { Verdict } from '../policy/decide/verdict.js';
import type { ReloadResult } from './reload-result.js';
import { Reloader } from './reloader.js';
import { createShadowMetrics } from './shadow-metrics.js';
import type { ShadowMetrics, ShadowOutcome } from './shadow-metrics.js';
import type { ShadowOffer, ShadowSink } from './shadow-sink.js';
import { reloadReportOf, type ShadowStatus } from './status.js';

export interface ShadowOptions {
  readonly dir: string;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** Where shadow incident records go (the gateway's incident file, not counted as live policy matches). */
  readonly record: (records: readonly unknown[]) => void;
  /** Messages waiting for evaluation before new ones are dropped. Default 1000. */
  readonly queueLimit?: number;
  readonly watch?: boolean;
  readonly debounceMs?: number;
  readonly build?: (dir: string) => Promise<BuildResult>;
}

interface Candidate {
  readonly graph: RoutingGraph;
  readonly settings: InspectionSettings;
}

export interface ShadowRecord extends IncidentEnvelope {
  readonly shadow: true;
  /** The changed policies, comma-separated (each with its kind in `changes`). */
  readonly policy: string;
  /** What the candidate would have done. */
  readonly verdict: Verdict['kind'];
  readonly liveRevision: string;
  readonly candidateRevision: string;
  readonly live: Handling;
  readonly candidate: Handling;
  readonly changes: readonly { readonly policy: string; readonly kind: string }[];
}

const snake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export class ShadowEvaluator implements ShadowSink {
  readonly #opts: ShadowOptions;
  readonly #metrics: ShadowMetrics;
  readonly #reloader: Reloader;
  readonly #queue: { offer: ShadowOffer; candidate: Candidate }[] = [];
  readonly #counts = { offered: 0, agreed: 0, disagreed: 0, skipped: 0, dropped: 0, error: 0, reusedAnalysis: 0 };
  readonly #idle = new Set<() => void>();
  #candidate: Candidate | undefined;
  #draining = false;
  #closed = false;

  private constructor(opts: ShadowOptions) {
    this.#opts = opts;
    this.#metrics = createShadowMetrics(opts.registry);
    this.#reloader = new Reloader({
      dir: opts.dir,
      logger: opts.logger.child({ shadow: opts.dir }),
      current: () => this.#candidate?.graph,
      apply: async (graph) => {
        this.#candidate = { graph, settings: inspectionSettingsOf(graph.gateway.inspection) };
      },
      ...(opts.watch !== undefined ? { watch: opts.watch } : {}),
      ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
      build: opts.build ?? buildGraph,
    });
  }

  /** Loads the candidate (an invalid one is reported, not thrown: live traffic never waits for it) and watches it. */
  static async start(opts: ShadowOptions): Promise<ShadowEvaluator> {
    const shadow = new ShadowEvaluator(opts);
    const first = await shadow.#reloader.reloadNow('start');
    if (first.outcome === 'failed') opts.logger.warn({ code: 'RG_SHADOW_INVALID', dir: opts.dir }, 'shadow candidate is not valid; live traffic is unaffected, no shadow evaluation until it is');
    await shadow.#reloader.start();
    return shadow;
  }

  get dir(): string {
    return this.#opts.dir;
  }

  reloadNow(): Promise<ReloadResult> {
    return this.#reloader.reloadNow('manual');
  }

  onReload(listener: (r: ReloadResult) => void): () => void {
    return this.#reloader.onResult(listener);
  }

  offer(offer: ShadowOffer): void {
    this.#counts.offered += 1;
    const candidate = this.#candidate;
    if (candidate === undefined || this.#closed) return this.#count('skipped');
    if (this.#queue.length >= (this.#opts.queueLimit ?? 1000)) return this.#count('dropped');
    // Pinned at offer time: the message is compared with the candidate that was current when it arrived.
    this.#queue.push({ offer, candidate });
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => void this.#drain());
    }
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.#draining) return Promise.resolve();
    return new Promise((resolve) => this.#idle.add(resolve));
  }

  status(): ShadowStatus {
    const c = this.#candidate?.graph;
    const last = this.#reloader.last;
    return {
      dir: this.#opts.dir,
      candidate: c === undefined ? null : { revision: c.revision.hash, gitCommit: c.revision.gitCommit ?? null, loadedAt: c.revision.loadedAt.toISOString(), policies: c.policies.policies.length },
      lastLoad: last === undefined ? null : reloadReportOf(last),
      counts: { ...this.#counts },
      queued: this.#queue.length,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#reloader.close();
    await this.idle();
  }

  #count(outcome: ShadowOutcome): void {
    this.#counts[outcome] += 1;
    this.#metrics.outcome(outcome);
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
      try {
        await this.#evaluate(next.offer, next.candidate);
      } catch (err) {
        this.#opts.logger.error({ err, code: 'RG_SHADOW_EVALUATION_FAILED' }, 'shadow evaluation failed');
        this.#count('error');
      }
      // One message per turn of the event loop: live sessions' I/O interleaves with the shadow work.
      if (this.#queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.#draining = false;
    for (const resolve of this.#idle) resolve();
    this.#idle.clear();
  }

  async #evaluate(offer: ShadowOffer, candidate: Candidate): Promise<void> {
    const verdict = await this.#candidateVerdict(offer, candidate);
    if (verdict === undefined) return this.#count('skipped');
    const live = handlingOf(offer.live.verdict);
    const shadow = handlingOf(verdict);
    if (!differs(live, shadow)) return this.#count('agreed');
    const changes = changesBetween(live, shadow).map((c) => ({ policy: c.policy, kind: snake(c.kind) }));
    for (const c of changes) this.#metrics.disagreement(c.policy, c.kind);
    this.#count('disagreed');
    const { envelope } = offer;
    const record: ShadowRecord = {
      time: new Date().toISOString(),
      shadow: true,
      transactionId: envelope.transactionId,
      upstream: envelope.upstream,
      sender: envelope.sender,
      recipients: [...envelope.recipients],
      messageId: offer.live.analysis?.messageId ?? '',
      subject: maskRecordText(offer.live.analysis?.subject ?? ''),
      policy: [...new Set(changes.map((c) => c.policy))].join(','),
      verdict: verdict.kind,
      liveRevision: offer.graph.revision.hash,
      candidateRevision: candidate.graph.revision.hash,
      live,
      candidate: shadow,
      changes,
    };
    this.#opts.record([record]);
  }

  /**
   * The live analysis is reused when the candidate's policies can be evaluated on it: same analysis limits, and
   * every text held whole (a long text scanned in windows kept only the live policies' hits). Else the message is
   * inspected again from memory; a message that was spooled to disk is gone by now and is skipped (counted).
   */
  async #candidateVerdict(offer: ShadowOffer, candidate: Candidate): Promise<Verdict | undefined> {
    const analysis = offer.live.analysis;
    const live = offer.graph.gateway.inspection;
    const cand = candidate.graph.gateway.inspection;
    // every limit that shapes an analysis, extraction's included: one that differs means another analysis
    const sameLimits = JSON.stringify(inspectionSettingsOf(live).limits) === JSON.stringify(candidate.settings.limits);
    if (analysis !== undefined && sameLimits && analysis.segments.every((s) => s.prescanned === undefined)) {
      this.#counts.reusedAnalysis += 1;
      return evaluatePolicies(candidate.graph.policies, analysis, offer.envelope, { deadline: performance.now() + candidate.settings.budgetMs, onFailure: candidate.settings.onFailure });
    }
    if (offer.raw === null) return undefined;
    return (await inspectMessage(candidate.graph.policies, offer.raw, offer.envelope, candidate.settings)).verdict;
  }
}
