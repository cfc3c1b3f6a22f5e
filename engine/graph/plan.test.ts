import { describe, expect, it } from 'vitest';
import type { GraphDescription, OutboundTlsDescription } from './describe.js';
import { formatPlan, planDescriptions, summarizePlan } from './plan.js';

const tls = (fingerprint = 'AA:BB'): OutboundTlsDescription => ({
  starttls: 'required',
  verifyHostname: true,
  trust: [{ file: '../certs/trusted/mx.crt.pem', fingerprints: [fingerprint] }],
});

function base(): GraphDescription {
  return {
    formatVersion: 1,
    revision: { hash: 'a'.repeat(64), loadedAt: '2026-01-01T00:00:00.000Z' },
    gateway: {
      hostname: 'gw.example.test',
      maxMessageBytes: 26214400,
      maxRecipients: 1000,
      greetingDelayMs: 0,
      limits: { maxConnections: 1000, maxConnectionsPerUpstream: 200 },
      timeouts: { connectMs: 1, greetingMs: 1, commandMs: 1, dataMs: 1, idleMs: 1, sessionMs: 0 },
      tls: { authenticate: true, minVersion: 'TLSv1.2', ciphers: 'X', certificate: { file: '../certs/gateway.crt.pem', key: '../certs/gateway.key.pem', subject: 'CN=gw', fingerprint256: '11:22' } },
      inspection: { budgetMs: 1, onFailure: 'tempfail', onUnscannable: 'block', maxConcurrentBytes: 1024, maxDepth: 1, maxParts: 1, maxDecodedBytes: 1, extraction: { maxRatio: 1, ratioFloorBytes: 0, maxEntries: 1, maxOutputBytes: 1024, timeoutMs: 1, workerMinBytes: 0 } },
      incidents: { path: '../var/incidents.jsonl', maxBytes: 1, keep: 1, sinks: [{ type: 'file', path: '../var/incidents.jsonl', maxBytes: 1, keep: 1 }] },
      drain: { graceMs: 1 },
      spool: { dir: '/tmp/spool', memoryThresholdBytes: 1 },
      loop: { secret: 'gateway-key' },
    },
    listeners: [{ address: '127.0.0.1', port: 10025 }],
    upstreams: [
      { name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'reflect', reflect: { port: 10026, tls: tls() }, tls: { starttls: 'required', clientCertificate: 'required', trust: [] }, xclient: false, maxConnections: 200 },
    ],
    receivers: [
      { name: 'mx-out-1', host: '127.0.0.1', port: 10030, tls: tls(), maxConnections: 50, maxMessagesPerConnection: 1000 },
      { name: 'mx-old', host: '127.0.0.1', port: 10031, tls: tls(), maxConnections: 50, maxMessagesPerConnection: 1000 },
    ],
    routes: [
      { index: 0, domains: ['example.org'], receivers: ['mx-out-1'], strategy: 'failover' },
      { index: 1, domains: ['*'], receivers: ['mx-out-1'], strategy: 'failover' },
    ],
    policies: [{ name: 'block-card-numbers', severity: 'high', mode: 'enforce', action: 'block', definition: { match: { creditCardNumber: { min: 1 } } } }],
    certificates: [],
  };
}

describe('planDescriptions', () => {
  it('finds no change between equal descriptions, whatever the revision', () => {
    const after = { ...base(), revision: { hash: 'b'.repeat(64), loadedAt: '2027-01-01T00:00:00.000Z' } };
    expect(planDescriptions(base(), after)).toEqual([]);
    expect(formatPlan([])).toMatch(/^No changes/);
    expect(summarizePlan([])).toBe('no changes');
  });

  it('reports each change once, in section order then name order', () => {
    const before = base();
    const after: GraphDescription = {
      ...before,
      gateway: { ...before.gateway, tls: { ...before.gateway.tls, authenticate: false } },
      listeners: [...before.listeners, { address: '::1', port: 10025 }],
      upstreams: [...before.upstreams, { name: 'partner-relay', addresses: ['192.0.2.0/24'], mode: 'forward', tls: { starttls: 'optional', clientCertificate: 'none', trust: [] }, xclient: false, maxConnections: 200 }],
      receivers: [
        { ...before.receivers[0]!, tls: tls('CC:DD') },
        { name: 'mx-out-2', host: '127.0.0.1', port: 10032, tls: tls(), maxConnections: 50, maxMessagesPerConnection: 1000 },
      ],
      routes: [{ ...before.routes[0]!, receivers: ['mx-out-1', 'mx-out-2'] }, before.routes[1]!],
      policies: [{ ...before.policies[0]!, mode: 'monitor' }],
    };
    const changes = planDescriptions(before, after);
    expect(changes.map((c) => `${c.kind} ${c.section} ${c.name}`)).toEqual([
      'changed gateway gateway',
      'added listener [::1]:10025',
      'added upstream partner-relay',
      'removed receiver mx-old',
      'changed receiver mx-out-1',
      'added receiver mx-out-2',
      'changed route #1 (example.org)',
      'changed policy block-card-numbers',
    ]);
    expect(changes[0]?.details).toEqual(['tls.authenticate: true → false']);
    expect(formatPlan(changes).split('\n')[0]).toBe('~ gateway: tls.authenticate: true → false');
    expect(summarizePlan(changes)).toMatch(/^3 added, 4 changed, 1 removed: ~gateway, \+listener \[::1\]:10025, /);
    expect(changes[4]?.details).toEqual(['tls.trust[../certs/trusted/mx.crt.pem].fingerprints: AA:BB → CC:DD']);
    expect(changes[6]?.details).toEqual(['receivers: mx-out-1 → mx-out-1, mx-out-2']);
    expect(changes[7]?.details).toEqual(['mode: enforce → monitor']);
  });

  it('formats like terraform with a summary line', () => {
    const before = base();
    const after: GraphDescription = {
      ...before,
      receivers: [before.receivers[0]!, { name: 'mx-out-2', host: '127.0.0.1', port: 10032, tls: tls(), maxConnections: 50, maxMessagesPerConnection: 1000 }],
      routes: [{ ...before.routes[0]!, receivers: ['mx-out-1', 'mx-out-2'] }, before.routes[1]!],
      upstreams: [{ ...before.upstreams[0]!, addresses: ['127.0.0.1/32', '::1'], xclient: true }],
    };
    const changes = planDescriptions(before, after);
    expect(formatPlan(changes)).toBe(
      [
        '~ upstream corp-postfix',
        '    addresses: 127.0.0.1/32 → 127.0.0.1/32, ::1',
        '    xclient: false → true',
        '- receiver mx-old',
        '+ receiver mx-out-2',
        '~ route #1 (example.org): receivers: mx-out-1 → mx-out-1, mx-out-2',
        '',
        'Plan: 1 to add, 2 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
    expect(summarizePlan(changes)).toBe('1 added, 2 changed, 1 removed: ~upstream corp-postfix, -receiver mx-old, +receiver mx-out-2, ~route #1 (example.org)');
  });

  it('pairs routes by their domains when they move, then by a shared domain', () => {
    const before = base();
    const inserted = { index: 0, domains: ['example.net'], receivers: ['mx-out-1'], strategy: 'failover' as const };
    const after: GraphDescription = {
      ...before,
      routes: [inserted, { ...before.routes[0]!, index: 1 }, { ...before.routes[1]!, index: 2, domains: ['*', 'example.com'] }],
    };
    const changes = planDescriptions(before, after);
    expect(changes.map((c) => [c.kind, c.name, ...c.details])).toEqual([
      ['added', '#1 (example.net)', 'receivers: mx-out-1'],
      ['changed', '#2 (example.org)', 'position: #1 → #2'],
      ['changed', '#3 (*, example.com)', 'position: #2 → #3', 'domains: * → *, example.com'],
    ]);
  });

  it('shows a changed policy definition field by field', () => {
    const before = base();
    const after: GraphDescription = { ...before, policies: [{ ...before.policies[0]!, definition: { match: { creditCardNumber: { min: 2 } } } }] };
    expect(planDescriptions(before, after)[0]?.details).toEqual(['definition.match.creditCardNumber.min: 1 → 2']);
  });

  it('reports a removed route and a removed policy', () => {
    const before = base();
    const after: GraphDescription = { ...before, routes: [before.routes[0]!], policies: [] };
    expect(planDescriptions(before, after).map((c) => `${c.kind} ${c.section} ${c.name}`)).toEqual(['removed route #2 (*)', 'removed policy block-card-numbers']);
  });
});
