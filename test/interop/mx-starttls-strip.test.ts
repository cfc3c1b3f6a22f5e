// A man in the middle that deletes STARTTLS from the MX's EHLO reply, under each TLS policy: may
// delivers in clear (and logs it), mta-sts testing delivers (RFC 8461 report-only), every other policy
// answers 4xx and sends nothing in clear.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { requireDnsTools, startDnsFixture } from '../helpers/dns-servers.js';
import { startMxMta, startStartTlsStripper, tlsaRecord } from '../helpers/dns-mx-hosts.js';
import { mxTopology, sendThrough } from '../helpers/dns-mx-topology.js';
import { startStsServer, stsPolicyText } from '../helpers/dns-mta-sts-server.js';
import { makeHarnessDir, startGateway } from '../helpers/gateway-harness.js';
import type { DnsFixture } from '../helpers/dns-servers.js';
import type { MxMta } from '../helpers/dns-mx-hosts.js';
import type { MxTopologyOptions } from '../helpers/dns-mx-topology.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';

const haveTools = requireDnsTools();

describe.skipIf(!haveTools)('STARTTLS stripped by a man in the middle', () => {
  let dns: DnsFixture;
  let real: MxMta;
  let strip: Awaited<ReturnType<typeof startStartTlsStripper>>;
  let sts: Awaited<ReturnType<typeof startStsServer>>;
  const gateways: GatewayHarness[] = [];
  let port = 0;
  let httpsPort = 0;
  const env = makeHarnessDir();

  const gateway = async (o: Partial<MxTopologyOptions>): Promise<GatewayHarness> => {
    const gw = await startGateway({ topology: (e) => mxTopology(e, { port, servers: [dns.resolver], mtaStsPort: httpsPort, ...o }) }, { dir: `${env.dir}/${gateways.length}`, pki: env.pki });
    gateways.push(gw);
    return gw;
  };

  beforeAll(async () => {
    port = await freePort();
    httpsPort = await freePort();
    const realPort = await freePort();
    const cert = env.pki.issue('mitm', ['mitm.strip.test']);
    dns = await startDnsFixture([
      {
        name: 'strip.test',
        signed: true,
        records: [
          'enf 60 IN MX 10 mitm',
          'tst 60 IN MX 10 mitm',
          'mitm 60 IN A 127.0.0.9',
          `_${port}._tcp.mitm 60 IN TLSA ${tlsaRecord(3, 1, cert.certPem)}`,
          '_mta-sts.enf 60 IN TXT "v=STSv1; id=1"',
          '_mta-sts.tst 60 IN TXT "v=STSv1; id=1"',
          'mta-sts.enf 60 IN A 127.0.0.1',
          'mta-sts.tst 60 IN A 127.0.0.1',
        ],
      },
    ]);
    real = await startMxMta({ host: '127.0.0.2', port: realPort, tls: { key: cert.keyPem, cert: cert.certPem } });
    strip = await startStartTlsStripper({ host: '127.0.0.9', port, target: { host: '127.0.0.2', port: realPort } });
    sts = await startStsServer({ host: '127.0.0.1', port: httpsPort, cert: env.pki.issue('sts', ['mta-sts.enf.strip.test', 'mta-sts.tst.strip.test']) });
    sts.policies.set('mta-sts.enf.strip.test', stsPolicyText('enforce', ['mitm.strip.test']));
    sts.policies.set('mta-sts.tst.strip.test', stsPolicyText('testing', ['mitm.strip.test']));
  }, 60_000);

  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    await strip?.close();
    await real?.close();
    await sts?.close();
    await dns?.stop();
  });

  it('may: delivers in clear and logs that the leg ran in clear', async () => {
    const gw = await gateway({ policy: 'may' });
    const t = await sendThrough(gw.port, ['bob@enf.strip.test']);
    expect(t.final?.code).toBe(250);
    expect(real.messages.at(-1)).toMatchObject({ to: ['bob@enf.strip.test'], secure: false });
    expect(strip.stripped()).toBeGreaterThan(0);
    expect(gw.logs.some((l) => /runs in clear: STARTTLS not offered/.test(String(l.msg)))).toBe(true);
  });

  it.each([
    ['encrypt', 'bob@enf.strip.test'],
    ['verify', 'bob@enf.strip.test'],
    ['dane', 'bob@enf.strip.test'],
    ['mta-sts', 'bob@enf.strip.test'],
  ] as const)('%s: 4xx naming the domain and the policy, nothing sent in clear', async (policy, rcpt) => {
    const gw = await gateway({ policy });
    const before = real.messages.length;
    const t = await sendThrough(gw.port, [rcpt]);
    expect(t.rcpts[0]?.code).toBeGreaterThanOrEqual(400);
    expect(t.rcpts[0]?.code).toBeLessThan(500);
    expect(t.rcpts[0]?.text).toContain('enf.strip.test');
    expect(t.rcpts[0]?.text).toContain(`tls policy ${policy}`);
    expect(t.rcpts[0]?.text).toContain('STARTTLS is required');
    expect(real.messages.length).toBe(before);
  });

  it('mta-sts testing: delivers (report only, RFC 8461 §5) and says so in the log', async () => {
    const gw = await gateway({ policy: 'mta-sts' });
    const t = await sendThrough(gw.port, ['bob@tst.strip.test']);
    expect(t.final?.code).toBe(250);
    expect(real.messages.at(-1)).toMatchObject({ to: ['bob@tst.strip.test'], secure: false });
    expect(gw.logs.some((l) => /runs in clear: STARTTLS not offered/.test(String(l.msg)))).toBe(true);
  });
});
