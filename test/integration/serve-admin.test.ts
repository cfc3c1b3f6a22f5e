// The running gateway seen through its admin listener: /status shows the revision, listeners and the
// last reload (with located diagnostics when it failed); during a drain /readyz is 503 at once while
// the in-flight transaction still completes.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient } from '../helpers/gateway-harness.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { StatusSnapshot } from '../../engine/runtime/status.js';
import { topologyText } from '../doubles/config-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('gateway admin view', () => {
  it('/status reports revision, listeners and a failed reload; /readyz turns 503 first on shutdown while the transaction finishes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rg-admin-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const mta = await startRecordingMta();
    cleanups.push(() => mta.close());
    const [port = 0, adminPort = 0] = await freePorts(2);
    const dir = join(root, 'policies');
    mkdirSync(dir);
    const topology = { listen: [{ port }], receiverPort: mta.port, adminPort, graceMs: 10_000 };
    writeFileSync(join(dir, 'topology.yaml'), topologyText(topology));
    const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }) });
    cleanups.push(() => gw.shutdown(0));
    expect(gw.adminPort).toBe(adminPort);

    const first = JSON.parse((await get(adminPort, '/status')).body) as StatusSnapshot;
    expect(first.revision?.hash).toBe(gw.graph.revision.hash);
    expect(first.listeners).toEqual([{ address: '127.0.0.1', port, state: 'listening' }]);
    expect((await get(adminPort, '/readyz')).status).toBe(200);

    writeFileSync(join(dir, 'topology.yaml'), `${topologyText(topology)}receivers: nope\n`);
    await eventually(async () => (JSON.parse((await get(adminPort, '/status')).body) as StatusSnapshot).lastReload?.result === 'failure', 'the failure in /status');
    const failed = JSON.parse((await get(adminPort, '/status')).body) as StatusSnapshot;
    expect(failed.revision?.hash).toBe(first.revision?.hash);
    expect(failed.lastReload?.diagnostics[0]).toMatchObject({ severity: 'error', file: expect.stringContaining('topology.yaml') as unknown });
    expect((await get(adminPort, '/metrics')).body).toMatch(/relayguard_/);

    const c = await RawSmtpClient.connect(port);
    cleanups.push(() => c.close());
    await c.reply();
    await c.command('EHLO upstream.example.test');
    await c.command('MAIL FROM:<alice@corp.example>');
    await c.command('RCPT TO:<bob@example.org>');
    expect((await c.command('DATA')).code).toBe(354);
    const stopped = gw.shutdown(10_000);
    const ready = await get(adminPort, '/readyz');
    expect(ready.status).toBe(503);
    expect((JSON.parse((await get(adminPort, '/status')).body) as StatusSnapshot).draining).toBe(true);
    c.write('Subject: during drain\r\n\r\nbody\r\n.\r\n');
    expect((await c.reply()).code).toBe(250);
    await stopped;
    expect(mta.messages).toHaveLength(1);
    await expect(get(adminPort, '/healthz')).rejects.toThrow();
  });
});
