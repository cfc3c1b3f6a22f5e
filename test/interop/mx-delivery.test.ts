// MX delivery through the gateway, with real DNS (knotd behind unbound) and receiving MTAs on their own
// loopback addresses: preference, failover, randomisation among equals, the implicit MX, IPv6, CNAMEs,
// null MX, DNS failures (SERVFAIL, timeout), TTL expiry and recipients of several domains in one transaction.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { requireDnsTools, startDnsFixture } from '../helpers/dns-servers.js';
import { startMxMta } from '../helpers/dns-mx-hosts.js';
import { mxTopology, sendThrough } from '../helpers/dns-mx-topology.js';
import { makeHarnessDir, startGateway } from '../helpers/gateway-harness.js';
import type { DnsFixture, TestZone } from '../helpers/dns-servers.js';
import type { MxMta } from '../helpers/dns-mx-hosts.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';

const haveTools = requireDnsTools();

const hosts: TestZone = {
  name: 'hosts.test',
  records: ['mx1 60 IN A 127.0.0.2', 'mx2 60 IN A 127.0.0.3', 'mx3 60 IN A 127.0.0.4', 'mx6 60 IN AAAA ::1', 'down 60 IN A 127.0.0.20', 'alias 60 IN CNAME mx3'],
};
const ttlZone = (host: string): TestZone => ({ name: 'ttl.test', records: [`@ 1 IN MX 10 ${host}.hosts.test.`] });
const zones: readonly TestZone[] = [
  hosts,
  { name: 'pref.test', records: ['@ 60 IN MX 20 mx2.hosts.test.', '@ 60 IN MX 10 mx1.hosts.test.'] },
  { name: 'pref2.test', records: ['@ 60 IN MX 10 mx1.hosts.test.', '@ 60 IN MX 20 mx2.hosts.test.'] },
  { name: 'failover.test', records: ['@ 60 IN MX 10 down.hosts.test.', '@ 60 IN MX 20 mx2.hosts.test.'] },
  { name: 'equal.test', records: ['@ 60 IN MX 10 mx1.hosts.test.', '@ 60 IN MX 10 mx3.hosts.test.'] },
  { name: 'nomx.test', records: ['@ 60 IN A 127.0.0.3'] },
  { name: 'v6.test', records: ['@ 60 IN MX 10 mx6.hosts.test.'] },
  { name: 'cname.test', records: ['@ 60 IN MX 10 alias.hosts.test.'] },
  { name: 'other.test', records: ['@ 60 IN MX 10 mx3.hosts.test.'] },
  { name: 'nullmx.test', records: ['@ 60 IN MX 0 .'] },
  { name: 'bogus.test', bogus: true, records: ['@ 60 IN MX 10 mx1.hosts.test.'] },
  ttlZone('mx1'),
];

describe.skipIf(!haveTools)('forward by MX lookup (knot + unbound)', () => {
  let dns: DnsFixture;
  let port = 0;
  const mtas = new Map<string, MxMta>();
  let gw: GatewayHarness;
  const delivered = (host: string): number => mtas.get(host)?.messages.length ?? 0;

  beforeAll(async () => {
    dns = await startDnsFixture(zones);
    port = await freePort();
    for (const host of ['127.0.0.2', '127.0.0.3', '127.0.0.4', '::1']) mtas.set(host, await startMxMta({ host, port }));
    gw = await startGateway({ topology: (env) => mxTopology(env, { port, servers: [dns.resolver] }) }, makeHarnessDir());
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    for (const m of mtas.values()) await m.close();
    await dns?.stop();
  });

  it('delivers to the most preferred MX', async () => {
    const before = delivered('127.0.0.2');
    const t = await sendThrough(gw.port, ['bob@pref.test']);
    expect(t.rcpts[0]?.code).toBe(250);
    expect(t.final?.code).toBe(250);
    expect(t.final?.text).toContain('queued at 127.0.0.2');
    expect(delivered('127.0.0.2')).toBe(before + 1);
  });

  it('fails over to the next MX when the preferred one refuses connections', async () => {
    const t = await sendThrough(gw.port, ['bob@failover.test']);
    expect(t.final?.code).toBe(250);
    expect(t.final?.text).toContain('queued at 127.0.0.3');
  });

  it('spreads mail across MX hosts of equal preference', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const t = await sendThrough(gw.port, ['bob@equal.test']);
      expect(t.final?.code).toBe(250);
      seen.add(/queued at (\S+)/.exec(t.final?.text ?? '')?.[1] ?? '');
    }
    expect([...seen].sort()).toEqual(['127.0.0.2', '127.0.0.4']);
  });

  it('uses the domain itself when it has no MX (RFC 5321 §5.1)', async () => {
    const t = await sendThrough(gw.port, ['bob@nomx.test']);
    expect(t.final?.text).toContain('queued at 127.0.0.3');
  });

  it('delivers over IPv6 to an AAAA-only MX host', async () => {
    const t = await sendThrough(gw.port, ['bob@v6.test']);
    expect(t.final?.code).toBe(250);
    expect(t.final?.text).toContain('queued at ::1');
  });

  it('follows a CNAME from the MX host name', async () => {
    const t = await sendThrough(gw.port, ['bob@cname.test']);
    expect(t.final?.text).toContain('queued at 127.0.0.4');
  });

  it('refuses a null-MX domain with 556 5.1.10 and connects nowhere', async () => {
    const before = [...mtas.values()].reduce((n, m) => n + m.connections(), 0);
    const t = await sendThrough(gw.port, ['bob@nullmx.test']);
    expect(t.rcpts[0]?.code).toBe(556);
    expect(t.rcpts[0]?.text).toMatch(/5\.1\.10 .*nullmx\.test/);
    expect([...mtas.values()].reduce((n, m) => n + m.connections(), 0)).toBe(before);
  });

  it('answers a SERVFAIL (bogus DNSSEC) with a 4xx naming the domain and the resolver', async () => {
    const t = await sendThrough(gw.port, ['bob@bogus.test']);
    expect(t.rcpts[0]?.code).toBe(451);
    expect(t.rcpts[0]?.text).toContain('4.4.3');
    expect(t.rcpts[0]?.text).toContain('bogus.test');
    expect(t.rcpts[0]?.text).toContain(dns.resolver);
    expect(t.rcpts[0]?.text).toContain('SERVFAIL');
  });

  it('keeps recipients of domains with the same MX hosts in one transaction, and defers another MX set with 452 4.5.3', async () => {
    const before = delivered('127.0.0.2');
    const t = await sendThrough(gw.port, ['a@pref.test', 'b@pref2.test', 'c@other.test']);
    expect(t.rcpts.map((r) => r.code)).toEqual([250, 250, 452]);
    expect(t.rcpts[2]?.text).toContain('4.5.3');
    expect(t.final?.code).toBe(250);
    const msg = mtas.get('127.0.0.2')?.messages.at(-1);
    expect(delivered('127.0.0.2')).toBe(before + 1);
    expect(msg?.to).toEqual(['a@pref.test', 'b@pref2.test']);
  });

  it('follows the MX record to its new host once its TTL has expired', async () => {
    const first = await sendThrough(gw.port, ['bob@ttl.test']);
    expect(first.final?.text).toContain('queued at 127.0.0.2');
    await dns.updateZone(ttlZone('mx3'));
    await new Promise((r) => setTimeout(r, 2200));
    const second = await sendThrough(gw.port, ['bob@ttl.test']);
    expect(second.final?.text).toContain('queued at 127.0.0.4');
  });

  it('answers a resolver timeout with a 4xx naming the domain and the resolver', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const where = `127.0.0.1:${silent.address().port}`;
    const dead = await startGateway({ topology: (env) => mxTopology(env, { port, servers: [where], dnsTimeoutMs: 300 }) }, makeHarnessDir());
    try {
      const t = await sendThrough(dead.port, ['bob@pref.test']);
      expect(t.rcpts[0]?.code).toBe(451);
      expect(t.rcpts[0]?.text).toContain('pref.test');
      expect(t.rcpts[0]?.text).toContain(where);
      expect(t.rcpts[0]?.text).toMatch(/no answer within 300 ms/);
    } finally {
      await dead.close();
      silent.close();
    }
  });
});
