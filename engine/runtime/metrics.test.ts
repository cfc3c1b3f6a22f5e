import { describe, expect, it } from 'vitest';
import type { Incident } from '../policy/incidents.js';
import type { TransactionRecord } from '../smtp/engine-api.js';
import { createMetrics, inspectionFailureReason, tlsFailureReason } from './metrics.js';
import type { GatewayMetrics } from './metrics.js';

async function value(m: GatewayMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = m.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const data = await metric.get();
  // Histogram buckets carry a metricName; counters and gauges do not.
  const hit = data.values.find((v) => !('metricName' in v) && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want));
  return hit?.value;
}

function record(overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    transactionId: 't1',
    sessionId: 's1',
    upstream: 'corp-postfix',
    mode: 'reflect',
    sender: 'alice@corp.example',
    recipients: ['bob@example.org'],
    size: 1234,
    outcome: 'delivered',
    reply: '250 2.0.0 Ok: queued as ABC123',
    downstreamReply: '250 2.0.0 Ok: queued as ABC123',
    decision: 'pass',
    policies: [],
    timings: { receiveMs: 12, inspectMs: 3, deliverMs: 40 },
    ...overrides,
  };
}

describe('gateway metrics', () => {
  it('counts accepted and refused sessions and tracks the active gauge per upstream', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.sessionOpened({ sessionId: 'a', upstream: 'corp-postfix', remoteAddress: '127.0.0.1' });
    m.sessionOpened({ sessionId: 'b', upstream: 'corp-postfix', remoteAddress: '127.0.0.1' });
    m.sessionRefused({ remoteAddress: '192.0.2.7', reason: 'unknown-client' });
    m.sessionClosed({ sessionId: 'a', upstream: 'corp-postfix' });
    expect(await value(m, 'relayguard_sessions_total', { upstream: 'corp-postfix', result: 'accepted' })).toBe(2);
    expect(await value(m, 'relayguard_sessions_total', { upstream: 'unknown', result: 'unknown-client' })).toBe(1);
    expect(await value(m, 'relayguard_sessions_active', { upstream: 'corp-postfix' })).toBe(1);
  });

  it('never drives the active gauge negative on a duplicate or unknown close', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.sessionOpened({ sessionId: 'a', upstream: 'u', remoteAddress: '127.0.0.1' });
    m.sessionClosed({ sessionId: 'a', upstream: 'u' });
    m.sessionClosed({ sessionId: 'a', upstream: 'u' });
    m.sessionClosed({ sessionId: 'never-opened', upstream: 'u' });
    expect(await value(m, 'relayguard_sessions_active', { upstream: 'u' })).toBe(0);
  });

  it('counts transactions by outcome and observes only the phases that ran', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.transactionFinished(record());
    m.transactionFinished(record({ outcome: 'blocked', decision: 'block', policies: ['cards'], downstreamReply: undefined }));
    expect(await value(m, 'relayguard_transactions_total', { upstream: 'corp-postfix', outcome: 'delivered' })).toBe(1);
    expect(await value(m, 'relayguard_transactions_total', { upstream: 'corp-postfix', outcome: 'blocked' })).toBe(1);
    const text = await m.render();
    expect(text).toContain('relayguard_relay_duration_seconds_count{phase="receive"} 2');
    expect(text).toContain('relayguard_relay_duration_seconds_count{phase="inspect"} 2');
    expect(text).toContain('relayguard_relay_duration_seconds_count{phase="deliver"} 1');
    expect(text).toContain('relayguard_relay_duration_seconds_sum{phase="deliver"} 0.04');
  });

  it('counts TLS handshakes by version and result, and failures by reason code', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.tlsHandshake({ leg: 'inbound', peer: 'corp-postfix', address: '127.0.0.1:5000', result: 'ok', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
    m.tlsHandshake({ leg: 'receiving', peer: 'mx-out-1', address: '127.0.0.1:10030', result: 'failed', reason: 'RG_TLS_PEER_UNKNOWN_ISSUER: certificate "CN=x" is not trusted' });
    expect(await value(m, 'relayguard_tls_handshakes_total', { leg: 'inbound', peer: 'corp-postfix', version: 'TLSv1.3', result: 'ok' })).toBe(1);
    expect(await value(m, 'relayguard_tls_handshakes_total', { leg: 'receiving', peer: 'mx-out-1', version: 'none', result: 'failed' })).toBe(1);
    expect(await value(m, 'relayguard_tls_authentication_failures_total', { leg: 'receiving', peer: 'mx-out-1', reason: 'RG_TLS_PEER_UNKNOWN_ISSUER' })).toBe(1);
  });

  it('counts receiving errors, policy matches, inspection failures and reloads', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.relayError({ receiver: 'mx-out-1', kind: 'RG_RELAY_CONNECT_REFUSED' });
    m.policyMatched({ policy: 'cards', action: 'block', mode: 'enforce' });
    m.inspectionFailed({ reason: 'budget' });
    m.reloadFinished({ result: 'failure', durationMs: 20 });
    m.reloadFinished({ result: 'success', durationMs: 30 });
    expect(await value(m, 'relayguard_receiving_errors_total', { receiver: 'mx-out-1', kind: 'RG_RELAY_CONNECT_REFUSED' })).toBe(1);
    expect(await value(m, 'relayguard_policy_matches_total', { policy: 'cards', action: 'block', mode: 'enforce' })).toBe(1);
    expect(await value(m, 'relayguard_inspection_failures_total', { reason: 'budget' })).toBe(1);
    expect(await value(m, 'relayguard_reloads_total', { result: 'failure' })).toBe(1);
    expect(await m.render()).toContain('relayguard_reload_duration_seconds_count 2');
  });

  it('counts an inspection failure from the transaction decision', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.transactionFinished(record({ outcome: 'tempfailed', decision: 'tempfail (inspection failed: budget exceeded)', downstreamReply: undefined }));
    m.transactionFinished(record({ decision: 'pass (inspection failed: limit hit: maxParts (more than 10 MIME parts))' }));
    m.transactionFinished(record({ decision: 'loop-skip', timings: { receiveMs: 1, inspectMs: 0, deliverMs: 1 } }));
    expect(await value(m, 'relayguard_inspection_failures_total', { reason: 'budget' })).toBe(1);
    expect(await value(m, 'relayguard_inspection_failures_total', { reason: 'limit-maxParts' })).toBe(1);
    expect(await m.render()).toContain('relayguard_relay_duration_seconds_count{phase="inspect"} 2');
  });

  it('counts every incident through the wrapped sink and still hands it on', async () => {
    const m = createMetrics({ defaultMetrics: false });
    const seen: unknown[] = [];
    const sink = m.countIncidents({ record: (incidents) => void seen.push(...incidents) });
    // Only the fields the metric reads; the rest of an Incident does not matter here.
    const incidents = [
      { policy: 'cards', action: 'block', mode: 'enforce', sender: 'a@corp.example' },
      { policy: 'ssn', action: 'block', mode: 'monitor', sender: 'a@corp.example' },
    ] as unknown as Incident[];
    sink.record(incidents);
    expect(seen).toEqual(incidents);
    expect(await value(m, 'relayguard_policy_matches_total', { policy: 'cards', action: 'block', mode: 'enforce' })).toBe(1);
    expect(await value(m, 'relayguard_policy_matches_total', { policy: 'ssn', mode: 'monitor' })).toBe(1);
    expect(await m.render()).not.toContain('a@corp.example');
  });

  it('keeps exactly one config_info series, the current revision', async () => {
    const m = createMetrics({ defaultMetrics: false });
    m.setRevision({ hash: 'aaa' });
    m.setRevision({ hash: 'bbb', gitCommit: 'c0ffee' });
    const text = await m.render();
    expect(text).toContain('relayguard_config_info{revision="bbb",git_commit="c0ffee"} 1');
    expect(text).not.toContain('revision="aaa"');
  });

  it('reports seconds to certificate expiry at scrape time', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const m = createMetrics({ defaultMetrics: false, now: () => now });
    m.setCertificates([
      { file: 'certs/gateway.crt.pem', subject: 'CN=gw.example.test', fingerprint256: 'AA:BB', validTo: new Date('2030-01-11T00:00:00Z'), usedBy: ['gateway.tls.certificate', 'receivers[x].tls.trust'] },
    ]);
    const labels = { file: 'certs/gateway.crt.pem', subject: 'CN=gw.example.test', used_by: 'gateway.tls.certificate,receivers[x].tls.trust' };
    expect(await value(m, 'relayguard_certificate_expiry_seconds', labels)).toBe(10 * 86_400);
    now = new Date('2030-01-12T00:00:00Z');
    expect(await value(m, 'relayguard_certificate_expiry_seconds', labels)).toBe(-86_400);
  });

  it('exposes readiness and the default process metrics with the relayguard_ prefix', async () => {
    const m = createMetrics();
    m.setReady(true);
    const text = await m.render();
    expect(text).toContain('relayguard_ready 1');
    expect(text).toContain('relayguard_process_cpu_user_seconds_total');
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps each registry separate (no global singleton)', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.relayError({ receiver: 'mx', kind: 'k' });
    expect(await value(a, 'relayguard_receiving_errors_total', { receiver: 'mx' })).toBe(1);
    expect(await value(b, 'relayguard_receiving_errors_total', { receiver: 'mx' })).toBeUndefined();
  });

  it('caps label cardinality: values past the limit become "other"', async () => {
    const m = createMetrics({ defaultMetrics: false, maxLabelValues: 2 });
    for (const kind of ['a', 'b', 'c', 'd']) m.relayError({ receiver: 'mx', kind });
    expect(await value(m, 'relayguard_receiving_errors_total', { kind: 'other' })).toBe(2);
    expect(await value(m, 'relayguard_receiving_errors_total', { kind: 'a' })).toBe(1);
  });

  it.each([
    [undefined, 'unknown'],
    ['unknown-issuer', 'unknown-issuer'],
    ['RG_TLS_PEER_EXPIRED: certificate expired on ...', 'RG_TLS_PEER_EXPIRED'],
    ['routines:ssl3_get_record:wrong version number ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_WRONG_VERSION_NUMBER'],
    ['peer said no, with a long explanation', 'other'],
  ])('derives a bounded TLS failure reason from %j', (reason, expected) => {
    expect(tlsFailureReason(reason)).toBe(expected);
  });

  it.each([
    ['budget exceeded', 'budget'],
    ['limit hit: maxDecodedBytes (more than 1 MB)', 'limit-maxDecodedBytes'],
    ['analysis failed: connection reset', 'analysis'],
    ['inspection failed: something odd happened', 'error'],
  ])('derives a bounded inspection failure reason from %j', (reason, expected) => {
    expect(inspectionFailureReason(reason)).toBe(expected);
  });
});
