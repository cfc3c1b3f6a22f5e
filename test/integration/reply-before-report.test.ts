// The final reply to DATA goes out before the transaction's reporting (observer: metrics and the log
// line), and in the same tick: the reply is not delayed by the bookkeeping, and whoever reads the
// records after seeing the reply finds the transaction there. Likewise the greeting before the
// session's sessionOpened report.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, rawTransaction, startGateway, testMessage } from '../helpers/gateway-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Every socket write in this process whose text contains `marker`, and every record, in the order they happened. */
function traceWrites(marker: RegExp, events: string[]): () => void {
  const original = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, ...args: Parameters<net.Socket['write']>): boolean {
    const chunk = args[0];
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : '';
    if (marker.test(text)) events.push(`write ${text.trim()}`);
    return original.apply(this, args);
  } as net.Socket['write'];
  return () => {
    net.Socket.prototype.write = original;
  };
}

type Hooked = 'transactionFinished' | 'sessionOpened';

/**
 * A gateway in front of a recording MTA whose observer call `hook` adds `label(event)` to the events,
 * the writes that match `marker` traced into the same list, and a raw client that has read the greeting.
 */
async function tracedGateway(hook: Hooked, label: (e: never) => string, marker: RegExp, mta?: Parameters<typeof startRecordingMta>[0]) {
  const mx = await startRecordingMta(mta);
  cleanups.push(() => mx.close());
  const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }] }) });
  cleanups.push(() => gw.close());
  const events: string[] = [];
  const observer = gw.observer as unknown as Record<Hooked, (e: never) => void>;
  const observed = observer[hook].bind(gw.observer);
  observer[hook] = (e: never): void => {
    events.push(label(e));
    observed(e);
  };
  cleanups.push(traceWrites(marker, events));
  const c = await RawSmtpClient.connect(gw.port);
  cleanups.push(() => c.close());
  expect((await c.reply()).code).toBe(220);
  return { gw, c, events };
}

describe('the end of a transaction', () => {
  it('writes the final reply to the upstream before the record reaches the observer, in the same tick', async () => {
    const { gw, c, events } = await tracedGateway('transactionFinished', (r: { outcome: string }) => `record ${r.outcome}`, /queued as RGTEST/);

    const t = await rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.final?.code).toBe(250);
    // No waiting: the record was made in the tick that wrote the reply the client has just read.
    expect(gw.observer.transactions.map((r) => r.outcome)).toEqual(['delivered']);
    expect(gw.logs.some((l) => l['event'] === 'transaction' && l['outcome'] === 'delivered')).toBe(true);
    // The receiving MTA's reply to the gateway, the gateway's (the same text) to the upstream, then the record.
    expect(events).toHaveLength(3);
    expect(events[0]).toMatch(/^write 250 .*queued as RGTEST/);
    expect(events[1]).toBe(events[0]);
    expect(events[2]).toBe('record delivered');
  });

  it('reports a refused message after its reply too, and the session goes on', async () => {
    const refuse = { dataReply: () => ({ code: 554, message: '5.7.1 refused by RGTEST policy' }) };
    const { gw, c, events } = await tracedGateway('transactionFinished', (r: { outcome: string }) => `record ${r.outcome}`, /refused by RGTEST policy/, refuse);

    const first = await rawTransaction(c, { ehlo: 'mta.corp.example', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(first.final?.code).toBe(554);
    expect(gw.observer.transactions.map((r) => r.outcome)).toEqual(['rejected']);
    expect(events.slice(-2)).toEqual([events[events.length - 2], 'record rejected']);
    expect(events[events.length - 2]).toMatch(/^write 554 .*refused by RGTEST policy/);
    const second = await rawTransaction(c, { from: 'alice@corp.example', to: ['carol@example.org'], body: testMessage() });
    expect(second.final?.code).toBe(554);
    expect(gw.observer.transactions.map((r) => r.outcome)).toEqual(['rejected', 'rejected']);
  });
});

describe('the start of a session', () => {
  it('writes the greeting before the session reaches the observer, in the same tick', async () => {
    const { gw, events } = await tracedGateway('sessionOpened', () => 'opened', /^220 .*ESMTP/);
    expect(gw.observer.opened).toHaveLength(1);
    expect(events.map((e) => e.replace(/^write 220 .*/, 'greeting'))).toEqual(['greeting', 'opened']);
  });
});
