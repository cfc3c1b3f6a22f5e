#!/usr/bin/env node
// Graph benchmark: a large topology (2,000 upstreams, 500 receivers, 2,000 routes, 200 policies)
// through buildGraph (load + validate + compile), then 1,000,000 upstream and route lookups.
// Run `npm run build` first; this imports the compiled engine from dist/.
// Usage: node bench/graph.mjs [--runs N] [--json] [--keep] (--keep leaves the generated config dir for profiling)
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildGraph } from '../dist/graph/build.js';
import { median, timeLoadAndCompile } from './harness.mjs';
import { POLICIES, RECEIVERS, ROUTES, UPSTREAMS, upstreamAddress, writeLargeConfig } from './large-topology.mjs';

const LOOKUPS = 1_000_000;
const TARGET_BUILD_MS = 200;

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) > 0 && args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 7;
const asJson = args.includes('--json');
const keep = args.includes('--keep');

function writeFixture() {
  return writeLargeConfig(mkdtempSync(join(tmpdir(), 'rg-bench-graph-')));
}

/** CPU milliseconds (user + system) of this process: far less disturbed by other load than wall time. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timeBuild(dir) {
  const cpu = [];
  const totals = [];
  const loads = [];
  const compiles = [];
  let graph;
  for (let r = 0; r < runs; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    const built = await buildGraph(dir);
    totals.push(performance.now() - t0);
    cpu.push(cpuMs() - c0);
    if (!built.graph) throw new Error(`bench config is invalid:\n${JSON.stringify(built.diagnostics.slice(0, 5), null, 2)}`);
    graph = built.graph;
    const { loadMs, compileMs } = await timeLoadAndCompile(dir);
    loads.push(loadMs);
    compiles.push(compileMs);
  }
  return { graph, totalMs: median(totals), minMs: Math.min(...totals), cpuMs: median(cpu), loadMs: median(loads), compileMs: median(compiles) };
}

/** LOOKUPS lookups per round; the fastest of ROUNDS rounds is reported (other load only ever slows a round down). */
const ROUNDS = 3;

function timeLookups(lookup, inputs) {
  let hits = 0;
  // Warm up the JIT on the same inputs before measuring.
  for (let i = 0; i < 50_000; i++) if (lookup(inputs[i % inputs.length]) !== undefined) hits++;
  let best = Infinity;
  let bestCpu = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    hits = 0;
    const c0 = cpuMs();
    const t0 = performance.now();
    for (let i = 0; i < LOOKUPS; i++) if (lookup(inputs[i % inputs.length]) !== undefined) hits++;
    best = Math.min(best, performance.now() - t0);
    bestCpu = Math.min(bestCpu, cpuMs() - c0);
  }
  return { nsPerLookup: (best * 1e6) / LOOKUPS, cpuNsPerLookup: (bestCpu * 1e6) / LOOKUPS, hitRate: hits / LOOKUPS };
}

const dir = writeFixture();
try {
  const build = await timeBuild(dir);
  const { graph } = build;
  const addresses = Array.from({ length: 4096 }, (_, k) => {
    const i = (k * 7919) % UPSTREAMS;
    if (k % 16 === 0) return '198.51.100.7'; // no upstream: the 554-at-connect path
    if (k % 16 === 1) return `::ffff:${upstreamAddress(i - (i % 3))}`; // IPv4-mapped form of a /32
    return upstreamAddress(i);
  });
  const domains = Array.from({ length: 4096 }, (_, k) => {
    const i = (k * 104729) % (ROUTES - 1);
    if (k % 4 === 0) return `d${i}.example.test`;
    if (k % 4 === 1) return `mail.eu.d${i}.example.test`;
    if (k % 4 === 2) return `D${i}.Example.Test`;
    return `unrouted-${k}.example.net`; // falls through to "*"
  });
  const upstreamLookups = timeLookups((a) => graph.upstreamByAddress.lookup(a), addresses);
  const routeLookups = timeLookups((d) => graph.router.lookup(d), domains);
  const result = {
    machine: { cpus: cpus().length, loadAverage1m: round(loadavg()[0] ?? 0), node: process.version },
    topology: { upstreams: UPSTREAMS, receivers: RECEIVERS, routes: ROUTES, policies: graph.policies.policies.length },
    buildGraph: { medianMs: round(build.totalMs), minMs: round(build.minMs), cpuMs: round(build.cpuMs), loadMs: round(build.loadMs), compileMs: round(build.compileMs), targetMs: TARGET_BUILD_MS, runs },
    upstreamLookup: { nsPerLookup: round(upstreamLookups.nsPerLookup), cpuNsPerLookup: round(upstreamLookups.cpuNsPerLookup), hitRate: round(upstreamLookups.hitRate), lookups: LOOKUPS },
    routeLookup: { nsPerLookup: round(routeLookups.nsPerLookup), cpuNsPerLookup: round(routeLookups.cpuNsPerLookup), hitRate: round(routeLookups.hitRate), lookups: LOOKUPS },
  };
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else {
    const t = result.topology;
    console.log(`graph bench: ${t.upstreams} upstreams, ${t.receivers} receivers, ${t.routes} routes, ${t.policies} policies`);
    console.log(`  machine: ${result.machine.cpus} CPUs, load average ${result.machine.loadAverage1m} (timings are only comparable on a quiet machine), node ${result.machine.node}`);
    console.log(`  buildGraph (load+validate+compile): median ${result.buildGraph.medianMs} ms, min ${result.buildGraph.minMs} ms over ${runs} runs (target < ${TARGET_BUILD_MS} ms) ${build.totalMs < TARGET_BUILD_MS ? 'OK' : 'OVER TARGET'}`);
    console.log(`    CPU time (median): ${result.buildGraph.cpuMs} ms`);
    console.log(`    of which load+validate ${result.buildGraph.loadMs} ms, compile ${result.buildGraph.compileMs} ms`);
    console.log(`  upstream lookup: ${result.upstreamLookup.nsPerLookup} ns/lookup wall, ${result.upstreamLookup.cpuNsPerLookup} ns CPU (best of ${ROUNDS} rounds of ${LOOKUPS}, hit rate ${result.upstreamLookup.hitRate})`);
    console.log(`  route lookup:    ${result.routeLookup.nsPerLookup} ns/lookup wall, ${result.routeLookup.cpuNsPerLookup} ns CPU (best of ${ROUNDS} rounds of ${LOOKUPS}, hit rate ${result.routeLookup.hitRate})`);
  }
} finally {
  if (keep) console.error(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

function round(n) {
  return Math.round(n * 100) / 100;
}
