// The syslog incident sink over TLS (RFC 5425) against a real rsyslogd with the gtls netstream driver
// (Debian package rsyslog-gnutls) on a loopback port, certificates generated here: records arrive intact
// and in order across an rsyslog restart; rsyslog's x509/name mode admits the sink's client certificate;
// a collector certificate from another CA is refused by OpenSSL, named in the log, and nothing is sent
// while the records wait in the bounded buffer (overflow counted in relayguard_incidents_dropped_total).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../engine/policy/incidents.js';
import type { SyslogIncidentSink } from '../../engine/graph/incident-sinks.js';
import { makeTestPki } from '../helpers/pki.js';
import type { TestCert, TestPki } from '../helpers/pki.js';
import { freePort } from '../helpers/ports.js';
import { stopAllProcesses } from '../helpers/processes.js';
import { findRsyslogModule, startRsyslog } from '../helpers/rsyslog.js';
import type { Rsyslog, RsyslogTls } from '../helpers/rsyslog.js';
import { SYSLOG_APP, countedSyslogSink, incident, range, sendBlockedFalcons, startSyslogGateway, transactionIds } from '../helpers/syslog-fixtures.js';
import { requirePackageFile, requireTool } from '../helpers/tools.js';
import { until } from '../helpers/until.js';

const rsyslogd = requireTool('rsyslogd', 'rsyslog');
const gtls = rsyslogd === undefined ? undefined : requirePackageFile(findRsyslogModule('lmnsd_gtls'), 'rsyslog gtls netstream driver (lmnsd_gtls.so)', 'rsyslog-gnutls');
const COLLECTOR = 'syslog.example.test';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => stopAllProcesses());

interface TlsCollector {
  readonly rs: Rsyslog;
  readonly port: number;
  readonly pki: TestPki;
  readonly root: string;
}

async function tlsCollector(opts: { authMode?: RsyslogTls['authMode']; serverCert?: (pki: TestPki) => TestCert; permittedPeers?: string[] } = {}): Promise<TlsCollector> {
  const root = mkdtempSync(join(tmpdir(), 'rg-rsyslog-tls-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const pki = makeTestPki(join(root, 'pki'));
  const server = opts.serverCert?.(pki) ?? pki.issue('collector', [COLLECTOR, '127.0.0.1']);
  const port = await freePort();
  const tls: RsyslogTls = { caFile: pki.ca.certPath, certFile: server.certPath, keyFile: server.keyPath, authMode: opts.authMode ?? 'anon', ...(opts.permittedPeers ? { permittedPeers: opts.permittedPeers } : {}) };
  const state = join(root, 'rsyslog');
  mkdirSync(state);
  const rs = await startRsyslog(rsyslogd as string, state, port, SYSLOG_APP, tls);
  cleanups.push(() => rs.stop());
  return { rs, port, pki, root };
}

function tlsSpec(c: TlsCollector, tls: Partial<NonNullable<SyslogIncidentSink['tls']>> = {}, maxBuffer = 1000): SyslogIncidentSink {
  return { type: 'syslog', host: '127.0.0.1', port: c.port, facility: 2, appName: SYSLOG_APP, maxBuffer, tls: { ca: [c.pki.ca.certPem], trustFiles: [c.pki.ca.certPath], serverName: COLLECTOR, ...tls } };
}

describe.skipIf(gtls === undefined)('syslog incident sink over TLS (real rsyslogd, gtls driver)', () => {
  it('delivers RFC 5424 records over RFC 5425 TLS that rsyslog parses: structured data and the JSON record intact', async () => {
    const c = await tlsCollector();
    const { sink, log } = countedSyslogSink(tlsSpec(c));
    cleanups.push(() => sink.close());
    await until(() => sink.connected, 'the TLS connection');
    sink.record(range(0, 50).map(incident));
    await until(() => c.rs.lines().length >= 50, '50 lines in the rsyslog file');
    const lines = c.rs.lines();
    expect(lines).toHaveLength(50);
    expect(lines[3]?.structuredData).toBe(
      '[incident@32473 policy="block-cards" action="block" severity="high" mode="enforce" verdict="block" upstream="corp-postfix" messageId="<3\\"\\]\\\\@corp.example>" transactionId="tx-3"]',
    );
    expect(lines.map((l) => JSON.parse(l.msg) as Incident)).toEqual(range(0, 50).map((i) => ({ ...incident(i), time: expect.any(String) })));
    expect(log.entries.filter((e) => e.level === 'error')).toEqual([]);
  });

  it('buffers while rsyslog restarts mid-stream and delivers every record once, in order, over a new handshake', async () => {
    const c = await tlsCollector();
    const { sink, health } = countedSyslogSink(tlsSpec(c));
    cleanups.push(() => sink.close());
    await until(() => sink.connected, 'the TLS connection');
    sink.record(range(0, 20).map(incident));
    await until(() => c.rs.lines().length >= 20, 'the first 20 lines');
    await c.rs.stop();
    await until(() => !sink.connected, 'the sink to notice the collector went away');
    sink.record(range(20, 40).map(incident));
    expect(sink.buffered).toBe(20);
    await new Promise((r) => setTimeout(r, 300));
    await c.rs.start();
    await until(() => sink.connected, 'the reconnection');
    sink.record(range(40, 60).map(incident));
    await until(() => c.rs.lines().length >= 60, 'all 60 lines');
    await new Promise((r) => setTimeout(r, 200));
    expect(transactionIds(c.rs.lines())).toEqual(range(0, 60).map((i) => `tx-${i}`));
    expect(health.failures).toBeGreaterThanOrEqual(1);
    expect(health.dropped).toBe(0);
  }, 30_000);

  it('x509/name: rsyslog admits the sink\'s client certificate and refuses a sink without one', async () => {
    const c = await tlsCollector({ authMode: 'x509/name', permittedPeers: ['gw.example.test'] });
    const anonymous = countedSyslogSink(tlsSpec(c, {}, 5));
    cleanups.push(() => anonymous.sink.close());
    anonymous.sink.record([incident(0)]);
    const { sink } = countedSyslogSink(tlsSpec(c, { cert: c.pki.gateway.certPem, key: c.pki.gateway.keyPem }));
    cleanups.push(() => sink.close());
    sink.record(range(1, 11).map(incident));
    await until(() => c.rs.lines().length >= 10, '10 lines from the sink with a client certificate');
    await new Promise((r) => setTimeout(r, 500));
    expect(transactionIds(c.rs.lines())).toEqual(range(1, 11).map((i) => `tx-${i}`));
    expect(anonymous.health.failures).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('a collector certificate from another CA: nothing sent, the log names the collector, the certificate and the fix, records stay buffered', async () => {
    const c = await tlsCollector({ serverCert: (pki) => pki.issue('rogue-collector', [COLLECTOR, '127.0.0.1'], { otherCa: true }) });
    const { sink, health, log } = countedSyslogSink(tlsSpec(c, {}, 5), { closeTimeoutMs: 10 });
    sink.record(range(0, 3).map(incident));
    await until(() => log.entries.some((e) => e.obj['code'] === 'RG_INCIDENT_SYSLOG_TLS_UNTRUSTED'), 'the refusal in the log');
    const refusal = log.entries.find((e) => e.obj['code'] === 'RG_INCIDENT_SYSLOG_TLS_UNTRUSTED');
    expect(refusal?.level).toBe('error');
    expect(refusal?.msg).toContain(`syslog collector 127.0.0.1:${c.port}`);
    expect(refusal?.msg).toContain(`CN=${COLLECTOR}`);
    expect(refusal?.msg).toContain('someone else CA');
    expect(refusal?.msg).toContain(c.pki.ca.certPath);
    expect(String(refusal?.obj['hint'])).toMatch(/tls\.trust .*openssl s_client -connect 127\.0\.0\.1:/);
    expect(sink.connected).toBe(false);
    expect(sink.buffered).toBe(3);
    sink.record(range(3, 8).map(incident));
    expect(sink.buffered).toBe(5);
    expect(health.dropped).toBe(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.rs.lines()).toEqual([]);
    expect(health.failures).toBeGreaterThanOrEqual(1);
    await sink.close();
  });
});

describe.skipIf(gtls === undefined)('gateway.incidents.sinks syslog over TLS with a real rsyslogd', () => {
  it('incidents of blocked mail reach rsyslog over TLS; a second collector with a foreign CA gets nothing and its overflow is a metric', async () => {
    const good = await tlsCollector();
    const rogue = await tlsCollector({ serverCert: (pki) => pki.issue('rogue-collector', [COLLECTOR], { otherCa: true }) });
    const tls = { trust: [good.pki.ca.certPath], serverName: COLLECTOR };
    const { smtpPort, metrics } = await startSyslogGateway(cleanups, good.root, [
      { type: 'syslog', host: '127.0.0.1', port: good.port, appName: SYSLOG_APP, tls },
      { type: 'syslog', host: '127.0.0.1', port: rogue.port, appName: SYSLOG_APP, maxBuffer: 1, tls },
    ]);
    expect(await sendBlockedFalcons(smtpPort, [1, 2])).toEqual([550, 550]);
    await until(() => good.rs.lines().length >= 2, 'two records at the trusted collector');
    expect(good.rs.lines().map((l) => (JSON.parse(l.msg) as Incident).messageId)).toEqual(['<falcon-1@corp.example>', '<falcon-2@corp.example>']);
    expect(await metrics.render()).toMatch(/relayguard_incidents_dropped_total\{sink="syslog"\} 1/);
    expect(rogue.rs.lines()).toEqual([]);
  }, 40_000);
});
