// The relay pool as production drives it (open-leg.ts and the runtime), not by calling pool methods:
// a pooled leg the receiver dropped while idle is replaced at MAIL, and a reload QUITs the idle legs
// of the old graph at once instead of letting them hold the receiver's slots until their idle timeout.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import { topologyText, writeAtomic } from '../doubles/config-fixture.js';
import { RecordingSender, assertAccounting, newTestId, testMessage } from '../helpers/accounting.js';
import { forwardTopology, startGateway } from '../helpers/gateway-harness.js';
import { freePorts } from '../helpers/ports.js';
import { startScriptedMta } from '../helpers/recording-mta.js';
import type { DeliveredMessage } from '../helpers/accounting.js';
import type { ScriptedPeer } from '../helpers/recording-mta.js';
import { unstuff } from '../reliability/scripted-receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Logs every command as "<session>:<line>"; `onCommand` may take a line over (return true). */
async function receiver(onCommand?: (line: string, peer: ScriptedPeer, session: number, log: string[]) => boolean) {
  const log: string[] = [];
  const delivered: DeliveredMessage[] = [];
  let sessions = 0;
  const mta = await startScriptedMta(async (peer) => {
    const session = ++sessions;
    await peer.greet(['PIPELINING']);
    for (;;) {
      const line = await peer.readLine().catch(() => null);
      if (line === null) return;
      log.push(`${session}:${line}`);
      if (onCommand?.(line, peer, session, log) === true) continue;
      if (line === 'DATA') {
        peer.send('354 go\r\n');
        delivered.push({ raw: unstuff(await peer.readData()) });
        peer.send('250 2.0.0 queued\r\n');
      } else if (line === 'QUIT') {
        peer.send('221 bye\r\n');
        peer.socket.end();
        return;
      } else peer.send('250 ok\r\n');
    }
  });
  cleanups.push(() => mta.close());
  return { mta, log, delivered };
}

async function until(ready: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('relay pool in production', () => {
  it('a pooled leg the receiver dropped while idle is replaced at MAIL: the next message is delivered on a fresh one', async () => {
    // Session 1 dies silently at its second MAIL, as if it had timed out while idle.
    const rx = await receiver((line, peer, session, log) => {
      if (session !== 1 || !line.startsWith('MAIL') || log.filter((l) => l.startsWith('1:MAIL')).length !== 2) return false;
      peer.socket.destroy();
      return true;
    });
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: rx.mta.port }] }) });
    cleanups.push(() => gw.close());
    const sender = new RecordingSender({ port: gw.port });
    for (let i = 0; i < 2; i++) expect((await sender.send({ from: 'a@corp.example', to: ['b@example.org'] }, testMessage(newTestId('stale')))).outcome).toBe('accepted');
    await sender.close();
    assertAccounting(sender.sent, rx.delivered);
    expect(rx.mta.connections()).toBe(2);
    expect(rx.log.filter((l) => l.endsWith(':DATA'))).toEqual(['1:DATA', '2:DATA']);
  });

  it('a reload QUITs the idle receiving legs of the old graph at once', async () => {
    const rx = await receiver();
    const root = mkdtempSync(join(tmpdir(), 'rg-pool-reload-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const [port = 0] = await freePorts(1);
    const dir = join(root, 'policies');
    mkdirSync(dir);
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, topologyText({ listen: [{ port }], receiverPort: rx.mta.port, note: 'one' }));
    const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), watch: false, admin: false });
    cleanups.push(() => gw.shutdown(500));
    const sender = new RecordingSender({ port });
    expect((await sender.send({ from: 'a@corp.example', to: ['b@example.org'] }, testMessage(newTestId('before')))).outcome).toBe('accepted');
    await sender.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.log.filter((l) => l.endsWith('QUIT'))).toEqual([]);
    writeAtomic(file, topologyText({ listen: [{ port }], receiverPort: rx.mta.port, note: 'two' }));
    expect((await gw.reloadNow('manual')).outcome).toBe('applied');
    expect(await until(() => rx.log.includes('1:QUIT'), 1_000)).toBe(true);
    // The new graph opens its own leg.
    expect((await sender.send({ from: 'a@corp.example', to: ['b@example.org'] }, testMessage(newTestId('after')))).outcome).toBe('accepted');
    await sender.close();
    expect(rx.mta.connections()).toBe(2);
    assertAccounting(sender.sent, rx.delivered);
  });
});
