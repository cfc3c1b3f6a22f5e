import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { ConfigWatcher, watchScope } from './config-watcher.js';

describe('watchScope', () => {
  const scope = watchScope('/etc/rg/policies', ['/etc/rg/policies/topology.yaml', '/etc/rg/certs/gateway.crt.pem', '/srv/secret/tls.key']);

  it('watches the config dir through its parent, and the directories of outside files', () => {
    expect(scope.roots).toEqual(['/etc/rg', '/etc/rg/certs', '/srv/secret']);
  });

  it.each([
    ['/etc/rg/policies', true],
    ['/etc/rg/policies/new.policy.yaml', true],
    ['/etc/rg/policies/tests/a.test.yaml', true],
    ['/etc/rg/policies/..data', true],
    ['/etc/rg/policies/..2026_11_29_01/topology.yaml', true],
    ['/etc/rg/certs/gateway.crt.pem', true],
    ['/srv/secret/tls.key', true],
    ['/srv/secret/..data', true],
    ['/srv/secret/..2026_11_29_01/tls.key', true],
    ['/etc/rg', true],
    ['/etc/rg/policies-old', false],
    ['/etc/rg/node_modules', false],
    ['/etc/rg/certs/other.pem', false],
    ['/srv/secret/unrelated.txt', false],
    ['/srv/other', false],
  ])('%s → %s', (path, admitted) => {
    expect(scope.admits(path)).toBe(admitted);
  });
});

describe('ConfigWatcher', () => {
  const dirs: string[] = [];
  const watchers: ConfigWatcher[] = [];
  afterEach(async () => {
    await Promise.all(watchers.splice(0).map((w) => w.close()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function watching(files: (root: string) => string[] = () => []) {
    const root = mkdtempSync(join(tmpdir(), 'rg-watch-'));
    dirs.push(root);
    const dir = join(root, 'policies');
    mkdirSync(dir);
    writeFileSync(join(dir, 'topology.yaml'), 'version: 1\n');
    writeFileSync(join(root, 'sibling.txt'), 'x');
    const events: string[] = [];
    const w = new ConfigWatcher({ logger: pino({ level: 'silent' }), onEvent: (event, path) => events.push(`${event} ${path.slice(root.length + 1)}`) });
    watchers.push(w);
    await w.target(dir, files(root));
    return { root, dir, events };
  }

  const eventually = async (check: () => boolean, what: string): Promise<void> => {
    const until = Date.now() + 5000;
    while (!check()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('reports a change to a config file and ignores siblings of the config dir', async () => {
    const { root, dir, events } = await watching();
    writeFileSync(join(root, 'sibling.txt'), 'y');
    writeFileSync(join(dir, 'topology.yaml'), 'version: 1\n# edited\n');
    await eventually(() => events.some((e) => e.includes('policies/topology.yaml')), 'topology event');
    expect(events.filter((e) => e.includes('sibling'))).toEqual([]);
  });

  it('sees the directory deleted and recreated, and files in the new directory', async () => {
    const { dir, events } = await watching();
    rmSync(dir, { recursive: true });
    await eventually(() => events.some((e) => e.startsWith('unlinkDir policies')), 'unlinkDir');
    mkdirSync(dir);
    await eventually(() => events.some((e) => e.startsWith('addDir policies')), 'addDir');
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(join(dir, 'topology.yaml'), 'version: 1\n');
    await eventually(() => events.some((e) => /^(add|change) policies\/topology\.yaml/.test(e)), 'file in the recreated dir');
  });

  it('sees a Kubernetes ConfigMap update (the ..data symlink swapped by rename)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'rg-watch-'));
    dirs.push(root);
    const dir = join(root, 'policies');
    mkdirSync(join(dir, '..2026_11_29_01'), { recursive: true });
    writeFileSync(join(dir, '..2026_11_29_01', 'topology.yaml'), 'version: 1\n');
    symlinkSync('..2026_11_29_01', join(dir, '..data'));
    symlinkSync('..data/topology.yaml', join(dir, 'topology.yaml'));
    const events: string[] = [];
    const w = new ConfigWatcher({ logger: pino({ level: 'silent' }), onEvent: (event, path) => events.push(`${event} ${path}`) });
    watchers.push(w);
    await w.target(dir, []);
    mkdirSync(join(dir, '..2026_11_29_02'));
    writeFileSync(join(dir, '..2026_11_29_02', 'topology.yaml'), 'version: 1\n# v2\n');
    symlinkSync('..2026_11_29_02', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..2026_11_29_01'), { recursive: true });
    await eventually(() => events.some((e) => e.includes('..data')), 'an event for ..data');
  });

  it('follows an outside file replaced by rename (certificate rotation)', async () => {
    const { root, events } = await watching((r) => {
      mkdirSync(join(r, 'certs'));
      writeFileSync(join(r, 'certs', 'gw.crt.pem'), 'one');
      return [join(r, 'certs', 'gw.crt.pem')];
    });
    writeFileSync(join(root, 'certs', 'gw.crt.pem.tmp'), 'two');
    renameSync(join(root, 'certs', 'gw.crt.pem.tmp'), join(root, 'certs', 'gw.crt.pem'));
    await eventually(() => events.some((e) => e.endsWith('certs/gw.crt.pem')), 'certificate event');
    // Replaced again right after the first event, then a burst: chokidar alone loses the file here.
    let seen = events.length;
    writeFileSync(join(root, 'certs', 'gw.crt.pem.tmp'), 'two-b');
    renameSync(join(root, 'certs', 'gw.crt.pem.tmp'), join(root, 'certs', 'gw.crt.pem'));
    await eventually(() => events.slice(seen).some((e) => e.endsWith('certs/gw.crt.pem')), 'the second replacement');
    for (const v of ['three', 'four', 'five']) {
      writeFileSync(join(root, 'certs', 'gw.crt.pem.tmp'), v);
      renameSync(join(root, 'certs', 'gw.crt.pem.tmp'), join(root, 'certs', 'gw.crt.pem'));
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 300));
    seen = events.length;
    writeFileSync(join(root, 'certs', 'gw.crt.pem.tmp'), 'six');
    renameSync(join(root, 'certs', 'gw.crt.pem.tmp'), join(root, 'certs', 'gw.crt.pem'));
    await eventually(() => events.slice(seen).some((e) => e.endsWith('certs/gw.crt.pem')), 'an event after the burst');
  });
});
