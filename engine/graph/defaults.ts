// Every default the compiler fills in, in one place. Values mirror the `default`s in
// schemas/topology.schema.json (a unit test compares them); the few defaults that depend on
// the machine are functions.
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_EXTRACT_TUNING } from '../policy/extract/limits.js';

export const DEFAULTS = Object.freeze({
  gateway: Object.freeze({
    maxMessageBytes: 26_214_400,
    maxRecipients: 1000,
    greetingDelayMs: 0,
  }),
  limits: Object.freeze({ maxConnections: 1000, maxConnectionsPerUpstream: 200 }),
  timeouts: Object.freeze({
    connectMs: 30_000,
    greetingMs: 30_000,
    commandMs: 300_000,
    dataMs: 600_000,
    idleMs: 300_000,
    /** The schema has no default ("no limit"); 0 means no limit in the graph. */
    sessionMs: 0,
  }),
  tls: Object.freeze({ authenticate: true, minVersion: 'TLSv1.2' as const }),
  inspection: Object.freeze({
    budgetMs: 10_000,
    onFailure: 'tempfail' as const,
    onUnscannable: 'block' as const,
    maxConcurrentBytes: 536_870_912,
    maxDepth: 16,
    maxParts: 500,
    maxDecodedBytes: 104_857_600,
    extraction: DEFAULT_EXTRACT_TUNING,
  }),
  incidents: Object.freeze({ maxBytes: 104_857_600, keep: 10 }),
  syslog: Object.freeze({ facility: 'mail' as const, appName: 'relayguard', maxBuffer: 10_000 }),
  drain: Object.freeze({ graceMs: 30_000 }),
  spool: Object.freeze({ memoryThresholdBytes: 1_048_576 }),
  loop: Object.freeze({ maxAgeSeconds: 600 }),
  upstream: Object.freeze({ xclient: false }),
  upstreamTls: Object.freeze({ starttls: 'optional' as const, clientCertificate: 'none' as const }),
  reflectTls: Object.freeze({ starttls: 'optional' as const, verifyHostname: true }),
  receiver: Object.freeze({ maxConnections: 50, maxMessagesPerConnection: 1000 }),
  receiverTls: Object.freeze({ starttls: 'optional' as const, verifyHostname: true }),
  route: Object.freeze({ strategy: 'failover' as const }),
});

/** Banner/EHLO name when gateway.hostname is absent. */
export function defaultHostname(): string {
  return hostname();
}

/**
 * Spool directory when gateway.spool.dir is absent: one per user under the OS temp dir, never shared
 * between users; the runtime checks it is private and gives each gateway process its own subdirectory.
 */
export function defaultSpoolDir(): string {
  return join(tmpdir(), `relayguard-spool-${process.geteuid?.() ?? 'user'}`);
}

/** Incident log when gateway.incidents is absent: beside the topology file, like the example config. */
export const DEFAULT_INCIDENTS_PATH = '../var/incidents.jsonl';
