// `node bin/relayguard.js serve DIR` as operators run it (needs `npm run build`): SIGTERM drains an
// in-flight transaction and exits 0, a second signal exits 1 at once, SIGHUP reloads, an invalid
// config exits 1 with located diagnostics, --workers and --dev start and stop cleanly.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { autoWorkers } from '../../engine/runtime/cpu-quota.js';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePorts } from '../helpers/ports.js';
import { startProcess, stopAllProcesses, waitForPort } from '../helpers/processes.js';
import type { OwnedProcess } from '../helpers/processes.js';
import { startRecordingMta } from '../helpers/recording-mta.js';
import { RawSmtpClient, rawTransaction, testMessage } from '../helpers/gateway-harness.js';
import { topologyText } from '../doubles/config-fixture.js';
import type { PlainTopology } from '../doubles/config-fixture.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Overridable so the test can run against another build of the CLI. */
const cliPath = process.env.RELAYGUARD_TEST_CLI ?? join(projectRoot, 'bin', 'relayguard.js');

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => stopAllProcesses());

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'rg-serve-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

async function config(receiverPort?: number, extra: Partial<PlainTopology> = {}): Promise<{ root: string; dir: string; port: number; topology: PlainTopology }> {
  const root = tempRoot();
  // Topology ports are fixed numbers: take free ones by binding :0 and closing.
  const [port = 0, spare = 0] = await freePorts(2);
  const dir = join(root, 'policies');
  mkdirSync(dir);
  const topology: PlainTopology = { listen: [{ port }], receiverPort: receiverPort ?? spare, graceMs: 20_000, ...extra };
  writeFileSync(join(dir, 'topology.yaml'), topologyText(topology));
  return { root, dir, port, topology };
}

function serve(dir: string, args: readonly string[] = [], cwd = projectRoot): OwnedProcess {
  const proc = startProcess(process.execPath, [cliPath, 'serve', dir, '--json-logs', ...(args.includes('--workers') ? [] : ['--workers', '1']), ...args], { cwd, env: { ...process.env, RELAYGUARD_LOG_LEVEL: 'info' } });
  cleanups.push(async () => void (await proc.stop('SIGKILL')));
  return proc;
}

/** Linux: the child processes of `pid`, from /proc. */
function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

async function started(proc: OwnedProcess, port: number): Promise<void> {
  try {
    await waitForPort(port);
  } catch (err) {
    throw new Error(`gateway did not start: ${(err as Error).message}\n${proc.output()}`);
  }
}

async function outputContains(proc: OwnedProcess, text: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!proc.output().includes(text)) {
    if (Date.now() > until) throw new Error(`no "${text}" in the output:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function eventually(check: () => boolean, what: string, proc: OwnedProcess): Promise<void> {
  const until = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** EHLO, MAIL, RCPT, DATA and half the message: a transaction in flight. */
async function halfTransaction(port: number): Promise<RawSmtpClient> {
  const c = await RawSmtpClient.connect(port);
  cleanups.push(() => c.close());
  expect((await c.reply()).code).toBe(220);
  expect((await c.command('EHLO upstream.example.test')).code).toBe(250);
  expect((await c.command('MAIL FROM:<alice@corp.example>')).code).toBe(250);
  expect((await c.command('RCPT TO:<bob@example.org>')).code).toBe(250);
  expect((await c.command('DATA')).code).toBe(354);
  c.write('Subject: slow\r\nFrom: alice@corp.example\r\n\r\nfirst half\r\n');
  return c;
}

describe('relayguard serve (process)', () => {
  it('SIGTERM lets an in-flight transaction finish, refuses new connections, and exits 0', async () => {
    const mta = await startRecordingMta();
    cleanups.push(() => mta.close());
    const { dir, port } = await config(mta.port);
    const proc = serve(dir);
    await started(proc, port);
    const c = await halfTransaction(port);
    process.kill(proc.pid, 'SIGTERM');
    // Logged once the listeners are closed.
    await outputContains(proc, 'RG_RUNTIME_DRAINING');
    await expect(RawSmtpClient.connect(port)).rejects.toThrow(/ECONNREFUSED/);
    c.write('second half\r\n.\r\n');
    expect((await c.reply()).code).toBe(250);
    expect((await proc.exited).code).toBe(0);
    expect(mta.messages).toHaveLength(1);
    expect(mta.messages[0]?.raw.toString('latin1')).toContain('second half');
  });

  it('a second SIGTERM exits 1 at once, without waiting for the transaction', async () => {
    const mta = await startRecordingMta();
    cleanups.push(() => mta.close());
    const { dir, port } = await config(mta.port);
    const proc = serve(dir);
    await started(proc, port);
    await halfTransaction(port);
    process.kill(proc.pid, 'SIGTERM');
    await outputContains(proc, 'RG_RUNTIME_STOP_SIGNAL');
    process.kill(proc.pid, 'SIGTERM');
    expect((await proc.exited).code).toBe(1);
    expect(mta.messages).toHaveLength(0);
  });

  it('SIGHUP re-reads the configuration', async () => {
    const { dir, port, topology } = await config();
    const proc = serve(dir);
    await started(proc, port);
    process.kill(proc.pid, 'SIGHUP');
    await outputContains(proc, 'RG_RELOAD_UNCHANGED');
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...topology, graceMs: 12_345 }));
    process.kill(proc.pid, 'SIGHUP');
    await outputContains(proc, 'RG_RELOAD_APPLIED');
    process.kill(proc.pid, 'SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('an invalid configuration at start exits 1 with file:line:col diagnostics', async () => {
    const { dir, topology } = await config();
    writeFileSync(join(dir, 'topology.yaml'), `${topologyText(topology)}upstreams: 7\n`);
    const proc = serve(dir);
    const exit = await proc.exited;
    expect(exit.code).toBe(1);
    expect(proc.output()).toMatch(/topology\.yaml:\d+:\d+: error/);
  });

  it('--workers 2 serves mail, reports every worker in /metrics, and drains on SIGTERM', async () => {
    const mta = await startRecordingMta();
    cleanups.push(() => mta.close());
    const [adminPort = 0] = await freePorts(1);
    const { dir, port } = await config(mta.port, { adminPort });
    const proc = serve(dir, ['--workers', '2']);
    await outputContains(proc, '2 workers running', 20_000);
    const workersSeen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const c = await RawSmtpClient.connect(port);
      cleanups.push(() => c.close());
      await c.reply();
      const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
      expect(t.final?.code).toBe(250);
      c.close();
    }
    for (const line of proc.output().split('\n')) {
      const m = /"worker":(\d+).*"event":"transaction"/.exec(line);
      if (m?.[1] !== undefined) workersSeen.add(m[1]);
    }
    // worker 1 serves /metrics; the counters are the sum over both workers (the primary relays the other's)
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    const delivered = /relayguard_transactions_total\{upstream="local",outcome="delivered"\} (\d+)/.exec(metrics)?.[1];
    expect(Number(delivered)).toBe(8);
    expect(metrics).toMatch(/relayguard_ready 1\b/);
    expect(metrics).toMatch(/relayguard_config_info\{[^}]*\} 1\b/);
    // node:cluster hands connections out round-robin: both workers relayed mail, so 8 is a sum over both
    expect([...workersSeen].sort()).toEqual(['1', '2']);
    expect(metrics).toMatch(/relayguard_sessions_total\{upstream="local",result="accepted"\} 8\b/);
    // The primary forwards SIGHUP: each worker re-reads the files itself.
    process.kill(proc.pid, 'SIGHUP');
    await eventually(() => proc.output().split('RG_RELOAD_UNCHANGED').length - 1 === 2, 'a reload result from both workers', proc);
    const inflight = await halfTransaction(port);
    process.kill(proc.pid, 'SIGTERM');
    await outputContains(proc, 'RG_RUNTIME_STOP_SIGNAL');
    inflight.write('end\r\n.\r\n');
    expect((await inflight.reply()).code).toBe(250);
    expect((await proc.exited).code).toBe(0);
    expect(mta.messages).toHaveLength(9);
  });

  it('--workers auto starts as many workers as autoWorkers() (in-process, no cluster, on up to 2 usable cores) and serves mail', async () => {
    const expected = autoWorkers();
    const mta = await startRecordingMta();
    cleanups.push(() => mta.close());
    const { dir, port } = await config(mta.port);
    const proc = serve(dir, ['--workers', 'auto']);
    if (expected > 1) await outputContains(proc, `${expected} workers running`, 20_000);
    else {
      await started(proc, port);
      // One process serving the port itself: no cluster primary, no forked workers.
      expect(childrenOf(proc.pid)).toEqual([]);
    }
    const c = await RawSmtpClient.connect(port);
    cleanups.push(() => c.close());
    await c.reply();
    const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage() });
    expect(t.final?.code).toBe(250);
    process.kill(proc.pid, 'SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });

  it('--dev captures relayed mail as .eml files and prints a swaks line', async () => {
    const [receiverPort = 0] = await freePorts(1);
    const { root, dir, port } = await config(receiverPort);
    const proc = serve(dir, ['--dev'], root);
    await started(proc, port);
    await outputContains(proc, `swaks --server 127.0.0.1:${port}`);
    const c = await RawSmtpClient.connect(port);
    cleanups.push(() => c.close());
    await c.reply();
    const t = await rawTransaction(c, { ehlo: 'upstream.example.test', from: 'alice@corp.example', to: ['bob@example.org'], body: testMessage({ subject: 'dev capture' }) });
    expect(t.final?.code).toBe(250);
    const box = join(root, 'var', 'dev-mail', 'mx');
    await outputContains(proc, 'RG_DEV_MAIL');
    const files = existsSync(box) ? readdirSync(box).filter((f) => f.endsWith('.eml')) : [];
    expect(files).toHaveLength(1);
    expect(readFileSync(join(box, files[0] ?? ''), 'latin1')).toContain('Subject: dev capture');
    process.kill(proc.pid, 'SIGTERM');
    expect((await proc.exited).code).toBe(0);
  });
});
