// One incident as an RFC 5424 syslog message, framed by octet counting (RFC 6587 section 3.4.1) for TCP/TLS.
// The structured data carries the fields a collector filters on; MSG is the whole record as JSON.
import { hostname } from 'node:os';
import type { Incident } from '../../policy/incidents.js';

/**
 * SD-ID with the IANA enterprise number reserved for documentation (RFC 5612): relayguard has no
 * private enterprise number; collectors match on the name before the "@".
 */
export const INCIDENT_SD_ID = 'incident@32473';
export const INCIDENT_MSGID = 'incident';

/** RFC 5424 severities by incident severity: a high-severity match is an error, info is informational. */
const SEVERITY: Readonly<Record<Incident['severity'], number>> = Object.freeze({ high: 3, medium: 4, low: 5, info: 6 });

export interface SyslogHeader {
  readonly facility: number;
  readonly appName: string;
  readonly hostname?: string;
  readonly procId?: string;
}

export function formatSyslogMessage(incident: Incident, h: SyslogHeader): string {
  const pri = h.facility * 8 + (SEVERITY[incident.severity] ?? 5);
  const params: readonly (readonly [string, string])[] = [
    ['policy', incident.policy],
    ['action', incident.action],
    ['severity', incident.severity],
    ['mode', incident.mode],
    ['verdict', incident.verdict],
    ['upstream', incident.upstream],
    ['messageId', incident.messageId],
    ['transactionId', incident.transactionId],
  ];
  const sd = `[${INCIDENT_SD_ID}${params.map(([k, v]) => ` ${k}="${escapeParam(v)}"`).join('')}]`;
  return `<${pri}>1 ${incident.time} ${headerField(h.hostname ?? hostname(), 255)} ${headerField(h.appName, 48)} ${headerField(h.procId ?? String(process.pid), 128)} ${INCIDENT_MSGID} ${sd} ${JSON.stringify(incident)}`;
}

/** RFC 6587 octet counting: "<length> <message>", length in bytes. */
export function frameOctetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

// PARAM-VALUE: '"', '\' and ']' must be escaped (RFC 5424 section 6.3.3).
function escapeParam(value: string): string {
  return value.replace(/["\\\]]/g, (c) => `\\${c}`);
}

// Header fields are PRINTUSASCII without spaces; anything else would break the parse, so replace it.
function headerField(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '_').slice(0, max);
  return clean.length > 0 ? clean : '-';
}
