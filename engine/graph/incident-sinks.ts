// Compiled incident destinations (gateway.incidents): what the runtime's sinks are built from.

export interface FileIncidentSink {
  readonly type: 'file';
  readonly path: string;
  readonly maxBytes: number;
  readonly keep: number;
}

export interface SyslogIncidentSink {
  readonly type: 'syslog';
  readonly host: string;
  readonly port: number;
  /** RFC 5424 facility number (mail = 2). */
  readonly facility: number;
  readonly appName: string;
  readonly maxBuffer: number;
  /** PEM contents, read at compile so a missing file fails the reload, not a later connect. */
  readonly tls?: { readonly ca?: readonly string[]; readonly trustFiles?: readonly string[]; readonly serverName: string; readonly cert?: string; readonly key?: string };
}

export type IncidentSinkSpec = FileIncidentSink | SyslogIncidentSink;

export const SYSLOG_FACILITIES: Readonly<Record<string, number>> = Object.freeze({
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
});

/** A stable key of one sink's settings: an unchanged sink keeps its writer (and buffer) across reloads. */
export function sinkKey(s: IncidentSinkSpec): string {
  return JSON.stringify(s);
}
