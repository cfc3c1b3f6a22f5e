import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildGraph } from '../graph/build.js';
import type { BuildResult } from '../graph/build.js';
import type { RoutingGraph } from '../graph/types.js';
import { Reloader } from './reloader.js';
import type { ReloaderOptions } from './reloader.js';
import type { ReloadResult } from './reload-result.js';
import { topologyText } from '../../test/doubles/config-fixture.js';

const dirs: string[] = [];
const reloaders: Reloader[] = [];
afterEach(async () => {
  await Promise.all(reloaders.splice(0).map((r) => r.close()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function write(dir: string, graceMs: number): void {
  writeFileSync(join(dir, 'topology.yaml'), topologyText({ listen: [{ port: 10925 }], receiverPort: 10930, graceMs }));
}

async function setup(build?: ReloaderOptions['build']) {
  const dir = mkdtempSync(join(tmpdir(), 'rg-reloader-'));
  dirs.push(dir);
  write(dir, 1000);
  const first = await buildGraph(dir);
  if (first.graph === undefined) throw new Error('fixture does not build');
  let current: RoutingGraph = first.graph;
  const applied: RoutingGraph[] = [];
  const results: ReloadResult[] = [];
  const reloader = new Reloader({
    dir,
    logger: pino({ level: 'silent' }),
    current: () => current,
    apply: async (g) => {
      applied.push(g);
      current = g;
    },
    watch: false,
    debounceMs: 20,
    ...(build ? { build } : {}),
  });
  reloaders.push(reloader);
  reloader.onResult((r) => results.push(r));
  return { dir, reloader, applied, results, current: () => current };
}

describe('Reloader', () => {
  it('single flight: events during a compile cause exactly one follow-up, with the newest files', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let builds = 0;
    let firstRead = false;
    const gatedBuild = async (dir: string): Promise<BuildResult> => {
      builds++;
      const result = await buildGraph(dir);
      if (builds === 1) {
        firstRead = true;
        await gate;
      }
      return result;
    };
    const s = await setup(gatedBuild);
    write(s.dir, 2000);
    const first = s.reloader.reloadNow('watch');
    while (!firstRead) await new Promise((r) => setTimeout(r, 5));
    write(s.dir, 3000);
    const second = s.reloader.reloadNow('watch');
    const third = s.reloader.reloadNow('watch');
    release();
    const [a, b, c] = await Promise.all([first, second, third]);
    expect(builds).toBe(2);
    expect(s.applied.map((g) => g.gateway.drain.graceMs)).toEqual([2000, 3000]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(c).toMatchObject({ outcome: 'applied', revision: s.current().revision.hash });
  });

  it('debounces a burst of events into one pass', async () => {
    let probes = 0;
    const s = await setup(async (dir) => {
      probes++;
      return buildGraph(dir);
    });
    write(s.dir, 2500);
    for (let i = 0; i < 10; i++) s.reloader.schedule('watch');
    while (s.results.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect(probes).toBe(1);
    expect(s.applied).toHaveLength(1);
  });

  it('skips files that hash to what it last saw, without applying or reporting; the directory is read once per pass', async () => {
    let builds = 0;
    const s = await setup(async (dir) => {
      builds++;
      return buildGraph(dir);
    });
    const r = await s.reloader.reloadNow('watch');
    expect(r.outcome).toBe('unchanged');
    // the build is the probe: one read of the directory, no separate fingerprint pass
    expect(builds).toBe(1);
    expect(s.applied).toEqual([]);
    expect(s.results).toEqual([]);
  });

  it('a failed compile keeps the running graph and reports the diagnostics once per content', async () => {
    const s = await setup();
    const before = s.current();
    writeFileSync(join(s.dir, 'topology.yaml'), 'version: 1\ngateway: {}\n');
    const r = await s.reloader.reloadNow('watch');
    expect(r.outcome).toBe('failed');
    expect(r.outcome === 'failed' && r.diagnostics.length).toBeGreaterThan(0);
    expect(s.current()).toBe(before);
    await s.reloader.reloadNow('watch');
    expect(s.results.map((x) => x.outcome)).toEqual(['failed']);
    expect(s.reloader.last?.outcome).toBe('failed');
  });

  it('files reverted to the running revision after a failure report unchanged and clear the failure', async () => {
    const s = await setup();
    writeFileSync(join(s.dir, 'topology.yaml'), 'version: 1\ngateway: {}\n');
    await s.reloader.reloadNow('watch');
    write(s.dir, 1000);
    const r = await s.reloader.reloadNow('watch');
    expect(r.outcome).toBe('unchanged');
    expect(s.results.map((x) => x.outcome)).toEqual(['failed', 'unchanged']);
    expect(s.applied).toEqual([]);
  });

  it('a failing apply (e.g. a busy port) fails the reload with its error code', async () => {
    const s = await setup();
    const reloader = new Reloader({
      dir: s.dir,
      logger: pino({ level: 'silent' }),
      current: s.current,
      apply: () => Promise.reject(Object.assign(new Error('cannot listen on 127.0.0.1:25: EADDRINUSE'), { code: 'RG_RUNTIME_LISTEN_FAILED' })),
      watch: false,
    });
    reloaders.push(reloader);
    write(s.dir, 4000);
    const r = await reloader.reloadNow('signal');
    expect(r).toMatchObject({ outcome: 'failed', diagnostics: [expect.objectContaining({ code: 'RG_RUNTIME_LISTEN_FAILED' })] });
  });
});
