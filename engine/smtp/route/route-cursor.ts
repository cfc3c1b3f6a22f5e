// Round-robin start positions, one counter per route, living as long as the generation.
import type { Route } from '../../graph/types.js';

export class RouteCursor {
  readonly #next = new Map<Route, number>();

  /** Index of the receiver to try first; failover always starts at 0, round-robin rotates. */
  start(route: Route): number {
    if (route.strategy === 'failover' || route.receivers.length < 2) return 0;
    const n = this.#next.get(route) ?? 0;
    this.#next.set(route, (n + 1) % route.receivers.length);
    return n;
  }
}

/** The receivers in the order to try them, starting at `start` and wrapping around. */
export function rotate<T>(items: readonly T[], start: number): T[] {
  return items.map((_, i) => items[(start + i) % items.length] as T);
}

/** Two routes share a receiving leg only when they name the same receivers. */
export function receiverSetKey(route: Route): string {
  return [...new Set(route.receivers.map((r) => r.name))].sort().join('\n');
}
