// Drain: no new transactions, idle sessions closed with 421, in-flight DATA completes; at the deadline
// stragglers get 421 and are closed, except one whose final dot went out: it gets the receiver's reply first.
import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';
import type { ScriptedMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A receiving MTA that holds its final DATA reply until the test releases it. */
async function slowMta(): Promise<{ mta: ScriptedMta; received: Promise<void>; release: () => void; messages: Buffer[]; dropped: Promise<void> }> {
  let release!: () => void;
  let received!: () => void;
  let dropped!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen = new Promise<void>((r) => (received = r));
  const gone = new Promise<void>((r) => (dropped = r));
  const messages: Buffer[] = [];
  const mta = await startScriptedMta(async (peer) => {
    await peer.greet(['PIPELINING']);
    await peer.expect('MAIL');
    await peer.expect('RCPT');
    peer.send('250 2.1.0 ok\r\n250 2.1.5 ok\r\n');
    await peer.expect('DATA');
    peer.send('354 go ahead\r\n');
    const body = await peer.readData();
    received();
    const closedFirst = await Promise.race([gate.then(() => false), peer.closed.then(() => true)]);
    if (closedFirst) return dropped();
    messages.push(body);
    peer.send('250 2.0.0 Ok: queued as SLOW1\r\n');
    await peer.expect('QUIT');
    peer.send('221 bye\r\n');
  });
  cleanups.push(() => mta.close());
  return { mta, received: seen, release, messages, dropped: gone };
}

async function connect(gw: GatewayHarness): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(gw.port);
  cleanups.push(() => c.close());
  return c;
}

/** A session that got 354 for DATA and has sent nothing of the body yet. */
async function startData(gw: GatewayHarness): Promise<RawSmtpClient> {
  const c = await connect(gw);
  await c.reply();
  await c.command('EHLO mta.corp.example');
  expect((await c.command('MAIL FROM:<alice@corp.example>')).code).toBe(250);
  expect((await c.command('RCPT TO:<bob@example.org>')).code).toBe(250);
  expect((await c.command('DATA')).code).toBe(354);
  return c;
}

async function startSlowTransaction(gw: GatewayHarness): Promise<RawSmtpClient> {
  const c = await startData(gw);
  c.write(`${testMessage()}\r\n.\r\n`);
  return c;
}

/** A gateway forwarding to an MTA that holds the final dot until released (closed after the test). */
async function gatewayBeforeSlowMta() {
  const slow = await slowMta();
  const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: slow.mta.port }] }) });
  cleanups.push(() => gw.close());
  return { slow, gw };
}

describe('drain', () => {
  it('lets in-flight DATA finish while refusing new work', async () => {
    const { slow, gw } = await gatewayBeforeSlowMta();
    const busy = await startSlowTransaction(gw);
    const idle = await connect(gw);
    await idle.reply();
    await idle.command('EHLO mta.corp.example');
    await slow.received;
    expect(gw.engine.activeTransactions).toBe(1);

    const drained = gw.engine.drain(Date.now() + 30_000);
    expect((await idle.reply()).text).toBe('421 4.3.2 gateway shutting down, try again later');
    await idle.closed();
    const late = await connect(gw);
    expect((await late.reply()).text).toBe('421 4.3.2 gateway shutting down, try again later');
    expect(gw.observer.refused).toContainEqual({ remoteAddress: '127.0.0.1', reason: 'draining' });

    slow.release();
    expect((await busy.reply()).text).toBe('250 2.0.0 Ok: queued as SLOW1');
    expect((await busy.reply()).code).toBe(421);
    await drained;
    expect(gw.engine.activeSessions).toBe(0);
    expect(gw.engine.activeTransactions).toBe(0);
    expect(slow.messages).toHaveLength(1);
  });

  it('at the deadline, a transaction whose final dot went out gets the receiving MTA\'s own reply, then 421', async () => {
    const { slow, gw } = await gatewayBeforeSlowMta();
    const busy = await startSlowTransaction(gw);
    await slow.received;
    const drained = gw.engine.drain(Date.now() + 200);
    // Well past the deadline (and its 1 s straggler grace), still within the leg's own dataMs.
    setTimeout(() => slow.release(), 1_500);
    expect((await busy.reply()).text).toBe('250 2.0.0 Ok: queued as SLOW1');
    expect((await busy.reply()).code).toBe(421);
    await busy.closed();
    await drained;
    expect(gw.engine.activeSessions).toBe(0);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]?.outcome).toBe('delivered');
    expect(slow.messages).toHaveLength(1);
  });

  it('answers a straggler whose message is still arriving 421 at the deadline, never 250, and the receiver gets no dot', async () => {
    const { slow, gw } = await gatewayBeforeSlowMta();
    const c = await startData(gw);
    c.write(`${testMessage()}\r\n`);
    await gw.engine.drain(Date.now() + 200);
    expect((await c.reply()).code).toBe(421);
    await c.closed();
    expect(gw.engine.activeSessions).toBe(0);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'record');
    expect(gw.observer.transactions[0]?.outcome).toBe('aborted');
    // The receiver's script was still reading the body when the gateway hung up: no dot ever came.
    for (let i = 0; i < 100 && slow.mta.errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(String(slow.mta.errors[0])).toMatch(/client closed the connection/);
    expect(slow.messages).toHaveLength(0);
  });
});
