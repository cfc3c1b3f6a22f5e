// gateway.admin.tls: the admin endpoints over HTTPS with client certificates checked by OpenSSL in the
// handshake (real certificates from engine/tls/ca.ts, Node https clients): no certificate or one from
// another CA is refused before any HTTP, the right CA gets 200; the bearer token still works beside it
// (optional mode); wrong files are located config errors; renewed files apply through the watcher.
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { buildGraph } from '../../engine/graph/build.js';
import { writeAtomic } from '../doubles/config-fixture.js';
import { adminGet, startAdminGateway } from '../helpers/admin-gateway.js';
import type { AdminGetOptions, Cleanups } from '../helpers/admin-gateway.js';
import { GATEWAY_HOSTNAME, makeTestPki } from '../helpers/pki.js';
import type { TestCert, TestPki } from '../helpers/pki.js';
import { until } from '../helpers/until.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TOKEN = 'Pq7Rs2Tu9Vw4Xy1Za6Bc3De8Fg5Hi0J';

interface Material {
  readonly pki: TestPki;
  readonly operator: TestCert;
  readonly intruder: TestCert;
}

function material(root: string): Material {
  const pki = makeTestPki(join(root, 'pki'));
  return { pki, operator: pki.issue('operator', ['operator.example.test']), intruder: pki.issue('intruder', ['operator.example.test'], { otherCa: true }) };
}

function client(m: Material, cert?: TestCert): AdminGetOptions['tls'] {
  return { ca: m.pki.ca.certPem, servername: GATEWAY_HOSTNAME, ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}) };
}

/** The request fails below HTTP (handshake alert or reset): no status code ever comes back. */
async function refused(port: number, path: string, opts: AdminGetOptions): Promise<string> {
  const outcome = await adminGet(port, path, opts).then(
    (r) => `answered ${r.status}`,
    (err: NodeJS.ErrnoException) => `refused: ${err.code ?? err.message}`,
  );
  return outcome;
}

async function startMtls(admin: (m: Material, root: string) => Record<string, unknown>, watch = false) {
  let m: Material | undefined;
  const g = await startAdminGateway(cleanups, {
    watch,
    admin: (root) => {
      m = material(root);
      writeFileSync(join(root, 'admin-token'), TOKEN, { mode: 0o600 });
      return admin(m, root);
    },
  });
  return { ...g, m: m as Material };
}

const tlsOf = (m: Material, extra: Record<string, unknown> = {}) => ({ certificate: m.pki.gateway.certPath, key: m.pki.gateway.keyPath, clientCa: m.pki.ca.certPath, ...extra });

/** The admin listener's certificate as a fresh handshake sees it. */
function servedFingerprint(port: number, m: Material): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: GATEWAY_HOSTNAME, rejectUnauthorized: false, cert: m.operator.certPem, key: m.operator.keyPem }, () => {
      resolve(s.getPeerX509Certificate()?.fingerprint256 ?? '');
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('admin mTLS (gateway.admin.tls)', () => {
  it('requireClientCertificate: no certificate and another CA are refused at the handshake; the right CA gets 200', async () => {
    const { adminPort, m } = await startMtls((m) => ({ tls: tlsOf(m) }));
    expect(await refused(adminPort, '/status', { tls: client(m) })).toMatch(/^refused: /);
    expect(await refused(adminPort, '/healthz', { tls: client(m) })).toMatch(/^refused: /);
    expect(await refused(adminPort, '/status', { tls: client(m, m.intruder) })).toMatch(/^refused: /);
    // plain HTTP to the HTTPS port never reaches an endpoint
    expect(await refused(adminPort, '/status', {})).not.toBe('answered 200');
    const ok = await adminGet(adminPort, '/status', { tls: client(m, m.operator) });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toHaveProperty('revision');
    expect((await adminGet(adminPort, '/metrics', { tls: client(m, m.operator) })).status).toBe(200);
  });

  it('the client verifies the admin certificate too: a client trusting another CA aborts', async () => {
    const { adminPort, m } = await startMtls((m) => ({ tls: tlsOf(m) }));
    const wrongTrust = { ...client(m, m.operator), ca: m.pki.otherCa.certPem };
    expect(await refused(adminPort, '/status', { tls: wrongTrust })).toMatch(/refused: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)/);
  });

  it('optional client certificate beside the bearer token: either one authorizes, a foreign certificate is refused', async () => {
    const { adminPort, m } = await startMtls((m, root) => ({ tls: tlsOf(m, { requireClientCertificate: false }), auth: { bearerTokenFile: join(root, 'admin-token') } }));
    expect((await adminGet(adminPort, '/healthz', { tls: client(m) })).status).toBe(200);
    expect((await adminGet(adminPort, '/status', { tls: client(m) })).status).toBe(401);
    expect((await adminGet(adminPort, '/status', { tls: client(m), authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await adminGet(adminPort, '/status', { tls: client(m), authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await adminGet(adminPort, '/status', { tls: client(m, m.operator) })).status).toBe(200);
    expect(await refused(adminPort, '/status', { tls: client(m, m.intruder), authorization: `Bearer ${TOKEN}` })).toMatch(/^refused: /);
    expect(await refused(adminPort, '/healthz', { tls: client(m, m.intruder) })).toMatch(/^refused: /);
  });

  it('optional client certificate without a token: /status needs the certificate, the probes stay open', async () => {
    const { adminPort, m } = await startMtls((m) => ({ tls: tlsOf(m, { requireClientCertificate: false }) }));
    expect((await adminGet(adminPort, '/readyz', { tls: client(m) })).status).toBe(200);
    expect((await adminGet(adminPort, '/status', { tls: client(m) })).status).toBe(401);
    expect((await adminGet(adminPort, '/status', { tls: client(m, m.operator) })).status).toBe(200);
  });

  it('HTTPS without clientCa asks for no certificate; the token still guards /status', async () => {
    const { adminPort, m } = await startMtls((m, root) => ({ tls: { certificate: m.pki.gateway.certPath, key: m.pki.gateway.keyPath }, auth: { bearerTokenFile: join(root, 'admin-token') } }));
    expect((await adminGet(adminPort, '/status', { tls: client(m, m.operator) })).status).toBe(401);
    expect((await adminGet(adminPort, '/status', { tls: client(m), authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it('a renewed admin certificate and a replaced client CA apply through the file watcher', async () => {
    const { adminPort, m, gw } = await startMtls((m) => ({ tls: tlsOf(m) }), true);
    const before = await servedFingerprint(adminPort, m);
    expect(before).toBe(m.pki.gateway.cert.fingerprint256);
    const renewed = m.pki.issue('gateway-renewed', [GATEWAY_HOSTNAME, '127.0.0.1'], { freshKey: true });
    const revision = gw.graph.revision.hash;
    // key first would leave a mismatched pair for one compile: that compile fails and the next one applies
    writeAtomic(m.pki.gateway.certPath, renewed.certPem);
    writeAtomic(m.pki.gateway.keyPath, renewed.keyPem);
    await until(async () => (await servedFingerprint(adminPort, m)) === renewed.cert.fingerprint256, 'the renewed admin certificate', 10_000, 100);
    expect(gw.graph.revision.hash).not.toBe(revision);
    expect((await adminGet(adminPort, '/status', { tls: client(m, m.operator) })).status).toBe(200);
    // the client CA becomes the other CA: the operator is refused, the formerly foreign client admitted
    writeAtomic(m.pki.ca.certPath, readFileSync(m.pki.otherCa.certPath, 'utf8'));
    await until(async () => (await refused(adminPort, '/status', { tls: client(m, m.operator) })).startsWith('refused'), 'the operator to be refused', 10_000, 100);
    expect((await adminGet(adminPort, '/status', { tls: client(m, m.intruder) })).status).toBe(200);
  }, 30_000);
});

describe('gateway.admin.tls files that are not what they should be', () => {
  it.each([
    ['a DER certificate', 'certificate', 'RG_TLS_NOT_PEM_DER', /openssl x509 -inform der/],
    ['the key in the certificate slot', 'certificate', 'RG_TLS_NOT_A_CERTIFICATE', /BEGIN CERTIFICATE/],
    ['a DER client CA', 'clientCa', 'RG_TLS_NOT_PEM_DER', /openssl x509 -inform der/],
  ])('%s is a located RG_ error naming the file and the fix; the running listener keeps its config', async (_what, slot, code, fix) => {
    const { gw, adminPort, m, root, writeTopology } = await startMtls((m) => ({ tls: tlsOf(m) }));
    const bad = join(root, 'bad-file');
    if (code === 'RG_TLS_NOT_PEM_DER') writeFileSync(bad, new X509Certificate(m.pki.ca.certPem).raw);
    else writeFileSync(bad, m.pki.gateway.keyPem);
    writeTopology({ tls: { ...tlsOf(m), [slot]: bad } });
    const built = await buildGraph(join(root, 'policies'));
    expect(built.status).toBe('invalid');
    const d = built.diagnostics.find((x) => x.code === code);
    expect(d).toMatchObject({ severity: 'error', pointer: `/gateway/admin/tls/${slot}`, file: expect.stringContaining('topology.yaml') });
    expect(d?.line).toBeGreaterThan(0);
    expect(d?.column).toBeGreaterThan(0);
    expect(d?.message).toContain(bad);
    expect(d?.hint).toMatch(fix);
    const r = await gw.reloadNow();
    expect(JSON.stringify(r)).toContain(code);
    expect((await adminGet(adminPort, '/status', { tls: client(m, m.operator) })).status).toBe(200);
  });

  it('a key that is not the certificate\'s is RG_TLS_KEY_MISMATCH at /gateway/admin/tls/key', async () => {
    const { root, m, writeTopology } = await startMtls((m) => ({ tls: tlsOf(m) }));
    writeTopology({ tls: { ...tlsOf(m), key: m.operator.keyPath } });
    const built = await buildGraph(join(root, 'policies'));
    expect(built.diagnostics.find((x) => x.code === 'RG_TLS_KEY_MISMATCH')).toMatchObject({ pointer: '/gateway/admin/tls/key' });
  });
});
