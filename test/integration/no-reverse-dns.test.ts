// Per-connection cost: smtp-server resolves every client's address with a reverse DNS lookup unless told not
// to. The gateway's upstreams are known by address (and loopback peers have nothing to resolve), so it never
// asks: no PTR query per connection, no wait on a resolver before the greeting.
import dns from 'node:dns';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Counts reverse lookups smtp-server starts (it calls dns.reverse at connection time) and answers them at once. */
function countReverseLookups(): { readonly calls: () => number } {
  const spy = vi.spyOn(dns, 'reverse').mockImplementation(((_ip: string, cb: (err: Error | null, names: string[]) => void) => cb(null, ['peer.example.test'])) as typeof dns.reverse);
  return { calls: () => spy.mock.calls.length };
}

describe('reverse DNS per connection', () => {
  it('the counter sees the lookup a default smtp-server makes (so the next test can fail)', async () => {
    const lookups = countReverseLookups();
    const server = new SMTPServer({ authOptional: true, logger: false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const c = await RawSmtpClient.connect((server.server.address() as AddressInfo).port);
    cleanups.push(() => c.close());
    expect((await c.reply()).code).toBe(220);
    expect(lookups.calls()).toBe(1);
  });

  it('the gateway makes none for a loopback upstream across a whole transaction, and names it by address', async () => {
    const lookups = countReverseLookups();
    const mx = await startRecordingMta();
    cleanups.push(() => mx.close());
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    cleanups.push(() => gw.close());
    for (let i = 0; i < 3; i++) {
      const c = await RawSmtpClient.connect(gw.port);
      cleanups.push(() => c.close());
      expect((await c.reply()).code).toBe(220);
      const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
      expect(t.final?.code).toBe(250);
    }
    expect(lookups.calls()).toBe(0);
    expect(mx.messages[0]?.raw.toString('latin1')).toMatch(/^Received: from mta\.corp\.example \(\[127\.0\.0\.1\]\)/);
  });
});
