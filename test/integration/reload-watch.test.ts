// Hot reload through the file watcher, every way files change: the gateway runs with a stand-in SMTP
// engine that greets with its graph's revision, so a test sees which generation a connection got.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { freePorts } from '../helpers/ports.js';
import { findTool } from '../helpers/tools.js';
import { Gateway } from '../../engine/runtime/gateway.js';
import type { GatewayOptions } from '../../engine/runtime/gateway.js';
import { createMetrics } from '../../engine/runtime/metrics.js';
import type { ReloadResult } from '../../engine/runtime/reload-result.js';
import { connectLines, createFakeEngine } from '../doubles/fake-engine.js';
import { configMapDir, topologyText, writeAtomic, writeTruncateThenWrite } from '../doubles/config-fixture.js';
import type { PlainTopology } from '../doubles/config-fixture.js';

interface Running {
  readonly gw: Gateway;
  readonly results: ReloadResult[];
  readonly applied: () => ReloadResult[];
  readonly failed: () => ReloadResult[];
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'rg-reload-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

async function start(dir: string, opts: Partial<GatewayOptions> = {}): Promise<Running> {
  const gw = await Gateway.start(dir, {
    logger: pino({ level: 'silent' }),
    metrics: createMetrics({ defaultMetrics: false }),
    createEngine: createFakeEngine,
    admin: false,
    ...opts,
  });
  cleanups.push(() => gw.shutdown(0));
  const results: ReloadResult[] = [];
  gw.onReload((r) => results.push(r));
  return {
    gw,
    results,
    applied: () => results.filter((r) => r.outcome === 'applied'),
    failed: () => results.filter((r) => r.outcome === 'failed'),
  };
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The banner a new connection gets: it names the revision of the generation that took it. */
async function banner(port: number): Promise<string> {
  const c = await connectLines(port);
  try {
    return await c.next();
  } finally {
    c.socket.destroy();
  }
}

const revisionIn = (line: string): string => /rev=([0-9a-f]+)/.exec(line)?.[1] ?? '';
const shortRev = (gw: Gateway): string => gw.graph.revision.hash.slice(0, 12);

/** Lets the quiet period pass so the next change is a separate burst. */
const quietPeriod = (): Promise<void> => new Promise((r) => setTimeout(r, 500));

async function configDir(c: Omit<PlainTopology, 'listen' | 'receiverPort'> = {}): Promise<{ dir: string; port: number; base: PlainTopology }> {
  const [port = 0, receiverPort = 0] = await freePorts(2);
  const dir = join(tempRoot(), 'policies');
  mkdirSync(dir);
  const base: PlainTopology = { listen: [{ port }], receiverPort, ...c };
  writeFileSync(join(dir, 'topology.yaml'), topologyText(base));
  return { dir, port, base };
}

describe('hot reload', () => {
  it('applies a topology edit to new connections within 2 s', async () => {
    const { dir, port, base } = await configDir();
    const r = await start(dir);
    const before = shortRev(r.gw);
    expect(revisionIn(await banner(port))).toBe(before);
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 7000 }));
    await eventually(async () => revisionIn(await banner(port)) !== before, 'a banner from the new revision', 2000);
    expect(r.gw.graph.gateway.drain.graceMs).toBe(7000);
    expect(r.applied()).toHaveLength(1);
    expect(r.applied()[0]).toMatchObject({ trigger: 'watch', previousRevision: expect.stringMatching(new RegExp(`^${before}`)) as unknown });
  });

  it('keeps the old graph when a file is invalid, reports it in /status, and recovers on the next save', async () => {
    const { dir, port, base } = await configDir();
    const r = await start(dir);
    const before = shortRev(r.gw);
    writeFileSync(join(dir, 'topology.yaml'), `${topologyText(base)}\nupstreams: [oops\n`);
    await eventually(() => r.failed().length > 0, 'a failed reload');
    expect(revisionIn(await banner(port))).toBe(before);
    const status = r.gw.status();
    expect(status.revision?.hash.slice(0, 12)).toBe(before);
    expect(status.lastReload?.result).toBe('failure');
    expect(status.lastReload?.diagnostics[0]).toMatchObject({ severity: 'error', file: expect.stringContaining('topology.yaml') as unknown });
    expect(status.lastReload?.diagnostics[0]?.line).toBeGreaterThan(0);
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 6000 }));
    await eventually(() => r.applied().length === 1, 'the fixed config applied');
    expect(r.gw.status().lastReload?.result).toBe('success');
    expect(r.gw.graph.gateway.drain.graceMs).toBe(6000);
  });

  it('picks up an atomic save (temp file + rename) exactly once', async () => {
    const { dir, base } = await configDir();
    const r = await start(dir);
    writeAtomic(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 4100 }));
    await eventually(() => r.applied().length === 1, 'one applied reload');
    await quietPeriod();
    expect(r.results.map((x) => x.outcome)).toEqual(['applied']);
    expect(r.gw.graph.gateway.drain.graceMs).toBe(4100);
  });

  it('picks up truncate-then-write exactly once, never applying the empty file', async () => {
    const { dir, base } = await configDir();
    const r = await start(dir);
    writeTruncateThenWrite(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 4200 }));
    await eventually(() => r.applied().length === 1, 'one applied reload');
    await quietPeriod();
    expect(r.applied()).toHaveLength(1);
    expect(r.gw.graph.gateway.drain.graceMs).toBe(4200);
  });

  it('a half-written file fails the reload, keeps the old graph, and the completed write applies', async () => {
    const { dir, base } = await configDir();
    const r = await start(dir);
    const before = r.gw.graph.revision.hash;
    const full = topologyText({ ...base, graceMs: 4300 });
    writeTruncateThenWrite(join(dir, 'topology.yaml'), full.slice(0, Math.floor(full.length / 2)));
    await eventually(() => r.failed().length === 1, 'the half-written file rejected');
    expect(r.gw.graph.revision.hash).toBe(before);
    writeFileSync(join(dir, 'topology.yaml'), full);
    await eventually(() => r.applied().length === 1, 'the complete file applied');
    expect(r.gw.graph.gateway.drain.graceMs).toBe(4300);
  });

  it('picks up a Kubernetes ConfigMap update (..data symlink swap) exactly once', async () => {
    const [port = 0, receiverPort = 0] = await freePorts(2);
    const dir = join(tempRoot(), 'policies');
    const base: PlainTopology = { listen: [{ port }], receiverPort };
    const update = configMapDir(dir, { 'topology.yaml': topologyText(base) });
    const r = await start(dir);
    update({ 'topology.yaml': topologyText({ ...base, graceMs: 4400 }) });
    await eventually(() => r.applied().length === 1, 'one applied reload');
    await quietPeriod();
    expect(r.results.map((x) => x.outcome)).toEqual(['applied']);
    expect(r.gw.graph.gateway.drain.graceMs).toBe(4400);
    update({ 'topology.yaml': topologyText({ ...base, graceMs: 4401 }) });
    await eventually(() => r.applied().length === 2, 'the second update');
    expect(r.gw.graph.gateway.drain.graceMs).toBe(4401);
  });

  it('skips unchanged content: touching a file does not reload', async () => {
    const { dir, base } = await configDir();
    const r = await start(dir);
    const now = new Date();
    utimesSync(join(dir, 'topology.yaml'), now, now);
    writeFileSync(join(dir, 'topology.yaml'), topologyText(base));
    await quietPeriod();
    // A real change afterwards proves the watcher was listening all along.
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 4500 }));
    await eventually(() => r.applied().length === 1, 'the real change');
    expect(r.results.map((x) => x.outcome)).toEqual(['applied']);
  });

  it('coalesces a burst of writes into few reloads that end on the newest files', async () => {
    const { dir, base } = await configDir();
    const r = await start(dir);
    for (let i = 1; i <= 20; i++) writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 5000 + i }));
    await eventually(() => r.gw.graph.gateway.drain.graceMs === 5020, 'the newest content live');
    await quietPeriod();
    expect(r.failed()).toEqual([]);
    expect(r.applied().length).toBeLessThanOrEqual(2);
  });

  it('keeps running when the directory is deleted, and picks it up when it is back', async () => {
    const { dir, port, base } = await configDir();
    const r = await start(dir);
    const before = shortRev(r.gw);
    rmSync(dir, { recursive: true });
    await eventually(() => r.failed().length === 1, 'the missing directory reported');
    expect(r.failed()[0]).toMatchObject({ revision: null, diagnostics: [expect.objectContaining({ code: 'RG_CFG_DIR_MISSING' })] });
    expect(revisionIn(await banner(port))).toBe(before);
    mkdirSync(dir);
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 4600 }));
    await eventually(() => r.applied().length === 1, 'the recreated directory applied');
    expect(r.gw.graph.gateway.drain.graceMs).toBe(4600);
  });

  it.skipIf(findTool('git') === undefined)('follows `git checkout` of another revision and reports its commit', async () => {
    const { dir, base } = await configDir();
    const git = (...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.test', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.test' } }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    const first = git('rev-parse', 'HEAD');
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, graceMs: 4700 }));
    git('commit', '-q', '-am', 'two');
    const second = git('rev-parse', 'HEAD');
    const r = await start(dir);
    expect(r.gw.status().revision?.gitCommit).toBe(second);
    git('checkout', '-q', first);
    await eventually(() => r.applied().length === 1, 'the checked-out revision applied');
    expect(r.gw.graph.gateway.drain.graceMs).toBe(5000);
    expect(r.applied()[0]).toMatchObject({ gitCommit: first });
    expect(r.gw.status().revision?.gitCommit).toBe(first);
  });

  it('a listener port change lets the in-flight transaction finish on the old port; the new port accepts', async () => {
    const { dir, port, base } = await configDir();
    const [newPort = 0] = await freePorts(1);
    const r = await start(dir);
    const before = shortRev(r.gw);
    const inflight = await connectLines(port);
    expect(revisionIn(await inflight.next())).toBe(before);
    inflight.send('BEGIN');
    expect(await inflight.next()).toMatch(/^354/);
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, listen: [{ port: newPort }] }));
    await eventually(() => r.applied().length === 1, 'the port change applied');
    expect(revisionIn(await banner(newPort))).toBe(shortRev(r.gw));
    await expect(connectLines(port)).rejects.toThrow(/ECONNREFUSED/);
    inflight.send('END');
    expect(await inflight.next()).toBe(`250 done rev=${before}`);
    expect(r.gw.status().listeners.map((l) => l.port)).toContain(newPort);
    inflight.socket.destroy();
  });

  it('fails a reload whose new port is taken, and keeps serving on the old one', async () => {
    const { dir, port, base } = await configDir();
    const blocker = await Gateway.start((await configDir()).dir, { logger: pino({ level: 'silent' }), metrics: createMetrics({ defaultMetrics: false }), createEngine: createFakeEngine, admin: false, watch: false });
    cleanups.push(() => blocker.shutdown(0));
    const taken = blocker.listeners()[0]?.port ?? 0;
    const r = await start(dir);
    const before = shortRev(r.gw);
    writeFileSync(join(dir, 'topology.yaml'), topologyText({ ...base, listen: [{ port }, { port: taken }] }));
    await eventually(() => r.failed().length === 1, 'the failed reload');
    expect(r.failed()[0]).toMatchObject({ diagnostics: [expect.objectContaining({ code: 'RG_RUNTIME_LISTEN_FAILED' })] });
    expect(revisionIn(await banner(port))).toBe(before);
  });

  it('reloadNow (SIGHUP) reports unchanged files as unchanged', async () => {
    const { dir } = await configDir();
    const r = await start(dir, { watch: false });
    const result = await r.gw.reloadNow('signal');
    expect(result).toMatchObject({ outcome: 'unchanged', trigger: 'signal', revision: r.gw.graph.revision.hash });
  });
});
