// Session-level behaviour on the inbound leg: XCLIENT/XFORWARD trust, sender refusals learnt at the
// first RCPT (forward mode), RSET releasing the receiving leg.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta, startScriptedMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { ForwardTopologyOptions, GatewayHarness } from '../helpers/gateway-harness.js';
import type { RecordingMta, RecordingMtaOptions } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(mtaOpts: RecordingMtaOptions = {}, upstream: ForwardTopologyOptions['upstream'] = {}): Promise<{ mx: RecordingMta; gw: GatewayHarness; c: RawSmtpClient }> {
  const mx = await startRecordingMta(mtaOpts);
  cleanups.push(() => mx.close());
  const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], upstream }) });
  cleanups.push(() => gw.close());
  const c = await RawSmtpClient.connect(gw.port);
  cleanups.push(() => c.close());
  expect((await c.reply()).code).toBe(220);
  return { mx, gw, c };
}

describe('XCLIENT', () => {
  it('lets an upstream with xclient: true hand over the original client, which logs and headers show', async () => {
    const { mx, gw, c } = await setup({}, { xclient: true });
    expect((await c.command('EHLO mta.corp.example')).text).toContain('XCLIENT');
    expect((await c.command('XCLIENT ADDR=192.0.2.7 NAME=client.example.test')).code).toBe(220);
    const t = await rawTransaction(c, { ehlo: 'laptop.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.final?.code).toBe(250);
    expect(mx.messages[0]?.raw.toString('latin1')).toMatch(/^Received: from laptop\.example\.test \(client\.example\.test \[192\.0\.2\.7\]\)/);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]?.client).toEqual({ address: '192.0.2.7', hostname: 'client.example.test' });
  });

  it('refuses XCLIENT and XFORWARD from an upstream without xclient: true', async () => {
    const { c } = await setup();
    const ehlo = await c.command('EHLO mta.corp.example');
    expect(ehlo.text).not.toContain('XCLIENT');
    expect(ehlo.text).not.toContain('XFORWARD');
    expect((await c.command('XCLIENT ADDR=192.0.2.7')).code).toBeGreaterThanOrEqual(500);
    expect((await c.command('XFORWARD ADDR=192.0.2.7')).code).toBeGreaterThanOrEqual(500);
  });

  it('offers XCLIENT only to the upstream with xclient: true when the gateway serves both kinds', async () => {
    const mx = await startRecordingMta();
    cleanups.push(() => mx.close());
    const gw = await startGateway({
      topology: (env) => {
        const t = forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], upstream: { xclient: true } });
        const [corp] = t.upstreams;
        if (corp === undefined) throw new Error('no upstream');
        return { ...t, upstreams: [corp, { ...corp, name: 'branch', addresses: ['127.0.0.2/32'], xclient: false }] };
      },
    });
    cleanups.push(() => gw.close());
    const proxy = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => proxy.close());
    const plain = await RawSmtpClient.connect(gw.port, { localAddress: '127.0.0.2' });
    cleanups.push(() => plain.close());
    expect((await proxy.reply()).code).toBe(220);
    expect((await plain.reply()).code).toBe(220);
    const plainEhlo = await plain.command('EHLO branch.corp.example');
    expect(plainEhlo.text).not.toContain('XCLIENT');
    expect(plainEhlo.text).not.toContain('XFORWARD');
    expect((await plain.command('XCLIENT ADDR=192.0.2.7')).code).toBeGreaterThanOrEqual(500);
    expect((await plain.command('XFORWARD ADDR=192.0.2.7')).code).toBeGreaterThanOrEqual(500);
    const proxyEhlo = await proxy.command('EHLO mta.corp.example');
    expect(proxyEhlo.text).toContain('XCLIENT');
    expect(proxyEhlo.text).toContain('XFORWARD');
    expect((await proxy.command('XCLIENT ADDR=192.0.2.7 NAME=client.example.test')).code).toBe(220);
  });
});

describe('forward-mode envelope', () => {
  it('answers every RCPT with the receiving MTA refusal of the sender', async () => {
    const { mx, c } = await setup({ failAt: { mail: { code: 553, message: '5.7.1 <spoof@corp.example>: Sender address rejected' } } });
    const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from: 'spoof@corp.example', to: ['a@example.org', 'b@example.org'], body: testMessage() });
    expect(t.mail.code).toBe(250);
    expect(t.rcpts.map((r) => r.text)).toEqual(['553 5.7.1 <spoof@corp.example>: Sender address rejected', '553 5.7.1 <spoof@corp.example>: Sender address rejected']);
    expect(t.data).toBeUndefined();
    expect(mx.messages).toHaveLength(0);
  });

  it('resets the receiving leg on RSET and reuses it for the next transaction', async () => {
    const { mx, gw, c } = await setup();
    await c.command('EHLO mta.corp.example');
    expect((await c.command('MAIL FROM:<a@corp.example>')).code).toBe(250);
    expect((await c.command('RCPT TO:<x@example.org>')).code).toBe(250);
    expect((await c.command('RSET')).code).toBe(250);
    const t = await rawTransaction(c, { from: 'b@corp.example', to: ['y@example.org'], body: testMessage() });
    expect(t.final?.code).toBe(250);
    expect(mx.messages.map((m) => [m.from, m.to])).toEqual([['b@corp.example', ['y@example.org']]]);
    expect(mx.connections()).toBe(1);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 2, 'records');
    expect(gw.observer.transactions.map((r) => r.outcome)).toEqual(['aborted', 'delivered']);
  });

  it('sends the domain of an internationalised recipient as an A-label', async () => {
    const lines: string[] = [];
    const scripted = await startScriptedMta(async (peer) => {
      await peer.greet([]);
      lines.push(await peer.expect('MAIL'));
      peer.send('250 ok\r\n');
      lines.push(await peer.expect('RCPT'));
      peer.send('250 ok\r\n');
      await peer.expect('RSET');
      peer.send('250 ok\r\n');
    });
    cleanups.push(() => scripted.close());
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: scripted.port }] }) });
    cleanups.push(() => gw.close());
    const c = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => c.close());
    await c.reply();
    await c.command('EHLO mta.corp.example');
    await c.command('MAIL FROM:<a@corp.example>');
    expect((await c.command('RCPT TO:<bob@xn--bcher-kva.example>')).code).toBe(250);
    expect((await c.command('RSET')).code).toBe(250);
    expect(lines).toEqual(['MAIL FROM:<a@corp.example>', 'RCPT TO:<bob@xn--bcher-kva.example>']);
  });
});

describe('session time limit', () => {
  it('closes a session with 421 4.4.2 after timeouts.sessionMs', async () => {
    const mx = await startRecordingMta();
    cleanups.push(() => mx.close());
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], gateway: { timeouts: { sessionMs: 1000 } } }) });
    cleanups.push(() => gw.close());
    const c = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => c.close());
    await c.reply();
    await c.command('EHLO mta.corp.example');
    expect((await c.reply()).text).toBe('421 4.4.2 session time limit reached, closing connection');
    await c.closed();
  });
});
