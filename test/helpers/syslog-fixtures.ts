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
