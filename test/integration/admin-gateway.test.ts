// The admin endpoints of a real running gateway (real SMTP engine, real receiving MTA): the metrics move
// with real mail, /status shows the live revision and sessions, and /readyz turns 503 while draining.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../engine/runtime/status.js';
import { sendOneMessage as send } from '../helpers/accounting.js';
import { adminGet as get, startAdminGateway } from '../helpers/admin-gateway.js';
import type { Cleanups } from '../helpers/admin-gateway.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { eventuallyValue as eventually } from '../helpers/until.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An SMTP client that connects, reads the banner and then just holds the session open. */
function idleSession(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('data', () => resolve(socket));
  });
}

function startGateway() {
  return startAdminGateway(cleanups, { graceMs: 10_000 });
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
