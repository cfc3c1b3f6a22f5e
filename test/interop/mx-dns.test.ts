// The DNS client against real servers: knotd (authoritative, one zone signed by knot) behind unbound
// (validating, trust anchor = the signed zone's DNSKEY). AD is read from unbound's answers, bogus data
// is SERVFAIL, TTLs and negative TTLs are honoured, a silent server is a timeout and the next one answers.
import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DnsClient } from '../../engine/dns/dns-client.js';
import { resolveMx } from '../../engine/dns/mx-resolve.js';
import { requireDnsTools, startDnsFixture } from '../helpers/dns-servers.js';
import type { DnsFixture, TestZone } from '../helpers/dns-servers.js';
import type { DnsServerAddress } from '../../engine/dns/dns-types.js';

const haveTools = requireDnsTools();

const plain: TestZone = {
  name: 'plain.test',
  records: ['@ 60 IN MX 10 mx1', '@ 60 IN MX 20 mx2', 'mx1 60 IN A 127.0.0.2', 'mx2 60 IN A 127.0.0.3', 'mx2 60 IN AAAA ::1', 'alias 60 IN CNAME mx1', 'short 1 IN A 127.0.0.4', 'big 60 IN TXT ' + Array.from({ length: 12 }, (_, i) => `"${String(i).repeat(200)}"`).join(' ')],
};
const signed: TestZone = { name: 'signed.test', signed: true, records: ['@ 60 IN MX 10 mx', 'mx 60 IN A 127.0.0.5', '_25._tcp.mx 60 IN TLSA 3 1 1 ' + 'ab'.repeat(32)] };
const bogus: TestZone = { name: 'bogus.test', bogus: true, records: ['@ 60 IN MX 10 mx', 'mx 60 IN A 127.0.0.6'] };
const nullMx: TestZone = { name: 'nullmx.test', records: ['@ 60 IN MX 0 .'] };
const noMx: TestZone = { name: 'nomx.test', records: ['@ 60 IN A 127.0.0.7'] };

describe.skipIf(!haveTools)('DNS client against knot + unbound', () => {
  let dns: DnsFixture;
  let server: DnsServerAddress;
  let silent: dgram.Socket;
  let silentPort = 0;
  const client = (o: Partial<ConstructorParameters<typeof DnsClient>[0]> = {}): DnsClient =>
    new DnsClient({ servers: [server], timeoutMs: 2000, attempts: 1, cacheEntries: 100, trustAd: true, ...o });

  beforeAll(async () => {
    dns = await startDnsFixture([plain, signed, bogus, nullMx, noMx]);
    server = { host: '127.0.0.1', port: dns.unboundPort };
    silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    silentPort = silent.address().port;
  }, 60_000);

  afterAll(async () => {
    silent?.close();
    await dns?.stop();
  });

  it('reads the AD bit: signed zone secure, plain zone insecure', async () => {
    const c = client();
    const s = await c.lookup('signed.test', 'MX');
    const p = await c.lookup('plain.test', 'MX');
    expect(s).toMatchObject({ kind: 'records', validation: 'secure' });
    expect(p).toMatchObject({ kind: 'records', validation: 'insecure' });
    const t = await c.lookup('_25._tcp.mx.signed.test', 'TLSA');
    expect(t.kind === 'records' && t.records[0]?.type === 'TLSA' && t.records[0].value.usage).toBe(3);
  });

  it('never calls an answer secure when the resolver is not a configured one', async () => {
    const s = await client({ trustAd: false }).lookup('signed.test', 'MX');
    expect(s).toMatchObject({ kind: 'records', validation: 'insecure' });
  });

  it('turns bogus DNSSEC data into SERVFAIL naming the resolver', async () => {
    const b = await client().lookup('bogus.test', 'MX');
    expect(b).toMatchObject({ kind: 'failed', code: 'RG_DNS_SERVFAIL' });
    expect(b.kind === 'failed' && b.server).toBe(`127.0.0.1:${dns.unboundPort}`);
  });

  it('falls back to TCP when the UDP answer is truncated', async () => {
    const t = await client().lookup('big.plain.test', 'TXT');
    expect(t.kind === 'records' && t.records[0]?.type === 'TXT' && t.records[0].value.length).toBe(2800); // > the 1232-byte EDNS payload: only TCP can carry it
  });

  it('orders MX by preference, follows CNAMEs, sees null MX and the implicit MX', async () => {
    const c = client();
    const r = await resolveMx(c, 'plain.test');
    expect(r.kind === 'hosts' && r.hosts.map((h) => [h.name, h.addresses])).toEqual([
      ['mx1.plain.test', ['127.0.0.2']],
      ['mx2.plain.test', ['::1', '127.0.0.3']],
    ]);
    const alias = await c.lookup('alias.plain.test', 'A');
    expect(alias.kind === 'records' && alias.records.map((x) => x.value)).toEqual(['127.0.0.2']);
    expect((await resolveMx(c, 'nullmx.test')).kind).toBe('null-mx');
    const implicit = await resolveMx(c, 'nomx.test');
    expect(implicit.kind === 'hosts' && implicit.implicit && implicit.hosts[0]?.addresses).toEqual(['127.0.0.7']);
    expect((await resolveMx(c, 'nothing.plain.test')).kind).toBe('no-domain');
  });

  it('honours TTLs: a 1 s record is asked again after it expires, a 60 s one is not', async () => {
    const c = client();
    expect((await c.lookup('short.plain.test', 'A')).kind).toBe('records');
    await dns.updateZone({ ...plain, records: plain.records.map((l) => l.replace('short 1 IN A 127.0.0.4', 'short 1 IN A 127.0.0.8').replace('mx1 60 IN A 127.0.0.2', 'mx1 60 IN A 127.0.0.9')) });
    const cachedMx = await c.lookup('mx1.plain.test', 'A');
    expect(cachedMx.kind === 'records' && cachedMx.records[0]?.value).toBe('127.0.0.2');
    await new Promise((r) => setTimeout(r, 2200));
    const fresh = await c.lookup('short.plain.test', 'A');
    expect(fresh.kind === 'records' && fresh.records[0]?.value).toBe('127.0.0.8');
    const stillCached = await c.lookup('mx1.plain.test', 'A');
    expect(stillCached.kind === 'records' && stillCached.records[0]?.value).toBe('127.0.0.2');
    await dns.updateZone(plain);
  });

  it('caches a negative answer for the SOA minimum (RFC 2308)', async () => {
    // Straight to knot (authoritative, no cache of its own), so only our cache can hold the NXDOMAIN.
    const knot = { host: '127.0.0.1', port: dns.knotPort };
    const c = client({ servers: [knot] });
    expect((await c.lookup('later.plain.test', 'A')).kind).toBe('nxdomain');
    await dns.updateZone({ ...plain, records: [...plain.records, 'later 60 IN A 127.0.0.10'] });
    expect((await client({ servers: [knot] }).lookup('later.plain.test', 'A')).kind).toBe('records');
    expect((await c.lookup('later.plain.test', 'A')).kind).toBe('nxdomain');
    await new Promise((r) => setTimeout(r, 5200));
    expect((await c.lookup('later.plain.test', 'A')).kind).toBe('records');
    await dns.updateZone(plain);
  }, 20_000);

  it('times out on a silent server, naming it, and tries the next server', async () => {
    const dead = client({ servers: [{ host: '127.0.0.1', port: silentPort }], timeoutMs: 200 });
    const started = Date.now();
    const r = await dead.lookup('plain.test', 'MX');
    expect(r).toMatchObject({ kind: 'failed', code: 'RG_DNS_TIMEOUT' });
    expect(r.kind === 'failed' && r.server).toBe(`127.0.0.1:${silentPort}`);
    expect(Date.now() - started).toBeLessThan(1500);
    const failover = client({ servers: [{ host: '127.0.0.1', port: silentPort }, server], timeoutMs: 200 });
    expect((await failover.lookup('plain.test', 'MX')).kind).toBe('records');
  });
});
