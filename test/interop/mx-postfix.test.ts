// A private Postfix instance as the MX host of a DNSSEC-signed domain: DANE-EE and verify against a
// real MTA's STARTTLS, and its own log proving the message arrived over TLS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDnsTools, startDnsFixture } from '../helpers/dns-servers.js';
import { tlsaRecord } from '../helpers/dns-mx-hosts.js';
import { mxTopology, sendThrough } from '../helpers/dns-mx-topology.js';
import { makeHarnessDir, startGateway } from '../helpers/gateway-harness.js';
import { requirePrivatePostfix, startPrivatePostfix } from './private-postfix.js';
import { freePort } from '../helpers/ports.js';
import type { DnsFixture } from '../helpers/dns-servers.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { PrivatePostfix } from './private-postfix.js';

const ready = requireDnsTools() && requirePrivatePostfix();

describe.skipIf(!ready)('MX delivery to a private Postfix', () => {
  let dns: DnsFixture;
  let postfix: PrivatePostfix;
  const gateways: GatewayHarness[] = [];
  const env = makeHarnessDir();
  let port = 0;

  beforeAll(async () => {
    port = await freePort();
    const cert = env.pki.issue('pf-mx', ['mx.pf.test']);
    dns = await startDnsFixture([
      { name: 'pf.test', signed: true, records: ['@ 60 IN MX 10 mx', 'mx 60 IN A 127.0.0.1', `_${port}._tcp.mx 60 IN TLSA ${tlsaRecord(3, 1, cert.certPem)}`] },
    ]);
    postfix = await startPrivatePostfix({
      port,
      hostname: 'mx.pf.test',
      main: {
        smtpd_tls_security_level: 'may',
        smtpd_tls_cert_file: cert.certPath,
        smtpd_tls_key_file: cert.keyPath,
        // Accept for pf.test and keep it queued: nothing leaves this machine.
        relay_domains: 'pf.test',
        defer_transports: 'smtp',
        smtp_dns_support_level: 'disabled',
      },
    });
  }, 90_000);

  afterAll(async () => {
    for (const gw of gateways) await gw.close();
    await postfix?.stop();
    await dns?.stop();
  });

  it.each(['dane', 'verify'] as const)('%s: Postfix gets the message over authenticated TLS', async (policy) => {
    const gw = await startGateway({ topology: (e) => mxTopology(e, { port, servers: [dns.resolver], policy }) }, { dir: `${env.dir}/${policy}`, pki: env.pki });
    gateways.push(gw);
    const t = await sendThrough(gw.port, [`${policy}@pf.test`]);
    expect(t.final?.code, await postfix.diagnostics()).toBe(250);
    expect(t.final?.text).toMatch(/queued as ([0-9A-F]+)/);
    expect(gw.observer.transactions.at(-1)?.receivingTls?.verified).toBe(true);
    await postfix.waitForLog(/Anonymous TLS connection established from|TLS connection established from/);
    await postfix.waitForLog(new RegExp(`to=<${policy}@pf\\.test>`));
  });
});
