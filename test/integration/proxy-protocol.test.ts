// PROXY protocol on a listener, with the real SMTP engine: the upstream allow-list sees the client the
// load balancer names, and only trusted load balancers may name one.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, rawTransaction, testMessage } from '../helpers/gateway-harness.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import { encodeProxyV1, encodeProxyV2 } from '../../engine/runtime/proxy-protocol.js';
import { topologyText } from '../doubles/config-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A gateway whose only upstream is 203.0.113.0/24 — reachable only through a PROXY header. */
async function setup(trusted: readonly string[]) {
  const root = mkdtempSync(join(tmpdir(), 'rg-proxy-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const [port = 0] = await freePorts(1);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port, proxyTrusted: trusted }], receiverPort: mta.port, upstreamAddresses: ['203.0.113.0/24'] }));
  const logs: { code?: string; msg?: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (l: string) => void logs.push(JSON.parse(l) as { code?: string }) });
  const gw = await Gateway.start(dir, { logger, metrics: createMetrics({ defaultMetrics: false }), admin: false, watch: false });
  cleanups.push(() => gw.shutdown(1000));
  return { port, mta, logs };
}

async function connectWith(port: number, header: Buffer): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(port);
  cleanups.push(() => c.close());
  c.write(header);
  return c;
}

const dest = (port: number) => ({ address: '127.0.0.1', port });

describe('PROXY protocol listener', () => {
  it('v1 from a trusted load balancer: the allow-list sees the real client and the message is relayed', async () => {
    const s = await setup(['127.0.0.1/32']);
    const c = await connectWith(s.port, encodeProxyV1({ address: '203.0.113.50', port: 51000 }, dest(s.port)));
    expect((await c.reply()).code).toBe(220);
    const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ subject: 'via proxy' }) });
    expect(t.final?.code).toBe(250);
    const [msg] = await s.mta.waitForMessages(1);
    expect(msg?.raw.toString('latin1')).toContain('Subject: via proxy');
  });

  it('v2 from a trusted load balancer sets the client address too', async () => {
    const s = await setup(['127.0.0.0/8']);
    const c = await connectWith(s.port, encodeProxyV2({ command: 'proxy', source: { address: '203.0.113.77', port: 40000 }, destination: dest(s.port) }));
    expect((await c.reply()).code).toBe(220);
    const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.final?.code).toBe(250);
  });

  it('a client the header names that is not an upstream gets 554, like any unknown client', async () => {
    const s = await setup(['127.0.0.1']);
    const c = await connectWith(s.port, encodeProxyV1({ address: '198.51.100.1', port: 1234 }, dest(s.port)));
    const r = await c.reply();
    expect(r.code).toBe(554);
    expect(r.text).toContain('198.51.100.1');
  });

  it('a PROXY header from an address that is not a trusted load balancer: the connection is refused', async () => {
    const s = await setup(['192.0.2.10/32']);
    const c = await connectWith(s.port, encodeProxyV1({ address: '203.0.113.50', port: 51000 }, dest(s.port)));
    await c.closed();
    await expect(c.reply()).rejects.toThrow(/closed/);
    expect(s.logs.some((l) => l.code === 'RG_PROXY_UNTRUSTED')).toBe(true);
    expect(s.mta.connections()).toBe(0);
  });

  it('plain SMTP on a PROXY listener is closed without a greeting', async () => {
    const s = await setup(['127.0.0.1']);
    const c = await connectWith(s.port, Buffer.from('EHLO upstream.example.test\r\n'));
    await c.closed();
    await expect(c.reply()).rejects.toThrow(/closed/);
  });
});
