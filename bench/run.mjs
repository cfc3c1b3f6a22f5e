#!/usr/bin/env node
// `npm run bench`: direct delivery and relayguard in front of the same sink, measured in the
// same run and interleaved, printed as ratios. Bounded (about 2 minutes), leaves no process behind.
//   node bench/run.mjs [--rounds N] [--quick] [--json FILE] [--big-only] [--big-mb N] [--workers N] [--no-mx]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync, readdirSync, copyFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { stringify } from 'yaml';
import { createCertificateAuthority, issueCertificate, generateRsaKeyPem } from '../dist/tls/ca.js';
import { startFastSink } from './fast-sink.mjs';
import { freePort, procStats, resetPeakRss, setup, stopChild, waitForPort } from './harness.mjs';
import { SMTP_SINK, SMTP_SOURCE, runNodeLoad, runSmtpSource, percentile, makeBody } from './load.mjs';
import { RelayConnection } from '../dist/smtp/relay/relay-client.js';
import { runMxCell } from './mx.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = Number(args[args.indexOf('--rounds') + 1]) || (quick ? 1 : 2);
const bigOnly = args.includes('--big-only');
// passed to every gateway's serve; node flags for the gateways (e.g. --cpu-prof) go in GW_FLAGS
// one process by default, so peak RSS and CPU read from /proc are the whole gateway's
const workers = ['--workers', args.includes('--workers') ? args[args.indexOf('--workers') + 1] : '1'];
const bigMb = Number(args[args.indexOf('--big-mb') + 1]) || undefined;
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
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

function writeConfig(name, { port, upstream, receiverPort, tls }) {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(join(root, 'policies'))) {
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
  // The example policies are scoped to both example upstreams; a placeholder keeps the other name known.
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
          upstreams: [{ name: 'partner-relay', addresses: ['127.0.0.1/32'], mode: 'forward', tls: inbound }, placeholder('corp-postfix')],
          receivers: [{ name: 'sink', host: '127.0.0.1', port: receiverPort, tls: outTls, maxConnections: 100 }],
          routes: [{ domains: ['*'], receivers: ['sink'] }],
        };
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  return dir;
}

async function startGateway(name, opts) {
  const dir = writeConfig(name, opts);
  const child = spawnOwned(process.execPath, [...(process.env.GW_FLAGS ? process.env.GW_FLAGS.split(' ') : []), join(root, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'error', ...workers], { cwd: root });
  try {
    await waitForPort(opts.port);
  } catch (err) {
    throw new Error(`gateway ${name} did not start: ${child.errText()}`);
  }
  return { name, port: opts.port, child };
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

async function main() {
  const started = Date.now();
  const usePostfixTools = Boolean(SMTP_SOURCE && SMTP_SINK);
  console.log(`relayguard benchmark — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  console.log(
    usePostfixTools
      ? 'load: Postfix smtp-source → smtp-sink (plain scenarios); Node generator + Node sink for STARTTLS and latency'
      : 'load: smtp-source/smtp-sink not installed — falling back to the Node generator and Node sink for every scenario',
  );
  const certs = pki();
  const sink = usePostfixTools ? await startSmtpSink() : await startFastSink();
  const nodeSink = await startFastSink();
  if (bigOnly) {
    const gw = await startGateway('big', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port });
    const big = await bigMessage(gw, bigMb ?? (quick ? 10 : 50));
    console.log(`one ${big.mb} MB message: ${big.reply}; gateway RSS ${fmt(big.rssBefore / 2 ** 20, 1)} → peak ${fmt(big.peakAfter / 2 ** 20, 1)} MiB (growth ${fmt((big.peakAfter - big.rssBefore) / 2 ** 20, 1)} MiB)`);
    await stopChild(gw.child);
    await nodeSink.close();
    await sink.close?.();
    return;
  }
  const tlsSink = await startFastSink({ tlsOptions: { key: readFileSync(join(certs.dir, 'gw.key.pem')), cert: certs.sink.certPem } });

  const gws = {
    forward: await startGateway('forward', { port: await freePort(), upstream: 'forward', receiverPort: sink.port }),
    reflect: await startGateway('reflect', { port: await freePort(), upstream: 'reflect', receiverPort: sink.port }),
    nodePlain: await startGateway('node-plain', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port }),
    tls: await startGateway('tls', { port: await freePort(), upstream: 'forward', receiverPort: tlsSink.port, tls: true }),
  };

  const load = (port, o) => (usePostfixTools ? runSmtpSource({ port, ...o }) : runNodeLoad({ port, ...o }));
  const results = new Map();
  const record = (key, r) => {
    const list = results.get(key) ?? [];
    list.push(r);
    results.set(key, list);
  };
  const sizes = quick ? [5120] : [5120, 102400];
  for (let round = 0; round < rounds; round++) {
    for (const bytes of sizes) {
      for (const reuse of [false, true]) {
        const messages = bytes > 10_000 ? (quick ? 200 : 600) : quick ? 600 : 2000;
        const o = { messages, sessions: 20, bytes, reuse };
        const key = `${bytes}:${reuse}`;
        record(`${key}:direct`, await load(sink.port, o));
        record(`${key}:forward`, await load(gws.forward.port, o));
        record(`${key}:reflect`, await load(gws.reflect.port, o));
      }
    }
    const t = { messages: quick ? 400 : 1500, sessions: 20, bytes: 5120, reuse: true };
    record('tls:plain', await runNodeLoad({ port: gws.nodePlain.port, ...t }));
    record('tls:tls', await runNodeLoad({ port: gws.tls.port, ...t, tls: true }));
    const lat = { messages: quick ? 200 : 500, sessions: 1, bytes: 5120, reuse: true };
    record('lat:direct', await runNodeLoad({ port: nodeSink.port, ...lat }));
    record('lat:gateway', await runNodeLoad({ port: gws.nodePlain.port, ...lat }));
  }

  const rate = (key) => {
    const rs = results.get(key) ?? [];
    const rates = rs.map((r) => (r.messages - r.failures) / r.seconds).sort((a, b) => a - b);
    return rates[Math.floor(rates.length / 2)] ?? NaN;
  };
  const failures = [...results.values()].flat().reduce((n, r) => n + r.failures, 0);
  const rows = [];
  console.log('\n| message | connections | path | msgs/s | ratio to direct |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const bytes of sizes) {
    for (const reuse of [false, true]) {
      const key = `${bytes}:${reuse}`;
      const direct = rate(`${key}:direct`);
      for (const path of ['direct', 'forward', 'reflect']) {
        const r = rate(`${key}:${path}`);
        rows.push({ bytes, reuse, path, rate: r, ratio: r / direct });
        console.log(`| ${bytes / 1024} KB | ${reuse ? 'reused' : 'new per message'} | ${path} | ${fmt(r)} | ${path === 'direct' ? '—' : `${fmt((100 * r) / direct, 1)}%`} |`);
      }
    }
  }
  const tlsPlain = rate('tls:plain');
  const tlsTls = rate('tls:tls');
  console.log(`\nSTARTTLS on both legs (Node generator, 5 KB, reused, 20 sessions): ${fmt(tlsTls)} msgs/s vs plain gateway ${fmt(tlsPlain)} msgs/s = ${fmt((100 * tlsTls) / tlsPlain, 1)}%`);
  const latDirect = (results.get('lat:direct') ?? []).flatMap((r) => r.latencies);
  const latGw = (results.get('lat:gateway') ?? []).flatMap((r) => r.latencies);
  const p50 = percentile(latGw, 50) - percentile(latDirect, 50);
  const p99 = percentile(latGw, 99) - percentile(latDirect, 99);
  console.log(`added latency per 5 KB message (one session, MAIL → final reply): p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms (direct p50 ${fmt(percentile(latDirect, 50), 2)} ms)`);

  console.log('\ngateway processes after the load runs:');
  for (const gw of Object.values(gws)) {
    const s = procStats(gw.child.pid);
    console.log(`  ${gw.name.padEnd(10)} peak RSS ${fmt(s.peakRss / 2 ** 20, 1)} MiB, CPU ${fmt(s.cpuSeconds, 2)} s`);
  }

  const idle = await idleSessions(gws.forward, quick ? 500 : 2000);
  console.log(`\nidle sessions: ${idle.sessions} open → gateway RSS ${fmt(idle.rssBefore / 2 ** 20, 1)} → ${fmt(idle.rssAfter / 2 ** 20, 1)} MiB`);
  // A fresh gateway, so its peak RSS reflects the big message alone.
  gws.big = await startGateway('big', { port: await freePort(), upstream: 'forward', receiverPort: nodeSink.port });
  const big = await bigMessage(gws.big, bigMb ?? (quick ? 10 : 50));
  console.log(`one ${big.mb} MB message: ${big.reply}; gateway RSS ${fmt(big.rssBefore / 2 ** 20, 1)} → peak ${fmt(big.peakAfter / 2 ** 20, 1)} MiB (growth ${fmt((big.peakAfter - big.rssBefore) / 2 ** 20, 1)} MiB)`);

  for (const gw of Object.values(gws)) await stopChild(gw.child);
  // MX delivery against a listed host, same run (bench/mx.mjs).
  const mx = args.includes('--no-mx') ? undefined : await runMxCell({ tmp, own, quick, rounds });
  await nodeSink.close();
  await tlsSink.close();
  await sink.close?.();
  console.log(`\nfailed transactions across all runs: ${failures}; total bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ rows, tls: { plain: tlsPlain, tls: tlsTls }, latency: { p50, p99 }, idle, big, mx }, null, 2));
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
  const reply = await sendBig(gw, mb);
  const peakAfter = procStats(gw.child.pid).peakRss;
  return { mb, reply: `${reply.code} ${reply.lines.join(' ')}`.slice(0, 80), rssBefore, peakAfter };
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
