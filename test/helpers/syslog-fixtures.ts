// Shared pieces of the syslog sink tests against a real rsyslogd: numbered incidents whose fields need
// escaping (SD-PARAM quote, bracket, backslash; UTF-8), a sink with fast retries and counted health,
// and reading back what rsyslog wrote.
import { incidentsFrom } from '../../engine/policy/incidents.js';
import type { Incident } from '../../engine/policy/incidents.js';
import { NO_EDITS } from '../../engine/policy/policy-set.js';
import { SyslogSink } from '../../engine/runtime/incident-sinks/syslog-sink.js';
import type { SyslogSinkOptions } from '../../engine/runtime/incident-sinks/syslog-sink.js';
import type { SyslogIncidentSink } from '../../engine/graph/incident-sinks.js';
import type { RsyslogLine } from './rsyslog.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { GatewayMetrics } from '../../engine/runtime/metrics.js';
import { blockSubjectPolicy, policyText, topologyText } from '../doubles/config-fixture.js';
import { RawSmtpClient, rawTransaction, testMessage } from './gateway-harness.js';
import { freePorts } from './ports.js';
import { startRecordingMta } from './recording-mta.js';

export const SYSLOG_APP = 'relayguard-test';

export function incident(i: number): Incident {
  const [first] = incidentsFrom(
    {
      kind: 'block',
      reply: { code: 550, enhanced: '5.7.1', text: 'no' },
      headerEdits: NO_EDITS,
      inspection: { status: 'ok' },
      matches: [{ policy: 'block-cards', severity: 'high', mode: 'enforce', action: 'block', counts: { creditCardNumber: 1 }, samples: ['4111********1111'] }],
    },
    { upstream: 'corp-postfix', sender: 'a@corp.example', recipients: ['b@example.org'], transactionId: `tx-${i}` },
    // quote, bracket and backslash must be escaped in SD-PARAM values; UTF-8 must pass through
    { messageId: `<${i}"]\\@corp.example>`, subject: `Grüße ✓ ${i}` },
  );
  return first as Incident;
}

export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

export function transactionIds(lines: readonly RsyslogLine[]): string[] {
  return lines.map((l) => (JSON.parse(l.msg) as Incident).transactionId);
}

export interface CountedHealth {
  failures: number;
  dropped: number;
}

export interface LogCapture {
  readonly entries: { readonly level: 'info' | 'warn' | 'error'; readonly obj: Record<string, unknown>; readonly msg: string }[];
}

/** A sink that retries every 20-200 ms, counts its health reports and keeps its log lines. */
export function countedSyslogSink(spec: SyslogIncidentSink, extra: SyslogSinkOptions = {}): { sink: SyslogSink; health: CountedHealth; log: LogCapture } {
  const health: CountedHealth = { failures: 0, dropped: 0 };
  const log: LogCapture = { entries: [] };
  const at = (level: 'info' | 'warn' | 'error') => (obj: Record<string, unknown>, msg: string) => void log.entries.push({ level, obj, msg });
  const logger = { info: at('info'), warn: at('warn'), error: at('error') } as unknown as NonNullable<SyslogSinkOptions['logger']>;
  const sink = new SyslogSink(spec, {
    retryMinMs: 20,
    retryMaxMs: 200,
    closeTimeoutMs: 500,
    logger,
    health: { writeFailed: () => void health.failures++, dropped: (n) => void (health.dropped += n) },
    ...extra,
  });
  return { sink, health, log };
}

export type Cleanups = (() => Promise<void> | void)[];

/** A gateway blocking subject "falcon" whose incidents go to `sinks` (gateway.incidents.sinks). */
export async function startSyslogGateway(cleanups: Cleanups, root: string, sinks: readonly Record<string, unknown>[]): Promise<{ smtpPort: number; metrics: GatewayMetrics }> {
  const [smtpPort = 0] = await freePorts(1);
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const topology = parse(topologyText({ listen: [{ port: smtpPort }], receiverPort: mta.port })) as { gateway: Record<string, unknown> };
  topology.gateway['incidents'] = { sinks };
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  writeFileSync(join(dir, 'falcon.policy.yaml'), policyText(blockSubjectPolicy('falcon')));
  const metrics = createMetrics({ defaultMetrics: false });
  const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics, watch: false });
  cleanups.push(() => gw.shutdown(1000));
  return { smtpPort, metrics };
}

/** Messages "project falcon N" (Message-ID <falcon-N@corp.example>), each blocked with 550 by the policy. */
export async function sendBlockedFalcons(smtpPort: number, numbers: readonly number[]): Promise<number[]> {
  const codes: number[] = [];
  for (const i of numbers) {
    const c = await RawSmtpClient.connect(smtpPort);
    await c.reply();
    const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ subject: `project falcon ${i}`, messageId: `<falcon-${i}@corp.example>` }) });
    codes.push(t.final?.code ?? 0);
    c.close();
  }
  return codes;
}
