// tls.policy: dane with a knot-signed zone validated by unbound (trust anchor = the zone's DNSKEY):
// DANE-EE with a self-signed certificate, DANE-TA with a chain to a TLSA-pinned CA, a TLSA mismatch,
// no TLSA, unusable TLSA, an unsigned zone (RFC 7672 §2.2: DANE does not apply, tls.fallback) and a
// bogus zone (4xx, never a downgrade).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { requireDnsTools, startDnsFixture } from '../helpers/dns-servers.js';
import { startMxMta, tlsaRecord } from '../helpers/dns-mx-hosts.js';
import { mxTopology, sendThrough } from '../helpers/dns-mx-topology.js';
import { makeHarnessDir, startGateway } from '../helpers/gateway-harness.js';
import type { DnsFixture } from '../helpers/dns-servers.js';
import type { MxMta } from '../helpers/dns-mx-hosts.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import { runCertsProbe } from '../../engine/cli/certs.js';

const haveTools = requireDnsTools();

describe.skipIf(!haveTools)('tls.policy: dane', () => {
  let dns: DnsFixture;
  let gw: GatewayHarness;
  let mxPort = 0;
  const mta = new Map<string, MxMta>();
  const last = (host: string) => mta.get(host)?.messages.at(-1);

  beforeAll(async () => {
    const env = makeHarnessDir();
    const pki = env.pki;
    const port = await freePort();
    mxPort = port;
    const ee = pki.issue('ee', ['mx-ee.dane.test'], { selfSigned: true });
    const ta = pki.issue('ta', ['mx-ta.dane.test']);
    const other = pki.issue('other', ['mx-bad.dane.test'], { selfSigned: true });
    const tlsa = (host: string, rr: string): string => `_${port}._tcp.${host} 60 IN TLSA ${rr}`;
    dns = await startDnsFixture([
      {
        name: 'dane.test',
        signed: true,
        records: [
          'ee 60 IN MX 10 mx-ee',
          'ta 60 IN MX 10 mx-ta',
          'bad 60 IN MX 10 mx-bad',
          'notlsa 60 IN MX 10 mx-none',
          'unusable 60 IN MX 10 mx-unusable',
          'mx-ee 60 IN A 127.0.0.2',
          'mx-ta 60 IN A 127.0.0.3',
          'mx-bad 60 IN A 127.0.0.4',
          'mx-none 60 IN A 127.0.0.5',
          'mx-unusable 60 IN A 127.0.0.4',
          tlsa('mx-ee', tlsaRecord(3, 1, ee.certPem)),
          tlsa('mx-ta', tlsaRecord(2, 0, pki.ca.certPem)),
          // mx-bad presents `other`, but the TLSA names ee's key.
          tlsa('mx-bad', tlsaRecord(3, 1, ee.certPem)),
          // PKIX-EE (usage 1) is unusable for SMTP (RFC 7672 §3.1.3).
          tlsa('mx-unusable', tlsaRecord(3, 1, ee.certPem).replace(/^3/, '1')),
        ],
      },
      // Unsigned: its MX points at the host whose TLSA would not match; DANE must not apply here.
      { name: 'unsigned.test', records: ['@ 60 IN MX 10 mx-bad.dane.test.'] },
      { name: 'bogus.test', bogus: true, records: ['@ 60 IN MX 10 mx', 'mx 60 IN A 127.0.0.2'] },
    ]);
    mta.set('127.0.0.2', await startMxMta({ host: '127.0.0.2', port, tls: { key: ee.keyPem, cert: ee.certPem } }));
    mta.set('127.0.0.3', await startMxMta({ host: '127.0.0.3', port, tls: { key: ta.keyPem, cert: ta.certPem + pki.ca.certPem } }));
    mta.set('127.0.0.4', await startMxMta({ host: '127.0.0.4', port, tls: { key: other.keyPem, cert: other.certPem } }));
    mta.set('127.0.0.5', await startMxMta({ host: '127.0.0.5', port, tls: { key: other.keyPem, cert: other.certPem } }));
    // trustTestCa: false — nothing here may pass by PKIX; only DANE can authenticate.
    gw = await startGateway({ topology: (e) => mxTopology(e, { port, servers: [dns.resolver], policy: 'dane', fallback: 'may', trustTestCa: false }) }, env);
  }, 60_000);

  afterAll(async () => {
    await gw?.close();
    for (const m of mta.values()) await m.close();
    await dns?.stop();
  });

  it('DANE-EE: authenticates a self-signed certificate by its TLSA 3 1 1, sending the MX name as SNI', async () => {
    const t = await sendThrough(gw.port, ['bob@ee.dane.test']);
    expect(t.final?.code).toBe(250);
    expect(last('127.0.0.2')).toMatchObject({ to: ['bob@ee.dane.test'], secure: true, servername: 'mx-ee.dane.test' });
    expect(gw.observer.transactions.at(-1)?.receivingTls?.verified).toBe(true);
  });

  it('DANE-TA: authenticates a chain up to the CA named by TLSA 2 0 1', async () => {
    const t = await sendThrough(gw.port, ['bob@ta.dane.test']);
    expect(t.final?.code).toBe(250);
    expect(last('127.0.0.3')).toMatchObject({ to: ['bob@ta.dane.test'], secure: true });
  });

  it('TLSA mismatch: 4xx naming domain, policy and the mismatch; nothing delivered', async () => {
    const before = mta.get('127.0.0.4')?.messages.length;
    const t = await sendThrough(gw.port, ['bob@bad.dane.test']);
    expect(t.rcpts[0]?.code).toBeGreaterThanOrEqual(400);
    expect(t.rcpts[0]?.code).toBeLessThan(500);
    expect(t.rcpts[0]?.text).toContain('bad.dane.test');
    expect(t.rcpts[0]?.text).toContain('tls policy dane');
    expect(t.rcpts[0]?.text).toContain('no TLSA record matches');
    // SMTP replies are ASCII: the policy text must not smuggle arrows or ellipses into them.
    expect(t.rcpts[0]?.text).toMatch(/^[\x20-\x7e]*$/);
    expect(mta.get('127.0.0.4')?.messages.length).toBe(before);
  });

  it('no TLSA records (secure denial): falls back to tls.fallback', async () => {
    const t = await sendThrough(gw.port, ['bob@notlsa.dane.test']);
    expect(t.final?.code).toBe(250);
    expect(last('127.0.0.5')?.to).toEqual(['bob@notlsa.dane.test']);
  });

  it('only unusable TLSA records: TLS is mandatory but not authenticated', async () => {
    const t = await sendThrough(gw.port, ['bob@unusable.dane.test']);
    expect(t.final?.code).toBe(250);
    expect(last('127.0.0.4')).toMatchObject({ to: ['bob@unusable.dane.test'], secure: true });
    expect(gw.observer.transactions.at(-1)?.receivingTls?.verified).toBe(false);
  });

  it('an unsigned zone: DANE does not apply (RFC 7672 §2.2), the route falls back, TLSA ignored', async () => {
    const t = await sendThrough(gw.port, ['bob@unsigned.test']);
    expect(t.final?.code).toBe(250);
    expect(last('127.0.0.4')?.to).toEqual(['bob@unsigned.test']);
  });

  it('certs probe --mx shows each MX, its certificate and every policy\'s decision', async () => {
    const ok = await runCertsProbe(undefined, { mx: 'ee.dane.test', dns: [dns.resolver], port: mxPort, trust: [], dir: 'certs', timeout: 5000 });
    expect(ok.exitCode, ok.errors).toBe(0);
    expect(ok.output).toContain('MX 10 mx-ee.dane.test  127.0.0.2');
    expect(ok.output).toContain('MX DNSSEC-validated');
    expect(ok.output).toMatch(/verify: REFUSE/);
    expect(ok.output).toContain('dane: deliver (DANE-EE match)');
    const bad = await runCertsProbe(undefined, { mx: 'bad.dane.test', dns: [dns.resolver], port: mxPort, trust: [], dir: 'certs', timeout: 5000 });
    expect(bad.output).toMatch(/dane: REFUSE \(no TLSA record matches/);
    const plain = await runCertsProbe(undefined, { mx: 'unsigned.test', dns: [dns.resolver], port: mxPort, trust: [], dir: 'certs', timeout: 5000 });
    expect(plain.output).toContain('dane: MX not DNSSEC-validated → tls.fallback');
  });

  it('a bogus zone: 4xx, never a downgrade', async () => {
    const t = await sendThrough(gw.port, ['bob@bogus.test']);
    expect(t.rcpts[0]?.code).toBe(451);
    expect(t.rcpts[0]?.text).toContain('bogus.test');
  });
});
