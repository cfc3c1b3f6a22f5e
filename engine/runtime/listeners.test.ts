import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { pino } from 'pino';
import { freePorts } from '../../test/helpers/ports.js';
import type { Listener } from '../graph/types.js';
import type { ConnectionMeta } from '../smtp/engine-api.js';
import { connectLines } from '../../test/doubles/fake-engine.js';
import { ListenError, ListenerSet } from './listeners.js';
import { encodeProxyV1, encodeProxyV2 } from './proxy-protocol.js';

interface Harness {
  readonly set: ListenerSet;
  readonly metas: ConnectionMeta[];
  readonly logs: { code?: string; msg: string }[];
}

const sets: ListenerSet[] = [];
const sockets: Socket[] = [];

afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const set of sets.splice(0)) set.stopAccepting();
});

/** Accepted sockets get "220 <label> <client>" and then echo lines back as "250 <label> <line>". */
function harness(label = 'gen1', proxyHeaderTimeoutMs = 5000): Harness & { label: { value: string } } {
  const metas: ConnectionMeta[] = [];
  const logs: { code?: string; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as { msg: string }) });
  const current = { value: label };
  const set = new ListenerSet({
    logger,
    proxyHeaderTimeoutMs,
    accept: (socket, meta) => {
      metas.push(meta);
      sockets.push(socket);
      const mine = current.value;
      socket.setEncoding('latin1');
      socket.write(`220 ${mine} ${meta.remoteAddress}:${meta.remotePort} proxied=${meta.proxied}\r\n`);
      socket.on('data', (d: string) => socket.write(`250 ${mine} ${d.trim()}\r\n`));
    },
  });
  sets.push(set);
  return { set, metas, logs, label: current };
}

const at = (port: number, extra: Partial<Listener> = {}): Listener => ({ address: '127.0.0.1', port, ...extra });

describe('ListenerSet', () => {
  it('hands each connection to accept with the TCP peer', async () => {
    const [port = 0] = await freePorts(1);
    const h = harness();
    await h.set.reconcile([at(port)]);
    const c = await connectLines(port);
    expect(await c.next()).toMatch(/^220 gen1 127\.0\.0\.1:\d+ proxied=false$/);
    expect(h.metas[0]).toMatchObject({ remoteAddress: '127.0.0.1', localPort: port, proxied: false });
    c.socket.destroy();
  });

  it('gives each connection its local end: the bound address, or the socket\'s own behind a wildcard listener', async () => {
    const [one = 0, any = 0] = await freePorts(2);
    const h = harness();
    await h.set.reconcile([at(one), { address: '0.0.0.0', port: any }]);
    const a = await connectLines(one);
    await a.next();
    const b = await connectLines(any);
    await b.next();
    expect(h.metas.map((m) => [m.localAddress, m.localPort])).toEqual([
      ['127.0.0.1', one],
      ['127.0.0.1', any],
    ]);
    a.socket.destroy();
    b.socket.destroy();
  });

  it('binds a changed port before the old one stops, and the old port keeps its open session', async () => {
    const [p1 = 0, p2 = 0] = await freePorts(2);
    const h = harness();
    await h.set.reconcile([at(p1)]);
    const old = await connectLines(p1);
    await old.next();
    const prepared = await h.set.prepare([at(p2)]);
    // Both accept between prepare and commit: no window without a listener.
    expect(h.set.addresses().map((l) => [l.port, l.state])).toEqual([
      [p1, 'listening'],
      [p2, 'listening'],
    ]);
    const during = await connectLines(p1);
    expect(await during.next()).toMatch(/^220 /);
    h.label.value = 'gen2';
    prepared.commit();
    const fresh = await connectLines(p2);
    expect(await fresh.next()).toMatch(/^220 gen2 /);
    await expect(connectLines(p1)).rejects.toThrow(/ECONNREFUSED/);
    old.send('still here');
    expect(await old.next()).toBe('250 gen1 still here');
    old.socket.destroy();
    during.socket.destroy();
    fresh.socket.destroy();
  });

  it('fails prepare with RG_RUNTIME_LISTEN_FAILED on a busy port and closes what it bound', async () => {
    const [p1 = 0, busy = 0] = await freePorts(2);
    const blocker = harness();
    await blocker.set.reconcile([at(busy)]);
    const h = harness();
    const err = await h.set.prepare([at(p1), at(busy)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ListenError);
    expect((err as ListenError).code).toBe('RG_RUNTIME_LISTEN_FAILED');
    expect(h.set.addresses().filter((l) => l.state === 'listening')).toEqual([]);
    await expect(connectLines(p1)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rollback closes only what prepare bound', async () => {
    const [p1 = 0, p2 = 0] = await freePorts(2);
    const h = harness();
    await h.set.reconcile([at(p1)]);
    (await h.set.prepare([at(p1), at(p2)])).rollback();
    await expect(connectLines(p2)).rejects.toThrow(/ECONNREFUSED/);
    const c = await connectLines(p1);
    expect(await c.next()).toMatch(/^220 /);
    c.socket.destroy();
  });
});

describe('ListenerSet with PROXY protocol', () => {
  const client = { address: '203.0.113.9', port: 40123 };

  async function proxied(trusted: readonly string[], timeoutMs = 5000) {
    const [port = 0] = await freePorts(1);
    const h = harness('gen1', timeoutMs);
    await h.set.reconcile([at(port, { proxyProtocol: { trusted } })]);
    return { ...h, port };
  }

  it('takes the client address from a v1 header sent by a trusted proxy', async () => {
    const h = await proxied(['127.0.0.0/8']);
    const c = await connectLines(h.port, '127.0.0.1', encodeProxyV1(client, { address: '127.0.0.1', port: h.port }));
    expect(await c.next()).toBe('220 gen1 203.0.113.9:40123 proxied=true');
    c.socket.destroy();
  });

  it('takes the client address from a v2 header and keeps the bytes that followed it', async () => {
    const h = await proxied(['127.0.0.1']);
    const header = encodeProxyV2({ command: 'proxy', source: { address: '2001:db8::5', port: 2525 }, destination: { address: '::1', port: 25 } });
    const c = await connectLines(h.port, '127.0.0.1', Buffer.concat([header, Buffer.from('EHLO early.example.test\r\n')]));
    expect(await c.next()).toBe('220 gen1 2001:db8::5:2525 proxied=true');
    expect(await c.next()).toBe('250 gen1 EHLO early.example.test');
    c.socket.destroy();
  });

  it('uses the TCP peer for a v2 LOCAL header (the balancer\'s own health check)', async () => {
    const h = await proxied(['127.0.0.1/32']);
    const c = await connectLines(h.port, '127.0.0.1', encodeProxyV2({ command: 'local' }));
    expect(await c.next()).toMatch(/^220 gen1 127\.0\.0\.1:\d+ proxied=false$/);
    c.socket.destroy();
  });

  it('closes a connection from a peer that is not a trusted proxy, and says why in the log', async () => {
    const h = await proxied(['192.0.2.0/24']);
    const c = await connectLines(h.port, '127.0.0.1', encodeProxyV1(client, { address: '127.0.0.1', port: h.port }));
    await c.closed;
    expect(h.metas).toEqual([]);
    expect(h.logs.map((l) => l.code)).toContain('RG_PROXY_UNTRUSTED');
  });

  it('closes a connection whose header is malformed', async () => {
    const h = await proxied(['127.0.0.1']);
    const c = await connectLines(h.port, '127.0.0.1', Buffer.from('EHLO client.example.test\r\n'));
    await c.closed;
    expect(h.metas).toEqual([]);
    expect(h.logs.map((l) => l.code)).toContain('RG_PROXY_NOT_PROXY');
  });

  it('closes a connection whose header does not arrive in time', async () => {
    const h = await proxied(['127.0.0.1'], 200);
    const c = await connectLines(h.port, '127.0.0.1', Buffer.from('PROXY TCP4 203.0'));
    await c.closed;
    expect(h.metas).toEqual([]);
    expect(h.logs.map((l) => l.code)).toContain('RG_PROXY_TIMEOUT');
  });

  it('applies a changed trusted list to the next connection on the same port', async () => {
    const h = await proxied(['192.0.2.1']);
    await h.set.reconcile([at(h.port, { proxyProtocol: { trusted: ['127.0.0.1'] } })]);
    const c = await connectLines(h.port, '127.0.0.1', encodeProxyV1(client, { address: '127.0.0.1', port: h.port }));
    expect(await c.next()).toBe('220 gen1 203.0.113.9:40123 proxied=true');
    c.socket.destroy();
  });
});
