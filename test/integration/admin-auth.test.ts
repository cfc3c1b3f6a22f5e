// gateway.admin.auth: the admin endpoints of a running gateway want `Authorization: Bearer <token>`
// (token from a file, e.g. a Kubernetes Secret); probes stay open only where configured; a rotated
// token file applies on reload without a rebind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import { topologyText } from '../doubles/config-fixture.js';
import { freePorts } from '../helpers/ports.js';
import { startRecordingMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = 'k9Jx2mQ7vR4tY8wZ1aB5cD3eF6gH0iL';

function get(port: number, path: string, authorization?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, headers: authorization === undefined ? {} : { authorization } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function startGateway(auth: Record<string, unknown>) {
  const root = mkdtempSync(join(tmpdir(), 'rg-admin-auth-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const mta = await startRecordingMta();
  cleanups.push(() => mta.close());
  const [smtpPort = 0, adminPort = 0] = await freePorts(2);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const tokenFile = join(root, 'admin-token');
  writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
  const topology = parse(topologyText({ listen: [{ port: smtpPort }], receiverPort: mta.port, adminPort, graceMs: 5_000 })) as { gateway: { admin: Record<string, unknown> } };
  topology.gateway.admin = { ...topology.gateway.admin, auth: { bearerTokenFile: tokenFile, ...auth } };
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), watch: false });
  cleanups.push(() => gw.shutdown(1000));
  return { gw, adminPort, tokenFile };
}

describe('admin bearer token (gateway.admin.auth)', () => {
  it('401 without a token or with a wrong one, 200 with it; /healthz and /readyz stay open by default', async () => {
    const { adminPort } = await startGateway({});
    expect(await get(adminPort, '/status')).toBe(401);
    expect(await get(adminPort, '/status', `Bearer ${TOKEN}x`)).toBe(401);
    expect(await get(adminPort, '/status', `Bearer ${TOKEN.slice(0, -1)}`)).toBe(401);
    expect(await get(adminPort, '/status', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`)).toBe(401);
    expect(await get(adminPort, '/metrics')).toBe(401);
    expect(await get(adminPort, '/status', `Bearer ${TOKEN}`)).toBe(200);
    expect(await get(adminPort, '/metrics', `bearer ${TOKEN}`)).toBe(200);
    expect(await get(adminPort, '/healthz')).toBe(200);
    expect(await get(adminPort, '/readyz')).toBe(200);
  });

  it('leaves /metrics open only when configured, and can close the probes too', async () => {
    const { adminPort } = await startGateway({ open: ['/metrics'] });
    expect(await get(adminPort, '/metrics')).toBe(200);
    expect(await get(adminPort, '/healthz')).toBe(401);
    expect(await get(adminPort, '/status')).toBe(401);
  });

  it('a rotated token file applies at the next reload; the old token stops working', async () => {
    const { gw, adminPort, tokenFile } = await startGateway({});
    const next = 'Zq8Wn3Lp6Rt1Yv4Xs7Uc0Ob2Me5Kd9Hf';
    writeFileSync(tokenFile, next);
    await gw.reloadNow();
    expect(await get(adminPort, '/status', `Bearer ${TOKEN}`)).toBe(401);
    expect(await get(adminPort, '/status', `Bearer ${next}`)).toBe(200);
  });

  it('refuses to load a token that is too short', async () => {
    await expect(startGateway({}).then(async ({ gw, tokenFile }) => {
      writeFileSync(tokenFile, 'short');
      const r = await gw.reloadNow();
      return JSON.stringify(r);
    })).resolves.toContain('RG_GRAPH_ADMIN_TOKEN_WEAK');
  });
});
