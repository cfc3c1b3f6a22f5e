// The shadow queue is bounded: offers beyond queueLimit are dropped and counted, never queued or awaited.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../graph/build.js';
import { inspectionSettingsOf } from '../graph/inspection-settings.js';
import { inspectMessage } from '../policy/inspect.js';
import { ShadowEvaluator } from './shadow.js';
import { blockSubjectPolicy, policyText, topologyText } from '../../test/doubles/config-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'rg-shadow-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function configDir(name: string, word: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port: 10025 }], receiverPort: 10026, note: name }));
  writeFileSync(join(dir, 'p.policy.yaml'), policyText(blockSubjectPolicy(word)));
  return dir;
}

describe('ShadowEvaluator', () => {
  it('drops and counts offers beyond the queue limit, and records each evaluated disagreement once', async () => {
    const live = await buildGraph(configDir('live', 'secret'));
    if (live.graph === undefined) throw new Error('live config does not build');
    const records: unknown[] = [];
    const registry = new Registry();
    const shadow = await ShadowEvaluator.start({ dir: configDir('candidate', 'falcon'), logger: pino({ level: 'silent' }), registry, record: (r) => records.push(...r), queueLimit: 2, watch: false });
    const raw = Buffer.from('From: a@corp.example\r\nTo: b@example.org\r\nSubject: falcon\r\nMessage-ID: <q@x>\r\n\r\nhi\r\n');
    const envelope = { upstream: 'local', sender: 'a@corp.example', recipients: ['b@example.org'], transactionId: 't' };
    const inspection = await inspectMessage(live.graph.policies, raw, envelope, inspectionSettingsOf(live.graph.gateway.inspection));
    for (let i = 0; i < 5; i++) shadow.offer({ graph: live.graph, envelope: { ...envelope, transactionId: `t${i}` }, live: inspection, raw });
    expect(shadow.status()).toMatchObject({ queued: 2, counts: { offered: 5, dropped: 3 } });
    await shadow.idle();
    expect(shadow.status().counts).toMatchObject({ disagreed: 2, dropped: 3 });
    expect(records.map((r) => (r as { transactionId: string }).transactionId)).toEqual(['t0', 't1']);
    const evaluations = (await registry.getMetricsAsJSON()).find((m) => m.name === 'relayguard_shadow_evaluations_total');
    expect(evaluations?.values.find((v) => v.labels['outcome'] === 'dropped')?.value).toBe(3);
    await shadow.close();
  });
});
