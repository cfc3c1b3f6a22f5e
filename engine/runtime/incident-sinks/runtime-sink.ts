// What every incident destination offers the incident slot: record without blocking, close after a flush.
import type { Incident } from '../../policy/incidents.js';

export interface RuntimeIncidentSink {
  record(incidents: readonly Incident[]): void;
  close(): Promise<void>;
}

/** Which metric label a sink reports under (relayguard_incident_write_failures_total{sink}). */
export type SinkKind = 'file' | 'syslog';
