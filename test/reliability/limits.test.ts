// Resource limits on the upstream leg: connection floods (per upstream and in total) get 421 beyond the
// limits and free their slots when they go; idle and slowloris clients (dripping a command or a
// message body byte by byte) are cut off by the idle and session time budgets, never relayed in part.
import { describe, expect, it } from 'vitest';
import { newTestId, testMessage } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { eventually, expectNoSessions } from './leaks.js';
import { RECIPIENT, SENDER, useLeakCheckedStacks } from './setup.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { ReliabilityGatewayOptions } from './setup.js';

const { cleanup, stack } = useLeakCheckedStacks();

async function connect(gw: GatewayHarness, localAddress = '127.0.0.1'): Promise<{ client: RawSmtp; code: number }> {
  const { client, banner } = await RawSmtp.open(gw.port, { localAddress });
  cleanup.add(() => client.destroy());
  return { client, code: banner.code };
}

/**
 * Writes `text` one byte every `everyMs` until done or the server closes; true when the server closed
 * first. `maxMs` bounds the drip so a gateway without a budget fails the test instead of hanging it.
 */
async function drip(c: RawSmtp, text: string, everyMs: number, maxMs: number): Promise<boolean> {
  const until = Date.now() + maxMs;
  for (let i = 0; Date.now() < until; i = (i + 1) % text.length) {
    if (c.closed) return true;
    c.write(text.charAt(i));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return c.closed;
}

describe('connection floods', () => {
  const twoUpstreams: Omit<ReliabilityGatewayOptions, 'receiverPort'> = {
    gateway: { limits: { maxConnections: 5, maxConnectionsPerUpstream: 3 } },
    edit: (t) => ({
      ...t,
      upstreams: [...t.upstreams, { name: 'branch', addresses: ['127.0.0.3/32'], mode: 'forward', tls: { starttls: 'optional', clientCertificate: 'none', trust: [] } }],
    }),
  };

  it('beyond maxConnectionsPerUpstream one upstream gets 421 4.7.0; a freed slot is usable again', async () => {
    const { gw } = await stack(twoUpstreams);
    const first = await Promise.all([connect(gw), connect(gw), connect(gw)]);
    expect(first.map((c) => c.code)).toEqual([220, 220, 220]);
    const extra = await connect(gw);
    expect(extra.code).toBe(421);
    expect(extra.client.transcript).toMatch(/^421 4\.7\.0 /);
    expect(await extra.client.waitClosed(6_000)).toBe(true);
    // The other upstream is not affected by this one's limit.
    expect((await connect(gw, '127.0.0.3')).code).toBe(220);
    await first[0]?.client.quit();
    expect(await eventually(() => gw.engine.activeSessions === 3)).toBe(true);
    expect((await connect(gw)).code).toBe(220);
    expect(gw.observer.refused.filter((r) => r.reason === 'limit')).toHaveLength(1);
  });

  it('beyond maxConnections in total any upstream gets 421; the refused sockets are not counted as sessions', async () => {
    const { gw } = await stack(twoUpstreams);
    const ok = await Promise.all([connect(gw), connect(gw), connect(gw), connect(gw, '127.0.0.3'), connect(gw, '127.0.0.3')]);
    expect(ok.map((c) => c.code)).toEqual([220, 220, 220, 220, 220]);
    const refused = await Promise.all([connect(gw, '127.0.0.3'), connect(gw), connect(gw, '127.0.0.3')]);
    expect(refused.map((c) => c.code)).toEqual([421, 421, 421]);
    expect(gw.engine.activeSessions).toBe(5);
    for (const c of ok) c.client.destroy();
    await expectNoSessions(gw);
  });

  it('a burst of 200 connections from one upstream: exactly the limit get 220, the rest 421, none hang', async () => {
    const { gw } = await stack({ gateway: { limits: { maxConnections: 1000, maxConnectionsPerUpstream: 20 } } });
    const all = await Promise.all(Array.from({ length: 200 }, () => connect(gw)));
    const codes = all.map((c) => c.code);
    expect(codes.filter((c) => c === 220)).toHaveLength(20);
    expect(codes.filter((c) => c === 421)).toHaveLength(180);
    for (const c of all) c.client.destroy();
    await expectNoSessions(gw);
  });
});

describe('idle and slowloris clients', () => {
  it('a client silent after the banner gets 421 when idleMs passes and is disconnected', async () => {
    const { gw } = await stack({ gateway: { timeouts: { idleMs: 500 } } });
    const { client } = await connect(gw);
    const r = await client.reply(5_000);
    expect(r.code).toBe(421);
    expect(await client.waitClosed(2_000)).toBe(true);
    await expectNoSessions(gw);
  });

  it('slowloris on commands (one byte every 100 ms, never idle) is cut off by sessionMs with 421', async () => {
    const { mx, gw } = await stack({ gateway: { timeouts: { idleMs: 5_000, sessionMs: 1_500 } } });
    const { client } = await connect(gw);
    const cutOff = await drip(client, `EHLO slow.example.test\r\nMAIL FROM:<${SENDER}>\r\nRCPT TO:<${RECIPIENT}>\r\nRSET\r\n`, 100, 10_000);
    expect(cutOff).toBe(true);
    expect(client.transcript).toMatch(/\r\n421 4\.4\.2 /);
    await expectNoSessions(gw);
    expect(mx.messages).toHaveLength(0);
  });

  it('slowloris on DATA (a body dripped byte by byte) is cut off by sessionMs: no 250, nothing relayed in part', async () => {
    const { mx, gw } = await stack({ gateway: { timeouts: { idleMs: 5_000, sessionMs: 1_500 } } });
    const { client } = await connect(gw);
    await client.ehlo();
    const got = await client.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA']);
    expect(got.map((r) => r.code)).toEqual([250, 250, 354]);
    const body = testMessage(newTestId('slow'), { padTo: 4_000 }).toString('latin1');
    const cutOff = await drip(client, body, 100, 6_000);
    expect(cutOff).toBe(true);
    expect(client.transcript).not.toMatch(/\r\n250 [^\r]*queued/);
    await expectNoSessions(gw);
    expect(mx.messages).toHaveLength(0);
  });
});
