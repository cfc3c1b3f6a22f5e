// Hot reload with the real SMTP engine: policy edits change what happens to the next message, an invalid
// edit changes nothing, and reloading under load loses or duplicates nothing.
import { eventuallyValue as eventually } from '../helpers/until.js';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import { RecordingSender, assertAccounting, newTestId, sendOneMessage as sendOne, testMessage } from '../helpers/accounting.js';
import { longTests } from '../helpers/tools.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { ReloadResult } from '../../engine/runtime/reload-result.js';
import { blockSubjectPolicy, policyText, topologyText, writeAtomic } from '../doubles/config-fixture.js';
import type { PlainTopology } from '../doubles/config-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  readonly dir: string;
  readonly port: number;
  readonly mta: RecordingMta;
  readonly gw: Gateway;
  readonly results: ReloadResult[];
  readonly base: PlainTopology;
}

async function setup(): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), 'rg-reload-engine-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const [port = 0] = await freePorts(1);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const base: PlainTopology = { listen: [{ port }], receiverPort: mta.port, graceMs: 10_000 };
  writeFileSync(join(dir, 'topology.yaml'), topologyText(base));
  const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), admin: false });
  cleanups.push(() => gw.shutdown(5000));
  const results: ReloadResult[] = [];
  gw.onReload((r) => results.push(r));
  return { dir, port, mta, gw, results, base };
}



describe('hot reload with the SMTP engine', () => {
  it('a new policy file blocks the next matching message within 2 s', async () => {
    const s = await setup();
    expect(await sendOne(s.port, 'project falcon')).toMatchObject({ outcome: 'accepted' });
    writeAtomic(join(s.dir, 'falcon.policy.yaml'), policyText(blockSubjectPolicy('falcon')));
    const blocked = await eventually(() => sendOne(s.port, 'project falcon'), (r) => r.outcome !== 'accepted', 'the policy to block', 2000);
    expect(blocked).toMatchObject({ outcome: 'permfail', detail: expect.stringContaining('550') as unknown });
    expect(await sendOne(s.port, 'lunch')).toMatchObject({ outcome: 'accepted' });
  });

  it('an invalid policy edit keeps the running policies and is reported', async () => {
    const s = await setup();
    writeAtomic(join(s.dir, 'falcon.policy.yaml'), policyText(blockSubjectPolicy('falcon')));
    await eventually(() => sendOne(s.port, 'falcon'), (r) => r.outcome === 'permfail', 'the policy live');
    writeAtomic(join(s.dir, 'falcon.policy.yaml'), 'version: 1\npolicies:\n  - name: broken\n    severity: extreme\n');
    await eventually(async () => s.results.filter((r) => r.outcome === 'failed').length, (n) => n > 0, 'the failed reload');
    expect(await sendOne(s.port, 'falcon')).toMatchObject({ outcome: 'permfail' });
    const status = s.gw.status();
    expect(status.lastReload?.result).toBe('failure');
    expect(status.lastReload?.diagnostics.some((d) => d.file.endsWith('falcon.policy.yaml') && d.line > 0)).toBe(true);
  });

  it('a session that connected before a reload keeps its graph for its next transaction', async () => {
    const s = await setup();
    const sender = new RecordingSender({ port: s.port, messagesPerConnection: 10 });
    cleanups.push(() => sender.close().catch(() => undefined));
    expect(await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(newTestId(), { subject: 'falcon one' }))).toMatchObject({ outcome: 'accepted' });
    writeAtomic(join(s.dir, 'falcon.policy.yaml'), policyText(blockSubjectPolicy('falcon')));
    await eventually(() => sendOne(s.port, 'falcon'), (r) => r.outcome === 'permfail', 'the policy live for new sessions');
    expect(await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(newTestId(), { subject: 'falcon two' }))).toMatchObject({ outcome: 'accepted' });
  });

  const messages = longTests ? 2000 : 200;
  const rewrites = longTests ? 20 : 5;
  it(`reload under load: ${messages} messages while the policy file is rewritten ${rewrites} times — every accepted message delivered once, none failed`, async () => {
    const s = await setup();
    writeFileSync(join(s.dir, 'p.policy.yaml'), policyText(blockSubjectPolicy('never-0')));
    await eventually(async () => s.results.filter((r) => r.outcome === 'applied').length, (n) => n === 1, 'the first policy');
    const senders = Array.from({ length: 8 }, () => new RecordingSender({ port: s.port, messagesPerConnection: 5 }));
    let next = 0;
    const worker = async (sender: RecordingSender): Promise<void> => {
      while (next < messages) {
        next++;
        const id = newTestId('load');
        await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(id));
      }
      await sender.close().catch(() => undefined);
    };
    const load = Promise.all(senders.map(worker));
    for (let i = 1; i <= rewrites; i++) {
      await new Promise((r) => setTimeout(r, 200));
      // Alternate write styles: in place (truncate + write) and atomic rename.
      if (i % 2 === 0) writeAtomic(join(s.dir, 'p.policy.yaml'), policyText(blockSubjectPolicy(`never-${i}`)));
      else writeFileSync(join(s.dir, 'p.policy.yaml'), policyText(blockSubjectPolicy(`never-${i}`)));
    }
    await load;
    const sent = senders.flatMap((x) => x.sent);
    expect(sent).toHaveLength(messages);
    await s.mta.waitForMessages(sent.filter((m) => m.outcome === 'accepted').length, 20_000);
    const report = assertAccounting(sent, s.mta.messages);
    expect(sent.filter((m) => m.outcome !== 'accepted')).toEqual([]);
    expect(report.accepted).toBe(messages);
    expect(s.results.filter((r) => r.outcome === 'failed')).toEqual([]);
    expect(s.results.filter((r) => r.outcome === 'applied').length).toBeGreaterThan(1);
  });
});
