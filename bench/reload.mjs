#!/usr/bin/env node
// `npm run bench:reload` (issue #5): time from a config file write to the new graph being live, debounce included,
// measured against a real `node bin/relayguard.js serve DIR` process — first on (a copy of) the example config in
// policies/, then on the 2,000-upstream topology of bench/graph.mjs. Bounded (about 1.5 minutes), loopback only,
// no mail is sent, leaves no process behind.
//   node bench/reload.mjs [--changes N] [--large-changes N] [--variants N] [--json FILE]
//
// How "live" is detected: the gateway runs with --log-level trace and JSON logs on a pipe. Per reload it logs
//   trace "config file event"      every watcher event (chokidar and the directory sentinels)
//   debug "generation swapped"     right after the new generation became current — the moment the graph is live
//   info  RG_RELOAD_APPLIED        just after, with the revision (content hash) and durationMs of the pass
// For every change the bench computes the revision it expects (the same sha256 over the config files that
// loadConfigDir computes, via dist/config/revision.js) and only counts an RG_RELOAD_APPLIED that carries it.
// write→live is the bench's clock from just before the write to the arrival of the "generation swapped" line
// (high resolution; includes the pipe hop, well under 1 ms). The log's own times (ms resolution) split it into
// watcher latency, quiet period (debounce) and the pass (durationMs: read + validate + build + swap).
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import { parse, stringify } from 'yaml';
import { loadConfigDir } from '../dist/config/load.js';
import { readConfigDir } from '../dist/config/read-dir.js';
import { revisionHash } from '../dist/config/revision.js';
import { compileGraph } from '../dist/graph/compile.js';
import { freePort, median, percentile, procStats, runCli as runCliIn, setup, sleep, timeLoadAndCompile } from './harness.mjs';
import { largePolicyYaml, largeTopologyYaml, writeLargeConfig, POLICIES, POLICY_FILES, RECEIVERS, ROUTES, UPSTREAMS } from './large-topology.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const CHANGES = opt('--changes', 100);
const LARGE_CHANGES = opt('--large-changes', 15);
const VARIANTS = opt('--variants', 8);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
/** Pause after a change went live before the next one: longer than the debounce, so late events settle. */
const SETTLE_MS = 200;
const CHANGE_TIMEOUT_MS = 10_000;
/** Hard stop, scaled to the work asked for (about 150 s for the defaults). */
const BUDGET_MS = 60_000 + CHANGES * 600 + LARGE_CHANGES * 3000 + VARIANTS * 3 * 700;

const { tmp, own } = setup('rg-bench-reload-', { budgetMs: BUDGET_MS, name: 'bench/reload.mjs' });

/** The reloader's quiet period, read from the build (serve has no flag for it). */
function configuredDebounceMs() {
  const src = readFileSync(join(root, 'dist', 'runtime', 'reloader.js'), 'utf8');
  const m = /debounceMs \?\? (\d+)/.exec(src);
  return m ? Number(m[1]) : NaN;
}

const runCli = (argv, cwd = tmp) => runCliIn(argv, { cwd, own });

/** A running gateway whose JSON log lines are parsed as they arrive (each stamped with the bench's clock). */
async function startGateway(dir) {
  const child = spawn(process.execPath, [join(root, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'trace', '--json-logs', '--workers', '1'], {
    cwd: tmp,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  own(child);
  const gw = { child, onLine: undefined, stderr: '', exited: false };
  child.on('exit', () => {
    gw.exited = true;
  });
  child.stderr.on('data', (d) => (gw.stderr = (gw.stderr + d).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (text) => {
    const receivedAt = performance.now();
    let line;
    try {
      line = JSON.parse(text);
    } catch {
      return;
    }
    line.receivedAt = receivedAt;
    gw.onLine?.(line);
  });
  const t0 = performance.now();
  const started = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start within 60 s: ${gw.stderr}`)), 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited ${code} before it was running: ${gw.stderr}`));
    });
    gw.onLine = (line) => {
      if (line.code === 'RG_RUNTIME_STARTED') {
        clearTimeout(timer);
        resolve(line);
      }
    };
  });
  gw.onLine = undefined;
  gw.revision = started.revision;
  gw.startMs = performance.now() - t0;
  return gw;
}

async function stopGateway(gw) {
  if (gw.exited) return;
  const done = new Promise((r) => gw.child.once('exit', r));
  gw.child.kill('SIGTERM');
  const t = setTimeout(() => gw.child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
}

async function fetchStatus(port) {
  const res = await fetch(`http://127.0.0.1:${port}/status`);
  return res.json();
}

/**
 * The files that make up a revision (path → bytes), exactly as loadConfigDir hashes them: topology, policies,
 * tests and every file the topology references. Checked against loadConfigDir's own revision.
 */
async function revisionModel(dir) {
  const read = await readConfigDir(dir);
  if (!read.ok) throw new Error(`cannot read ${dir}: ${read.error.message}`);
  const loaded = await loadConfigDir(dir);
  if (!loaded.config) throw new Error(`config ${dir} is invalid:\n${JSON.stringify(loaded.diagnostics.slice(0, 5), null, 2)}`);
  const files = new Map();
  for (const path of loaded.config.referencedFiles) {
    try {
      files.set(path, readFileSync(path));
    } catch {
      files.set(path, undefined);
    }
  }
  for (const f of [read.files.topology, ...read.files.policies, ...read.files.tests]) if (f) files.set(f.path, f.bytes);
  const model = {
    dir: read.files.dir,
    files,
    hashWith(path, bytes) {
      const next = new Map(files);
      next.set(join(read.files.dir, path), bytes);
      return revisionHash(read.files.dir, next);
    },
    commit(path, bytes) {
      files.set(join(read.files.dir, path), bytes);
    },
  };
  const mine = revisionHash(read.files.dir, files);
  if (mine !== loaded.revision) throw new Error(`revision model of ${dir} does not reproduce loadConfigDir's hash (${mine} vs ${loaded.revision})`);
  return { model, revision: loaded.revision };
}

/** In-process timings of the stages a reload pass runs (median of `runs`), on a quiet gateway-free moment. */
async function stageTimings(dir, runs) {
  const loads = [];
  const compiles = [];
  for (let i = 0; i < runs; i++) {
    const { loadMs, compileMs } = await timeLoadAndCompile(dir);
    loads.push(loadMs);
    compiles.push(compileMs);
  }
  return { loadValidateMs: median(loads), compileMs: median(compiles), runs };
}

function truncateThenWrite(emptyMs) {
  return async (path, bytes) => {
    truncateSync(path, 0);
    await sleep(emptyMs);
    const at = performance.now();
    writeFileSync(path, bytes);
    return at;
  };
}

/** How a change reaches the disk. Each returns the bench time of the write that makes the final content visible. */
const WRITERS = {
  /** writeFile: open(O_TRUNC) + write + close, what most tools and `git checkout` of a small file do. */
  inplace: async (path, bytes) => {
    const at = performance.now();
    writeFileSync(path, bytes);
    return at;
  },
  /** Editor/atomic style: write a dot-temp file next to it, then rename over the target. */
  rename: async (path, bytes) => {
    const temp = join(dirname(path), `.${path.split('/').pop()}.tmp-${process.pid}`);
    const at = performance.now();
    writeFileSync(temp, bytes);
    renameSync(temp, path);
    return at;
  },
  /** Truncate, 20 ms of an empty file (inside the debounce), then the write. Timed from the write. */
  'truncate+20ms+write': truncateThenWrite(20),
  /** Truncate, 300 ms of an empty file (longer than the debounce: the empty file IS read), then the write. */
  'truncate+300ms+write': truncateThenWrite(300),
};

/**
 * One change: write `bytes` to `file` (relative to the config dir) with `writer`, wait for the RG_RELOAD_APPLIED
 * that carries the expected revision, then let events settle. Returns the per-change record.
 */
async function measureChange(gw, model, file, bytes, writer) {
  const expected = model.hashWith(file, bytes);
  let writeAt;
  const rec = { file, writer, expected, events: 0, firstEventAt: undefined, lastEventMs: undefined, swapAt: undefined, swapLogMs: undefined, applied: undefined, failed: 0, unchanged: 0, otherApplied: [] };
  let live;
  const isLive = new Promise((resolve) => (live = resolve));
  gw.onLine = (l) => {
    if (l.msg === 'config file event') {
      rec.events++;
      // Watcher latency on the bench's clock: the first event that arrives after the timed write.
      if (writeAt !== undefined && l.receivedAt >= writeAt) rec.firstEventAt ??= l.receivedAt;
      if (rec.applied === undefined) rec.lastEventMs = Date.parse(l.time);
    } else if (l.msg === 'generation swapped') {
      if (rec.applied === undefined) {
        rec.swapAt = l.receivedAt;
        rec.swapLogMs = Date.parse(l.time);
      }
    } else if (l.code === 'RG_RELOAD_APPLIED') {
      if (l.revision === expected && rec.applied === undefined) {
        rec.applied = { receivedAt: l.receivedAt, logMs: Date.parse(l.time), durationMs: l.durationMs, previousRevision: l.previousRevision };
        live();
      } else rec.otherApplied.push(l.revision);
    } else if (l.code === 'RG_RELOAD_FAILED') rec.failed++;
    else if (l.code === 'RG_RELOAD_UNCHANGED') rec.unchanged++;
  };
  // Events of a truncate arrive while writeAt is still unset and do not count as watcher latency; the final
  // write is synchronous and `await` resumes before any I/O callback, so its events all see writeAt.
  writeAt = await WRITERS[writer](join(model.dir, file), bytes);
  model.commit(file, bytes);
  const timedOut = await Promise.race([isLive.then(() => false), sleep(CHANGE_TIMEOUT_MS).then(() => true)]);
  if (gw.exited) throw new Error(`gateway exited during the run: ${gw.stderr}`);
  // Settle: late watcher events and any extra pass they cause are counted against this change.
  await sleep(SETTLE_MS + Math.random() * 50);
  gw.onLine = undefined;
  const out = {
    file,
    writer,
    timedOut,
    writeToLiveMs: timedOut ? NaN : rec.swapAt - writeAt,
    writeToAppliedLogMs: timedOut ? NaN : rec.applied.receivedAt - writeAt,
    watcherMs: rec.firstEventAt === undefined ? NaN : rec.firstEventAt - writeAt,
    quietMs: timedOut ? NaN : rec.applied.logMs - rec.applied.durationMs - rec.lastEventMs,
    passMs: timedOut ? NaN : rec.applied.durationMs,
    // planChanges + summary + the log line, which run after the swap but inside durationMs.
    afterSwapMs: timedOut ? NaN : rec.applied.receivedAt - rec.swapAt,
    events: rec.events,
    failedPasses: rec.failed,
    unchangedPasses: rec.unchanged,
    otherRevisionsApplied: rec.otherApplied.length,
  };
  return out;
}


function summarize(label, recs) {
  const ok = recs.filter((r) => !r.timedOut);
  const w = ok.map((r) => r.writeToLiveMs);
  return {
    label,
    changes: recs.length,
    timedOut: recs.length - ok.length,
    writeToLive: { p50: percentile(w, 50), p99: percentile(w, 99), min: Math.min(...w), max: Math.max(...w) },
    passMs: { p50: percentile(ok.map((r) => r.passMs), 50), p99: percentile(ok.map((r) => r.passMs), 99) },
    afterSwapMs: { p50: percentile(ok.map((r) => r.afterSwapMs), 50), p99: percentile(ok.map((r) => r.afterSwapMs), 99) },
    watcherMs: { p50: percentile(ok.map((r) => r.watcherMs), 50), p99: percentile(ok.map((r) => r.watcherMs), 99) },
    quietMs: { p50: percentile(ok.map((r) => r.quietMs), 50), p99: percentile(ok.map((r) => r.quietMs), 99) },
    eventsPerChange: median(recs.map((r) => r.events)),
    failedPasses: recs.reduce((n, r) => n + r.failedPasses, 0),
    unchangedPasses: recs.reduce((n, r) => n + r.unchangedPasses, 0),
    otherRevisionsApplied: recs.reduce((n, r) => n + r.otherRevisionsApplied, 0),
  };
}

const f1 = (n) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');

function printTable(rows) {
  console.log('\n| config | write | changes | write→live p50 | p99 | min | max | pass (durationMs) p50 | p99 | swap→log p50 | watcher p50 | quiet p50 | events/change | failed / extra passes |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const s = r.summary;
    console.log(
      `| ${r.config} | ${r.writer} | ${s.changes}${s.timedOut ? ` (${s.timedOut} timed out)` : ''} | ${f1(s.writeToLive.p50)} | ${f1(s.writeToLive.p99)} | ${f1(s.writeToLive.min)} | ${f1(s.writeToLive.max)} | ${f1(s.passMs.p50)} | ${f1(s.passMs.p99)} | ${f1(s.afterSwapMs.p50)} | ${f1(s.watcherMs.p50)} | ${f1(s.quietMs.p50)} | ${s.eventsPerChange} | ${s.failedPasses} / ${s.unchangedPasses}${s.otherRevisionsApplied ? `, ${s.otherRevisionsApplied} other revisions applied` : ''} |`,
    );
  }
  console.log(
    '(ms; write→live = write start → "generation swapped" line; pass = RG_RELOAD_APPLIED durationMs: read+validate+compile, swap, plan summary; ' +
      'swap→log = "generation swapped" → RG_RELOAD_APPLIED (plan summary, inside durationMs but after the graph is live); watcher = write → first watcher event; quiet = last event → pass start (the debounce); ' +
      'failed / extra passes = RG_RELOAD_FAILED / RG_RELOAD_UNCHANGED lines)',
  );
}

async function main() {
  const started = Date.now();
  const debounceMs = configuredDebounceMs();
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg().map((n) => Math.round(n * 100) / 100) };
  console.log(`relayguard reload benchmark — ${machine.cpus} cores (${machine.model}), node ${machine.node}, load average ${machine.loadAverage.join(' ')}`);
  console.log(`debounce (quiet period) configured in the build: ${debounceMs} ms`);

  // Certificates for the example config, made by the gateway's own toolbox (CA, gateway, and the peers policies/ trusts).
  await runCli(['certs', 'init', '--dir', join(tmp, 'certs'), '--hostname', 'gw.example.test', '--hostname', '127.0.0.1', '--config', join(root, 'policies'), '--example-peers', '--quiet']);
  mkdirSync(join(tmp, 'var'), { recursive: true });

  // --- the example config (copy of policies/, loopback ports, receivers on unused ports) ---
  const exampleDir = join(tmp, 'example');
  cpSync(join(root, 'policies'), exampleDir, { recursive: true });
  const topo = parse(readFileSync(join(root, 'policies', 'topology.yaml'), 'utf8'));
  const exampleAdmin = await freePort();
  topo.gateway.listen = [{ address: '127.0.0.1', port: await freePort() }];
  topo.gateway.admin = { address: '127.0.0.1', port: exampleAdmin };
  for (const u of topo.upstreams) if (u.reflect) u.reflect.port = await freePort();
  for (const r of topo.receivers) r.port = await freePort();
  writeFileSync(join(exampleDir, 'topology.yaml'), stringify(topo));
  const policyFile = 'secrets.policy.yaml';
  const original = readFileSync(join(exampleDir, policyFile), 'utf8');
  if (!original.includes('"vertraulich"')) throw new Error(`${policyFile} no longer has the keyword this bench edits`);
  const exampleVariant = (n) => Buffer.from(original.replace('"vertraulich"', `"vertraulich", "rev-${n}"`));

  const exampleStages = await stageTimings(exampleDir, 10);
  const { model: exampleModel, revision: exampleRevision } = await revisionModel(exampleDir);
  const gwA = await startGateway(exampleDir);
  if (gwA.revision !== exampleRevision) throw new Error(`the gateway runs ${gwA.revision}, the bench expected ${exampleRevision}`);
  const rssA0 = procStats(gwA.child.pid);
  console.log(`example config: gateway up in ${gwA.startMs.toFixed(0)} ms; in-process load+validate ${f1(exampleStages.loadValidateMs)} ms, compile ${f1(exampleStages.compileMs)} ms (median of ${exampleStages.runs})`);

  let n = 0;
  const rows = [];
  const recsA = [];
  await sleep(300);
  for (let i = 0; i < CHANGES; i++) recsA.push(await measureChange(gwA, exampleModel, policyFile, exampleVariant(++n), 'inplace'));
  rows.push({ config: 'example', writer: 'inplace', summary: summarize('example inplace', recsA), records: recsA });
  for (const writer of ['rename', 'truncate+20ms+write', 'truncate+300ms+write']) {
    const count = writer === 'truncate+300ms+write' ? Math.min(3, VARIANTS) : VARIANTS;
    const recs = [];
    for (let i = 0; i < count; i++) recs.push(await measureChange(gwA, exampleModel, policyFile, exampleVariant(++n), writer));
    rows.push({ config: 'example', writer, summary: summarize(`example ${writer}`, recs), records: recs });
  }
  const statusA = await fetchStatus(exampleAdmin);
  const rssA1 = procStats(gwA.child.pid);
  if (statusA.revision?.hash !== exampleModel.hashWith(policyFile, exampleModel.files.get(join(exampleModel.dir, policyFile)))) {
    throw new Error(`/status revision ${statusA.revision?.hash} is not the last revision written`);
  }
  await stopGateway(gwA);

  // --- the 2,000-upstream topology ---
  const largeDir = join(tmp, 'large');
  const largePorts = { listenPort: await freePort(), adminPort: await freePort() };
  writeLargeConfig(largeDir, largePorts);
  const largeStages = await stageTimings(largeDir, 3);
  const { model: largeModel, revision: largeRevision } = await revisionModel(largeDir);
  const gwB = await startGateway(largeDir);
  if (gwB.revision !== largeRevision) throw new Error(`the large gateway runs ${gwB.revision}, the bench expected ${largeRevision}`);
  const rssB0 = procStats(gwB.child.pid);
  console.log(
    `2,000-upstream topology (${UPSTREAMS} upstreams, ${RECEIVERS} receivers, ${ROUTES} routes, ${POLICIES} policies): gateway up in ${gwB.startMs.toFixed(0)} ms; ` +
      `in-process load+validate ${f1(largeStages.loadValidateMs)} ms, compile ${f1(largeStages.compileMs)} ms (median of ${largeStages.runs})`,
  );
  await sleep(300);
  const topologyChanges = Math.max(1, Math.round(LARGE_CHANGES / 4));
  const recsPolicy = [];
  for (let i = 0; i < LARGE_CHANGES - topologyChanges; i++) recsPolicy.push(await measureChange(gwB, largeModel, 'bench-0.policy.yaml', Buffer.from(largePolicyYaml(0, POLICIES / POLICY_FILES, String(++n))), 'inplace'));
  rows.push({ config: '2,000 upstreams', writer: 'inplace (policy file)', summary: summarize('large policy', recsPolicy), records: recsPolicy });
  const recsTopo = [];
  for (let i = 0; i < topologyChanges; i++) {
    recsTopo.push(await measureChange(gwB, largeModel, 'topology.yaml', Buffer.from(largeTopologyYaml({ ...largePorts, firstReceiverPort: 30000 + ++n })), 'inplace'));
  }
  rows.push({ config: '2,000 upstreams', writer: 'inplace (topology.yaml)', summary: summarize('large topology', recsTopo), records: recsTopo });
  const recsLargeRename = [];
  for (let i = 0; i < Math.min(3, VARIANTS); i++) recsLargeRename.push(await measureChange(gwB, largeModel, 'bench-0.policy.yaml', Buffer.from(largePolicyYaml(0, POLICIES / POLICY_FILES, String(++n))), 'rename'));
  rows.push({ config: '2,000 upstreams', writer: 'rename (policy file)', summary: summarize('large rename', recsLargeRename), records: recsLargeRename });
  const rssB1 = procStats(gwB.child.pid);
  const statusB = await fetchStatus(largePorts.adminPort);
  await stopGateway(gwB);

  printTable(rows);
  console.log(`\nconfigured debounce: ${debounceMs} ms (Reloader default; \`serve\` has no option to change it)`);
  console.log(`compile alone (in-process, dist/graph/compile.js): example ${f1(exampleStages.compileMs)} ms, 2,000 upstreams ${f1(largeStages.compileMs)} ms; load+validate: ${f1(exampleStages.loadValidateMs)} / ${f1(largeStages.loadValidateMs)} ms`);
  console.log(`gateway RSS: example ${f1(rssA0.rss / 2 ** 20)} → ${f1(rssA1.rss / 2 ** 20)} MiB after ${recsA.length + rows.slice(1, 4).reduce((k, r) => k + r.records.length, 0)} reloads; 2,000 upstreams ${f1(rssB0.rss / 2 ** 20)} → ${f1(rssB1.rss / 2 ** 20)} MiB after ${recsPolicy.length + recsTopo.length + recsLargeRename.length} reloads`);
  console.log(`gateway CPU: example ${f1(rssA1.cpuSeconds - rssA0.cpuSeconds)} s, 2,000 upstreams ${f1(rssB1.cpuSeconds - rssB0.cpuSeconds)} s during the changes; /status retiredGenerations at the end: example ${statusA.retiredGenerations}, 2,000 upstreams ${statusB.retiredGenerations}`);
  const endLoad = loadavg().map((x) => Math.round(x * 100) / 100);
  console.log(`load average at the end: ${endLoad.join(' ')}; total bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (jsonOut) {
    writeFileSync(
      jsonOut,
      JSON.stringify(
        {
          machine: { ...machine, loadAverageEnd: endLoad },
          debounceMs,
          stages: { example: exampleStages, large: largeStages },
          startMs: { example: gwA.startMs, large: gwB.startMs },
          rss: { example: [rssA0.rss, rssA1.rss], large: [rssB0.rss, rssB1.rss] },
          rows,
        },
        null,
        2,
      ),
    );
  }
  const timedOut = rows.reduce((k, r) => k + r.summary.timedOut, 0);
  if (timedOut > 0) {
    console.error(`${timedOut} change(s) never went live within ${CHANGE_TIMEOUT_MS / 1000} s`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
