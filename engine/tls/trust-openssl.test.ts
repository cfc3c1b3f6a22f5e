// Chains OpenSSL must refuse, on both legs (the gateway as TLS client of a receiving MTA, and as TLS
// server of an upstream presenting a client certificate), each with a message naming the peer, the
// certificate (subject, SHA-256) and the fix. Real handshakes with the product's secure contexts.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki } from '../../test/helpers/pki.js';
import type { TestPki } from '../../test/helpers/pki.js';
import { edgeCert } from '../../test/helpers/pki-edge.js';
import { presentedChain } from '../../test/helpers/tls-handshake.js';
import type { PresentedCert } from '../../test/helpers/tls-handshake.js';
import { anchorPems, buildTrustStore, describeVerificationFailure, verifyPeer } from './trust.js';
import type { PeerRole, TrustStore } from './trust.js';

let dir: string;
let pki: TestPki;
let trust: TrustStore;
let root: PresentedCert;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-trust-openssl-'));
  pki = makeTestPki(dir);
  root = { certPem: pki.ca.certPem, keyPem: pki.ca.keyPem };
  trust = buildTrustStore([{ file: pki.ca.certPath, certificates: [pki.ca.cert] }]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verdict(leaf: PresentedCert, extra: readonly string[], role: PeerRole) {
  const chain = await presentedChain(leaf, extra, anchorPems(trust), role, { certPem: pki.gateway.certPem, keyPem: pki.gateway.keyPem });
  return verifyPeer(chain, trust, { peerRole: role });
}

function explained(v: Awaited<ReturnType<typeof verdict>>, leaf: PresentedCert, role: PeerRole) {
  if (v.ok) throw new Error('expected a refusal');
  const text = describeVerificationFailure(v, { leg: role === 'server' ? 'receiving' : 'inbound', peerName: 'mx-out-1', address: '127.0.0.1:25', trustFiles: [pki.ca.certPath] });
  const cert = new X509Certificate(leaf.certPem);
  expect(text.message).toContain(cert.fingerprint256);
  expect(text.message).toContain(`subject "${cert.subject.replace(/\n/g, ', ')}"`);
  expect(text.message).toContain('mx-out-1 (127.0.0.1:25)');
  expect(text.hint.length).toBeGreaterThan(20);
  return text;
}

const ROLES: readonly PeerRole[] = ['server', 'client'];

describe.each(ROLES)('OpenSSL verifies the chain of a TLS %s peer', (role) => {
  it('refuses a leaf under an expired intermediate, naming the intermediate', async () => {
    const intermediate = edgeCert({ commonName: 'Expired Intermediate', issuer: root, isCA: true, expired: true });
    const leaf = edgeCert({ commonName: 'mx.example.test', issuer: intermediate, sans: ['mx.example.test'] });
    const v = await verdict(leaf, [intermediate.certPem], role);
    expect(v).toMatchObject({ ok: false, reason: 'expired', code: 'RG_TLS_PEER_EXPIRED' });
    expect(explained(v, leaf, role).message).toContain('its issuer "CN=Expired Intermediate" expired');
  });

  it('refuses a leaf signed by an issuer with CA:FALSE', async () => {
    const notCa = edgeCert({ commonName: 'not-a-ca.example.test', issuer: root, isCA: false, sans: ['not-a-ca.example.test'] });
    const leaf = edgeCert({ commonName: 'mx.example.test', issuer: notCa, sans: ['mx.example.test'] });
    const v = await verdict(leaf, [notCa.certPem], role);
    expect(v.ok).toBe(false);
    // OpenSSL refuses; the message names the issuer that is no CA
    expect(v).toMatchObject({ reason: 'invalid-ca', code: 'RG_TLS_PEER_INVALID_CA' });
    explained(v, leaf, role);
  });

  it('refuses a certificate outside its CA\'s name constraints, and accepts one inside', async () => {
    const constrained = edgeCert({ commonName: 'Constrained CA', issuer: root, isCA: true, permittedDns: ['permitted.example.test'] });
    const outside = edgeCert({ commonName: 'mx.outside.example.test', issuer: constrained, sans: ['mx.outside.example.test'] });
    const inside = edgeCert({ commonName: 'mx.permitted.example.test', issuer: constrained, sans: ['mx.permitted.example.test'] });
    const v = await verdict(outside, [constrained.certPem], role);
    expect(v).toMatchObject({ ok: false, reason: 'name-constraints', code: 'RG_TLS_PEER_NAME_CONSTRAINTS' });
    expect(explained(v, outside, role).hint).toContain('name-constrained');
    expect(await verdict(inside, [constrained.certPem], role)).toMatchObject({ ok: true, via: 'chain' });
  });
});

describe('extended key usage per leg', () => {
  it('refuses a clientAuth-only certificate from a receiving MTA (server) and accepts it from an upstream (client)', async () => {
    const clientOnly = edgeCert({ commonName: 'mx.example.test', issuer: root, sans: ['mx.example.test'], eku: ['clientAuth'] });
    const v = await verdict(clientOnly, [], 'server');
    expect(v).toMatchObject({ ok: false, reason: 'wrong-purpose', code: 'RG_TLS_PEER_WRONG_PURPOSE' });
    expect(explained(v, clientOnly, 'server').hint).toContain('serverAuth');
    expect(await verdict(clientOnly, [], 'client')).toMatchObject({ ok: true });
  });

  it('refuses a serverAuth-only certificate from an upstream (client) and accepts it from a receiving MTA (server)', async () => {
    const serverOnly = edgeCert({ commonName: 'upstream.example.test', issuer: root, sans: ['upstream.example.test'], eku: ['serverAuth'] });
    const v = await verdict(serverOnly, [], 'client');
    expect(v).toMatchObject({ ok: false, reason: 'wrong-purpose', code: 'RG_TLS_PEER_WRONG_PURPOSE' });
    expect(explained(v, serverOnly, 'client').hint).toContain('clientAuth');
    expect(await verdict(serverOnly, [], 'server')).toMatchObject({ ok: true });
  });

  it('applies the leg\'s purpose to a pinned certificate too', async () => {
    const clientOnly = edgeCert({ commonName: 'mx.example.test', issuer: root, sans: ['mx.example.test'], eku: ['clientAuth'] });
    const pin = buildTrustStore([{ file: 'pin.pem', certificates: [new X509Certificate(clientOnly.certPem)] }]);
    const chain = await presentedChain(clientOnly, [], [], 'server');
    expect(verifyPeer(chain, pin, { peerRole: 'server' })).toMatchObject({ ok: false, reason: 'wrong-purpose' });
  });
});
