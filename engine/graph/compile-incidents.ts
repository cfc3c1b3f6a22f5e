// gateway.incidents → the list of sinks. v1's `path` is a file sink; `sinks` lists destinations explicitly.
import { readFileSync } from 'node:fs';
import type { IncidentSyslogSink, IncidentsSection } from '../config/generated/topology.js';
import { DEFAULTS, DEFAULT_INCIDENTS_PATH } from './defaults.js';
import { certificatesAt, report, resolvePath } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import { SYSLOG_FACILITIES } from './incident-sinks.js';
import type { IncidentSinkSpec, SyslogIncidentSink } from './incident-sinks.js';
import type { GatewaySettings } from './types.js';


export function compileIncidents(ctx: CompileContext, section: IncidentsSection | undefined): GatewaySettings['incidents'] {
  const path = resolvePath(ctx, section?.path ?? DEFAULT_INCIDENTS_PATH);
  const maxBytes = section?.maxBytes ?? DEFAULTS.incidents.maxBytes;
  const keep = section?.keep ?? DEFAULTS.incidents.keep;
  const legacy: IncidentSinkSpec = { type: 'file', path, maxBytes, keep };
  const listed = (section?.sinks ?? []).map((s, i): IncidentSinkSpec | undefined =>
    s.type === 'file'
      ? { type: 'file', path: resolvePath(ctx, s.path), maxBytes: s.maxBytes ?? DEFAULTS.incidents.maxBytes, keep: s.keep ?? DEFAULTS.incidents.keep }
      : compileSyslog(ctx, `/gateway/incidents/sinks/${i}`, s),
  );
  const sinks = section?.sinks === undefined || section.path !== undefined ? [legacy, ...listed] : listed;
  return { path, maxBytes, keep, sinks: sinks.filter((s): s is IncidentSinkSpec => s !== undefined) };
}

function compileSyslog(ctx: CompileContext, pointer: string, s: IncidentSyslogSink): SyslogIncidentSink | undefined {
  const base = {
    type: 'syslog' as const,
    host: s.host,
    port: s.port,
    facility: SYSLOG_FACILITIES[s.facility ?? DEFAULTS.syslog.facility] ?? 2,
    appName: s.appName ?? DEFAULTS.syslog.appName,
    maxBuffer: s.maxBuffer ?? DEFAULTS.syslog.maxBuffer,
  };
  if (s.tls === undefined) return base;
  const usedBy = `gateway.incidents.sinks[${s.host}:${s.port}]`;
  const trustFiles = (s.tls.trust ?? []).map((file) => resolvePath(ctx, file));
  const ca = (s.tls.trust ?? []).flatMap((file, j) => certificatesAt(ctx, `${pointer}/tls/trust/${j}`, file, usedBy)?.certificates.map((c) => c.toString()) ?? []);
  if ((s.tls.certificate === undefined) !== (s.tls.key === undefined)) {
    report(ctx, `${pointer}/tls`, 'RG_GRAPH_SYSLOG_TLS_PAIR', 'a syslog client certificate needs its key, and a key its certificate', 'set both tls.certificate and tls.key, or neither');
    return undefined;
  }
  const cert = s.tls.certificate !== undefined ? readPem(ctx, `${pointer}/tls/certificate`, s.tls.certificate) : undefined;
  const key = s.tls.key !== undefined ? readPem(ctx, `${pointer}/tls/key`, s.tls.key) : undefined;
  return {
    ...base,
    tls: { ...(ca.length > 0 ? { ca, trustFiles } : {}), serverName: s.tls.serverName ?? s.host, ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) },
  };
}

function readPem(ctx: CompileContext, pointer: string, written: string): string | undefined {
  const path = resolvePath(ctx, written);
  ctx.readFiles.add(path);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    report(ctx, pointer, 'RG_GRAPH_FILE_UNREADABLE', `cannot read ${path}: ${(err as Error).message}`);
    return undefined;
  }
}
