import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { RoutingGraph } from '../graph/types.js';
import type { GenerationEngine } from '../smtp/engine-api.js';
import { GenerationCell } from './generation.js';
import type { Generation } from './generation.js';

const logger = pino({ level: 'silent' });

interface StubEngine extends GenerationEngine {
  sessions: number;
  readonly drains: number[];
}

function stubEngine(sessions = 0): StubEngine {
  const drains: number[] = [];
  return {
    sessions,
    drains,
    accept: () => undefined,
    get activeSessions() {
      return this.sessions;
    },
    activeTransactions: 0,
    drain(deadline) {
      drains.push(deadline);
      return Promise.resolve();
    },
  };
}

function gen(id: number, engine: StubEngine): Generation {
  const graph = { revision: { hash: `rev${id}`, dir: '/x', loadedAt: new Date() } } as unknown as RoutingGraph;
  return { id, graph, engine, createdAt: new Date() };
}

const until = async (check: () => boolean): Promise<void> => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('GenerationCell', () => {
  it('swaps with one assignment: the next reader gets the new generation', () => {
    const a = gen(1, stubEngine());
    const b = gen(2, stubEngine());
    const cell = new GenerationCell(a, { logger });
    expect(cell.swap(b, { retireMs: 1000, graceMs: 1000 })).toBe(a);
    expect(cell.current).toBe(b);
  });

  it('disposes a retired generation with no sessions at once', () => {
    const old = stubEngine(0);
    const cell = new GenerationCell(gen(1, old), { logger });
    cell.swap(gen(2, stubEngine()), { retireMs: 60_000, graceMs: 1000 });
    expect(cell.live().map((v) => v.state)).toEqual(['current']);
    expect(old.drains).toHaveLength(1);
  });

  it('keeps a retired generation while it has sessions, and disposes it when the last one ends', async () => {
    const old = stubEngine(2);
    const cell = new GenerationCell(gen(1, old), { logger, pollMs: 5 });
    cell.swap(gen(2, stubEngine()), { retireMs: 60_000, graceMs: 1000 });
    expect(cell.live().map((v) => [v.generation.id, v.state])).toEqual([
      [2, 'current'],
      [1, 'retired'],
    ]);
    expect(old.drains).toEqual([]);
    old.sessions = 0;
    await until(() => cell.live().length === 1);
    expect(old.drains).toHaveLength(1);
  });

  it('drains a retired generation that still has sessions at its deadline', async () => {
    const old = stubEngine(1);
    const cell = new GenerationCell(gen(1, old), { logger, pollMs: 5 });
    const before = Date.now();
    cell.swap(gen(2, stubEngine()), { retireMs: 20, graceMs: 5000 });
    await until(() => old.drains.length > 0);
    expect(old.drains[0]).toBeGreaterThanOrEqual(before + 5000);
  });

  it('drainAll drains the current and every retired generation against one deadline', async () => {
    const a = stubEngine(1);
    const b = stubEngine(1);
    const cell = new GenerationCell(gen(1, a), { logger });
    cell.swap(gen(2, b), { retireMs: 60_000, graceMs: 1000 });
    await cell.drainAll(12345);
    expect(a.drains).toEqual([12345]);
    expect(b.drains).toEqual([12345]);
    expect(cell.live()).toHaveLength(1);
  });
});
