#!/usr/bin/env node
// Config loading at scale: 2,000 upstreams (IPv4 /32 and /24, some IPv6 /48), 500 receivers, 2,000 routes and
// 200 policies, loaded with loadConfigDir from the build (run `npm run build` first). Prints wall times.
// Usage: node bench/config.mjs [--runs N] [--keep]
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { LineCounter, parseDocument, stringify } from 'yaml';
import { readdirSync, readFileSync, statSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const loadModule = join(root, 'dist', 'config', 'load.js');
if (!existsSync(loadModule)) {
  console.error('bench/config.mjs: dist/config/load.js is missing; run `npm run build` first');
  process.exit(2);
}
const { loadConfigDir } = await import(loadModule);

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 5;
const keep = args.includes('--keep');

const UPSTREAMS = 2000;
const RECEIVERS = 500;
const ROUTES = 2000;
const POLICIES = 200;
const POLICIES_PER_FILE = 10;

function upstreamAddress(i) {
  if (i % 10 === 9) return `2001:db8:${i.toString(16)}::/48`;
  if (i % 2 === 1) return `10.${i >> 8}.${i & 255}.0/24`;
  return `172.16.${i >> 8}.${i & 255}/32`;
}

function topology() {
  const upstreams = Array.from({ length: UPSTREAMS }, (_, i) => {
    const reflect = i % 4 === 0;
    return {
      name: `mta-${i}`,
      addresses: [upstreamAddress(i)],
      mode: reflect ? 'reflect' : 'forward',
      ...(reflect ? { reflect: { port: 10026, tls: { starttls: 'optional', verifyHostname: false } } } : {}),
      tls: { starttls: 'disabled' },
    };
  });
  const receivers = Array.from({ length: RECEIVERS }, (_, i) => ({ name: `mx-${i}`, host: '127.0.0.1', port: 20000 + i, tls: { starttls: 'optional' } }));
  const routes = Array.from({ length: ROUTES - 1 }, (_, i) => ({
    domains: [`d${i}.example.test`, `*.d${i}.example.test`],
    receivers: [`mx-${i % RECEIVERS}`, `mx-${(i + 1) % RECEIVERS}`],
    strategy: i % 2 ? 'round-robin' : 'failover',
  }));
  routes.push({ domains: ['*'], receivers: ['mx-0'] });
  return {
    version: 1,
    gateway: { hostname: 'gw.example.test', listen: [{ address: '127.0.0.1', port: 10025 }], loop: { secretFile: 'loop.secret' } },
    upstreams,
    receivers,
    routes,
  };
}

function policyFile(file) {
  const policies = Array.from({ length: POLICIES_PER_FILE }, (_, j) => {
    const n = file * POLICIES_PER_FILE + j;
    return {
      name: `policy-${n}`,
      severity: ['info', 'low', 'medium', 'high'][n % 4],
      mode: n % 5 === 0 ? 'monitor' : 'enforce',
      scope: { upstreams: [`mta-${n % UPSTREAMS}`, `mta-${(n * 7) % UPSTREAMS}`] },
      match: {
        any: [
          { regex: { pattern: `project\\s+code${n}`, flags: 'i', in: ['subject', 'body'], min: 1 } },
          { keywords: { words: [`secret-${n}`, `internal-${n}`], in: ['body'], min: 1 } },
          { creditCardNumber: { min: 1 } },
        ],
      },
      action: { type: 'block', reply: '550 5.7.1 Message blocked by data loss prevention policy' },
    };
  });
  return { version: 1, policies };
}

const dir = mkdtempSync(join(tmpdir(), 'rg-bench-config-'));
try {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology()));
  writeFileSync(join(dir, 'loop.secret'), 'bench-secret-bench-secret-bench-secret\n');
  const withPolicies = existsSync(join(root, 'schemas', 'policy.schema.json'));
  if (withPolicies) {
    for (let f = 0; f < POLICIES / POLICIES_PER_FILE; f++) writeFileSync(join(dir, `set-${f}.policy.yaml`), stringify(policyFile(f)));
  }

  const time = async () => {
    const start = performance.now();
    const result = await loadConfigDir(dir);
    return { ms: performance.now() - start, result };
  };
  const first = await time();
  const errors = first.result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    console.error(`bench/config.mjs: the generated config is invalid (${errors.length} errors), first: ${JSON.stringify(errors[0])}`);
    process.exitCode = 1;
  } else {
    const times = [];
    for (let i = 0; i < runs; i++) times.push((await time()).ms);
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    console.log(`config: ${UPSTREAMS} upstreams, ${RECEIVERS} receivers, ${ROUTES} routes, ${withPolicies ? POLICIES : 0} policies`);
    console.log(`loadConfigDir first (includes schema compilation): ${first.ms.toFixed(1)} ms`);
    console.log(`loadConfigDir warm: median ${median.toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[times.length - 1].toFixed(1)} ms over ${runs} runs`);
    // Baseline: parsing the same files with positions and nothing else, to separate YAML cost from checks.
    const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
    const parseTimes = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      for (const f of files) parseDocument(readFileSync(join(dir, f), 'utf8'), { lineCounter: new LineCounter(), uniqueKeys: true }).toJS();
      parseTimes.push(performance.now() - start);
    }
    parseTimes.sort((a, b) => a - b);
    const bytes = files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    console.log(`  of which YAML parsing alone: median ${parseTimes[Math.floor(parseTimes.length / 2)].toFixed(1)} ms for ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB`);
    console.log(`warnings: ${first.result.diagnostics.length}, revision ${first.result.revision?.slice(0, 12)}`);
  }
} finally {
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
