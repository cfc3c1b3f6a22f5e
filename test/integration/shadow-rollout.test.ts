// Shadow rollout through the real runtime and SMTP engine: a candidate revision is evaluated on live mail after
// the live decision without changing delivery; each disagreement is one incident record with "shadow": true and
// counts in relayguard_shadow_disagreements_total; an invalid candidate never touches live traffic.
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import { RecordingSender, newTestId, testIdOf, testMessage } from '../helpers/accounting.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { GatewayMetrics } from '../../engine/runtime/metrics.js';
import { blockSubjectPolicy, plainTopology, policyText, topologyText, writeAtomic } from '../doubles/config-fixture.js';
import { stringify } from 'yaml';
import type { PlainTopology } from '../doubles/config-fixture.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Setup {
  readonly root: string;
  readonly live: string;
  readonly candidate: string;
  readonly port: number;
  readonly mta: RecordingMta;
  readonly gw: Gateway;
  readonly metrics: GatewayMetrics;
  readonly incidents: string;
}

/** A candidate that blocks "falcon" (live passes it), plus a policy that never matches, named per version. */
function candidatePolicies(version: number): PolicyFile {
  const falcon = blockSubjectPolicy('falcon');
  return { version: 1, policies: [...falcon.policies, { ...blockSubjectPolicy(`never-${version}-zzqx`).policies[0]! }] } as PolicyFile;
}

async function setup(o: { shadow: boolean | 'topology'; candidateTopology?: string }): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), 'rg-shadow-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta({ keepBody: true });
  cleanups.push(() => mta.close());
  const [port = 0] = await freePorts(1);
  const base: PlainTopology = { listen: [{ port }], receiverPort: mta.port, graceMs: 10_000 };
  const live = join(root, 'live');
  const candidate = join(root, 'candidate');
  mkdirSync(live);
  mkdirSync(candidate);
  const liveTopology = plainTopology(base);
  // gateway.shadow.dir resolves against the topology file, like every path in it.
  writeFileSync(join(live, 'topology.yaml'), o.shadow === 'topology' ? stringify({ ...liveTopology, gateway: { ...liveTopology.gateway, shadow: { dir: '../candidate' } } }) : topologyText(base));
  // Live blocks "secret": delivery is not all-or-nothing, so "unchanged" means something.
  writeFileSync(join(live, 'live.policy.yaml'), policyText(blockSubjectPolicy('secret')));
  writeFileSync(join(candidate, 'topology.yaml'), o.candidateTopology ?? topologyText({ ...base, note: 'candidate' }));
  writeFileSync(join(candidate, 'live.policy.yaml'), policyText(blockSubjectPolicy('secret')));
  writeFileSync(join(candidate, 'candidate.policy.yaml'), policyText(candidatePolicies(0)));
  const metrics = createMetrics({ defaultMetrics: false });
  const gw = await Gateway.start(live, { logger: pino({ level: 'silent' }), metrics, admin: false, debounceMs: 50, ...(o.shadow === true ? { shadowDir: candidate } : {}) });
  cleanups.push(() => gw.shutdown(5000));
  return { root, live, candidate, port, mta, gw, metrics, incidents: join(root, 'incidents.jsonl') };
}

const SUBJECTS = ['falcon plans', 'lunch', 'secret recipe', 'falcon again', 'weekly report'];

async function sendAll(port: number, subjects: readonly string[], parallel = 1): Promise<Map<string, string>> {
  const outcomes = new Map<string, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      const sender = new RecordingSender({ port, messagesPerConnection: 50 });
      while (next < subjects.length) {
        const i = next++;
        const id = `msg-${i}`;
        const r = await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(id, { subject: subjects[i] ?? '' }), id);
        outcomes.set(id, r.outcome);
      }
      await sender.close().catch(() => undefined);
    }),
  );
  return outcomes;
}

function shadowRecords(path: string): { shadow: boolean; messageId: string; policy: string; changes: { policy: string; kind: string }[]; candidateRevision: string }[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { shadow?: boolean; messageId: string; policy: string; changes: { policy: string; kind: string }[]; candidateRevision: string })
    .filter((r) => r.shadow === true) as never;
}

async function eventually(ok: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function metricValue(m: GatewayMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const json = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = json?.values.find((x) => Object.entries(labels).every(([k, val]) => x.labels[k] === val));
  return Number(v?.value ?? 0);
}

describe('shadow rollout', () => {
  it('a candidate that blocks what live passes: delivery unchanged, each disagreement recorded once', async () => {
    const s = await setup({ shadow: true });
    await s.gw.shadowReady();
    const outcomes = await sendAll(s.port, SUBJECTS);
    expect([...outcomes.values()]).toEqual(['accepted', 'accepted', 'permfail', 'accepted', 'accepted']);
    expect(s.mta.messages.map((m) => testIdOf(m.raw)).sort()).toEqual(['msg-0', 'msg-1', 'msg-3', 'msg-4']);
    await s.gw.shadow?.idle();
    await eventually(() => shadowRecords(s.incidents).length >= 2, 'two shadow records');
    const records = shadowRecords(s.incidents);
    expect(records.map((r) => r.messageId).sort()).toEqual(['<msg-0@test.example.test>', '<msg-3@test.example.test>']);
    expect(records[0]?.changes).toEqual([{ policy: 'block-falcon', kind: 'newly_blocked' }, { policy: 'block-falcon', kind: 'newly_matched' }]);
    expect(await metricValue(s.metrics, 'relayguard_shadow_disagreements_total', { policy: 'block-falcon', kind: 'newly_blocked' })).toBe(2);
    // Live incidents are still counted as live only: the shadow records do not count as policy matches.
    expect(await metricValue(s.metrics, 'relayguard_policy_matches_total', { policy: 'block-falcon' })).toBe(0);
    const status = s.gw.status().shadow;
    expect(status?.candidate?.revision).toMatch(/^[0-9a-f]{64}$/);
    expect(status?.counts).toMatchObject({ offered: 5, disagreed: 2, agreed: 3, dropped: 0, skipped: 0 });
    expect(status?.counts.reusedAnalysis).toBe(5);
  });

  it('takes the candidate from the topology (gateway.shadow.dir, relative to the topology file)', async () => {
    const s = await setup({ shadow: 'topology' });
    await s.gw.shadowReady();
    expect(s.gw.status().shadow?.dir).toBe(s.candidate);
    expect([...(await sendAll(s.port, SUBJECTS)).values()]).toEqual(['accepted', 'accepted', 'permfail', 'accepted', 'accepted']);
    await s.gw.shadow?.idle();
    await eventually(() => shadowRecords(s.incidents).length >= 2, 'two shadow records');
    expect(shadowRecords(s.incidents)).toHaveLength(2);
  });

  it('an invalid candidate never affects live traffic; it loads when fixed and a later breakage keeps the last good one', async () => {
    const s = await setup({ shadow: true, candidateTopology: 'version: 1\ngateway: { nonsense: true }\n' });
    await s.gw.shadowReady();
    expect(s.gw.status().shadow).toMatchObject({ candidate: null, lastLoad: { result: 'failure' } });
    expect([...(await sendAll(s.port, SUBJECTS)).values()]).toEqual(['accepted', 'accepted', 'permfail', 'accepted', 'accepted']);
    expect(s.gw.status().shadow?.counts).toMatchObject({ offered: 5, skipped: 5, disagreed: 0 });

    const [port = 0] = await freePorts(1);
    writeAtomic(join(s.candidate, 'topology.yaml'), topologyText({ listen: [{ port }], receiverPort: s.mta.port, note: 'fixed' }));
    await eventually(() => s.gw.status().shadow?.candidate !== null, 'the candidate to load');
    const good = s.gw.status().shadow?.candidate?.revision;

    writeAtomic(join(s.candidate, 'candidate.policy.yaml'), 'version: 1\npolicies:\n  - name: broken\n    match: { regex: { pattern: "(?=x)" } }\n    action: { type: block }\n');
    await eventually(() => s.gw.status().shadow?.lastLoad?.result === 'failure', 'the broken candidate to be reported');
    expect(s.gw.status().shadow?.candidate?.revision).toBe(good);
    expect(s.gw.status().revision?.hash).not.toBe(good);
    expect([...(await sendAll(s.port, SUBJECTS)).values()]).toEqual(['accepted', 'accepted', 'permfail', 'accepted', 'accepted']);
    await s.gw.shadow?.idle();
    await eventually(() => shadowRecords(s.incidents).length >= 2, 'records from the last good candidate');
    expect(shadowRecords(s.incidents).every((r) => r.candidateRevision === good)).toBe(true);
  });

  it('under load: 2,000 messages while the candidate changes 10 times deliver exactly as without shadow, each disagreement recorded once', async () => {
    const n = 2000;
    const subjects = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? `falcon ${i}` : i % 11 === 0 ? `secret ${i}` : `note ${i}`));
    const without = await setup({ shadow: false });
    const baseline = await sendAll(without.port, subjects, 4);
    const baselineDelivered = without.mta.messages.map((m) => testIdOf(m.raw)).sort();

    const s = await setup({ shadow: true });
    await s.gw.shadowReady();
    let changes = 0;
    const changer = (async () => {
      const revisions = new Set<string>();
      while (changes < 10) {
        await new Promise((r) => setTimeout(r, 150));
        changes += 1;
        writeAtomic(join(s.candidate, 'candidate.policy.yaml'), policyText(candidatePolicies(changes)));
        await eventually(() => s.gw.status().shadow?.candidate?.revision !== undefined && !revisions.has(s.gw.status().shadow?.candidate?.revision ?? ''), `candidate change ${changes}`, 5000).catch(() => undefined);
        revisions.add(s.gw.status().shadow?.candidate?.revision ?? '');
      }
      return revisions;
    })();
    const outcomes = await sendAll(s.port, subjects, 4);
    const revisions = await changer;
    expect(outcomes).toEqual(baseline);
    expect(s.mta.messages.map((m) => testIdOf(m.raw)).sort()).toEqual(baselineDelivered);
    await s.gw.shadow?.idle();
    const falcon = subjects.map((sub, i) => (sub.startsWith('falcon') && !sub.includes('secret') ? `<msg-${i}@test.example.test>` : '')).filter((x) => x !== '');
    await eventually(() => shadowRecords(s.incidents).length >= falcon.length, 'every disagreement recorded', 20_000);
    const records = shadowRecords(s.incidents);
    expect(records.map((r) => r.messageId).sort()).toEqual([...falcon].sort());
    expect(new Set(records.map((r) => r.messageId)).size).toBe(records.length);
    expect(revisions.size).toBeGreaterThanOrEqual(5);
    expect(new Set(records.map((r) => r.candidateRevision)).size).toBeGreaterThan(1);
    const c = s.gw.status().shadow?.counts;
    expect(c).toMatchObject({ offered: n, disagreed: falcon.length, dropped: 0, skipped: 0, error: 0 });
  }, 180_000);
});
