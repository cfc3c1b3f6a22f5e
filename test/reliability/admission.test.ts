// Admission control over real SMTP: with gateway.inspection.maxConcurrentBytes small, a message that
// does not fit beside those in flight gets 451 4.3.2 (by its bytes as they arrive, or by its declared
// SIZE), nothing is relayed for it, and retried later it is delivered exactly once.
import { afterEach, describe, expect, it } from 'vitest';
import { admissionBudget } from '../../engine/smtp/inbound/admission.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import { startRecordingMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const BUDGET = 64 * 1024;
const line = 'x'.repeat(78);
const body = (bytes: number): string => Array.from({ length: Math.ceil(bytes / 80) }, () => line).join('\r\n');

async function setup() {
  const mx = await startRecordingMta();
  cleanups.push(() => mx.close());
  const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx', port: mx.port }], gateway: { inspection: { maxConcurrentBytes: BUDGET } } }) });
  cleanups.push(() => gw.close());
  const connect = async (): Promise<RawSmtpClient> => {
    const c = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => c.close());
    await c.reply();
    expect((await c.command('EHLO mta.corp.example')).code).toBe(250);
    return c;
  };
  return { mx, gw, connect, inUse: () => admissionBudget(gw.services, BUDGET).inUse };
}

async function until(what: string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts a 48 KB message and stops before its end: the gateway holds its bytes until it finishes. */
async function holdInFlight(connect: () => Promise<RawSmtpClient>, inUse: () => number): Promise<() => Promise<string>> {
  const c = await connect();
  expect((await c.command('MAIL FROM:<alice@corp.example>')).code).toBe(250);
  expect((await c.command('RCPT TO:<first@example.org>')).code).toBe(250);
  expect((await c.command('DATA')).code).toBe(354);
  c.write(`${testMessage({ messageId: '<held@corp.example>', body: body(48 * 1024) })}\r\n`);
  await until('the first message to be admitted', () => inUse() >= 48 * 1024);
  return async () => {
    c.write('.\r\n');
    return (await c.reply()).text;
  };
}

describe('admission control (gateway.inspection.maxConcurrentBytes)', () => {
  it('answers 451 4.3.2 to the message that does not fit, and delivers it exactly once when retried', async () => {
    const { mx, connect, inUse } = await setup();
    const finishFirst = await holdInFlight(connect, inUse);

    const second = await connect();
    const message = testMessage({ messageId: '<overflow@corp.example>', body: body(40 * 1024) });
    const refused = await rawTransaction(second, { from: 'bob@corp.example', to: ['second@example.org'], body: message });
    expect(refused.final?.text).toBe('451 4.3.2 gateway busy, try again later');

    expect(await finishFirst()).toMatch(/^250 /);
    await until('the budget to be free again', () => inUse() === 0);
    const retried = await rawTransaction(second, { from: 'bob@corp.example', to: ['second@example.org'], body: message });
    expect(retried.final?.text).toMatch(/^250 /);

    await mx.waitForMessages(2);
    const ids = mx.messages.map((m) => /^Message-ID: (.*)$/im.exec(m.raw.toString('latin1'))?.[1]);
    expect(ids.sort()).toEqual(['<held@corp.example>', '<overflow@corp.example>']);
    expect(mx.messages.map((m) => m.to)).toEqual([['first@example.org'], ['second@example.org']]);
    expect(inUse()).toBe(0);
  });

  it('refuses by the declared SIZE before holding any of the body', async () => {
    const { mx, connect, inUse } = await setup();
    const finishFirst = await holdInFlight(connect, inUse);
    const c = await connect();
    expect((await c.command('MAIL FROM:<carol@corp.example> SIZE=30000')).code).toBe(250);
    expect((await c.command('RCPT TO:<third@example.org>')).code).toBe(250);
    expect((await c.command('DATA')).code).toBe(354);
    c.write(`${testMessage({ body: 'small, but announced as 30000 bytes' })}\r\n.\r\n`);
    expect((await c.reply()).text).toBe('451 4.3.2 gateway busy, try again later');
    expect(await finishFirst()).toMatch(/^250 /);
    await mx.waitForMessages(1);
    expect(mx.messages.map((m) => m.to)).toEqual([['first@example.org']]);
  });

  it('admits a lone message larger than the budget (the budget bounds concurrency, maxMessageBytes the message)', async () => {
    const { mx, connect, inUse } = await setup();
    const c = await connect();
    const t = await rawTransaction(c, { from: 'alice@corp.example', to: ['big@example.org'], body: testMessage({ body: body(100 * 1024) }) });
    expect(t.final?.text).toMatch(/^250 /);
    await mx.waitForMessages(1);
    expect(inUse()).toBe(0);
  });
});
