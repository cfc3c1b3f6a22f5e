// gateway.admin.auth: the admin endpoints of a running gateway want `Authorization: Bearer <token>`
// (token from a file, e.g. a Kubernetes Secret); probes stay open only where configured; a rotated
// token file applies on reload without a rebind.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminGet, startAdminGateway } from '../helpers/admin-gateway.js';
import type { Cleanups } from '../helpers/admin-gateway.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = 'k9Jx2mQ7vR4tY8wZ1aB5cD3eF6gH0iL';

async function get(port: number, path: string, authorization?: string): Promise<number> {
  return (await adminGet(port, path, authorization === undefined ? {} : { authorization })).status;
}

async function startGateway(auth: Record<string, unknown>) {
  let tokenFile = '';
  const { gw, adminPort } = await startAdminGateway(cleanups, {
    admin: (root) => {
      tokenFile = join(root, 'admin-token');
      writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 });
      return { auth: { bearerTokenFile: tokenFile, ...auth } };
    },
  });
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
