import { describe, expect, it } from 'vitest';
import type { TransactionRecord } from '../smtp/engine-api.js';
import { combineObservers, createLogObserver, createLogger, LoggerConfigError, logTlsHandshake, logTransaction, queueIdOf, resolveLogLevel } from './logger.js';
import { createMetrics } from './metrics.js';

function capture() {
  const chunks: string[] = [];
  return {
    stream: { write: (chunk: string) => void chunks.push(chunk) },
    lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
    raw: () => chunks.join(''),
  };
}

const record: TransactionRecord = {
  transactionId: 'tx-1',
  sessionId: 'sess-1',
  upstream: 'partner-relay',
  mode: 'forward',
  receiver: 'mx-out-1',
  sender: 'alice@corp.example',
  recipients: ['bob@example.org', 'carol@example.org'],
  size: 2048,
  outcome: 'delivered',
  reply: '250 2.0.0 Ok: queued as 4XyZ9',
  downstreamReply: '250 2.0.0 Ok: queued as 4XyZ9',
  inboundTls: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: true, peerSubject: 'CN=partner.example.test', peerFingerprint: 'AB:CD' },
  receivingTls: { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', verified: false },
  decision: 'modify',
  policies: ['tag-confidential'],
  timings: { receiveMs: 5, inspectMs: 2, deliverMs: 30 },
};

describe('logger', () => {
  it('writes one JSON line per transaction with every record field', () => {
    const out = capture();
    logTransaction(createLogger({ level: 'info', destination: out.stream }), record);
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      event: 'transaction',
      transactionId: 'tx-1',
      sessionId: 'sess-1',
      upstream: 'partner-relay',
      mode: 'forward',
      receiver: 'mx-out-1',
      from: 'alice@corp.example',
      to: ['bob@example.org', 'carol@example.org'],
      size: 2048,
      outcome: 'delivered',
      decision: 'modify',
      policies: ['tag-confidential'],
      downstreamReply: '250 2.0.0 Ok: queued as 4XyZ9',
      queueId: '4XyZ9',
      tls: {
        inbound: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', verified: true, peerSubject: 'CN=partner.example.test', peerFingerprint: 'AB:CD' },
        receiving: { version: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', verified: false },
      },
      timings: { receiveMs: 5, inspectMs: 2, deliverMs: 30 },
    });
    expect(typeof lines[0]?.['time']).toBe('string');
    expect(String(lines[0]?.['msg'])).toContain('delivered partner-relay -> mx-out-1');
  });

  it('logs a leg without TLS as null', () => {
    const out = capture();
    logTransaction(createLogger({ destination: out.stream, env: {} }), { ...record, inboundTls: undefined, receivingTls: undefined });
    expect(out.lines()[0]?.['tls']).toEqual({ inbound: null, receiving: null });
  });

  it('logs TLS failures at warn with the fix hint, successes only at debug', () => {
    const out = capture();
    const logger = createLogger({ level: 'info', destination: out.stream });
    logTlsHandshake(logger, { leg: 'receiving', peer: 'mx-out-1', address: '127.0.0.1:10030', result: 'failed', reason: 'RG_TLS_PEER_UNKNOWN_ISSUER', hint: 'relayguard certs probe 127.0.0.1:10030 --starttls --save mx-out-1' });
    logTlsHandshake(logger, { leg: 'inbound', peer: 'corp-postfix', address: '127.0.0.1:4000', result: 'ok', protocol: 'TLSv1.3' });
    const lines = out.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', event: 'tls', peer: 'mx-out-1', hint: expect.stringContaining('certs probe') });
    expect(String(lines[0]?.['msg'])).toContain('fix: relayguard certs probe');
  });

  it('takes the level from RELAYGUARD_LOG_LEVEL when none is given, and rejects unknown levels', () => {
    expect(resolveLogLevel(undefined, { RELAYGUARD_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(resolveLogLevel('WARN', { RELAYGUARD_LOG_LEVEL: 'debug' })).toBe('warn');
    expect(resolveLogLevel(undefined, {})).toBe('info');
    expect(() => resolveLogLevel('loud', {})).toThrow(LoggerConfigError);
    const out = capture();
    createLogger({ destination: out.stream, env: { RELAYGUARD_LOG_LEVEL: 'error' } }).warn('hidden');
    expect(out.raw()).toBe('');
  });

  it('writes human-readable lines when pretty is requested', () => {
    const out = capture();
    createLogger({ pretty: true, destination: out.stream }).info({ upstream: 'corp-postfix' }, 'hello there');
    expect(out.raw()).toContain('hello there');
    expect(out.raw()).toContain('corp-postfix');
    expect(() => JSON.parse(out.raw())).toThrow();
  });

  it('extracts queue ids from the common MTA replies', () => {
    expect(queueIdOf('250 2.0.0 Ok: queued as 4XyZ9')).toBe('4XyZ9');
    expect(queueIdOf('250 OK id=1abcDE-000123-Xy')).toBe('1abcDE-000123-Xy');
    expect(queueIdOf('250 2.0.0 accepted')).toBeUndefined();
    expect(queueIdOf(undefined)).toBeUndefined();
  });

  it('combines the log observer with the metrics so one engine callback does both', async () => {
    const out = capture();
    const metrics = createMetrics({ defaultMetrics: false });
    const observer = combineObservers(metrics, createLogObserver(createLogger({ destination: out.stream, level: 'info' })));
    observer.transactionFinished(record);
    // The engine logs relay errors and TLS failures itself, with details; the observer only traces them.
    observer.relayError({ receiver: 'mx-out-1', kind: 'RG_RELAY_CONNECT_TIMEOUT' });
    observer.tlsHandshake({ leg: 'receiving', peer: 'mx-out-1', address: '127.0.0.1:10030', result: 'failed', reason: 'unknown-issuer' });
    expect(out.lines().map((l) => l['event'])).toEqual(['transaction']);
    expect(await metrics.render()).toContain('relayguard_transactions_total{upstream="partner-relay",outcome="delivered"} 1');
    expect(await metrics.render()).toContain('relayguard_tls_authentication_failures_total{leg="receiving",peer="mx-out-1",reason="unknown-issuer"} 1');
  });

  it('traces every observer event at debug', () => {
    const out = capture();
    const observer = createLogObserver(createLogger({ destination: out.stream, level: 'debug' }));
    observer.sessionOpened({ sessionId: 's', upstream: 'u', remoteAddress: '127.0.0.1' });
    observer.sessionRefused({ remoteAddress: '127.0.0.9', reason: 'unknown-client' });
    observer.tlsHandshake({ leg: 'inbound', peer: 'u', address: '127.0.0.1:1', result: 'ok', protocol: 'TLSv1.3' });
    observer.relayError({ receiver: 'mx', kind: 'RG_RELAY_TIMEOUT' });
    observer.sessionClosed({ sessionId: 's', upstream: 'u' });
    expect(out.lines().map((l) => [l['level'], l['event']])).toEqual([
      ['debug', 'session-open'],
      ['debug', 'session-refused'],
      ['debug', 'tls'],
      ['debug', 'relay-error'],
      ['debug', 'session-close'],
    ]);
  });
});
