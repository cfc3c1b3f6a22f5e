import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { listenSharing, reusePortSupported } from './listen-sharing.js';

describe('listener sharing between cluster workers', () => {
  it.each([
    ['20.19.0', false],
    ['22.11.0', false],
    ['22.12.0', true],
    ['23.0.0', false],
    ['23.1.0', true],
    ['24.0.0', true],
  ])('Node %s on Linux has reusePort: %s', (version, expected) => {
    expect(reusePortSupported(version, 'linux')).toBe(expected);
  });

  it('is never used off Linux (no kernel balancing between processes)', () => {
    expect(reusePortSupported('24.0.0', 'darwin')).toBe(false);
  });

  it('a worker binds its own SO_REUSEPORT socket; the primary, a single process and port 0 do not', () => {
    expect(listenSharing(25, { isWorker: true, reusePort: true })).toEqual({ reusePort: true, exclusive: true });
    expect(listenSharing(25, { isWorker: true, reusePort: false })).toEqual({});
    expect(listenSharing(25, { isWorker: false, reusePort: true })).toEqual({});
    expect(listenSharing(0, { isWorker: true, reusePort: true })).toEqual({});
  });
});

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const listen = (port: number, reusePort: boolean): Promise<Server> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    servers.push(s);
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port, ...listenSharing(port, { isWorker: true, reusePort }) }, () => resolve(s));
  });

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('binding one port twice', () => {
  it("without reusePort the second bind fails: the workers must share the primary's socket", async () => {
    const port = await freePort();
    await listen(port, false);
    await expect(listen(port, false)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it.skipIf(!reusePortSupported())(`with reusePort (needs Node ≥ 22.12 on Linux; this is ${process.version} on ${process.platform}) two listeners bind it, as two workers do`, async () => {
    const port = await freePort();
    const a = await listen(port, true);
    const b = await listen(port, true);
    expect([(a.address() as AddressInfo).port, (b.address() as AddressInfo).port]).toEqual([port, port]);
  });
});
