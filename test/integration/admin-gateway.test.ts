// The admin endpoints of a real running gateway (real SMTP engine, real receiving MTA): the metrics move
// with real mail, /status shows the live revision and sessions, and /readyz turns 503 while draining.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { StatusSnapshot } from '../../engine/runtime/status.js';
import { blockSubjectPolicy, policyText, topologyText } from '../doubles/config-fixture.js';
import { RecordingSender, newTestId, testMessage } from '../helpers/accounting.js';
import { freePorts } from '../helpers/ports.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { startRecordingMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** An SMTP client that connects, reads the banner and then just holds the session open. */
function idleSession(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('data', () => resolve(socket));
  });
}

async function startGateway() {
  const root = mkdtempSync(join(tmpdir(), 'rg-admin-gw-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const [smtpPort = 0, adminPort = 0] = await freePorts(2);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port: smtpPort }], receiverPort: mta.port, adminPort, graceMs: 10_000 }));
  writeFileSync(join(dir, 'falcon.policy.yaml'), policyText(blockSubjectPolicy('falcon')));
  const metrics = createMetrics({ defaultMetrics: false });
  const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics, watch: false });
  cleanups.push(() => gw.shutdown(1000));
  return { gw, smtpPort, adminPort, mta };
}

async function send(port: number, subject: string) {
  const sender = new RecordingSender({ port });
  const result = await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(newTestId(), { subject }));
  await sender.close().catch(() => undefined);
  return result;
}

describe('admin endpoints of a running gateway', () => {
  it('count real sessions and transactions by outcome in /metrics', async () => {
    const { smtpPort, adminPort, mta } = await startGateway();
    expect(await send(smtpPort, 'lunch')).toMatchObject({ outcome: 'accepted' });
    expect(await send(smtpPort, 'project falcon')).toMatchObject({ outcome: 'permfail' });
    await mta.waitForMessages(1);
    const metrics = await eventually(
      () => get(adminPort, '/metrics'),
      (r) => r.body.includes('outcome="blocked"} 1'),
      'the blocked transaction in /metrics',
    );
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('relayguard_transactions_total{upstream="local",outcome="delivered"} 1');
    expect(metrics.body).toContain('relayguard_transactions_total{upstream="local",outcome="blocked"} 1');
    expect(metrics.body).toContain('relayguard_sessions_total{upstream="local",result="accepted"} 2');
    expect(metrics.body).toContain('relayguard_relay_duration_seconds_count{phase="deliver"} 1');
    expect(metrics.body).toContain('relayguard_ready 1');
  });

  it('shows the live revision, listeners and in-flight sessions in /status', async () => {
    const { gw, smtpPort, adminPort } = await startGateway();
    const session = await idleSession(smtpPort);
    cleanups.push(() => void session.destroy());
    const status = await eventually(
      async () => JSON.parse((await get(adminPort, '/status')).body) as StatusSnapshot,
      (s) => s.sessionsInFlight === 1,
      'the open session in /status',
    );
    expect(status.status).toBe('ok');
    expect(status.revision?.hash).toBe(gw.graph.revision.hash);
    expect(status.listeners).toEqual([{ address: '127.0.0.1', port: smtpPort, state: 'listening' }]);
    expect(status.policies.map((p) => p.name)).toEqual(['block-falcon']);
    expect((await get(adminPort, '/metrics')).body).toContain(`relayguard_config_info{revision="${gw.graph.revision.hash}",git_commit=""} 1`);
  });

  it('answers /readyz 503 "draining" while a shutdown drains, and /healthz still 200', async () => {
    const { gw, smtpPort, adminPort } = await startGateway();
    expect((await get(adminPort, '/readyz')).status).toBe(200);
    // A message half-way through DATA: the drain must wait for it (an idle session would just get 421).
    const { client } = await RawSmtp.open(smtpPort);
    await client.ehlo();
    expect((await client.command('MAIL FROM:<alice@corp.example>')).code).toBe(250);
    expect((await client.command('RCPT TO:<bob@example.org>')).code).toBe(250);
    expect((await client.command('DATA')).code).toBe(354);
    client.write('Subject: still typing\r\n\r\nhalf a body\r\n');
    const stopped = gw.shutdown(10_000);
    try {
      const ready = await eventually(() => get(adminPort, '/readyz'), (r) => r.status === 503, '/readyz to turn 503');
      expect(ready.body).toContain('draining');
      expect((await get(adminPort, '/healthz')).status).toBe(200);
      expect((await get(adminPort, '/metrics')).body).toContain('relayguard_ready 0');
    } finally {
      client.destroy();
      await stopped;
    }
  });
});
