#!/usr/bin/env node
// `npm run bench`: direct delivery and relayguard in front of the same sink, measured in the
// same run and interleaved (a direct run before every gateway run of a cell), printed as ratios to
// the median direct rate. Every forward-gateway figure is measured for each policy set (none: no
// policy files; example: the policies in policies/) and each worker count (`--workers 1` and the
// default `auto`). Bounded (--quick about 1.5 minutes, default about 5), leaves no process behind.
//   node bench/run.mjs [--rounds N] [--quick] [--json FILE] [--big-only] [--idle-only] [--big-mb N] [--no-mx] [--no-warmup]
//                      [--policies none|example|both] [--workers-set 1,auto] [--workers N] [--no-reflect] [--no-tls]
//   --policies       which policy sets the gateways run (default both)
//   --workers-set    comma-separated `serve --workers` values, each a gateway per policy set (default 1,auto;
//                    e.g. 1,2,auto to see two cluster workers on a host where auto is 1)
//   --workers N      shorthand for --workers-set N
//   --no-reflect     skip the reflect-mode row (example policies, first worker count)
//   --no-tls         skip the STARTTLS comparison
//   --no-warmup      measure from the first message (by default every gateway first gets both sizes, unmeasured)
//   --idle-only      only the idle-sessions figure, on a fresh gateway (example policies, one worker)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, copyFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { stringify } from 'yaml';
import { createCertificateAuthority, issueCertificate, generateRsaKeyPem } from '../dist/tls/ca.js';
import { autoWorkers } from '../dist/runtime/cpu-quota.js';
import { startFastSink } from './fast-sink.mjs';
import { freePort, procStats, resetPeakRss, setup, stopChild, treeStats, waitForPort } from './harness.mjs';
import { SMTP_SINK, SMTP_SOURCE, runNodeLoad, runSmtpSource, percentile, makeBody } from './load.mjs';
import { RelayConnection } from '../dist/smtp/relay/relay-client.js';
import { runMxCell } from './mx.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const quick = args.includes('--quick');
const rounds = Number(opt('--rounds')) || (quick ? 1 : 3);
const bigOnly = args.includes('--big-only');
const idleOnly = args.includes('--idle-only');
const POLICY_SETS = { none: ['none'], example: ['example'], both: ['none', 'example'] };
const policySets = POLICY_SETS[opt('--policies', 'both')];
if (policySets === undefined) throw new Error('--policies: expected none, example or both');
// node flags for the gateways (e.g. --cpu-prof) go in GW_FLAGS
const workersSet = String(opt('--workers-set', opt('--workers', '1,auto'))).split(',').filter(Boolean);
const bigMb = Number(opt('--big-mb')) || undefined;
const jsonOut = opt('--json');
const { tmp, own } = setup('rg-bench-');

function spawnOwned(cmd, argv, opts = {}) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'], ...opts });
  let err = '';
  child.stderr?.on('data', (d) => (err = (err + d).slice(-4000)));
  child.errText = () => err;
  return own(child);
}

function pki() {
  const ca = createCertificateAuthority({ commonName: 'bench CA', key: generateRsaKeyPem() });
  const key = generateRsaKeyPem();
  const gw = issueCertificate(ca, { commonName: 'gw.example.test', hostnames: ['gw.example.test', '127.0.0.1'], key });
  const sink = issueCertificate(ca, { commonName: 'sink.example.test', hostnames: ['sink.example.test', '127.0.0.1'], key });
  const dir = join(tmp, 'certs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(tmp, 'loop.secret'), 'bench-loop-secret-0123456789abcdef');
  writeFileSync(join(dir, 'gw.crt.pem'), gw.certPem);
  writeFileSync(join(dir, 'gw.key.pem'), gw.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'sink.crt.pem'), sink.certPem);
  return { dir, sink };
}

function writeConfig(name, { port, upstream, receiverPort, tls, policies = 'example' }) {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of policies === 'example' ? readdirSync(join(root, 'policies')) : []) {
    if (/\.policy\.(ya?ml|json)$/.test(f)) copyFileSync(join(root, 'policies', f), join(dir, f));
  }
  const gateway = {
    hostname: 'gw.example.test',
    listen: [{ address: '127.0.0.1', port }],
    maxMessageBytes: 104857600,
    limits: { maxConnections: 5000, maxConnectionsPerUpstream: 5000 },
    incidents: { path: join(tmp, `${name}-incidents.jsonl`) },
    loop: { secretFile: join(tmp, 'loop.secret') },
    ...(tls ? { tls: { certificate: '../certs/gw.crt.pem', key: '../certs/gw.key.pem' } } : {}),
  };
  const inbound = tls ? { starttls: 'required' } : { starttls: 'disabled' };
  const outTls = tls ? { starttls: 'required', trust: ['../certs/sink.crt.pem'], verifyHostname: false } : { starttls: 'disabled' };
  // Both paths relay for corp-postfix, the upstream every example policy covers (partner-relay is in the scope
  // of one of the six), so "example" means all of policies/; a placeholder keeps the other name known.
  const placeholder = (name) => ({ name, addresses: ['127.0.0.9/32'], mode: 'reflect', reflect: { port: receiverPort, tls: { starttls: 'disabled' } }, tls: inbound });
  const topology =
    upstream === 'reflect'
      ? {
          version: 1,
          gateway,
          upstreams: [
            { name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'reflect', reflect: { port: receiverPort, tls: outTls }, tls: inbound },
            { ...placeholder('partner-relay'), mode: 'forward', reflect: undefined },
          ],
          receivers: [{ name: 'sink', host: '127.0.0.1', port: receiverPort, tls: outTls }],
          routes: [{ domains: ['*'], receivers: ['sink'] }],
        }
      : {
          version: 1,
          gateway,
          upstreams: [{ name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'forward', tls: inbound }, placeholder('partner-relay')],
          receivers: [{ name: 'sink', host: '127.0.0.1', port: receiverPort, tls: outTls, maxConnections: 100 }],
          routes: [{ domains: ['*'], receivers: ['sink'] }],
        };
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  return dir;
}

async function startGateway(name, opts) {
  const dir = writeConfig(name, opts);
  const child = spawnOwned(process.execPath, [...(process.env.GW_FLAGS ? process.env.GW_FLAGS.split(' ') : []), join(root, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'error', '--workers', opts.workers ?? '1'], { cwd: root });
  try {
    await waitForPort(opts.port, { attempts: 1200 }); // up to 60 s: N workers start on a loaded host
  } catch (err) {
    throw new Error(`gateway ${name} did not start: ${child.errText()}`);
  }
  return { name, port: opts.port, child, policies: opts.policies ?? 'example', workers: opts.workers ?? '1' };
}

async function startSmtpSink() {
  const port = await freePort();
  const argv = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  spawnOwned(SMTP_SINK, [...argv, `127.0.0.1:${port}`, '512']);
  await waitForPort(port);
  return { port };
}

function fmt(n, d = 0) {
  return Number.isFinite(n) ? n.toFixed(d) : 'n/a';
}

/** The gateway processes' CPU seconds (primary and workers) around one load run: CPU µs per message. */
async function measured(gw, run) {
  const before = treeStats(gw.child.pid).cpuSeconds;
  const r = await run();
  return { ...r, cpuSeconds: treeStats(gw.child.pid).cpuSeconds - before };
}

const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return v.length === 0 ? NaN : v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const workersLabel = (w) => (w === 'auto' ? `auto (=${autoWorkers()})` : w);

async function main() {
  const started = Date.now();
  const usePostfixTools = Boolean(SMTP_SOURCE && SMTP_SINK);
  console.log(`relayguard benchmark — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`policies: ${policySets.join(', ')}; workers: ${workersSet.map(workersLabel).join(', ')}; ${rounds} round(s), medians`);
  console.log(
    usePostfixTools
      ? 'load: Postfix smtp-source → smtp-sink (plain scenarios, latency via the Node generator against smtp-sink); Node generator + Node sink for STARTTLS'
      : 'load: smtp-source/smtp-sink not installed — falling back to the Node generator and Node sink for every scenario',
  );
  const certs = pki();
  const sink = usePostfixTools ? await startSmtpSink() : await startFastSink();
  const nodeSink = await startFastSink();
  if (idleOnly) {
    const gw = await startGateway('idle', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port });
    const idle = await idleSessions(gw, quick ? 500 : 2000);
    console.log(`idle sessions (fresh gateway): ${idle.sessions} open → gateway RSS ${fmt(idle.rssBefore / 2 ** 20, 1)} → ${fmt(idle.rssAfter / 2 ** 20, 1)} MiB`);
    await stopChild(gw.child);
    await nodeSink.close();
    await sink.close?.();
    return;
  }
  if (bigOnly) {
    const gw = await startGateway('big', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port });
    const big = await bigMessage(gw, bigMb ?? (quick ? 10 : 50));
    console.log(`one ${big.mb} MB message: ${big.reply}; gateway RSS ${fmt(big.rssBefore / 2 ** 20, 1)} → peak ${fmt(big.peakAfter / 2 ** 20, 1)} MiB (growth ${fmt((big.peakAfter - big.rssBefore) / 2 ** 20, 1)} MiB), gateway CPU ${fmt(big.cpuSeconds, 2)} s`);
    await stopChild(gw.child);
    await nodeSink.close();
    await sink.close?.();
    return;
  }
  const tlsSink = args.includes('--no-tls') ? undefined : await startFastSink({ tlsOptions: { key: readFileSync(join(certs.dir, 'gw.key.pem')), cert: certs.sink.certPem } });

  // One forward gateway per (policy set, worker count); the rows of the table.
  const variants = [];
  for (const policies of policySets) {
    for (const workers of workersSet) {
      const name = `forward-${policies}-w${workers}`;
      variants.push({ path: 'forward', policies, workers, gw: await startGateway(name, { port: await freePort(), upstream: 'forward', receiverPort: sink.port, policies, workers }) });
    }
  }
  const refPolicies = policySets.at(-1);
  if (!args.includes('--no-reflect')) {
    const gw = await startGateway('reflect', { port: await freePort(), upstream: 'reflect', receiverPort: sink.port, policies: refPolicies, workers: workersSet[0] });
    variants.push({ path: 'reflect', policies: refPolicies, workers: workersSet[0], gw });
  }
  const tlsGws = tlsSink === undefined ? undefined : {
    plain: await startGateway('node-plain', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port, policies: refPolicies }),
    tls: await startGateway('tls', { port: await freePort(), upstream: 'forward', receiverPort: tlsSink.port, tls: true, policies: refPolicies }),
  };

  const load = (port, o) => (usePostfixTools ? runSmtpSource({ port, ...o }) : runNodeLoad({ port, ...o }));
  const results = new Map();
  const record = (key, r) => {
    const list = results.get(key) ?? [];
    list.push(r);
    results.set(key, list);
  };
  const keyOf = (v) => `${v.path}:${v.policies}:${v.workers}`;
  const sizes = [5120, 102400];
  // Warm-up, not measured: a gateway runs for days, and in its first thousand messages V8 is still
  // compiling the inspection and SMTP paths on its own threads (100 KB with policies fell from about 5200 to
  // 2700 µs of CPU per message as compilation settled, session 9), so without it the first round measured
  // the compiler. Every variant gets both sizes over reused and fresh connections once; the connection
  // path (accept, greeting, EHLO, close) takes longer to settle than the message path (after 1,000 fresh
  // connections the next round still cost 35-60% more CPU than the one after it, session 10), so 5 KB
  // over fresh connections gets three times as many.
  if (!args.includes('--no-warmup')) {
    for (const v of variants) {
      for (const bytes of sizes) {
        for (const reuse of [true, false]) {
          const messages = bytes > 10_000 ? (quick ? 100 : 300) : reuse ? (quick ? 300 : 1000) : quick ? 900 : 3000;
          await load(v.gw.port, { messages, sessions: 20, bytes, reuse });
        }
      }
    }
  }
  const latency = { messages: quick ? 150 : 400, sessions: 1, bytes: 5120, reuse: false, fromConnect: true };
  for (let round = 0; round < rounds; round++) {
    for (const bytes of sizes) {
      for (const reuse of [false, true]) {
        const messages = bytes > 10_000 ? (quick ? 150 : 600) : quick ? 500 : 2000;
        const o = { messages, sessions: 20, bytes, reuse };
        const cell = `${bytes}:${reuse}`;
        // Round-robin start, so no variant always runs first after the direct run.
        for (let i = 0; i < variants.length; i++) {
          const v = variants[(i + round) % variants.length];
          record(`${cell}:direct`, await load(sink.port, o));
          record(`${cell}:${keyOf(v)}`, await measured(v.gw, () => load(v.gw.port, o)));
        }
      }
    }
    // p50 added latency with a fresh connection per message: connect → final reply to the body.
    for (const v of variants.filter((x) => x.path === 'forward')) {
      record('lat:direct', await runNodeLoad({ port: sink.port, ...latency }));
      record(`lat:${keyOf(v)}`, await runNodeLoad({ port: v.gw.port, ...latency }));
      record('latr:direct', await runNodeLoad({ port: sink.port, ...latency, reuse: true }));
      record(`latr:${keyOf(v)}`, await runNodeLoad({ port: v.gw.port, ...latency, reuse: true }));
    }
    if (tlsGws !== undefined) {
      const t = { messages: quick ? 300 : 1500, sessions: 20, bytes: 5120, reuse: true };
      record('tls:plain', await runNodeLoad({ port: tlsGws.plain.port, ...t }));
      record('tls:tls', await runNodeLoad({ port: tlsGws.tls.port, ...t, tls: true }));
    }
  }

  const rate = (key) => median((results.get(key) ?? []).map((r) => (r.messages - r.failures) / r.seconds));
  const cpuPerMsg = (key) => median((results.get(key) ?? []).map((r) => (1e6 * r.cpuSeconds) / (r.messages - r.failures)));
  const failures = [...results.values()].flat().reduce((n, r) => n + r.failures, 0);
  const rows = [];
  console.log('\n| message | connections | path | policies | workers | msgs/s | ratio to direct | gateway CPU µs/msg |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const bytes of sizes) {
    for (const reuse of [false, true]) {
      const cell = `${bytes}:${reuse}`;
      const direct = rate(`${cell}:direct`);
      const conn = reuse ? 'reused' : 'new per message';
      console.log(`| ${bytes / 1024} KB | ${conn} | direct | — | — | ${fmt(direct)} | — | — |`);
      for (const v of variants) {
        const r = rate(`${cell}:${keyOf(v)}`);
        const cpu = cpuPerMsg(`${cell}:${keyOf(v)}`);
        rows.push({ bytes, reuse, path: v.path, policies: v.policies, workers: v.workers, rate: r, ratio: r / direct, direct, cpuUsPerMessage: cpu });
        console.log(`| ${bytes / 1024} KB | ${conn} | ${v.path} | ${v.policies} | ${workersLabel(v.workers)} | ${fmt(r)} | ${fmt((100 * r) / direct, 1)}% | ${fmt(cpu)} |`);
      }
    }
  }
  // Default against one worker, cell by cell (the "workers never lose" check).
  if (workersSet.includes('auto') && workersSet.includes('1')) {
    const same = autoWorkers() === 1 ? ' (auto is 1 here: both rows run the same configuration, so the spread is this run\'s noise)' : '';
    console.log(`\ndefault (auto) against --workers 1, same policies, msgs/s ratio${same}:`);
    for (const policies of policySets) {
      const cells = rows.filter((r) => r.path === 'forward' && r.policies === policies);
      const parts = [];
      for (const a of cells.filter((r) => r.workers === 'auto')) {
        const one = cells.find((r) => r.workers === '1' && r.bytes === a.bytes && r.reuse === a.reuse);
        parts.push(`${a.bytes / 1024} KB ${a.reuse ? 'reused' : 'new'} ${fmt((100 * a.rate) / one.rate, 1)}%`);
      }
      console.log(`  ${policies}: ${parts.join(', ')}`);
    }
  }
  const latDirect = (results.get('lat:direct') ?? []).flatMap((r) => r.latencies);
  const latrDirect = (results.get('latr:direct') ?? []).flatMap((r) => r.latencies);
  const latency50 = {};
  console.log(`\nadded latency per 5 KB message with a fresh connection (one session, connect → final reply; direct p50 ${fmt(percentile(latDirect, 50), 2)} ms, p99 ${fmt(percentile(latDirect, 99), 2)} ms):`);
  for (const v of variants.filter((x) => x.path === 'forward')) {
    const lat = (results.get(`lat:${keyOf(v)}`) ?? []).flatMap((r) => r.latencies);
    const p50 = percentile(lat, 50) - percentile(latDirect, 50);
    const p99 = percentile(lat, 99) - percentile(latDirect, 99);
    const latr = (results.get(`latr:${keyOf(v)}`) ?? []).flatMap((r) => r.latencies);
    const reusedP50 = percentile(latr, 50) - percentile(latrDirect, 50);
    latency50[keyOf(v)] = { p50, p99, reusedP50 };
    console.log(`  policies ${v.policies}, workers ${workersLabel(v.workers)}: p50 +${fmt(p50, 2)} ms, p99 ${p99 >= 0 ? "+" : ""}${fmt(p99, 2)} ms (reused connection, MAIL → final reply: p50 +${fmt(reusedP50, 2)} ms)`);
  }
  let tlsResult;
  if (tlsGws !== undefined) {
    tlsResult = { plain: rate('tls:plain'), tls: rate('tls:tls') };
    console.log(`\nSTARTTLS on both legs (Node generator, 5 KB, reused, 20 sessions, policies ${refPolicies}): ${fmt(tlsResult.tls)} msgs/s vs plain gateway ${fmt(tlsResult.plain)} msgs/s = ${fmt((100 * tlsResult.tls) / tlsResult.plain, 1)}%`);
  }

  console.log('\ngateway processes after the load runs (primary and workers):');
  const all = [...variants.map((v) => v.gw), ...Object.values(tlsGws ?? {})];
  for (const gw of all) {
    const s = treeStats(gw.child.pid);
    console.log(`  ${gw.name.padEnd(22)} ${s.processes} process(es), RSS ${fmt(s.rss / 2 ** 20, 1)} MiB, peak RSS (first) ${fmt(procStats(gw.child.pid).peakRss / 2 ** 20, 1)} MiB, CPU ${fmt(s.cpuSeconds, 2)} s`);
  }

  // Memory: a one-process gateway, so the /proc figures are the whole gateway's.
  const memGw = variants.find((v) => v.path === 'forward' && v.workers === '1')?.gw;
  let idle;
  let big;
  if (memGw !== undefined) {
    idle = await idleSessions(memGw, quick ? 500 : 2000);
    console.log(`\nidle sessions (${memGw.name}): ${idle.sessions} open → gateway RSS ${fmt(idle.rssBefore / 2 ** 20, 1)} → ${fmt(idle.rssAfter / 2 ** 20, 1)} MiB`);
  }
  for (const gw of all) await stopChild(gw.child);
  // A fresh gateway, so its peak RSS reflects the big message alone.
  const bigGw = await startGateway('big', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port, policies: refPolicies });
  big = await bigMessage(bigGw, bigMb ?? (quick ? 10 : 50));
  console.log(`one ${big.mb} MB message: ${big.reply}; gateway RSS ${fmt(big.rssBefore / 2 ** 20, 1)} → peak ${fmt(big.peakAfter / 2 ** 20, 1)} MiB (growth ${fmt((big.peakAfter - big.rssBefore) / 2 ** 20, 1)} MiB)`);
  await stopChild(bigGw.child);

  // MX delivery against a listed host, same run (bench/mx.mjs).
  const mx = args.includes('--no-mx') ? undefined : await runMxCell({ tmp, own, quick, rounds });
  await nodeSink.close();
  await tlsSink?.close();
  await sink.close?.();
  console.log(`\nfailed transactions across all runs: ${failures}; total bench time ${((Date.now() - started) / 1000).toFixed(0)} s; load average now ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, tls: tlsResult, latency: latency50, idle, big, mx, loadavg: loadavg() }, null, 2));
}

async function idleSessions(gw, count) {
  const before = procStats(gw.child.pid).rss;
  const sockets = [];
  for (let i = 0; i < count; i++) {
    sockets.push(
      await new Promise((resolve) => {
        const s = net.connect(gw.port, '127.0.0.1');
        s.once('data', () => resolve(s));
        s.once('error', () => resolve(s));
      }),
    );
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = procStats(gw.child.pid).rss;
  for (const s of sockets) s.destroy();
  return { sessions: count, rssBefore: before, rssAfter: after };
}

async function bigMessage(gw, mb) {
  // A 2 MB message first: loads and compiles the large-message path (spool file, MIME streaming),
  // so the figure is what one big message costs, not the process's first use of that code.
  await sendBig(gw, 2);
  await new Promise((r) => setTimeout(r, 200));
  resetPeakRss(gw.child.pid);
  const rssBefore = procStats(gw.child.pid).rss;
  const cpuBefore = treeStats(gw.child.pid).cpuSeconds;
  const reply = await sendBig(gw, mb);
  const peakAfter = procStats(gw.child.pid).peakRss;
  const cpuSeconds = treeStats(gw.child.pid).cpuSeconds - cpuBefore;
  return { mb, reply: `${reply.code} ${reply.lines.join(' ')}`.slice(0, 80), rssBefore, peakAfter, cpuSeconds };
}

async function sendBig(gw, mb) {
  const conn = await RelayConnection.open({
    host: '127.0.0.1',
    port: gw.port,
    ehloName: 'bench.example.test',
    timeouts: { connectMs: 10_000, greetingMs: 10_000, commandMs: 30_000, dataMs: 300_000, idleMs: 30_000 },
    tls: { starttls: 'disabled', options: {} },
  });
  await conn.mailAndRcpts('bench@corp.example', [], ['rcpt@example.org']);
  const chunk = makeBody(64 * 1024).subarray(200);
  async function* body() {
    yield Buffer.from('From: <bench@corp.example>\r\nTo: <rcpt@example.org>\r\nSubject: big\r\n\r\n');
    for (let sent = 0; sent < mb * 2 ** 20; sent += chunk.length) yield chunk;
  }
  const reply = await conn.data(body());
  await conn.quit();
  return reply;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
