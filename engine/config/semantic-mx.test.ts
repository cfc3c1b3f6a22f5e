import { describe, expect, it } from 'vitest';
import type { ReceiverEntry, TopologyFile } from './generated/topology.js';
import { checkMxReceivers } from './semantic-mx.js';
import { parseSourceFile } from './source-file.js';
import type { TopologyContext } from './topology-context.js';

function check(receiver: ReceiverEntry, dns?: TopologyFile['gateway']['dns']): string[] {
  const t: TopologyFile = {
    version: 1,
    gateway: { listen: [{ address: '127.0.0.1', port: 10025 }], ...(dns === undefined ? {} : { dns }) },
    upstreams: [{ name: 'u', addresses: ['127.0.0.1'], mode: 'forward' }],
    receivers: [receiver],
    routes: [{ domains: ['*'], receivers: [receiver.name] }],
  };
  const parsed = parseSourceFile('/virtual/topology.json', JSON.stringify(t, null, 2), '/virtual');
  const ctx: TopologyContext = { source: parsed.source, data: parsed.data as TopologyFile };
  return checkMxReceivers(ctx).map((d) => `${d.severity} ${d.code} ${d.pointer}`);
}

describe('mx receivers', () => {
  it('accepts mx: recipient with a policy and validating resolvers', () => {
    expect(check({ name: 'out', mx: 'recipient', tls: { policy: 'dane', fallback: 'verify' } }, { servers: ['127.0.0.1:53'] })).toEqual([]);
  });

  it('needs exactly one of host and mx', () => {
    expect(check({ name: 'out' })).toEqual(['error RG_CFG_RECEIVER_NO_HOST /receivers/0']);
    expect(check({ name: 'out', host: '127.0.0.1', mx: 'recipient' })).toEqual(['error RG_CFG_RECEIVER_HOST_AND_MX /receivers/0/mx']);
  });

  it('keeps policy settings and host settings apart', () => {
    expect(check({ name: 'out', host: '127.0.0.1', port: 25, tls: { policy: 'verify' } })).toEqual(['error RG_CFG_TLS_POLICY_NO_MX /receivers/0/tls/policy']);
    expect(check({ name: 'out', mx: 'recipient', tls: { starttls: 'required' } })).toEqual(['error RG_CFG_TLS_MX_SETTING /receivers/0/tls/starttls']);
  });

  it('warns that dane without configured resolvers never authenticates', () => {
    expect(check({ name: 'out', mx: 'recipient', tls: { policy: 'dane' } })).toEqual(['warning RG_CFG_DANE_NO_RESOLVER /receivers/0/tls/policy']);
  });
});
