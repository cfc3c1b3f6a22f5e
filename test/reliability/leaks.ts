// Leak checks shared by the reliability tests: sessions back to zero, file descriptors back to where
// they were (within a small slack for the test runner's own pipes), and cleanup in reverse order.
import { readdirSync } from 'node:fs';
import type { GatewayHarness } from '../helpers/gateway-harness.js';

/** Descriptors the runner or a lazily opened module may add on its own between two counts. */
export const FD_SLACK = 4;

export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Polls `ready` until it holds or `ms` passed; returns whether it held. */
export async function eventually(ready: () => boolean, ms = 5_000, stepMs = 20): Promise<boolean> {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** Resolves once the engine has no session left; throws with the count otherwise. */
export async function expectNoSessions(gw: GatewayHarness, ms = 5_000): Promise<void> {
  if (!(await eventually(() => gw.engine.activeSessions === 0 && gw.engine.activeTransactions === 0, ms))) {
    throw new Error(`RG_TEST_LEAK_SESSIONS: ${gw.engine.activeSessions} session(s), ${gw.engine.activeTransactions} transaction(s) still active`);
  }
}

/** Resolves once the process has no more descriptors than `before` + slack; throws with the count otherwise. */
export async function expectFdsBackTo(before: number, ms = 5_000): Promise<void> {
  if (!(await eventually(() => openFds() <= before + FD_SLACK, ms))) {
    throw new Error(`RG_TEST_LEAK_FDS: ${openFds()} descriptors open, ${before} before the test (slack ${FD_SLACK})`);
  }
}

/** Cleanup stack: push closers as things start, run them newest first. */
export class Cleanup {
  readonly #steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.#steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'RG_TEST_CLEANUP: cleanup failed');
  }
}
