// The running gateway's spool: a private directory per gateway process inside the configured one,
// orphans of a crashed process swept at start-up and counted, an unsafe directory refused.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import { topologyText } from '../doubles/config-fixture.js';
import { RecordingSender, newTestId, testMessage } from '../helpers/accounting.js';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

async function configDir(): Promise<{ root: string; dir: string; spool: string; mtaPort: number; smtpPort: number; messages: () => number }> {
  const root = mkdtempSync(join(tmpdir(), 'rg-gw-spool-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const [smtpPort = 0] = await freePorts(1);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port: smtpPort }], receiverPort: mta.port }));
  // topologyText puts the spool at ../spool.
  return { root, dir, spool: join(root, 'spool'), mtaPort: mta.port, smtpPort, messages: () => mta.messages.length };
}

describe('gateway spool directory', () => {
  it('sweeps what a crashed gateway left, counts it in relayguard_spool_orphans_swept_total, spools into its own 0700 directory and removes it at shutdown', async () => {
    const c = await configDir();
    const dead = deadPid();
    mkdirSync(join(c.spool, `gw-${dead}`), { recursive: true, mode: 0o700 });
    chmodSync(c.spool, 0o700);
    for (const f of ['rg-1.eml', 'rg-2.eml']) writeFileSync(join(c.spool, `gw-${dead}`, f), 'From: a\r\n\r\nwhole body\r\n');
    writeFileSync(join(c.spool, `rg-${dead}-0a0b.eml`), 'older layout');
    const metrics = createMetrics({ defaultMetrics: false });
    const gw = await Gateway.start(c.dir, { logger: pino({ level: 'silent' }), metrics, watch: false });
    cleanups.push(() => gw.shutdown(1000));
    expect(await metrics.render()).toMatch(/^relayguard_spool_orphans_swept_total 3$/m);
    const own = join(c.spool, `gw-${process.pid}`);
    expect(readdirSync(c.spool)).toEqual([`gw-${process.pid}`]);
    expect(statSync(own).mode & 0o777).toBe(0o700);
    // A message over the 1 MiB memory threshold goes through the spool and leaves nothing behind.
    const sender = new RecordingSender({ port: c.smtpPort });
    const sent = await sender.send({ from: 'a@corp.example', to: ['b@example.org'] }, testMessage(newTestId('spooled'), { padTo: 2_000_000 }));
    expect(sent.outcome).toBe('accepted');
    expect(c.messages()).toBe(1);
    expect(readdirSync(own)).toEqual([]);
    await gw.shutdown(1000);
    expect(existsSync(own)).toBe(false);
  });

  it('refuses to start on a spool directory others can write to, with RG_SPOOL_DIR_UNSAFE naming the path and the fix', async () => {
    const c = await configDir();
    mkdirSync(c.spool);
    chmodSync(c.spool, 0o777);
    const started = Gateway.start(c.dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), watch: false });
    await expect(started).rejects.toMatchObject({ code: 'RG_SPOOL_DIR_UNSAFE', message: expect.stringContaining(`${c.spool} has mode 777`) });
    await expect(started).rejects.toMatchObject({ message: expect.stringContaining(`chmod 700 ${c.spool}`) });
  });
});
