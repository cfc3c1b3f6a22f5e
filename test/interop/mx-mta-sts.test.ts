// tls.policy: mta-sts against real DNS (knot + unbound) and a policy host on loopback over HTTPS with a
// test-CA certificate: enforce (MX pattern, verified TLS), testing (report only), none, a policy host
// whose certificate does not verify (no policy, RFC 8461 §5), and a cached policy that outlives a failed fetch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { requireDnsTools, startDnsFixture } from '../helpers/dns-servers.js';
import { startMxMta } from '../helpers/dns-mx-hosts.js';
import { mxTopology, sendThrough } from '../helpers/dns-mx-topology.js';
import { startStsServer, stsPolicyText } from '../helpers/dns-mta-sts-server.js';
import { makeHarnessDir, startGateway } from '../helpers/gateway-harness.js';
import type { DnsFixture, TestZone } from '../helpers/dns-servers.js';
import type { MxMta } from '../helpers/dns-mx-hosts.js';
import type { StsServer } from '../helpers/dns-mta-sts-server.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';

const haveTools = requireDnsTools();

const stsDomain = (name: string, mx: string, policyHost = '127.0.0.1', id = '1'): TestZone => ({
  name,
  records: [`@ 1 IN MX 10 ${mx}.hosts.test.`, `_mta-sts 1 IN TXT "v=STSv1; id=${id}"`, `mta-sts 60 IN A ${policyHost}`],
});
const DOMAINS = ['enforce.test', 'nomatch.test', 'badmx.test', 'testing.test', 'none.test', 'cached.test'];

describe.skipIf(!haveTools)('tls.policy: mta-sts', () => {
  let dns: DnsFixture;
  let gw: GatewayHarness;
  let good: StsServer;
  let forged: StsServer;
  let misnamed: StsServer;
  let verifyGw: GatewayHarness;
  const mtas: MxMta[] = [];
  let mx1: MxMta;
  let bad: MxMta;

  beforeAll(async () => {
    const env = makeHarnessDir();
    const pki = env.pki;
    const port = await freePort();
    const httpsPort = await freePort();
    dns = await startDnsFixture([
      { name: 'hosts.test', records: ['mx1 60 IN A 127.0.0.2', 'bad 60 IN A 127.0.0.5', 'misnamed 60 IN A 127.0.0.8'] },
      { name: 'verify.test', records: ['@ 60 IN MX 10 misnamed.hosts.test.'] },
      stsDomain('enforce.test', 'mx1'),
      stsDomain('nomatch.test', 'mx1'),
      stsDomain('badmx.test', 'bad'),
      stsDomain('testing.test', 'bad'),
      stsDomain('none.test', 'bad'),
      stsDomain('cached.test', 'mx1'),
      stsDomain('badcert.test', 'bad', '127.0.0.6'),
      stsDomain('wrongname.test', 'bad', '127.0.0.7'),
    ]);
    const mx1Cert = pki.issue('mx1', ['mx1.hosts.test']);
    const badCert = pki.issue('bad', ['bad.hosts.test'], { otherCa: true });
    mx1 = await startMxMta({ host: '127.0.0.2', port, tls: { key: mx1Cert.keyPem, cert: mx1Cert.certPem } });
    bad = await startMxMta({ host: '127.0.0.5', port, tls: { key: badCert.keyPem, cert: badCert.certPem } });
    mtas.push(mx1, bad, await startMxMta({ host: '127.0.0.8', port, tls: { key: mx1Cert.keyPem, cert: mx1Cert.certPem } }));
    verifyGw = await startGateway({ topology: (e) => mxTopology(e, { port, servers: [dns.resolver], policy: 'verify' }) }, { dir: `${env.dir}/verify`, pki });
    good = await startStsServer({ host: '127.0.0.1', port: httpsPort, cert: pki.issue('sts', DOMAINS.map((d) => `mta-sts.${d}`)) });
    good.policies.set('mta-sts.enforce.test', stsPolicyText('enforce', ['*.hosts.test']));
    good.policies.set('mta-sts.nomatch.test', stsPolicyText('enforce', ['mail.elsewhere.test']));
    good.policies.set('mta-sts.badmx.test', stsPolicyText('enforce', ['bad.hosts.test']));
    good.policies.set('mta-sts.testing.test', stsPolicyText('testing', ['bad.hosts.test']));
    good.policies.set('mta-sts.none.test', stsPolicyText('none', []));
    good.policies.set('mta-sts.cached.test', stsPolicyText('enforce', ['*.hosts.test']));
    forged = await startStsServer({ host: '127.0.0.6', port: httpsPort, cert: pki.issue('forged', ['mta-sts.badcert.test'], { otherCa: true }) });
    forged.policies.set('mta-sts.badcert.test', stsPolicyText('enforce', ['nothing.test']));
    // A certificate from the trusted CA, but for another name: only the host-name check can refuse it.
    misnamed = await startStsServer({ host: '127.0.0.7', port: httpsPort, cert: pki.issue('misnamed', ['mta-sts.other.test']) });
    misnamed.policies.set('mta-sts.wrongname.test', stsPolicyText('enforce', ['nothing.test']));
    gw = await startGateway({ topology: (e) => mxTopology(e, { port, servers: [dns.resolver], policy: 'mta-sts', fallback: 'may', mtaStsPort: httpsPort }) }, env);
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    await verifyGw?.close();
    for (const m of mtas) await m.close();
    await good?.close();
    await forged?.close();
    await misnamed?.close();
    await dns?.stop();
  });

  it('enforce: delivers over verified TLS to an MX the policy lists', async () => {
    const t = await sendThrough(gw.port, ['bob@enforce.test']);
    expect(t.final?.code).toBe(250);
    expect(mx1.messages.at(-1)).toMatchObject({ to: ['bob@enforce.test'], secure: true });
    expect(gw.observer.transactions.at(-1)?.receivingTls?.verified).toBe(true);
  });

  it('enforce: refuses with a 4xx naming domain, policy and patterns when no MX matches', async () => {
    const t = await sendThrough(gw.port, ['bob@nomatch.test']);
    expect(t.rcpts[0]?.code).toBe(451);
    expect(t.rcpts[0]?.text).toMatch(/4\.7\.5 TLS policy mta-sts for nomatch\.test: .*mail\.elsewhere\.test/);
  });

  it('enforce: an MX certificate that does not verify is a 4xx, nothing delivered', async () => {
    const before = bad.messages.length;
    const t = await sendThrough(gw.port, ['bob@badmx.test']);
    expect(t.rcpts[0]?.code).toBeGreaterThanOrEqual(400);
    expect(t.rcpts[0]?.code).toBeLessThan(500);
    expect(t.rcpts[0]?.text).toContain('badmx.test');
    expect(t.rcpts[0]?.text).toContain('tls policy mta-sts');
    expect(t.rcpts[0]?.text).toMatch(/not trusted/);
    expect(bad.messages.length).toBe(before);
  });

  it('testing: delivers despite the unverifiable certificate and logs what failed', async () => {
    const t = await sendThrough(gw.port, ['bob@testing.test']);
    expect(t.final?.code).toBe(250);
    expect(bad.messages.at(-1)).toMatchObject({ to: ['bob@testing.test'], secure: true });
    expect(gw.logs.some((l) => String(l.msg).includes('testing.test') && String(l.msg).includes('mta-sts testing: delivered anyway'))).toBe(true);
  });

  it('none: the domain gets tls.fallback (may)', async () => {
    const t = await sendThrough(gw.port, ['bob@none.test']);
    expect(t.final?.code).toBe(250);
    expect(bad.messages.at(-1)?.to).toEqual(['bob@none.test']);
  });

  it('a policy host whose certificate does not verify yields no policy: fallback, logged', async () => {
    const t = await sendThrough(gw.port, ['bob@badcert.test']);
    // The forged policy (mx: nothing.test) would have refused; it was never believed.
    expect(t.final?.code).toBe(250);
    expect(bad.messages.at(-1)?.to).toEqual(['bob@badcert.test']);
    expect(forged.fetches.get('mta-sts.badcert.test') ?? 0).toBe(0);
    expect(gw.logs.some((l) => String(l.msg).includes('badcert.test') && /policy fetch failed/.test(String(l.msg)))).toBe(true);
  });

  it('a policy host certificate for another name is not believed either', async () => {
    const t = await sendThrough(gw.port, ['bob@wrongname.test']);
    expect(t.final?.code).toBe(250);
    expect(misnamed.fetches.get('mta-sts.wrongname.test') ?? 0).toBe(0);
    expect(gw.logs.some((l) => String(l.msg).includes('wrongname.test') && /policy fetch failed.*(altnames|Hostname)/i.test(String(l.msg)))).toBe(true);
  });

  it('verify: a trusted certificate that does not name the MX host is a 4xx (RFC 7817)', async () => {
    const t = await sendThrough(verifyGw.port, ['bob@verify.test']);
    expect(t.rcpts[0]?.code).toBeGreaterThanOrEqual(400);
    expect(t.rcpts[0]?.code).toBeLessThan(500);
    expect(t.rcpts[0]?.text).toContain('verify.test: tls policy verify for MX misnamed.hosts.test');
    expect(t.rcpts[0]?.text).toContain('the certificate does not name misnamed.hosts.test');
    const ok = await sendThrough(verifyGw.port, ['bob@enforce.test']);
    expect(ok.final?.code).toBe(250);
  });

  it('a cached policy keeps applying when the policy host fails later (same id, within max_age)', async () => {
    expect((await sendThrough(gw.port, ['bob@cached.test'])).final?.code).toBe(250);
    expect(good.fetches.get('mta-sts.cached.test')).toBe(1);
    good.policies.set('mta-sts.cached.test', 500);
    await dns.updateZone(stsDomain('cached.test', 'bad'));
    // A signed zone's reload can take a while on a loaded machine: wait until the resolver serves the
    // new MX, then past its 1 s TTL so the gateway's cache has let the old answer go.
    for (let i = 0; i < 40 && !(await dns.dig('cached.test', 'MX')).includes('bad.hosts.test'); i++) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 1500));
    const before = bad.messages.length;
    const t = await sendThrough(gw.port, ['bob@cached.test']);
    expect(t.rcpts[0]?.code).toBeGreaterThanOrEqual(400);
    expect(t.rcpts[0]?.code).toBeLessThan(500);
    expect(t.rcpts[0]?.text).toContain('cached.test');
    expect(bad.messages.length).toBe(before);
    expect(good.fetches.get('mta-sts.cached.test')).toBe(1);
  });
});
