// The receiving leg's TLS: STARTTLS policy, peer verification against the receiver's trust list.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, makeHarnessDir, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { ForwardTopologyOptions, GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta, RecordingMtaOptions } from '../helpers/recording-mta.js';
import type { TestPki } from '../helpers/pki.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Receiver = ForwardTopologyOptions['receivers'][0];

async function setup(
  mtaOpts: (pki: TestPki) => RecordingMtaOptions,
  receiver: (pki: TestPki, port: number) => Omit<Receiver, 'name' | 'port'>,
  authenticate = true,
): Promise<{ mx: RecordingMta; gw: GatewayHarness; pki: TestPki }> {
  const env = makeHarnessDir();
  const mx = await startRecordingMta(mtaOpts(env.pki));
  cleanups.push(() => mx.close());
  const gw = await startGateway(
    {
      topology: (e) =>
        forwardTopology(e, {
          receivers: [{ name: 'mx-1', port: mx.port, ...receiver(e.pki, mx.port) }],
          gateway: { tls: { certificate: e.pki.gateway.certPath, key: e.pki.gateway.keyPath, authenticate } },
        }),
    },
    env,
  );
  cleanups.push(() => gw.close());
  return { mx, gw, pki: env.pki };
}

async function send(gw: GatewayHarness): Promise<Awaited<ReturnType<typeof rawTransaction>>> {
  const c = await RawSmtpClient.connect(gw.port);
  cleanups.push(() => c.close());
  await c.reply();
  return rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
}

function mxCert(pki: TestPki, opts: { otherCa?: boolean } = {}): { key: string; cert: string; requestCert: boolean } {
  const c = pki.issue(opts.otherCa ? 'mx-rogue' : 'mx-1', ['mx-1.example.test'], opts);
  return { key: c.keyPem, cert: c.certPem, requestCert: true };
}

describe('receiving leg TLS', () => {
  it('delivers over verified TLS and records both legs in the Received header', async () => {
    const { mx, gw, pki } = await setup(
      (p) => ({ tls: mxCert(p) }),
      (p) => ({ starttls: 'required', trust: [p.ca.certPath], verifyHostname: true, serverName: 'mx-1.example.test' }),
    );
    const t = await send(gw);
    expect(t.final?.code).toBe(250);
    expect(mx.messages).toHaveLength(1);
    const got = mx.messages[0];
    expect(got?.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(got?.clientCert?.fingerprint256).toBe(pki.gateway.cert.fingerprint256);
    expect(got?.raw.toString('latin1')).toMatch(/\(relayed to mx-1, TLSv1\.[23] \S+, peer verified\)/);
    expect(gw.observer.tls).toContainEqual(expect.objectContaining({ leg: 'receiving', peer: 'mx-1', result: 'ok' }));
  });

  it('answers 4xx and sends nothing in clear when STARTTLS is required but not offered', async () => {
    const { mx, gw } = await setup(
      (p) => ({ tls: mxCert(p), hideStartTls: true }),
      (p) => ({ starttls: 'required', trust: [p.ca.certPath] }),
    );
    const t = await send(gw);
    expect(t.rcpts[0]?.text).toMatch(/^421 4\.4\.1 .*\[RG_RELAY_NO_STARTTLS\]/);
    expect(mx.messages).toHaveLength(0);
  });

  it('answers 4xx when the receiving MTA certificate does not verify, and logs what to import', async () => {
    const { mx, gw } = await setup(
      (p) => ({ tls: mxCert(p, { otherCa: true }) }),
      (p) => ({ starttls: 'required', trust: [p.ca.certPath], serverName: 'mx-1.example.test' }),
    );
    const t = await send(gw);
    expect(t.rcpts[0]?.text).toMatch(/^421 4\.4\.1 .*\[RG_RELAY_TLS_VERIFY\]/);
    expect(mx.messages).toHaveLength(0);
    const warning = gw.logs.find((l) => l['leg'] === 'receiving' && l['code'] === 'RG_TLS_PEER_UNKNOWN_ISSUER');
    expect(String(warning?.['msg'])).toContain('TLS to receiving MTA mx-1');
    expect(String(warning?.['hint'])).toContain('relayguard certs probe');
    expect(gw.observer.tls).toContainEqual(expect.objectContaining({ leg: 'receiving', peer: 'mx-1', result: 'failed', reason: 'unknown-issuer' }));
  });

  it('answers 4xx on a hostname mismatch when verifyHostname is on', async () => {
    const { mx, gw } = await setup(
      (p) => ({ tls: mxCert(p) }),
      (p) => ({ starttls: 'required', trust: [p.ca.certPath], verifyHostname: true, serverName: 'other.example.test' }),
    );
    const t = await send(gw);
    expect(t.rcpts[0]?.text).toMatch(/^421 4\.4\.1 .*RG_TLS_PEER_HOSTNAME_MISMATCH/);
    expect(mx.messages).toHaveLength(0);
  });

  it('encrypts without verifying when authenticate is false', async () => {
    const { mx, gw } = await setup(
      (p) => ({ tls: mxCert(p, { otherCa: true }) }),
      (p) => ({ starttls: 'required', trust: [p.ca.certPath] }),
      false,
    );
    const t = await send(gw);
    expect(t.final?.code).toBe(250);
    expect(mx.messages[0]?.tls).not.toBeNull();
    expect(gw.observer.tls).toContainEqual(expect.objectContaining({ leg: 'receiving', peer: 'mx-1', result: 'unverified' }));
  });
});
