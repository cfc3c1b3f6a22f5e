// Drain at the worst moment: the final dot has gone to the receiving MTA, which commits the message on
// the dot and answers only around the drain deadline. Cutting that leg and answering the upstream 421
// would make the upstream retry a message the receiver kept: a duplicate. Every run must end with the
// message delivered exactly once and the upstream told so, or refused with 4xx and not delivered.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildGraph } from '../../engine/graph/build.js';
import { createGenerationEngine } from '../../engine/smtp/generation-engine.js';
import { GenerationCell } from '../../engine/runtime/generation.js';
import { RelayPool } from '../../engine/smtp/relay/relay-pool.js';
import { RecordingObserver, forwardTopology, makeHarnessDir } from '../helpers/gateway-harness.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { RecordingSender, assertAccounting, newTestId, testMessage } from '../helpers/accounting.js';
import { startScriptedMta } from '../helpers/recording-mta.js';
import { unstuff } from './scripted-receiver.js';
import { FAST_TIMEOUTS, RECIPIENT, SENDER } from './setup.js';
import { eventually, expectFdsBackTo, openFds } from './leaks.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RoutingGraph } from '../../engine/graph/types.js';
import type { DeliveredMessage } from '../helpers/accounting.js';
import type { GenerationEngine } from '../../engine/smtp/engine-api.js';
import type { ScriptedMta } from '../helpers/recording-mta.js';

const RUNS = process.env.RELAYGUARD_LONG_TESTS === '1' ? 300 : 100;

/** What the receiver does for the message of the current run. */
interface Plan {
  /** How long after it read the final dot the receiver answers. */
  delayMs: number;
  /** The answer: 250 (it keeps the message) or 451 (it drops it). */
  code: 250 | 451;
  /** Called when the receiver has the whole message. */
  onDot: () => void;
}

const delivered: DeliveredMessage[] = [];
let plan: Plan = { delayMs: 0, code: 250, onDot: () => undefined };
let mta: ScriptedMta;
let graph: RoutingGraph;
let dir: string;
let engine: GenerationEngine;
let server: net.Server;
let port = 0;
const pool = new RelayPool({ acquireTimeoutMs: 2_000 });
const observer = new RecordingObserver();

beforeAll(async () => {
  // Commits on the dot, like an MTA that queued the message before its reply went out: if the gateway
  // hangs up now, the message is delivered anyway.
  mta = await startScriptedMta(async (peer) => {
    await peer.greet(['PIPELINING', '8BITMIME']);
    for (;;) {
      const line = await peer.readLine();
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'QUIT') return void peer.send('221 bye\r\n');
      if (verb === 'RSET' || verb === 'MAIL' || verb === 'RCPT') peer.send('250 ok\r\n');
      else if (verb === 'DATA') {
        peer.send('354 go ahead\r\n');
        const body = unstuff(await peer.readData());
        const p = plan;
        if (p.code === 250) delivered.push({ raw: body });
        p.onDot();
        await new Promise((r) => setTimeout(r, p.delayMs));
        if (!peer.socket.destroyed) peer.send(p.code === 250 ? '250 2.0.0 Ok: queued\r\n' : '451 4.3.0 try later\r\n');
      } else peer.send('502 no\r\n');
    }
  });
  const env = makeHarnessDir();
  dir = env.dir;
  const topology = forwardTopology({ ...env }, { receivers: [{ name: 'mx-1', port: mta.port }], gateway: { timeouts: FAST_TIMEOUTS } });
  const built = await buildGraph(writeConfigDir(join(dir, 'config'), topology, {}));
  if (built.graph === undefined) throw new Error('test config does not build');
  graph = built.graph;
  server = net.createServer((socket) => {
    engine.accept(socket, { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0, localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0, proxied: false });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await pool.close();
  await mta.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh generation per run (a drained one refuses everything), sharing the graph and the pool. */
function freshEngine(): GenerationEngine {
  return createGenerationEngine(graph, { logger: pino({ level: 'silent' }), observer, pool });
}

/** Deterministic jitter: runs spread evenly over the window instead of clustering by chance. */
function spread(run: number, runs: number, from: number, to: number): number {
  return Math.round(from + ((run * 37) % runs) * ((to - from) / runs));
}

describe('drain at the worst moment', () => {
  it('generation expiry (a reload retired the generation) at the worst moment, 20 runs: delivered exactly once', async () => {
    const sender = new RecordingSender({ port, replyTimeoutMs: 5_000 });
    const mark = delivered.length;
    let answeredByReceiver = 0;
    for (let run = 0; run < 20; run++) {
      const old = freshEngine();
      engine = old;
      const cell = new GenerationCell({ id: 1, graph, engine: old, createdAt: new Date() }, { logger: pino({ level: 'silent' }), pollMs: 10 });
      const graceMs = 20 + run * 5;
      const atDot = new Promise<void>((resolve) => {
        plan = { delayMs: graceMs + 40, code: 250, onDot: () => resolve() };
      });
      const id = newTestId('expiry');
      const sending = sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(id, { padTo: 2_000 }), id);
      await atDot;
      // A reload: new connections go to the next generation; the old one drains at once with graceMs.
      engine = freshEngine();
      cell.swap({ id: 2, graph, engine, createdAt: new Date() }, { retireMs: 0, graceMs });
      const result = await sending;
      await sender.close();
      if (/queued/.test(result.detail)) answeredByReceiver++;
      expect(await eventually(() => old.activeSessions === 0 && old.activeTransactions === 0, 2_000), `run ${run}`).toBe(true);
      await cell.drainAll(Date.now());
    }
    assertAccounting(sender.sent, delivered.slice(mark));
    expect(answeredByReceiver).toBe(20);
  });

  it(`${RUNS} drains with the final dot sent and the receiver answering around the deadline: delivered exactly once, or 4xx and not delivered`, async () => {
    const fds = openFds();
    const sender = new RecordingSender({ port, replyTimeoutMs: 5_000 });
    const mark = delivered.length;
    let answeredByReceiver = 0;
    let lateReplies = 0;
    for (let run = 0; run < RUNS; run++) {
      engine = freshEngine();
      const graceMs = spread(run, RUNS, 20, 120);
      // From well before the deadline to well after it, within the receiving leg's own dataMs (800 ms).
      const delayMs = Math.max(0, graceMs + spread(run * 7 + 3, RUNS, -60, 90));
      if (delayMs > graceMs) lateReplies++;
      let drained: Promise<void> = Promise.resolve();
      const atDot = new Promise<void>((resolve) => {
        plan = { delayMs, code: run % 5 === 4 ? 451 : 250, onDot: () => resolve() };
      });
      const id = newTestId('drain');
      const sending = sender.send({ from: SENDER, to: [RECIPIENT] }, testMessage(id, { padTo: 2_000 }), id);
      await atDot;
      const e = engine;
      drained = e.drain(Date.now() + graceMs);
      const result = await sending;
      await drained;
      await sender.close();
      if (/queued|try later/.test(result.detail)) answeredByReceiver++;
      expect(await eventually(() => e.activeSessions === 0 && e.activeTransactions === 0, 2_000), `run ${run}: sessions/transactions left`).toBe(true);
    }
    // Strict: a delivery after a 4xx or no reply fails here (no allowPossibleDuplicates).
    const report = assertAccounting(sender.sent, delivered.slice(mark));
    expect(report.sent).toBe(RUNS);
    expect(lateReplies).toBeGreaterThan(RUNS / 3);
    // Every upstream heard the receiving MTA's own final reply, not a 421 of the drain.
    expect(answeredByReceiver).toBe(RUNS);
    expect(report.byOutcome.accepted).toBe(RUNS - Math.floor(RUNS / 5));
    // Pooled idle legs to the receiver are the pool's, not a leak: close it before counting.
    await pool.close();
    await expectFdsBackTo(fds);
  });
});
