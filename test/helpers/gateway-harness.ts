// An in-process gateway for tests, without the runtime: a graph built by buildGraph from a temp config
// dir, a RelayPool, a recording observer, and a loopback net.Server whose connections go straight to
// engine.accept. Also a raw SMTP client for transcripts and hostile framing.
import net from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildGraph } from '../../engine/graph/build.js';
import { createGenerationEngine } from '../../engine/smtp/generation-engine.js';
import { RelayPool } from '../../engine/smtp/relay/relay-pool.js';
import { makeTestPki } from './pki.js';
import { writeConfigDir } from './config-dir.js';
import type { Logger } from 'pino';
import type { RoutingGraph } from '../../engine/graph/types.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import type { EngineObserver, EngineServices, GenerationEngine, TransactionRecord } from '../../engine/smtp/engine-api.js';
import type { Incident } from '../../engine/policy/incidents.js';
import type { RelayPoolOptions } from '../../engine/smtp/relay/relay-pool.js';
import type { TestPki } from './pki.js';

type Events<T> = T extends (e: infer E) => void ? E : never;

/** Records every observer event; `waitFor` resolves when a predicate over the records holds. */
export class RecordingObserver implements EngineObserver {
  readonly opened: Events<EngineObserver['sessionOpened']>[] = [];
  readonly refused: Events<EngineObserver['sessionRefused']>[] = [];
  readonly closed: Events<EngineObserver['sessionClosed']>[] = [];
  readonly tls: Events<EngineObserver['tlsHandshake']>[] = [];
  readonly transactions: TransactionRecord[] = [];
  readonly relayErrors: Events<EngineObserver['relayError']>[] = [];
  readonly #waiters = new Set<() => void>();

  sessionOpened(e: Events<EngineObserver['sessionOpened']>): void {
    this.#push(this.opened, e);
  }
  sessionRefused(e: Events<EngineObserver['sessionRefused']>): void {
    this.#push(this.refused, e);
  }
  sessionClosed(e: Events<EngineObserver['sessionClosed']>): void {
    this.#push(this.closed, e);
  }
  tlsHandshake(e: Events<EngineObserver['tlsHandshake']>): void {
    this.#push(this.tls, e);
  }
  transactionFinished(e: TransactionRecord): void {
    this.#push(this.transactions, e);
  }
  relayError(e: Events<EngineObserver['relayError']>): void {
    this.#push(this.relayErrors, e);
  }

  waitFor(ready: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!ready()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`observer: timed out waiting for ${what}`));
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  #push<T>(list: T[], e: T): void {
    list.push(e);
    for (const w of [...this.#waiters]) w();
  }
}

export interface TopologyEnv {
  readonly pki: TestPki;
  readonly dir: string;
}

export interface GatewayHarnessOptions {
  readonly topology: (env: TopologyEnv) => TopologyFile;
  readonly policies?: Readonly<Record<string, PolicyFile>>;
  readonly pool?: RelayPoolOptions;
}

export interface GatewayHarness {
  readonly port: number;
  readonly engine: GenerationEngine;
  /** What the engine was created with (process-wide state such as the admission budget hangs off it). */
  readonly services: EngineServices;
  readonly graph: RoutingGraph;
  readonly observer: RecordingObserver;
  readonly pool: RelayPool;
  readonly pki: TestPki;
  readonly dir: string;
  /** Every log line as parsed JSON. */
  readonly logs: Record<string, unknown>[];
  readonly incidents: Incident[];
  /** Sockets the harness accepted and has not seen close. */
  openSockets(): number;
  close(): Promise<void>;
}

/** A config-dir-relative temp dir with a PKI, for topology builders that need certificates first. */
export function makeHarnessDir(): { readonly dir: string; readonly pki: TestPki } {
  const dir = mkdtempSync(join(tmpdir(), 'rg-gw-'));
  return { dir, pki: makeTestPki(join(dir, 'certs')) };
}

function captureLogger(logs: Record<string, unknown>[]): Logger {
  return pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
}

export async function startGateway(opts: GatewayHarnessOptions, env: { readonly dir: string; readonly pki: TestPki } = makeHarnessDir()): Promise<GatewayHarness> {
  const { dir, pki } = env;
  const configDir = writeConfigDir(join(dir, 'config'), opts.topology({ pki, dir }), opts.policies ?? {});
  const built = await buildGraph(configDir);
  if (built.graph === undefined) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`test config does not build:\n${built.diagnostics.map((d) => `${d.code} ${d.pointer ?? ''}: ${d.message}`).join('\n')}`);
  }
  const logs: Record<string, unknown>[] = [];
  const incidents: Incident[] = [];
  const observer = new RecordingObserver();
  const pool = new RelayPool({ acquireTimeoutMs: 5_000, ...opts.pool });
  const logger = captureLogger(logs);
  const services: EngineServices = { logger, observer, pool, incidents: { record: (i) => void incidents.push(...i) } };
  const engine = createGenerationEngine(built.graph, services);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const meta = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
      proxied: false,
    };
    engine.accept(socket, meta);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    engine,
    services,
    graph: built.graph,
    observer,
    pool,
    pki,
    dir,
    logs,
    incidents,
    openSockets: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- topology building blocks -----------------------------------------------------------------

export interface ForwardTopologyOptions {
  readonly receivers: readonly { readonly name: string; readonly port: number; readonly starttls?: 'required' | 'optional' | 'disabled'; readonly trust?: string[]; readonly serverName?: string; readonly verifyHostname?: boolean }[];
  readonly routes?: TopologyFile['routes'];
  readonly upstream?: Partial<TopologyFile['upstreams'][0]>;
  readonly gateway?: Partial<TopologyFile['gateway']>;
}

/** A gateway with the test PKI identity, one forward upstream (127.0.0.1) and the given receivers. */
export function forwardTopology(env: TopologyEnv, o: ForwardTopologyOptions): TopologyFile {
  const names = o.receivers.map((r) => r.name) as [string, ...string[]];
  return {
    version: 1,
    gateway: {
      hostname: 'gw.example.test',
      listen: [{ address: '127.0.0.1', port: 10025 }],
      tls: { certificate: env.pki.gateway.certPath, key: env.pki.gateway.keyPath, authenticate: true },
      spool: { dir: join(env.dir, 'spool') },
      incidents: { path: join(env.dir, 'incidents.jsonl') },
      ...o.gateway,
    },
    upstreams: [
      {
        name: 'corp',
        addresses: ['127.0.0.1/32'],
        mode: 'forward',
        tls: { starttls: 'optional', clientCertificate: 'none', trust: [] },
        ...o.upstream,
      },
    ],
    receivers: o.receivers.map((r) => ({
      name: r.name,
      host: '127.0.0.1',
      port: r.port,
      tls: { starttls: r.starttls ?? 'disabled', trust: r.trust ?? [], verifyHostname: r.verifyHostname ?? false, ...(r.serverName === undefined ? {} : { serverName: r.serverName }) },
    })),
    routes: o.routes ?? [{ domains: ['*'], receivers: names }],
  };
}

// ---- a raw SMTP client --------------------------------------------------------------------------

export interface Reply {
  readonly code: number;
  /** Full reply lines as received, without CRLF. */
  readonly lines: readonly string[];
  readonly text: string;
}

/** Line-level SMTP client: writes exactly what the test says, reads whole (multi-line) replies. */
export class RawSmtpClient {
  #socket: net.Socket;
  #buf = '';
  #wake: (() => void) | null = null;
  #ended = false;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    this.#bind(socket);
  }

  static async connect(port: number, opts: { readonly localAddress?: string } = {}): Promise<RawSmtpClient> {
    const socket = net.connect({ port, host: '127.0.0.1', ...(opts.localAddress === undefined ? {} : { localAddress: opts.localAddress }) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSmtpClient(socket);
  }

  get ended(): boolean {
    return this.#ended;
  }

  write(data: string | Buffer): void {
    this.#socket.write(data);
  }

  async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  async reply(): Promise<Reply> {
    const lines: string[] = [];
    for (;;) {
      const line = await this.#line();
      lines.push(line);
      if (!/^\d{3}-/.test(line)) break;
    }
    const last = lines[lines.length - 1] ?? '';
    return { code: Number(last.slice(0, 3)), lines, text: lines.join('\n') };
  }

  /** STARTTLS + handshake; the caller sends EHLO again. */
  async startTls(options: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
    const r = await this.command('STARTTLS');
    if (r.code !== 220) throw new Error(`STARTTLS refused: ${r.text}`);
    this.#socket.removeAllListeners('data');
    const secure = tls.connect({ socket: this.#socket, rejectUnauthorized: false, ...options });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.#bind(secure);
    return secure;
  }

  /** Resolves when the server closed the connection. */
  async closed(): Promise<void> {
    while (!this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
  }

  close(): void {
    this.#socket.destroy();
  }

  #bind(socket: net.Socket): void {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.#buf += chunk;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  async #line(): Promise<string> {
    for (;;) {
      const at = this.#buf.indexOf('\r\n');
      if (at >= 0) {
        const line = this.#buf.slice(0, at);
        this.#buf = this.#buf.slice(at + 2);
        return line;
      }
      if (this.#ended) throw new Error(`connection closed; unread: ${JSON.stringify(this.#buf)}`);
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }
}

export interface RawTransaction {
  readonly mail: Reply;
  readonly rcpts: readonly Reply[];
  /** Absent when no recipient was accepted (DATA not attempted). */
  readonly data?: Reply;
  readonly final?: Reply;
}

/** EHLO (once, when `ehlo` is given), MAIL, each RCPT, and DATA with `body` (CRLF lines, dot-stuffed by the caller). */
export async function rawTransaction(
  c: RawSmtpClient,
  t: { readonly from: string; readonly to: readonly string[]; readonly body: string; readonly ehlo?: string },
): Promise<RawTransaction> {
  if (t.ehlo !== undefined) {
    const e = await c.command(`EHLO ${t.ehlo}`);
    if (e.code !== 250) throw new Error(`EHLO refused: ${e.text}`);
  }
  const mail = await c.command(`MAIL FROM:<${t.from}>`);
  if (mail.code !== 250) return { mail, rcpts: [] };
  const rcpts: Reply[] = [];
  for (const to of t.to) rcpts.push(await c.command(`RCPT TO:<${to}>`));
  if (!rcpts.some((r) => r.code === 250)) return { mail, rcpts };
  const data = await c.command('DATA');
  if (data.code !== 354) return { mail, rcpts, data };
  c.write(`${t.body}\r\n.\r\n`);
  return { mail, rcpts, data, final: await c.reply() };
}

/** A small RFC 5322 message with CRLF line endings. */
export function testMessage(o: { readonly subject?: string; readonly body?: string; readonly messageId?: string; readonly headers?: readonly string[] } = {}): string {
  return [
    'From: alice@corp.example',
    'To: bob@example.org',
    `Subject: ${o.subject ?? 'test'}`,
    `Message-ID: ${o.messageId ?? `<${Math.random().toString(36).slice(2)}@corp.example>`}`,
    'Date: Sun, 29 Nov 2026 05:00:00 +0000',
    ...(o.headers ?? []),
    '',
    o.body ?? 'hello',
  ].join('\r\n');
}
