// The admin HTTP listener over real HTTP on loopback, serving a graph compiled from a real config
// directory with real certificates.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../engine/graph/build.js';
import type { RoutingGraph } from '../../engine/graph/types.js';
import { startAdminServer } from '../../engine/runtime/admin-server.js';
import type { AdminServer, Readiness } from '../../engine/runtime/admin-server.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import { buildStatus } from '../../engine/runtime/status.js';
import type { RuntimeState, StatusSnapshot } from '../../engine/runtime/status.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { makeTestPki } from '../helpers/pki.js';

interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function http(port: number, path: string, method = 'GET'): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('admin HTTP server', () => {
  let dir: string;
  let graph: RoutingGraph;
  let server: AdminServer;
  let readiness: Readiness = true;
  let state: RuntimeState;
  const metrics = createMetrics({ defaultMetrics: false });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'relayguard-admin-'));
    const pki = makeTestPki(join(dir, 'certs'));
    const mx = pki.issue('mx-out-1', ['mx-out-1.example.test']);
    writeConfigDir(join(dir, 'policies'), {
      version: 1,
      gateway: {
        hostname: 'gw.example.test',
        listen: [{ address: '127.0.0.1', port: 10025 }],
        admin: { address: '127.0.0.1', port: 9025 },
        tls: { certificate: pki.gateway.certPath, key: pki.gateway.keyPath },
      },
      upstreams: [{ name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'optional', clientCertificate: 'none', trust: [] } }],
      receivers: [{ name: 'mx-out-1', host: '127.0.0.1', port: 10030, tls: { starttls: 'required', trust: [mx.certPath], serverName: 'mx-out-1.example.test' } }],
      routes: [{ domains: ['*'], receivers: ['mx-out-1'] }],
    });
    const built = await buildGraph(join(dir, 'policies'));
    if (!built.graph) throw new Error(`test config did not compile: ${JSON.stringify(built.diagnostics)}`);
    graph = built.graph;
    state = { startedAt: new Date(), sessionsInFlight: 3, transactionsInFlight: 1, draining: false };
    metrics.setRevision({ hash: graph.revision.hash });
    metrics.relayError({ receiver: 'mx-out-1', kind: 'RG_RELAY_CONNECT_REFUSED' });
    server = await startAdminServer({
      address: '127.0.0.1',
      port: 0,
      ready: () => readiness,
      status: () => buildStatus(graph, state),
      metrics,
      logger: pino({ level: 'silent' }),
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers /healthz with 200 ok', async () => {
    const res = await http(server.port, '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toBe('ok\n');
  });

  it('flips /readyz to 503 with the reason when not ready', async () => {
    expect((await http(server.port, '/readyz')).status).toBe(200);
    readiness = { ready: false, reason: 'listeners not bound' };
    const explicit = await http(server.port, '/readyz');
    expect(explicit.status).toBe(503);
    expect(explicit.body).toContain('listeners not bound');
    readiness = false;
    state = { ...state, draining: true };
    const derived = await http(server.port, '/readyz');
    expect(derived.status).toBe(503);
    expect(derived.body).toContain('draining');
    readiness = true;
    state = { ...state, draining: false };
  });

  it('serves /metrics as Prometheus text with the registry content type', async () => {
    const res = await http(server.port, '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(metrics.contentType);
    expect(res.body).toContain('# TYPE relayguard_receiving_errors_total counter');
    expect(res.body).toContain('relayguard_receiving_errors_total{receiver="mx-out-1",kind="RG_RELAY_CONNECT_REFUSED"} 1');
    expect(res.body).toContain(`relayguard_config_info{revision="${graph.revision.hash}",git_commit=""} 1`);
  });

  it('serves /status as JSON with revision, listeners, upstreams, receivers and certificate expiry', async () => {
    const res = await http(server.port, '/status');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as StatusSnapshot;
    expect(body.revision?.hash).toBe(graph.revision.hash);
    expect(body.revision?.loadedAt).toBe(graph.revision.loadedAt.toISOString());
    expect(body.listeners).toEqual([{ address: '127.0.0.1', port: 10025, state: 'listening' }]);
    expect(body.upstreams).toEqual([
      expect.objectContaining({ name: 'corp-postfix', mode: 'forward', addresses: ['127.0.0.1/32'], tls: expect.objectContaining({ starttls: 'optional' }) }),
    ]);
    expect(body.receivers).toEqual([expect.objectContaining({ name: 'mx-out-1', port: 10030, tls: expect.objectContaining({ starttls: 'required', serverName: 'mx-out-1.example.test' }) })]);
    const gatewayCert = body.certificates.find((c) => c.usedBy.includes('gateway.tls.certificate'));
    expect(gatewayCert?.daysToExpiry).toBeGreaterThan(14);
    expect(gatewayCert?.expiresSoon).toBe(false);
    expect(body.sessionsInFlight).toBe(3);
    expect(body.transactionsInFlight).toBe(1);
    expect(body.draining).toBe(false);
  });

  it('answers HEAD with headers and no body', async () => {
    const res = await http(server.port, '/healthz', 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe('3');
    expect(res.body).toBe('');
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    expect((await http(server.port, '/admin')).status).toBe(404);
    expect((await http(server.port, '/healthz/')).status).toBe(404);
    const post = await http(server.port, '/status', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('ignores the query string when routing', async () => {
    expect((await http(server.port, '/healthz?verbose=1')).status).toBe(200);
  });
});

describe('admin HTTP server lifecycle', () => {
  const options = (port: number) => ({
    address: '127.0.0.1',
    port,
    ready: () => true,
    status: () => buildStatus(undefined, { startedAt: new Date(), sessionsInFlight: 0, transactionsInFlight: 0, draining: false }),
    metrics: createMetrics({ defaultMetrics: false }),
    logger: pino({ level: 'silent' }),
  });

  it('fails with RG_ADMIN_BIND when the port is taken', async () => {
    const first = await startAdminServer(options(0));
    try {
      await expect(startAdminServer(options(first.port))).rejects.toMatchObject({ code: 'RG_ADMIN_BIND' });
    } finally {
      await first.close();
    }
  });

  it('stops accepting connections after close', async () => {
    const server = await startAdminServer(options(0));
    expect((await http(server.port, '/healthz')).status).toBe(200);
    await server.close();
    await expect(http(server.port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports "config not loaded" on /readyz before the first graph, via /status', async () => {
    const server = await startAdminServer({ ...options(0), ready: () => false });
    try {
      const res = await http(server.port, '/readyz');
      expect(res.status).toBe(503);
      expect(res.body).toBe('not ready: config not loaded\n');
      const status = JSON.parse((await http(server.port, '/status')).body) as StatusSnapshot;
      expect(status.status).toBe('not-loaded');
      expect(status.revision).toBeNull();
    } finally {
      await server.close();
    }
  });
});
