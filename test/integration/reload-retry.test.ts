// A reload whose files are valid but whose apply failed (a new listener's port is taken) is not
// "seen": the next file event — even a touch that leaves the bytes as they were — or SIGHUP retries it.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../helpers/ports.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { ReloadResult } from '../../engine/runtime/reload-result.js';
import { createFakeEngine } from '../doubles/fake-engine.js';
import { topologyText, writeAtomic } from '../doubles/config-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(ready: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function occupy(port: number): Promise<net.Server> {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ port, host: '127.0.0.1', exclusive: true }, resolve));
  return server;
}

async function setup(): Promise<{ gw: Gateway; results: ReloadResult[]; file: string; taken: number; blocker: net.Server }> {
  const root = mkdtempSync(join(tmpdir(), 'rg-reload-retry-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const [first = 0, taken = 0, receiverPort = 0] = await freePorts(3);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, topologyText({ listen: [{ port: first }], receiverPort }));
  const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), createEngine: createFakeEngine, admin: false, debounceMs: 50 });
  cleanups.push(() => gw.shutdown(0));
  const results: ReloadResult[] = [];
  gw.onReload((r) => results.push(r));
  const blocker = await occupy(taken);
  cleanups.push(() => new Promise<void>((r) => blocker.close(() => r())));
  writeAtomic(file, topologyText({ listen: [{ port: first }, { port: taken }], receiverPort }));
  await until(() => results.some((r) => r.outcome === 'failed'), 'the failed reload');
  const failed = results.find((r) => r.outcome === 'failed');
  expect(failed?.diagnostics?.map((d) => d.code)).toContain('RG_RUNTIME_LISTEN_FAILED');
  expect(gw.listeners().map((l) => l.port)).toEqual([first]);
  await new Promise<void>((r) => blocker.close(() => r()));
  return { gw, results, file, taken, blocker };
}

describe('a failed apply is retried', () => {
  it('on the next file event, even a touch that leaves the bytes unchanged', async () => {
    const { gw, results, file, taken } = await setup();
    const now = new Date();
    utimesSync(file, now, now);
    await until(() => results.some((r) => r.outcome === 'applied'), 'the retried reload');
    expect(gw.listeners().map((l) => l.port)).toContain(taken);
  });

  it('on SIGHUP (reloadNow with the signal trigger)', async () => {
    const { gw, taken } = await setup();
    const r = await gw.reloadNow('signal');
    expect(r.outcome).toBe('applied');
    expect(gw.listeners().map((l) => l.port)).toContain(taken);
  });
});
