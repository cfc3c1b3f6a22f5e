// Faults on the upstream leg: the sending MTA vanishes at each point of a transaction, resets it, or
// sends more than maxMessageBytes. Nothing is ever delivered in part, a message is delivered at most
// once, the receiving leg is reset or closed, and nothing leaks.
import { describe, expect, it } from 'vitest';
import { RecordingSender, accountFor, assertAccounting, newTestId, testIdOf, testMessage } from '../helpers/accounting.js';
import { RawSmtp } from '../helpers/raw-smtp-client.js';
import { eventually, expectNoSessions } from './leaks.js';
import { RECIPIENT, SENDER, useLeakCheckedStacks } from './setup.js';
import type { GatewayHarness } from '../helpers/gateway-harness.js';

const { cleanup, stack } = useLeakCheckedStacks();

async function envelope(gw: GatewayHarness): Promise<RawSmtp> {
  const { client } = await RawSmtp.open(gw.port);
  cleanup.add(() => client.destroy());
  await client.ehlo();
  expect((await client.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`])).map((r) => r.code)).toEqual([250, 250]);
  return client;
}

describe('the upstream goes away', () => {
  it('after RCPT: nothing delivered, the transaction is recorded as aborted, the session is released', async () => {
    const { mx, gw } = await stack();
    const c = await envelope(gw);
    c.destroy();
    await expectNoSessions(gw);
    await gw.observer.waitFor(() => gw.observer.transactions.length === 1, 'aborted transaction');
    expect(gw.observer.transactions[0]?.outcome).toBe('aborted');
    expect(mx.messages).toHaveLength(0);
  });

  it('in the middle of DATA (half of a 300 KB message): nothing delivered in part or at all', async () => {
    const { mx, gw } = await stack();
    const c = await envelope(gw);
    expect((await c.command('DATA')).code).toBe(354);
    const message = testMessage(newTestId('half'), { padTo: 300_000 });
    c.write(message.subarray(0, message.length / 2));
    await new Promise((r) => setTimeout(r, 100));
    c.destroy();
    await expectNoSessions(gw);
    expect(mx.messages).toHaveLength(0);
    expect(mx.rejected).toHaveLength(0);
  });

  it('right after the final dot, without reading the reply: delivered at most once (a possible duplicate, counted)', async () => {
    const { mx, gw } = await stack();
    const id = newTestId('dot');
    const c = await envelope(gw);
    expect((await c.command('DATA')).code).toBe(354);
    c.write(Buffer.concat([testMessage(id, { padTo: 50_000 }), Buffer.from('.\r\n')]));
    c.destroy();
    await expectNoSessions(gw);
    await eventually(() => mx.messages.length > 0, 1_000);
    // The sender saw no reply: it will retry, so one delivery is allowed, two are not.
    const report = accountFor([{ id, outcome: 'no-reply', step: 'end-of-data', detail: 'hung up after the dot' }], mx.messages);
    expect(report.duplicated).toEqual([]);
    expect(report.unknown).toEqual([]);
    expect(mx.messages.length).toBeLessThanOrEqual(1);
  });
});

describe('the upstream changes its mind', () => {
  it('RSET after RCPT, then a new transaction on the same session: only the second message is delivered', async () => {
    const { mx, gw } = await stack();
    const c = await envelope(gw);
    expect((await c.command('RSET')).code).toBe(250);
    const id = newTestId('after-rset');
    expect((await c.pipeline([`MAIL FROM:<${SENDER}>`, `RCPT TO:<${RECIPIENT}>`, 'DATA'])).map((r) => r.code)).toEqual([250, 250, 354]);
    c.write(Buffer.concat([testMessage(id), Buffer.from('.\r\n')]));
    expect((await c.reply()).code).toBe(250);
    await c.quit();
    await mx.waitForMessages(1);
    expect(mx.messages.map((m) => testIdOf(m.raw))).toEqual([id]);
    await expectNoSessions(gw);
  });

  it('a message over maxMessageBytes gets 552 5.3.4 and is not relayed; the next one on the same session is', async () => {
    const { mx, gw } = await stack({ gateway: { maxMessageBytes: 100_000 } });
    const sender = new RecordingSender({ port: gw.port, messagesPerConnection: 5 });
    cleanup.add(() => sender.close());
    const big = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('big'), { padTo: 300_000 }));
    expect(big.outcome).toBe('permfail');
    expect(big.detail).toMatch(/^552 5\.3\.4 /);
    const small = await sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(newTestId('small')));
    expect(small.outcome).toBe('accepted');
    await sender.close();
    const report = assertAccounting(sender.sent, mx.messages);
    expect(report.delivered).toBe(1);
    await expectNoSessions(gw);
  });
});
