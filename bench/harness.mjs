// What every benchmark script needs around its measurement: a temp dir and child processes that go
// away however the script ends (also on Ctrl-C or an overrun budget), free loopback ports, and
// /proc readings of a process. Import it first; it registers its exit handlers on import of setup().
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { loadConfigDir } from '../dist/config/load.js';
import { compileGraph } from '../dist/graph/compile.js';

/**
 * A temp dir under `prefix` and a set of owned children, all removed/killed on exit; with `budgetMs`
 * the script gives up (exit 1) when it runs longer.
 */
export function setup(prefix, { budgetMs, name } = {}) {
  const children = new Set();
  const tmp = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
  if (budgetMs !== undefined) {
    setTimeout(() => {
      console.error(`${name ?? 'bench'}: over its ${budgetMs / 1000} s budget, giving up`);
      process.exit(1);
    }, budgetMs).unref();
  }
  /** Registers a child so that it is killed when the script ends. */
  const own = (child) => {
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  };
  return { tmp, children, own };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port, { attempts = 300, intervalMs = 50 } = {}) {
  for (let i = 0; i < attempts; i++) {
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    await sleep(intervalMs);
  }
  throw new Error(`port ${port} never opened`);
}

/** SIGTERM (the gateway drains), SIGKILL after 10 s. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
}

/** RSS, peak RSS (VmHWM) and CPU seconds of a process, from /proc (zeros when it is gone). */
export function procStats(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const peakRss = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { peakRss, rss, cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100 };
  } catch {
    return { peakRss: 0, rss: 0, cpuSeconds: 0 };
  }
}

/** A process and its descendants (cluster workers): summed RSS and CPU seconds, from /proc. */
export function treeStats(pid) {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    try {
      const tasks = readdirSync(`/proc/${pids[i]}/task`);
      for (const t of tasks) {
        const kids = readFileSync(`/proc/${pids[i]}/task/${t}/children`, 'utf8').trim();
        if (kids) pids.push(...kids.split(/\s+/).map(Number));
      }
    } catch {
      // gone, or not Linux
    }
  }
  const all = pids.map(procStats);
  return { processes: pids.length, each: pids.map((p, i) => ({ pid: p, ...all[i] })), rss: all.reduce((n, s) => n + s.rss, 0), cpuSeconds: all.reduce((n, s) => n + s.cpuSeconds, 0) };
}

/** Linux: writing 5 to clear_refs resets VmHWM, so the next peak belongs to what runs next. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // not Linux or not permitted: the peak then includes what ran before
  }
}

const CLI = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', 'bin', 'relayguard.js');

/** `relayguard ARGV` in `cwd`; resolves with stdout+stderr, rejects on a non-zero exit. */
export function runCli(argv, { cwd, own }) {
  return new Promise((resolve, reject) => {
    const child = own(spawn(process.execPath, [CLI, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`relayguard ${argv.join(' ')} exited ${code}: ${out}`))));
  });
}

/** Nearest-rank percentile (p99 of 100 samples is the 99th smallest, not the maximum); NaN for no samples. */
export function percentile(values, p) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  return v[Math.max(0, Math.ceil((p / 100) * v.length) - 1)];
}

export const median = (values) => percentile(values, 50);

/** The two halves of a build, in this process: read + validate (loadConfigDir), then compileGraph. */
export async function timeLoadAndCompile(dir) {
  const t0 = performance.now();
  const loaded = await loadConfigDir(dir);
  const t1 = performance.now();
  compileGraph(loaded.config);
  return { loadMs: t1 - t0, compileMs: performance.now() - t1 };
}

/** `--name VALUE` from the command line, or the fallback. */
export function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** `--name N` as a number, or the fallback. */
export const numberArg = (name, fallback) => Number(argValue(name, fallback));
