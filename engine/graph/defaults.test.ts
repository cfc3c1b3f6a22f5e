import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from './defaults.js';
import { MX_DEFAULTS } from './compile-mx.js';

interface SchemaNode {
  readonly default?: unknown;
  readonly properties?: Record<string, SchemaNode>;
  readonly $ref?: string;
}

const schema = JSON.parse(readFileSync(new URL('../../schemas/topology.schema.json', import.meta.url), 'utf8')) as { definitions: Record<string, SchemaNode> };

function schemaDefault(definition: string, property: string): unknown {
  const node = schema.definitions[definition]?.properties?.[property];
  if (!node) throw new Error(`schema has no ${definition}.${property}`);
  return node.default;
}

// [schema definition, property, our default]
const cases: readonly (readonly [string, string, unknown])[] = [
  ['gateway', 'maxMessageBytes', DEFAULTS.gateway.maxMessageBytes],
  ['gateway', 'maxRecipients', DEFAULTS.gateway.maxRecipients],
  ['gateway', 'greetingDelayMs', DEFAULTS.gateway.greetingDelayMs],
  ['limits', 'maxConnections', DEFAULTS.limits.maxConnections],
  ['limits', 'maxConnectionsPerUpstream', DEFAULTS.limits.maxConnectionsPerUpstream],
  ['timeouts', 'connectMs', DEFAULTS.timeouts.connectMs],
  ['timeouts', 'greetingMs', DEFAULTS.timeouts.greetingMs],
  ['timeouts', 'commandMs', DEFAULTS.timeouts.commandMs],
  ['timeouts', 'dataMs', DEFAULTS.timeouts.dataMs],
  ['timeouts', 'idleMs', DEFAULTS.timeouts.idleMs],
  ['gatewayTls', 'authenticate', DEFAULTS.tls.authenticate],
  ['gatewayTls', 'minVersion', DEFAULTS.tls.minVersion],
  ['inspection', 'budgetMs', DEFAULTS.inspection.budgetMs],
  ['inspection', 'onFailure', DEFAULTS.inspection.onFailure],
  ['inspection', 'onUnscannable', DEFAULTS.inspection.onUnscannable],
  ['inspection', 'maxConcurrentBytes', DEFAULTS.inspection.maxConcurrentBytes],
  ['loop', 'maxAgeSeconds', DEFAULTS.loop.maxAgeSeconds],
  ['inspection', 'maxDepth', DEFAULTS.inspection.maxDepth],
  ['inspection', 'maxParts', DEFAULTS.inspection.maxParts],
  ['inspection', 'maxDecodedBytes', DEFAULTS.inspection.maxDecodedBytes],
  ['extraction', 'maxRatio', DEFAULTS.inspection.extraction.maxRatio],
  ['extraction', 'ratioFloorBytes', DEFAULTS.inspection.extraction.ratioFloorBytes],
  ['extraction', 'maxEntries', DEFAULTS.inspection.extraction.maxEntries],
  ['extraction', 'maxOutputBytes', DEFAULTS.inspection.extraction.maxOutputBytes],
  ['extraction', 'timeoutMs', DEFAULTS.inspection.extraction.timeoutMs],
  ['extraction', 'workerMinBytes', DEFAULTS.inspection.extraction.workerMinBytes],
  ['incidents', 'maxBytes', DEFAULTS.incidents.maxBytes],
  ['incidents', 'keep', DEFAULTS.incidents.keep],
  ['incidentFileSink', 'maxBytes', DEFAULTS.incidents.maxBytes],
  ['incidentFileSink', 'keep', DEFAULTS.incidents.keep],
  ['incidentSyslogSink', 'facility', DEFAULTS.syslog.facility],
  ['incidentSyslogSink', 'appName', DEFAULTS.syslog.appName],
  ['incidentSyslogSink', 'maxBuffer', DEFAULTS.syslog.maxBuffer],
  ['drain', 'graceMs', DEFAULTS.drain.graceMs],
  ['spool', 'memoryThresholdBytes', DEFAULTS.spool.memoryThresholdBytes],
  ['upstream', 'xclient', DEFAULTS.upstream.xclient],
  ['upstreamTls', 'starttls', DEFAULTS.upstreamTls.starttls],
  ['upstreamTls', 'clientCertificate', DEFAULTS.upstreamTls.clientCertificate],
  ['reflectTls', 'starttls', DEFAULTS.reflectTls.starttls],
  ['reflectTls', 'verifyHostname', DEFAULTS.reflectTls.verifyHostname],
  ['receiver', 'maxConnections', DEFAULTS.receiver.maxConnections],
  ['receiver', 'maxMessagesPerConnection', DEFAULTS.receiver.maxMessagesPerConnection],
  ['receiverTls', 'starttls', DEFAULTS.receiverTls.starttls],
  ['receiverTls', 'verifyHostname', DEFAULTS.receiverTls.verifyHostname],
  ['route', 'strategy', DEFAULTS.route.strategy],
  ['receiver', 'port', MX_DEFAULTS.port],
  ['receiverTls', 'policy', MX_DEFAULTS.policy],
  ['receiverTls', 'fallback', MX_DEFAULTS.fallback],
  ['dns', 'timeoutMs', MX_DEFAULTS.dns.timeoutMs],
  ['dns', 'attempts', MX_DEFAULTS.dns.attempts],
  ['dns', 'cacheEntries', MX_DEFAULTS.dns.cacheEntries],
  ['mtaSts', 'port', MX_DEFAULTS.mtaSts.port],
  ['mtaSts', 'timeoutMs', MX_DEFAULTS.mtaSts.timeoutMs],
];

describe('DEFAULTS', () => {
  it.each(cases)('%s.%s matches the schema default', (definition, property, ours) => {
    expect(ours).toEqual(schemaDefault(definition, property));
  });

  it('covers every scalar default the schema declares', () => {
    const declared = Object.entries(schema.definitions).flatMap(([def, node]) =>
      Object.entries(node.properties ?? {})
        .filter(([, p]) => p.default !== undefined && !Array.isArray(p.default))
        .map(([prop]) => `${def}.${prop}`),
    );
    const covered = new Set(cases.map(([def, prop]) => `${def}.${prop}`));
    expect(declared.filter((d) => !covered.has(d))).toEqual([]);
  });
});
