// Certificate rotation on disk: the files the graph names outside the config dir are watched too. The
// next handshake shows the new certificate; a session that connected before keeps its generation's.
import { until as eventually } from '../helpers/until.js';
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { GATEWAY_HOSTNAME, makeTestPki } from '../helpers/pki.js';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, rawTransaction, testMessage } from '../helpers/gateway-harness.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { ReloadResult } from '../../engine/runtime/reload-result.js';
import { topologyText, writeAtomic } from '../doubles/config-fixture.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});


async function ehlo(port: number): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(port);
  cleanups.push(() => c.close());
  expect((await c.reply()).code).toBe(220);
  expect((await c.command('EHLO upstream.example.test')).text).toContain('STARTTLS');
  return c;
}

async function handshakeFingerprint(c: RawSmtpClient): Promise<string> {
  const secure = await c.startTls({ servername: GATEWAY_HOSTNAME });
  return secure.getPeerCertificate().fingerprint256;
}

describe('certificate rotation', () => {
  it('the next handshake presents the rotated certificate; an open session keeps its own', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rg-rotate-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const pki = makeTestPki(join(root, 'certs'));
    const mta = await startRecordingMta();
    cleanups.push(() => mta.close());
    const [port = 0] = await freePorts(1);
    const dir = join(root, 'policies');
    mkdirSync(dir);
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port }], receiverPort: mta.port, tls: { certificate: pki.gateway.certPath, key: pki.gateway.keyPath } }));
    const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), admin: false });
    cleanups.push(() => gw.shutdown(1000));
    const results: ReloadResult[] = [];
    gw.onReload((r) => results.push(r));
    const oldFingerprint = pki.gateway.cert.fingerprint256;

    const before = await ehlo(port);
    const rotated = pki.issue('gateway-next', [GATEWAY_HOSTNAME, '127.0.0.1'], { freshKey: true });
    expect(rotated.cert.fingerprint256).not.toBe(oldFingerprint);
    writeAtomic(pki.gateway.keyPath, rotated.keyPem);
    writeAtomic(pki.gateway.certPath, rotated.certPem);
    await eventually(() => gw.graph.gateway.tls.identity?.fingerprint256 === rotated.cert.fingerprint256, 'the rotated certificate live');
    expect(results.filter((r) => r.outcome === 'applied').length).toBeGreaterThan(0);
    expect(gw.status().certificates.map((c) => c.fingerprint256)).toContain(rotated.cert.fingerprint256);

    const after = await ehlo(port);
    expect(await handshakeFingerprint(after)).toBe(rotated.cert.fingerprint256);
    expect(await handshakeFingerprint(before)).toBe(oldFingerprint);
    const t = await rawTransaction(before, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ subject: 'old session' }) });
    expect(t.final?.code).toBe(250);
  });
});
