import { afterEach, describe, expect, it } from 'vitest';
import { RelayError } from './relay-client.js';
import { RelayPool, endpointKey } from './relay-pool.js';
import { startRecordingMta, startScriptedMta } from '../../../test/helpers/recording-mta.js';
import type { RelayConnectOptions } from './relay-client.js';
import type { RecordingMtaOptions, ScriptedPeer } from '../../../test/helpers/recording-mta.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const TLS_OFF = { starttls: 'disabled', options: {} } as const;
const BODY = Buffer.from('Subject: pool\r\n\r\nhello\r\n');

function options(port: number): RelayConnectOptions {
  return { host: '127.0.0.1', port, ehloName: 'gw.example.test', timeouts: { commandMs: 5_000, greetingMs: 5_000 }, tls: TLS_OFF };
}

async function mta(opts: RecordingMtaOptions = {}) {
  const m = await startRecordingMta(opts);
  cleanups.push(() => m.close());
  return m;
}

function pool(opts: ConstructorParameters<typeof RelayPool>[0] = {}): RelayPool {
  const p = new RelayPool(opts);
  cleanups.push(() => p.close());
  return p;
}

/** A tiny MTA loop that logs every command line; `onCommand` may take over (return true = handled). */
async function scripted(log: string[], onCommand?: (line: string, peer: ScriptedPeer, n: number) => Promise<boolean> | boolean) {
  let sessions = 0;
  const s = await startScriptedMta(async (peer) => {
    const session = ++sessions;
    await peer.greet(['PIPELINING']);
    for (;;) {
      const line = await peer.readLine().catch(() => null);
      if (line === null) return;
      log.push(`${session}:${line}`);
      if (onCommand !== undefined && (await onCommand(line, peer, session))) continue;
      if (line === 'DATA') {
        peer.send('354 go\r\n');
        await peer.readData();
        peer.send('250 2.0.0 queued\r\n');
      } else if (line === 'QUIT') {
        peer.send('221 bye\r\n');
        peer.socket.end();
        return;
      } else peer.send('250 ok\r\n');
    }
  });
  cleanups.push(() => s.close());
  return s;
}

/** What engine/smtp/transaction/open-leg.ts does with a pooled connection: acquire, then MAIL + RCPT. */
async function begin(p: RelayPool, opts: RelayConnectOptions) {
  const conn = await p.acquire(opts);
  return { conn, ...(await conn.mailAndRcpts('a@example.test', [], ['b@example.test'])) };
}

async function transaction(p: RelayPool, opts: RelayConnectOptions): Promise<void> {
  const { conn, mail, rcpts } = await begin(p, opts);
  expect([mail.code, ...rcpts.map((r) => r.code)]).toEqual([250, 250]);
  const final = await conn.data([BODY]);
  p.release(conn, { reusable: final.code === 250 });
}

const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RelayPool', () => {
  it('reuses one TCP connection for consecutive transactions', async () => {
    const m = await mta();
    const p = pool();
    await transaction(p, options(m.port));
    await transaction(p, options(m.port));
    expect(await m.waitForMessages(2)).toHaveLength(2);
    expect(m.connections()).toBe(1);
    expect(p.stats()).toMatchObject({ idle: 1, leased: 0 });
  });

  it('bounds concurrency per endpoint and hands a released connection to the next waiter', async () => {
    const m = await mta();
    const p = pool({ maxConnections: 2 });
    const opts = options(m.port);
    const a = await p.acquire(opts);
    const b = await p.acquire(opts);
    let third: unknown = null;
    const waiting = p.acquire(opts).then((c) => (third = c));
    await tick();
    expect(third).toBeNull();
    expect(p.stats().waiting).toBe(1);
    p.release(a, { reusable: true });
    await waiting;
    expect(third).toBe(a);
    expect(m.connections()).toBe(2);
    p.release(b, { reusable: true });
    p.release(a, { reusable: true });
  });

  it('fails a waiter with RG_RELAY_POOL_TIMEOUT when no slot frees up', async () => {
    const m = await mta();
    const p = pool({ maxConnections: 1, acquireTimeoutMs: 100 });
    const a = await p.acquire(options(m.port));
    const err = await p.acquire(options(m.port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RelayError);
    expect((err as RelayError).code).toBe('RG_RELAY_POOL_TIMEOUT');
    p.release(a, { reusable: true });
  });

  it('sends RSET before reusing a connection whose transaction was abandoned', async () => {
    const log: string[] = [];
    const s = await scripted(log);
    const p = pool();
    const opts = options(s.port);
    const first = await p.acquire(opts);
    await first.mail('a@example.test');
    p.release(first, { reusable: true });
    await tick();
    await transaction(p, opts);
    expect(log).toEqual(['1:MAIL FROM:<a@example.test>', '1:RSET', '1:MAIL FROM:<a@example.test>', '1:RCPT TO:<b@example.test>', '1:DATA']);
  });

  it('never reuses a connection that failed', async () => {
    const m = await mta({ dropDuringData: true });
    const p = pool();
    const { conn } = await begin(p, options(m.port));
    await conn.data([BODY]).catch(() => undefined);
    p.release(conn, { reusable: true });
    const next = await p.acquire(options(m.port));
    expect(next).not.toBe(conn);
    expect(m.connections()).toBe(2);
    p.release(next, { reusable: false });
  });

  it('replaces an idle connection the server closed', async () => {
    const log: string[] = [];
    const s = await scripted(log, async (line, peer, n) => {
      if (n !== 1 || line !== 'DATA') return false;
      peer.send('354 go\r\n');
      await peer.readData();
      peer.send('250 2.0.0 queued\r\n');
      await tick(10);
      peer.socket.end(); // the server's idle timeout
      return true;
    });
    const p = pool();
    const opts = options(s.port);
    await transaction(p, opts);
    await tick(50);
    await transaction(p, opts);
    expect(s.connections()).toBe(2);
    expect(log.filter((l) => l.includes('MAIL'))).toEqual(['1:MAIL FROM:<a@example.test>', '2:MAIL FROM:<a@example.test>']);
  });

  it('retires a connection after maxMessagesPerConnection', async () => {
    const m = await mta();
    const p = pool({ maxMessagesPerConnection: 1 });
    await transaction(p, options(m.port));
    await transaction(p, options(m.port));
    expect(m.connections()).toBe(2);
  });

  it('QUITs idle connections after the idle timeout and on close', async () => {
    const log: string[] = [];
    const s = await scripted(log);
    const p = pool({ idleTimeoutMs: 50 });
    await transaction(p, options(s.port));
    // the idle timer fires after 50 ms; on a loaded machine the QUIT may reach the peer later
    for (let waited = 0; log.at(-1) !== '1:QUIT' && waited < 3000; waited += 50) await tick(50);
    expect(log.at(-1)).toBe('1:QUIT');
    await transaction(p, options(s.port));
    await p.close();
    expect(log.at(-1)).toBe('2:QUIT');
    expect(s.connections()).toBe(2);
    await expect(p.acquire(options(s.port))).rejects.toMatchObject({ code: 'RG_RELAY_POOL_CLOSED' });
  });

  it('forgets endpoints that have no connections left', async () => {
    const m = await mta();
    const p = pool();
    await transaction(p, options(m.port));
    expect(p.stats()).toMatchObject({ endpoints: 1, idle: 1 });
    p.closeIdle();
    expect(p.stats()).toMatchObject({ endpoints: 0, idle: 0 });
    const conn = await p.acquire({ ...options(m.port), tls: { starttls: 'disabled', options: {} } });
    p.release(conn, { reusable: false });
    expect(p.stats().endpoints).toBe(0);
  });

  it('keys endpoints by address, TLS policy and TLS material', () => {
    const base = options(25);
    const ctx = { servername: 'mx.example.test' };
    expect(endpointKey(base)).toBe(endpointKey({ ...base }));
    expect(endpointKey(base)).not.toBe(endpointKey({ ...base, port: 26 }));
    expect(endpointKey(base)).not.toBe(endpointKey({ ...base, tls: { starttls: 'required', options: {} } }));
    expect(endpointKey({ ...base, tls: { starttls: 'required', options: ctx } })).not.toBe(
      endpointKey({ ...base, tls: { starttls: 'required', options: { ...ctx } } }),
    );
  });
});
