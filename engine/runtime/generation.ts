// The one mutable cell holding the live generation (graph + its SMTP engine). A listener hands each
// new connection to `current.engine`; that engine instance IS the session's pin on its graph. A swap is
// one assignment; the retired generation keeps its sessions until they end, or until its deadline.
import type { Logger } from 'pino';
import type { GenerationEngine } from '../smtp/engine-api.js';
import type { RoutingGraph } from '../graph/types.js';

export interface Generation {
  readonly id: number;
  readonly graph: RoutingGraph;
  readonly engine: GenerationEngine;
  readonly createdAt: Date;
}

export type GenerationState = 'current' | 'retired' | 'draining';

export interface GenerationView {
  readonly generation: Generation;
  readonly state: GenerationState;
}

interface Retirement {
  readonly poll: NodeJS.Timeout;
  readonly deadline: NodeJS.Timeout;
  draining: boolean;
}

export interface GenerationCellOptions {
  readonly logger: Logger;
  /** How often a retired generation is checked for its last session. */
  readonly pollMs?: number;
}

export class GenerationCell {
  #current: Generation;
  readonly #retired = new Map<Generation, Retirement>();
  readonly #logger: Logger;
  readonly #pollMs: number;

  constructor(first: Generation, opts: GenerationCellOptions) {
    this.#current = first;
    this.#logger = opts.logger;
    this.#pollMs = opts.pollMs ?? 250;
  }

  get current(): Generation {
    return this.#current;
  }

  /**
   * Makes `next` live and retires the previous generation: its sessions continue on their own graph.
   * After `retireMs` the stragglers are drained (in-flight DATA finishes, then 421) within `graceMs`.
   */
  swap(next: Generation, timing: { readonly retireMs: number; readonly graceMs: number }): Generation {
    const previous = this.#current;
    this.#current = next;
    this.#retire(previous, timing);
    return previous;
  }

  /** The current generation first, then every retired one that still has sessions. */
  live(): readonly GenerationView[] {
    const retired = [...this.#retired].map(([generation, r]) => ({ generation, state: r.draining ? ('draining' as const) : ('retired' as const) }));
    return [{ generation: this.#current, state: 'current' }, ...retired];
  }

  /** Shutdown: every live generation drains against the same deadline. */
  async drainAll(deadline: number): Promise<void> {
    const all = [this.#current, ...this.#retired.keys()];
    for (const r of this.#retired.values()) {
      clearInterval(r.poll);
      clearTimeout(r.deadline);
      r.draining = true;
    }
    await Promise.all(all.map((g) => this.#drainQuietly(g, deadline)));
    this.#retired.clear();
  }

  #retire(generation: Generation, timing: { readonly retireMs: number; readonly graceMs: number }): void {
    if (generation.engine.activeSessions === 0) {
      this.#release(generation, 'no sessions');
      return;
    }
    const poll = setInterval(() => {
      if (generation.engine.activeSessions === 0) this.#dispose(generation, 'last session ended');
    }, this.#pollMs);
    const deadline = setTimeout(() => this.#drainRetired(generation, timing.graceMs), timing.retireMs);
    poll.unref();
    deadline.unref();
    this.#retired.set(generation, { poll, deadline, draining: false });
    this.#logger.info({ generation: generation.id, revision: generation.graph.revision.hash, sessions: generation.engine.activeSessions }, 'previous generation retired; its sessions finish on their graph');
  }

  #drainRetired(generation: Generation, graceMs: number): void {
    const r = this.#retired.get(generation);
    if (r === undefined) return;
    r.draining = true;
    this.#logger.info({ generation: generation.id, sessions: generation.engine.activeSessions, graceMs }, 'retired generation still has sessions at its deadline: draining them');
    void this.#drainQuietly(generation, Date.now() + graceMs).then(() => this.#dispose(generation, 'drained'));
  }

  #dispose(generation: Generation, why: string): void {
    const r = this.#retired.get(generation);
    if (r === undefined) return;
    clearInterval(r.poll);
    clearTimeout(r.deadline);
    this.#retired.delete(generation);
    this.#release(generation, why);
  }

  #release(generation: Generation, why: string): void {
    // drain() with no sessions left just releases whatever the engine still holds (timers).
    void this.#drainQuietly(generation, Date.now());
    this.#logger.debug({ generation: generation.id, why }, 'generation disposed');
  }

  async #drainQuietly(generation: Generation, deadline: number): Promise<void> {
    try {
      await generation.engine.drain(deadline);
    } catch (err) {
      this.#logger.error({ err, generation: generation.id, code: 'RG_RUNTIME_DRAIN_FAILED' }, 'draining a generation failed');
    }
  }
}
