// Caps on sockets that are not sessions: refused connections linger (to read their reply) only up to a
// bound, and connections that have not been greeted yet (waiting for a PROXY header) are bounded too.
// Clients here are hostile: half-open sockets that never close their side.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Gateway } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { GatewayMetrics } from '../../engine/runtime/metrics.js';
import { topologyText } from '../doubles/config-fixture.js';
import type { PlainTopology } from '../doubles/config-fixture.js';
import { freePorts } from '../helpers/ports.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const fds = (): number => readdirSync('/proc/self/fd').length;

async function start(t: (port: number) => Omit<PlainTopology, 'receiverPort'>, opts: { maxLingeringRefusals?: number; maxPendingConnections?: number }): Promise<{ port: number; metrics: GatewayMetrics }> {
  const root = mkdtempSync(join(tmpdir(), 'rg-caps-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const [port = 0, receiverPort = 0] = await freePorts(2);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...t(port), receiverPort }));
  const metrics = createMetrics({ defaultMetrics: false });
  const gw = await Gateway.start(dir, { logger: pino({ level: 'silent' }), metrics, watch: false, ...opts });
  cleanups.push(() => gw.shutdown(200));
  return { port, metrics };
}

interface Probe {
  readonly socket: net.Socket;
  data: string;
  ended: boolean;
}

/** A client that never closes its side: the server alone decides when the socket goes. */
async function halfOpen(port: number, localAddress: string): Promise<Probe> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress, allowHalfOpen: true });
  cleanups.push(() => void socket.destroy());
  const p: Probe = { socket, data: '', ended: false };
  socket.setEncoding('latin1');
  socket.on('data', (d: string) => (p.data += d));
  socket.on('end', () => (p.ended = true));
  socket.on('close', () => (p.ended = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return p;
}

async function until(ready: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ready() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('connection caps', () => {
  it('refused sockets: at most maxLingeringRefusals linger on the gateway side, the rest are closed at once, all get the 554', async () => {
    const { port, metrics } = await start((p) => ({ listen: [{ port: p }], upstreamAddresses: ['127.0.0.1/32'] }), { maxLingeringRefusals: 10 });
    const before = fds();
    const probes: Probe[] = [];
    for (let i = 0; i < 40; i++) probes.push(await halfOpen(port, '127.0.0.2'));
    await until(() => probes.every((p) => p.data.includes('\r\n') && p.ended));
    expect(probes.filter((p) => p.data.startsWith('554 5.7.1 ')).length).toBe(40);
    // 40 client sockets are ours; the gateway may hold at most 10 of the other ends.
    await until(() => fds() - before <= 40 + 10 + 2);
    expect(fds() - before).toBeLessThanOrEqual(40 + 10 + 2);
    expect(await metrics.render()).toMatch(/^relayguard_connections_shed_total\{reason="refusal-overflow"\} 30$/m);
  });

  it('connections not yet greeted (no PROXY header yet): beyond maxPendingConnections a new one is closed at once', async () => {
    const { port, metrics } = await start((p) => ({ listen: [{ port: p, proxyTrusted: ['127.0.0.0/8'] }] }), { maxPendingConnections: 5 });
    const probes: Probe[] = [];
    for (let i = 0; i < 20; i++) probes.push(await halfOpen(port, '127.0.0.1'));
    await until(() => probes.filter((p) => p.ended).length >= 15, 1_000);
    expect(probes.filter((p) => p.ended).length).toBe(15);
    expect(probes.slice(0, 5).every((p) => !p.ended)).toBe(true);
    expect(await metrics.render()).toMatch(/^relayguard_connections_shed_total\{reason="pre-greeting"\} 15$/m);
    // A freed slot is usable again: one pending connection goes, a new one is kept.
    probes[0]?.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const next = await halfOpen(port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    expect(next.ended).toBe(false);
  });
});
