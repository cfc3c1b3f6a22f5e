// A closed session is garbage: nothing the engine armed for it (the session time limit's timer) keeps
// its socket, SMTPConnection and parser reachable after the upstream has gone.
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, forwardTopology, startGateway } from '../helpers/gateway-harness.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function fullGc(): () => void {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('no gc function');
  return gc as () => void;
}

describe('a closed session is released', () => {
  it('with gateway.timeouts.sessionMs set, the accepted socket is collectable once the session closed', async () => {
    const gc = fullGc();
    const mx = await startRecordingMta();
    cleanups.push(() => mx.close());
    const gw = await startGateway({ topology: (env) => forwardTopology(env, { receivers: [{ name: 'mx-1', port: mx.port }], gateway: { timeouts: { sessionMs: 600_000 } } }) });
    cleanups.push(() => gw.close());
    // Our own listener, so that nothing but the engine holds the accepted sockets.
    const refs: WeakRef<net.Socket>[] = [];
    const server = net.createServer((socket) => {
      refs.push(new WeakRef(socket));
      gw.engine.accept(socket, { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localAddress: '127.0.0.1', localPort: 0, proxied: false });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as net.AddressInfo).port;
    for (let i = 0; i < 5; i++) {
      const c = await RawSmtpClient.connect(port);
      expect((await c.reply()).code).toBe(220);
      expect((await c.command('EHLO mta.corp.example')).code).toBe(250);
      expect((await c.command('QUIT')).code).toBe(221);
      await c.closed();
    }
    await gw.observer.waitFor(() => gw.observer.closed.length === 5, 'five sessions closed');
    expect(gw.engine.activeSessions).toBe(0);
    // smtp-server reports the close from a setImmediate; let every callback of the close path run.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    gc();
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined).length).toBe(0);
  });
});
