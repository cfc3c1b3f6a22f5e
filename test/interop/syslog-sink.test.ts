// The syslog incident sink against a real rsyslogd (Debian package "rsyslog") on a loopback port:
// RFC 5424 + octet counting parsed by rsyslog's own parser, records buffered across a restart, overflow counted.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../../engine/policy/incidents.js';
import type { SyslogSink } from '../../engine/runtime/incident-sinks/syslog-sink.js';
import { freePort } from '../helpers/ports.js';
import { stopAllProcesses } from '../helpers/processes.js';
import { startRsyslog } from '../helpers/rsyslog.js';
import type { Rsyslog } from '../helpers/rsyslog.js';
import { SYSLOG_APP, countedSyslogSink, incident, range, sendBlockedFalcons, startSyslogGateway, transactionIds } from '../helpers/syslog-fixtures.js';
import type { CountedHealth } from '../helpers/syslog-fixtures.js';
import { until } from '../helpers/until.js';
import { requireTool } from '../helpers/tools.js';
import { freePorts } from '../helpers/ports.js';

const rsyslogd = requireTool('rsyslogd', 'rsyslog');
const APP = SYSLOG_APP;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => stopAllProcesses());

async function setup(opts: { maxBuffer?: number } = {}): Promise<{ rs: Rsyslog; sink: SyslogSink; health: CountedHealth }> {
  const dir = mkdtempSync(join(tmpdir(), 'rg-rsyslog-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const port = await freePort();
  const rs = await startRsyslog(rsyslogd as string, dir, port, APP);
  cleanups.push(() => rs.stop());
  const { sink, health } = countedSyslogSink({ type: 'syslog', host: '127.0.0.1', port, facility: 2, appName: APP, maxBuffer: opts.maxBuffer ?? 1000 });
  cleanups.push(() => sink.close());
  return { rs, sink, health };
}

describe.skipIf(rsyslogd === undefined)('syslog incident sink (real rsyslogd)', () => {
  it('delivers RFC 5424 records that rsyslog parses: structured data and the JSON record intact', async () => {
    const { rs, sink } = await setup();
    await until(() => sink.connected, 'the connection');
    sink.record(range(0, 50).map(incident));
    await until(() => rs.lines().length >= 50, '50 lines in the rsyslog file');
    const lines = rs.lines();
    expect(lines).toHaveLength(50);
    expect(lines[0]?.appName).toBe(APP);
    expect(lines[0]?.procId).toBe(String(process.pid));
    expect(lines[0]?.msgId).toBe('incident');
    expect(lines[7]?.structuredData).toBe(
      '[incident@32473 policy="block-cards" action="block" severity="high" mode="enforce" verdict="block" upstream="corp-postfix" messageId="<7\\"\\]\\\\@corp.example>" transactionId="tx-7"]',
    );
    expect(lines.map((l) => JSON.parse(l.msg) as Incident)).toEqual(range(0, 50).map((i) => ({ ...incident(i), time: expect.any(String) })));
  });

  it('buffers records while rsyslog is down and delivers them, in order and once, after it restarts', async () => {
    const { rs, sink, health } = await setup();
    await until(() => sink.connected, 'the connection');
    sink.record(range(0, 20).map(incident));
    await until(() => rs.lines().length >= 20, 'the first 20 lines');
    await rs.stop();
    await until(() => !sink.connected, 'the sink to notice the collector went away');
    sink.record(range(20, 40).map(incident));
    expect(sink.buffered).toBe(20);
    await new Promise((r) => setTimeout(r, 300));
    await rs.start();
    await until(() => sink.connected, 'the reconnection');
    sink.record(range(40, 60).map(incident));
    await until(() => rs.lines().length >= 60, 'all 60 lines');
    await new Promise((r) => setTimeout(r, 200));
    expect(transactionIds(rs.lines())).toEqual(range(0, 60).map((i) => `tx-${i}`));
    expect(health.failures).toBeGreaterThanOrEqual(1);
    expect(health.dropped).toBe(0);
  });

  it('counts what does not fit in the buffer while rsyslog is down, and delivers the rest', async () => {
    const { rs, sink, health } = await setup({ maxBuffer: 10 });
    await until(() => sink.connected, 'the connection');
    await rs.stop();
    await until(() => !sink.connected, 'the sink to notice the collector went away');
    sink.record(range(0, 15).map(incident));
    expect(sink.dropped).toBe(5);
    expect(health.dropped).toBe(5);
    await rs.start();
    await until(() => rs.lines().length >= 10, 'the 10 buffered lines');
    await new Promise((r) => setTimeout(r, 200));
    expect(transactionIds(rs.lines())).toEqual(range(0, 10).map((i) => `tx-${i}`));
  });
});

describe.skipIf(rsyslogd === undefined)('gateway.incidents.sinks with a real rsyslogd', () => {
  it('a blocked message becomes a syslog record at rsyslog and a line in the file; a dead collector is counted', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rg-gw-syslog-'));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const [syslogPort = 0, deadPort = 0] = await freePorts(2);
    const rs = await startRsyslog(rsyslogd as string, root, syslogPort, APP);
    cleanups.push(() => rs.stop());
    const { smtpPort, metrics } = await startSyslogGateway(cleanups, root, [
      { type: 'syslog', host: '127.0.0.1', port: syslogPort, appName: APP, facility: 'local3' },
      { type: 'syslog', host: '127.0.0.1', port: deadPort, appName: APP, maxBuffer: 1 },
      { type: 'file', path: '../incidents.jsonl' },
    ]);
    expect(await sendBlockedFalcons(smtpPort, [1, 2])).toEqual([550, 550]);
    await until(() => rs.lines().length >= 2, 'two records at rsyslog');
    const records = rs.lines().map((l) => JSON.parse(l.msg) as Incident);
    expect(records.map((r) => [r.policy, r.messageId, r.verdict])).toEqual([
      ['block-falcon', '<falcon-1@corp.example>', 'block'],
      ['block-falcon', '<falcon-2@corp.example>', 'block'],
    ]);
    expect(rs.lines()[0]?.structuredData).toContain('policy="block-falcon" action="block" severity="high"');
    await until(() => existsSync(join(root, 'incidents.jsonl')) && readFileSync(join(root, 'incidents.jsonl'), 'utf8').trim().split('\n').length === 2, 'two lines in the file');
    // the sink without a collector holds one record and counts the other as dropped
    expect(await metrics.render()).toMatch(/relayguard_incidents_dropped_total\{sink="syslog"\} 1/);
    // counted at the next reconnect attempt that fails while a record waits (backoff up to a few seconds here)
    let text = '';
    const end = Date.now() + 20_000;
    while (!/relayguard_incident_write_failures_total\{sink="syslog"\} [1-9]/.test((text = await metrics.render())) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(text).toMatch(/relayguard_incident_write_failures_total\{sink="syslog"\} [1-9]/);
  }, 40_000);
});
