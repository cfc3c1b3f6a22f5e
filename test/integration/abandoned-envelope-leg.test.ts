// Per-connection cost: an upstream that quits after RCPT (a sender-verification callout, a client that gives
// up) leaves a receiving leg with only MAIL and RCPT on it. RSET makes it clean again, so it goes back to the
// pool instead of costing a new TCP connection (and the receiver a new session) per callout.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('an envelope abandoned by the upstream', () => {
  it('returns its receiving leg to the pool (RSET) instead of closing it, and the next message uses it', async () => {
    const mx = await startRecordingMta();
    cleanups.push(() => mx.close());
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
    cleanups.push(() => gw.close());
    for (let i = 0; i < 3; i++) {
      const c = await RawSmtpClient.connect(gw.port);
      expect((await c.reply()).code).toBe(220);
      expect((await c.command('EHLO callout.corp.example')).code).toBe(250);
      expect((await c.command('MAIL FROM:<>')).code).toBe(250);
      expect((await c.command('RCPT TO:<bob@example.org>')).code).toBe(250);
      expect((await c.command('QUIT')).code).toBe(221);
      c.close();
      await gw.observer.waitFor(() => gw.observer.transactions.length === i + 1, 'aborted record');
    }
    expect(gw.observer.transactions.map((t) => t.outcome)).toEqual(['aborted', 'aborted', 'aborted']);
    const c = await RawSmtpClient.connect(gw.port);
    cleanups.push(() => c.close());
    await c.reply();
    const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ subject: 'after callouts' }) });
    expect(t.final?.code).toBe(250);
    await mx.waitForMessages(1);
    expect(mx.messages.map((m) => m.to)).toEqual([['bob@example.org']]);
    expect(mx.connections()).toBe(1);
  });
});
