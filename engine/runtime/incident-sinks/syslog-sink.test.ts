// The syslog sink over TLS against a minimal Node TLS collector that reads RFC 6587 octet-counted
// frames: verified against the configured CA and name, refused otherwise. The same against a real
// rsyslogd with the gtls driver: test/interop/syslog-tls.test.ts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../../test/helpers/pki.js';
import type { TestPki } from '../../../test/helpers/pki.js';
import { incidentsFrom } from '../../policy/incidents.js';
import type { Incident } from '../../policy/incidents.js';
import { NO_EDITS } from '../../policy/policy-set.js';
import { SyslogSink } from './syslog-sink.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function incident(i: number): Incident {
  const verdict = { kind: 'pass' as const, headerEdits: NO_EDITS, inspection: { status: 'ok' as const }, matches: [{ policy: 'p', severity: 'info' as const, mode: 'monitor' as const, action: 'pass' as const, counts: {}, samples: [] }] };
  return incidentsFrom(verdict as never, { upstream: 'u', sender: 's@corp.example', recipients: ['r@example.org'], transactionId: `tx-${i}` }, { messageId: `<${i}@x>`, subject: 's' })[0] as Incident;
}

/** A TLS collector that splits octet-counted frames. */
async function collector(pki: TestPki): Promise<{ port: number; messages: string[] }> {
  const messages: string[] = [];
  const server = tls.createServer({ key: pki.gateway.keyPem, cert: pki.gateway.certPem }, (s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const sp = buf.indexOf(0x20);
        if (sp < 0) return;
        const len = Number(buf.subarray(0, sp).toString('ascii'));
        if (buf.length < sp + 1 + len) return;
        messages.push(buf.subarray(sp + 1, sp + 1 + len).toString('utf8'));
        buf = buf.subarray(sp + 1 + len);
      }
    });
    s.on('error', () => undefined);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { port: (server.address() as AddressInfo).port, messages };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SyslogSink over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rg-syslog-tls-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const pki = makeTestPki(dir);

  it('delivers to a collector whose certificate verifies against the trust list and name', async () => {
    const c = await collector(pki);
    const sink = new SyslogSink({ type: 'syslog', host: '127.0.0.1', port: c.port, facility: 16, appName: 'rg', maxBuffer: 10, tls: { ca: [pki.ca.certPem], serverName: 'gw.example.test' } });
    cleanups.push(() => sink.close());
    sink.record([incident(1), incident(2)]);
    await until(() => c.messages.length === 2);
    // local0 (16) * 8 + informational (6)
    expect(c.messages[0]).toMatch(/^<134>1 \S+ \S+ rg \d+ incident \[incident@32473 /);
    expect(JSON.parse(c.messages[1]?.slice(c.messages[1].indexOf('] ') + 2) ?? '')).toEqual({ ...incident(2), time: expect.any(String) });
  });

  it.each([
    ['an untrusted CA', { ca: [pki.otherCa.certPem], serverName: 'gw.example.test' }],
    ['a name the certificate does not carry', { ca: [pki.ca.certPem], serverName: 'collector.example.test' }],
  ])('sends nothing to a collector with %s, keeps the records buffered and counts the failures', async (_what, t) => {
    const c = await collector(pki);
    let failures = 0;
    const sink = new SyslogSink({ type: 'syslog', host: '127.0.0.1', port: c.port, facility: 2, appName: 'rg', maxBuffer: 10, tls: t }, { retryMinMs: 10, retryMaxMs: 20, closeTimeoutMs: 10, health: { writeFailed: () => void failures++, dropped: () => undefined } });
    sink.record([incident(1)]);
    await new Promise((r) => setTimeout(r, 200));
    expect(c.messages).toEqual([]);
    expect(sink.connected).toBe(false);
    expect(sink.buffered).toBe(1);
    await sink.close();
    expect(sink.dropped).toBe(1);
    expect(failures).toBeGreaterThanOrEqual(1);
  });
});
