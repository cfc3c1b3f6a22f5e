// The invariant under mixed failures and concurrency: every message the upstream saw accepted (250)
// was delivered exactly once, and no 250 ever stands for a message the receiving MTA did not accept.
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';
import type { RecordingMta } from '../helpers/recording-mta.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function messageIds(mx: RecordingMta): string[] {
  return mx.messages.map((m) => /\r\nMessage-ID: <([^>]+)>/i.exec(m.raw.toString('latin1'))?.[1] ?? '?');
}

describe('exactly once', () => {
  it('delivers exactly the messages the upstream saw accepted', async () => {
    const good = await startRecordingMta({ dataReply: (m) => (m.raw.includes('Subject: tempfail') ? { code: 451, message: '4.3.0 try later' } : undefined) });
    const flaky = await startRecordingMta({ dropDuringData: true });
    cleanups.push(() => good.close(), () => flaky.close());
    const gw = await startGateway({
      topology: (env) =>
        forwardTopology(env, {
          receivers: [
            { name: 'good', port: good.port },
            { name: 'flaky', port: flaky.port },
          ],
          routes: [{ domains: ['*'], receivers: ['good', 'flaky'], strategy: 'round-robin' }],
        }),
    });
    cleanups.push(() => gw.close());
    const accepted: string[] = [];
    const refused: string[] = [];
    const worker = async (w: number): Promise<void> => {
      let c: RawSmtpClient | null = null;
      for (let i = 0; i < 8; i++) {
        if (c === null || c.ended) {
          c = await RawSmtpClient.connect(gw.port);
          cleanups.push(() => c?.close());
          await c.reply();
          await c.command('EHLO mta.corp.example');
        }
        const id = `w${w}m${i}@corp.example`;
        const subject = i % 3 === 2 ? 'tempfail' : 'ok';
        const t = await rawTransaction(c, { from: 'alice@corp.example', to: [`r${i}@example.org`], body: testMessage({ messageId: `<${id}>`, subject, body: 'x'.repeat(2_000 * (i + 1)) }) }).catch(() => null);
        (t?.final?.code === 250 ? accepted : refused).push(id);
        if (t?.final?.code !== 250 && t !== null && !c.ended) await c.command('RSET').catch(() => null);
      }
      c?.close();
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    expect(accepted.length + refused.length).toBe(32);
    expect(accepted.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(messageIds(good).sort()).toEqual([...accepted].sort());
    // The flaky MTA drops the connection without a final reply: none of what it saw was acknowledged.
    expect(messageIds(flaky).filter((id) => accepted.includes(id))).toEqual([]);
  });
});
