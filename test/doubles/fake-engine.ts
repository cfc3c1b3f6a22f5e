// A stand-in GenerationEngine for runtime tests (listeners, swaps, drain) that need no SMTP: it greets
// with the generation's revision and the connection facts, so a test can see which graph a socket got.
// Protocol, one line each: "BEGIN" opens a transaction, "END" finishes it, "QUIT" closes.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { RoutingGraph } from '../../engine/graph/types.js';
import type { ConnectionMeta, EngineServices, GenerationEngine } from '../../engine/smtp/engine-api.js';

export interface FakeEngine extends GenerationEngine {
  readonly graph: RoutingGraph;
  readonly accepted: ConnectionMeta[];
  readonly drainCalls: number[];
}

export function fakeBanner(graph: RoutingGraph, meta: ConnectionMeta): string {
  return `220 rev=${graph.revision.hash.slice(0, 12)} client=${meta.remoteAddress}:${meta.remotePort} proxied=${meta.proxied}`;
}

export function createFakeEngine(graph: RoutingGraph, services?: EngineServices): FakeEngine {
  void services;
  const sockets = new Map<Socket, { inTransaction: boolean }>();
  const accepted: ConnectionMeta[] = [];
  const drainCalls: number[] = [];
  let draining = false;
  let drained: (() => void) | undefined;
  const transactions = (): number => [...sockets.values()].filter((s) => s.inTransaction).length;
  const settle = (): void => {
    if (draining && transactions() === 0) {
      for (const s of sockets.keys()) s.end('421 4.3.2 shutting down\r\n');
    }
    if (draining && sockets.size === 0) drained?.();
  };
  const onLine = (socket: Socket, state: { inTransaction: boolean }, line: string): void => {
    if (line === 'BEGIN') {
      state.inTransaction = true;
      socket.write('354 go on\r\n');
    } else if (line === 'END') {
      state.inTransaction = false;
      socket.write(`250 done rev=${graph.revision.hash.slice(0, 12)}\r\n`);
      settle();
    } else if (line === 'QUIT') {
      socket.end('221 bye\r\n');
    } else socket.write('500 what\r\n');
  };
  return {
    graph,
    accepted,
    drainCalls,
    accept(socket, meta) {
      accepted.push(meta);
      const state = { inTransaction: false };
      sockets.set(socket, state);
      socket.setEncoding('latin1');
      let buf = '';
      socket.on('data', (chunk: string) => {
        buf += chunk;
        for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
          onLine(socket, state, buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      });
      socket.on('close', () => {
        sockets.delete(socket);
        settle();
      });
      socket.on('error', () => undefined);
      socket.write(`${fakeBanner(graph, meta)}\r\n`);
    },
    get activeSessions() {
      return sockets.size;
    },
    get activeTransactions() {
      return transactions();
    },
    drain(deadline) {
      drainCalls.push(deadline);
      draining = true;
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const s of sockets.keys()) s.destroy();
          resolve();
        }, Math.max(0, deadline - Date.now()));
        drained = () => {
          clearTimeout(timer);
          resolve();
        };
        settle();
      });
    },
  };
}

/** A line-oriented TCP client for the fake engine (and raw SMTP): send lines, await replies in order. */
export interface LineClient {
  readonly socket: Socket;
  next(timeoutMs?: number): Promise<string>;
  send(line: string): void;
  /** Resolves when the server closed the connection (or it failed). */
  readonly closed: Promise<void>;
}

export async function connectLines(port: number, host = '127.0.0.1', preface?: Buffer): Promise<LineClient> {
  const socket = connect({ host, port });
  socket.setEncoding('latin1');
  const lines: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let buf = '';
  let ended = false;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const w = waiters.shift();
      if (w) w(line);
      else lines.push(line);
    }
  });
  void closed.then(() => {
    ended = true;
    for (const w of waiters.splice(0)) w(undefined);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  if (preface !== undefined) socket.write(preface);
  return {
    socket,
    closed,
    send: (line) => socket.write(`${line}\r\n`),
    next: (timeoutMs = 5000) => {
      const ready = lines.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (ended) return Promise.reject(new Error('connection closed'));
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no line within timeout')), timeoutMs);
        waiters.push((line) => {
          clearTimeout(timer);
          if (line === undefined) reject(new Error('connection closed'));
          else resolve(line);
        });
      });
    },
  };
}
