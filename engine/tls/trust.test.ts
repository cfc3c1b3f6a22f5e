import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki, pooledKeyPem } from '../../test/helpers/pki.js';
import type { TestCert, TestPki } from '../../test/helpers/pki.js';
import { issueCertificate } from './ca.js';
import { anchorPems, buildTrustStore, describeUnverifiedPeer, describeVerificationFailure, verifyPeer } from './trust.js';
import { presentedChain } from '../../test/helpers/tls-handshake.js';
import type { PresentedCert } from '../../test/helpers/tls-handshake.js';
import type { PeerVerification, TrustStore } from './trust.js';

let dir: string;
let pki: TestPki;
let peer: TestCert;

function trustOf(...certs: TestCert[]): TrustStore {
  return buildTrustStore(certs.map((c) => ({ file: c.certPath, certificates: [c.cert] })));
}

/** What the gateway sees of `cert` (+ intermediates) after a real handshake with `trust`'s anchors as `ca`. */
function seen(cert: PresentedCert, trust: TrustStore, extra: readonly string[] = []) {
  return presentedChain(cert, extra, anchorPems(trust), 'server');
}

function outcome(v: PeerVerification): string {
  return v.ok ? `ok:${v.via}` : v.reason;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-trust-'));
  pki = makeTestPki(dir);
  peer = pki.issue('peer', ['mx.example.test', '127.0.0.1']);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('buildTrustStore', () => {
  it('makes CA certificates anchors and pins end-entity certificates', () => {
    const trust = trustOf(pki.ca, peer);
    expect(trust.anchors.map((a) => a.file)).toEqual([pki.ca.certPath]);
    expect([...trust.pinned.keys()]).toEqual([peer.cert.fingerprint256]);
    expect(trust.files).toEqual([pki.ca.certPath, peer.certPath]);
    expect(Object.isFrozen(trust)).toBe(true);
  });
});

describe('verifyPeer', () => {
  it('accepts a certificate issued by a trusted CA', async () => {
    expect(outcome(verifyPeer(await seen(peer, trustOf(pki.ca)), trustOf(pki.ca)))).toBe('ok:chain');
  });

  it('accepts a pinned end-entity certificate whatever its issuer', () => {
    const foreign = pki.issue('foreign', ['foreign.example.test'], { otherCa: true });
    const selfSigned = pki.issue('snakeoil', ['snakeoil.example.test'], { selfSigned: true });
    expect(outcome(verifyPeer([foreign.cert], trustOf(foreign)))).toBe('ok:pinned');
    expect(outcome(verifyPeer([selfSigned.cert], trustOf(selfSigned)))).toBe('ok:pinned');
  });

  it('walks through a presented intermediate CA to the anchor', async () => {
    const intermediate = pki.issue('intermediate', ['Intermediate CA'], { isCA: true });
    const leaf = issueCertificate(intermediate, { commonName: 'deep.example.test', hostnames: ['deep.example.test'], key: pooledKeyPem() });
    const leafCert = new X509Certificate(leaf.certPem);
    void leafCert;
    expect(outcome(verifyPeer(await seen(leaf, trustOf(pki.ca), [intermediate.certPem]), trustOf(pki.ca)))).toBe('ok:chain');
    expect(outcome(verifyPeer(await seen(leaf, trustOf(pki.ca)), trustOf(pki.ca)))).toBe('unknown-issuer');
  });

  it('rejects what neither chains to an anchor nor is pinned', async () => {
    const foreign = pki.issue('foreign2', ['foreign.example.test'], { otherCa: true });
    const selfSigned = pki.issue('snakeoil2', ['snakeoil.example.test'], { selfSigned: true });
    const pinnedOther = pki.issue('other-peer', ['other.example.test']);
    const unknown = verifyPeer(await seen(foreign, trustOf(pki.ca)), trustOf(pki.ca));
    expect(unknown).toMatchObject({ ok: false, reason: 'unknown-issuer', code: 'RG_TLS_PEER_UNKNOWN_ISSUER' });
    expect(unknown.ok ? undefined : unknown.certificate?.fingerprint256).toBe(foreign.cert.fingerprint256);
    expect(outcome(verifyPeer(await seen(selfSigned, trustOf(pki.ca)), trustOf(pki.ca)))).toBe('self-signed');
    expect(outcome(verifyPeer(await seen(peer, trustOf(pinnedOther)), trustOf(pinnedOther)))).toBe('unknown-issuer');
  });

  it('rejects expired and not-yet-valid certificates, pinned or chained', async () => {
    const expired = pki.issue('expired', ['old.example.test'], { expired: true });
    const early = pki.issue('early', ['early.example.test'], { notYetValid: true });
    expect(verifyPeer(await seen(expired, trustOf(pki.ca)), trustOf(pki.ca))).toMatchObject({ reason: 'expired', code: 'RG_TLS_PEER_EXPIRED' });
    expect(outcome(verifyPeer([expired.cert], trustOf(expired)))).toBe('expired');
    expect(verifyPeer(await seen(early, trustOf(pki.ca)), trustOf(pki.ca))).toMatchObject({ reason: 'not-yet-valid', code: 'RG_TLS_PEER_NOT_YET_VALID' });
  });

  it('checks the hostname only when asked', async () => {
    const trust = trustOf(pki.ca);
    const chain = await seen(peer, trust);
    expect(outcome(verifyPeer(chain, trust, { hostname: 'mx.example.test' }))).toBe('ok:chain');
    expect(outcome(verifyPeer(chain, trust, { hostname: '127.0.0.1' }))).toBe('ok:chain');
    expect(outcome(verifyPeer(chain, trust, { hostname: 'other.example.test' }))).toBe('hostname-mismatch');
    expect(outcome(verifyPeer([peer.cert], trustOf(peer), { hostname: 'other.example.test' }))).toBe('hostname-mismatch');
    expect(outcome(verifyPeer(chain, trust))).toBe('ok:chain');
  });

  it('fails on an empty trust list and on a missing certificate', () => {
    expect(verifyPeer([peer.cert], buildTrustStore([]))).toMatchObject({ reason: 'empty-trust', code: 'RG_TLS_PEER_EMPTY_TRUST' });
    expect(verifyPeer([], trustOf(pki.ca))).toMatchObject({ reason: 'no-certificate', code: 'RG_TLS_PEER_NO_CERTIFICATE' });
  });
});

describe('describeVerificationFailure', () => {
  it('names leg, peer, address, certificate, trust key and the fixing command', async () => {
    const selfSigned = pki.issue('snakeoil3', ['mx.example.test'], { selfSigned: true });
    const v = verifyPeer(await seen(selfSigned, trustOf(pki.ca)), trustOf(pki.ca));
    if (v.ok) throw new Error('expected a failure');
    const text = describeVerificationFailure(v, {
      leg: 'receiving',
      peerName: 'corp-postfix',
      address: '127.0.0.1:10026',
      trustFiles: ['certs/trusted/corp-postfix.crt.pem'],
      trustKey: 'upstreams[corp-postfix].tls.trust',
    });
    expect(text.message).toContain('TLS to receiving MTA corp-postfix (127.0.0.1:10026)');
    expect(text.message).toContain('RG_TLS_PEER_SELF_SIGNED');
    expect(text.message).toContain(selfSigned.cert.fingerprint256);
    expect(text.message).toContain('subject "CN=mx.example.test"');
    expect(text.message).toContain('upstreams[corp-postfix].tls.trust: certs/trusted/corp-postfix.crt.pem');
    expect(text.hint).toContain('relayguard certs probe 127.0.0.1:10026 --starttls --save corp-postfix');
  });

  it('tells an upstream without a client certificate how to present one', () => {
    const v = verifyPeer([], trustOf(pki.ca));
    if (v.ok) throw new Error('expected a failure');
    const text = describeVerificationFailure(v, { leg: 'inbound', peerName: 'corp-postfix', address: '127.0.0.1:40000', trustFiles: [] });
    expect(text.message).toContain('inbound TLS from upstream corp-postfix');
    expect(text.hint).toContain('upstreams[corp-postfix].tls.clientCertificate: optional');
  });
});

describe('describeUnverifiedPeer', () => {
  it('logs which certificate was accepted without verification', () => {
    const line = describeUnverifiedPeer([peer.cert], { leg: 'inbound', peerName: 'corp-postfix', address: '127.0.0.1:40000' });
    expect(line).toContain('NOT authenticated');
    expect(line).toContain('RG_TLS_PEER_UNVERIFIED');
    expect(line).toContain(peer.cert.fingerprint256);
    expect(describeUnverifiedPeer([], { leg: 'receiving', peerName: 'mx-out-1', address: '127.0.0.1:25' })).toContain('no peer certificate');
  });
});
