import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { Server, TLSSocket } from 'node:tls';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestCert, TestPki } from '../../test/helpers/pki.js';
import { createClientSecureContext, createClientTlsOptions, createServerTlsOptions, DEFAULT_CIPHERS } from './secure-context.js';
import { buildTrustStore, peerChainOf, verifyPeer } from './trust.js';
import { loadTlsIdentity } from './identity.js';

let dir: string;
let pki: TestPki;
let mx: TestCert;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-ctx-'));
  pki = makeTestPki(dir);
  mx = pki.issue('mx', ['mx.example.test']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Handshake {
  readonly serverSide: TLSSocket;
  readonly clientSide: TLSSocket;
  close(): Promise<void>;
}

async function handshake(serverCert: TestCert, clientCert: TestCert | undefined, ca: readonly string[] = []): Promise<Handshake> {
  const serverOptions = createServerTlsOptions({ certPem: serverCert.certPem + pki.ca.certPem, keyPem: serverCert.keyPem }, { requestCert: true });
  let resolveServer: (s: TLSSocket) => void = () => undefined;
  const serverSocket = new Promise<TLSSocket>((resolve) => (resolveServer = resolve));
  const server: Server = createServer(serverOptions, (s) => resolveServer(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const context = createClientSecureContext(clientCert ? { certPem: clientCert.certPem, keyPem: clientCert.keyPem } : undefined, {}, ca);
  const clientSide = connect({ host: '127.0.0.1', port, ...createClientTlsOptions(context, { servername: 'mx.example.test' }) });
  await new Promise<void>((resolve, reject) => clientSide.once('secureConnect', resolve).once('error', reject));
  const serverSide = await serverSocket;
  return {
    serverSide,
    clientSide,
    close: async () => {
      clientSide.destroy();
      serverSide.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('secure contexts', () => {
  it('verifies the chain in the handshake (OpenSSL, against the anchors in the context) and hands both sides the chain (mutual TLS)', async () => {
    const hs = await handshake(mx, pki.gateway, [pki.ca.certPem]);
    try {
      const serverChain = peerChainOf(hs.clientSide);
      expect(serverChain.map((c) => c.fingerprint256)).toEqual([mx.cert.fingerprint256, pki.ca.cert.fingerprint256]);
      expect(peerChainOf(hs.serverSide)[0]?.fingerprint256).toBe(pki.gateway.cert.fingerprint256);
      const trust = buildTrustStore([{ file: pki.ca.certPath, certificates: [pki.ca.cert] }]);
      expect(verifyPeer(serverChain, trust, { hostname: 'mx.example.test' })).toMatchObject({ ok: true, via: 'chain' });
      expect(hs.clientSide.getProtocol()).toMatch(/^TLSv1\.[23]$/);
    } finally {
      await hs.close();
    }
  });

  it('a context without the anchors (default roots) never makes verifyPeer accept the chain', async () => {
    const hs = await handshake(mx, pki.gateway);
    try {
      const trust = buildTrustStore([{ file: pki.ca.certPath, certificates: [pki.ca.cert] }]);
      expect(verifyPeer(peerChainOf(hs.clientSide), trust)).toMatchObject({ ok: false });
    } finally {
      await hs.close();
    }
  });

  it('completes the handshake without a client certificate, leaving the decision to verifyPeer', async () => {
    const hs = await handshake(mx, undefined);
    try {
      const chain = peerChainOf(hs.serverSide);
      expect(chain).toEqual([]);
      expect(verifyPeer(chain, buildTrustStore([{ file: 'x', certificates: [pki.ca.cert] }]))).toMatchObject({ ok: false, reason: 'no-certificate' });
    } finally {
      await hs.close();
    }
  });

  it('keeps weak ciphers out of the default list', () => {
    for (const weak of ['RC4', '3DES', 'NULL', 'EXPORT', 'aNULL']) expect(DEFAULT_CIPHERS).toContain(`!${weak === 'NULL' ? 'eNULL' : weak}`);
    expect(DEFAULT_CIPHERS.startsWith('ECDHE')).toBe(true);
    const options = createServerTlsOptions({ certPem: mx.certPem, keyPem: mx.keyPem }, { requestCert: false });
    expect(options).toMatchObject({ minVersion: 'TLSv1.2', rejectUnauthorized: false, requestCert: false });
  });
});

describe('loadTlsIdentity', () => {
  it('loads a matching pair and refuses a key that belongs to another certificate', () => {
    const ok = loadTlsIdentity(pki.gateway.certPath, pki.gateway.keyPath);
    expect(ok.ok).toBe(true);
    const other = pki.issue('other', ['other.example.test'], { freshKey: true });
    const mismatch = loadTlsIdentity(pki.gateway.certPath, other.keyPath);
    expect(mismatch.ok ? undefined : mismatch.error).toMatchObject({ code: 'RG_TLS_KEY_MISMATCH', file: 'key' });
  });

  it('refuses an expired gateway certificate', () => {
    const old = pki.issue('old-gw', ['gw.example.test'], { expired: true });
    const result = loadTlsIdentity(old.certPath, old.keyPath);
    expect(result.ok ? undefined : result.error.code).toBe('RG_TLS_CERT_EXPIRED');
  });
});
