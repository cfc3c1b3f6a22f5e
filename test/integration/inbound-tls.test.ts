// The inbound leg's TLS: STARTTLS policy and client certificates, verified per upstream.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, makeHarnessDir, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';
import type { TestCert } from '../helpers/pki.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type UpstreamTls = NonNullable<TopologyFile['upstreams'][0]['tls']>;

interface Setup {
  readonly mx: RecordingMta;
  readonly gw: GatewayHarness;
  readonly certs: { readonly ca: TestCert; readonly trusted: TestCert; readonly untrusted: TestCert; readonly other: TestCert };
}

async function setup(tls: (c: Setup['certs']) => UpstreamTls, opts: { authenticate?: boolean; second?: boolean } = {}): Promise<Setup> {
  const mx = await startRecordingMta();
  cleanups.push(() => mx.close());
  const env = makeHarnessDir();
  const certs = {
    ca: env.pki.ca,
    trusted: env.pki.issue('corp-mta', ['mta.corp.example']),
    untrusted: env.pki.issue('stranger', ['stranger.example.test'], { otherCa: true }),
    other: env.pki.issue('partner-mta', ['mta.partner.example']),
  };
  const gw = await startGateway(
    {
      topology: (e) => {
        const t = forwardTopology(e, { receivers: [{ name: 'mx-1', port: mx.port }], upstream: { tls: tls(certs) }, gateway: { tls: { certificate: e.pki.gateway.certPath, key: e.pki.gateway.keyPath, authenticate: opts.authenticate ?? true } } });
        if (!opts.second) return t;
        const partner = { name: 'partner', addresses: ['127.0.0.2/32'] as [string], mode: 'forward' as const, tls: { starttls: 'required' as const, clientCertificate: 'required' as const, trust: [certs.other.certPath] } };
        return { ...t, upstreams: [...t.upstreams, partner] as TopologyFile['upstreams'] };
      },
    },
    env,
  );
  cleanups.push(() => gw.close());
  return { mx, gw, certs };
}

async function connect(gw: GatewayHarness): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(gw.port);
  cleanups.push(() => c.close());
  expect((await c.reply()).code).toBe(220);
  expect((await c.command('EHLO mta.corp.example')).code).toBe(250);
  return c;
}

async function secured(gw: GatewayHarness, cert?: TestCert): Promise<RawSmtpClient> {
  const c = await connect(gw);
  await c.startTls(cert === undefined ? {} : { key: cert.keyPem, cert: cert.certPem });
  return c;
}

const send = (c: RawSmtpClient) => rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });

describe('inbound STARTTLS', () => {
  it('answers MAIL before STARTTLS with 530 5.7.0 when STARTTLS is required', async () => {
    const { gw, mx } = await setup(() => ({ starttls: 'required', clientCertificate: 'none', trust: [] }));
    const c = await connect(gw);
    expect((await c.command('MAIL FROM:<alice@corp.example>')).text).toBe('530 5.7.0 Must issue a STARTTLS command first');
    await c.startTls();
    const t = await send(c);
    expect(t.final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    expect(mx.messages[0]?.raw.toString('latin1')).toMatch(/\(inbound TLSv1\.[23] \S+, no peer certificate\)/);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]?.inboundTls).toMatchObject({ verified: null });
  });

  it('does not offer STARTTLS to an upstream with starttls: disabled', async () => {
    const { gw } = await setup(() => ({ starttls: 'disabled', clientCertificate: 'none', trust: [] }));
    const c = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => c.close());
    await c.reply();
    const ehlo = await c.command('EHLO mta.corp.example');
    expect(ehlo.text).not.toContain('STARTTLS');
    expect((await c.command('STARTTLS')).code).toBeGreaterThanOrEqual(500);
  });
});

describe('inbound client certificates', () => {
  it('accepts a client certificate issued by a CA in the trust list (chain verification)', async () => {
    const { gw, mx, certs } = await setup((c) => ({ starttls: 'required', clientCertificate: 'required', trust: [c.ca.certPath] }));
    const c = await secured(gw, certs.trusted);
    expect((await send(c)).final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
  });

  it('accepts a pinned client certificate and records it', async () => {
    const { gw, mx, certs } = await setup((c) => ({ starttls: 'required', clientCertificate: 'required', trust: [c.trusted.certPath] }));
    const c = await secured(gw, certs.trusted);
    expect((await send(c)).final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    expect(gw.observer.tls).toContainEqual(expect.objectContaining({ leg: 'inbound', peer: 'corp', result: 'ok', fingerprint256: certs.trusted.cert.fingerprint256 }));
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]?.inboundTls).toMatchObject({ verified: true, peerFingerprint: certs.trusted.cert.fingerprint256 });
  });

  it.each([
    ['required', 'an untrusted certificate', 'untrusted' as const],
    ['optional', 'an untrusted certificate', 'untrusted' as const],
    ['required', 'no certificate', undefined],
  ])('refuses the session (clientCertificate: %s, %s) and logs what to import', async (mode, _what, which) => {
    const { gw, mx, certs } = await setup((c) => ({ starttls: 'required', clientCertificate: mode as 'required' | 'optional', trust: [c.trusted.certPath] }));
    const c = await secured(gw, which === undefined ? undefined : certs[which]);
    const r = await c.command('EHLO mta.corp.example').catch(() => null);
    expect(r?.text ?? '').toMatch(/^421 4\.7\.0 /);
    await c.closed();
    expect(mx.messages).toHaveLength(0);
    expect(gw.observer.tls).toContainEqual(expect.objectContaining({ leg: 'inbound', peer: 'corp', result: 'failed' }));
    const warning = gw.logs.find((l) => l['leg'] === 'inbound' && l['peer'] === 'corp');
    if (which === undefined) expect(String(warning?.['msg'])).toContain('presented no client certificate');
    else {
      expect(String(warning?.['msg'])).toContain(certs.untrusted.cert.fingerprint256);
      expect(String(warning?.['msg'])).toContain('[RG_TLS_PEER_UNKNOWN_ISSUER]');
      expect(String(warning?.['hint'])).toContain('relayguard certs import');
    }
  });

  it('accepts no certificate when the client certificate is optional', async () => {
    const { gw, mx } = await setup((c) => ({ starttls: 'required', clientCertificate: 'optional', trust: [c.trusted.certPath] }));
    const c = await secured(gw);
    expect((await send(c)).final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
  });

  it('never lets a certificate trusted for one upstream authenticate another', async () => {
    const { gw, mx, certs } = await setup((c) => ({ starttls: 'required', clientCertificate: 'required', trust: [c.trusted.certPath] }), { second: true });
    const c = await secured(gw, certs.other);
    const r = await c.command('EHLO mta.corp.example').catch(() => null);
    expect(r?.code ?? 421).toBe(421);
    await c.closed();
    expect(mx.messages).toHaveLength(0);
  });

  it('keeps encryption but skips verification with authenticate: false, and says what it would have needed', async () => {
    const { gw, mx, certs } = await setup((c) => ({ starttls: 'required', clientCertificate: 'required', trust: [c.trusted.certPath] }), { authenticate: false });
    const c = await secured(gw, certs.untrusted);
    expect((await send(c)).final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    expect(gw.observer.tls).toContainEqual(expect.objectContaining({ leg: 'inbound', result: 'unverified', fingerprint256: certs.untrusted.cert.fingerprint256 }));
    expect(gw.logs.some((l) => String(l['msg']).includes(certs.untrusted.cert.fingerprint256) && l['level'] === 40)).toBe(true);
  });
});

describe('inbound handshake failures', () => {
  it('reports a failed STARTTLS handshake', async () => {
    const { gw } = await setup(() => ({ starttls: 'required', clientCertificate: 'none', trust: [] }));
    const c = await connect(gw);
    await expect(c.startTls({ maxVersion: 'TLSv1.1', minVersion: 'TLSv1' })).rejects.toThrow();
    await gw.observer.waitFor(() => gw.observer.tls.some((e) => e.leg === 'inbound' && e.result === 'failed'), 'tls failure');
    expect(gw.logs.some((l) => l['code'] === 'RG_TLS_INBOUND_HANDSHAKE')).toBe(true);
  });
});
