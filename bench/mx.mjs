#!/usr/bin/env node
// The MX-delivery cell of `npm run bench`: the same sink reached through a listed receiver
// (host + port) and through an `mx: recipient` receiver whose domain resolves via a loopback DNS
// responder (answers from the gateway's cache, TTL 300), and with TTL 0 (every RCPT resolves MX, AAAA
// and A afresh). Interleaved in one run; printed as msgs/s and ratio to the listed receiver.
//   node bench/mx.mjs [--quick]     (run.mjs calls runMxCell unless --no-mx)
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import dnsPacket from 'dns-packet';
import { startFastSink } from './fast-sink.mjs';
import { freePort, setup, stopChild, waitForPort } from './harness.mjs';
import { runNodeLoad, percentile } from './load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** A tiny authoritative-style responder: example.org MX 10 mx.example.org, mx.example.org A 127.0.0.1. */
async function startResponder(ttl) {
  const socket = dgram.createSocket('udp4');
  let queries = 0;
  socket.on('message', (msg, rinfo) => {
    queries++;
    const q = dnsPacket.decode(msg);
    const question = q.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase();
    const answers = [];
    if (question.type === 'MX' && name === 'example.org') answers.push({ type: 'MX', name, ttl, data: { preference: 10, exchange: 'mx.example.org' } });
    if (question.type === 'A' && name === 'mx.example.org') answers.push({ type: 'A', name, ttl, data: '127.0.0.1' });
    const soa = { type: 'SOA', name: 'example.org', ttl, data: { mname: 'ns.example.org', rname: 'h.example.org', serial: 1, refresh: 60, retry: 60, expire: 60, minimum: ttl } };
    const reply = dnsPacket.encode({ type: 'response', id: q.id, flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE, questions: q.questions, answers, authorities: answers.length === 0 ? [soa] : [] });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, queries: () => queries, close: () => socket.close() };
}

function writeConfig(tmp, name, port, receiver, dnsPort) {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(join(root, 'policies'))) if (/\.policy\.(ya?ml|json)$/.test(f)) copyFileSync(join(root, 'policies', f), join(dir, f));
  writeFileSync(join(tmp, 'loop.secret'), 'bench-loop-secret-0123456789abcdef');
  const topology = {
    version: 1,
    gateway: {
      hostname: 'gw.example.test',
      listen: [{ address: '127.0.0.1', port }],
      limits: { maxConnections: 5000, maxConnectionsPerUpstream: 5000 },
      incidents: { path: join(tmp, `${name}-incidents.jsonl`) },
      loop: { secretFile: join(tmp, 'loop.secret') },
      ...(dnsPort === undefined ? {} : { dns: { servers: [`127.0.0.1:${dnsPort}`], timeoutMs: 2000 } }),
    },
    upstreams: [
      { name: 'partner-relay', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'disabled' } },
      { name: 'corp-postfix', addresses: ['127.0.0.9/32'], mode: 'reflect', reflect: { port: 1, tls: { starttls: 'disabled' } }, tls: { starttls: 'disabled' } },
    ],
    receivers: [{ name: 'out', ...receiver, maxConnections: 100 }],
    routes: [{ domains: ['*'], receivers: ['out'] }],
  };
  writeFileSync(join(dir, 'topology.yaml'), stringify(topology));
  return dir;
}

async function startGateway(tmp, own, name, receiver, dnsPort) {
  const port = await freePort();
  const dir = writeConfig(tmp, name, port, receiver, dnsPort);
  const child = own(spawn(process.execPath, [join(root, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'error', '--workers', '1'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
  try {
    await waitForPort(port);
  } catch {
    throw new Error(`gateway ${name} did not start: ${err}`);
  }
  return { name, port, child };
}

const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');

/** Runs the cell and prints it; returns the figures for --json. */
export async function runMxCell({ tmp, own, quick = false, rounds = quick ? 1 : 3 }) {
  const sink = await startFastSink();
  const cached = await startResponder(300);
  const cold = await startResponder(0);
  const gws = {
    listed: await startGateway(tmp, own, 'mx-listed', { host: '127.0.0.1', port: sink.port, tls: { starttls: 'disabled' } }),
    cached: await startGateway(tmp, own, 'mx-cached', { mx: 'recipient', port: sink.port, tls: { policy: 'may' } }, cached.port),
    cold: await startGateway(tmp, own, 'mx-ttl0', { mx: 'recipient', port: sink.port, tls: { policy: 'may' } }, cold.port),
  };
  const results = { listed: [], cached: [], cold: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so warm-up and neighbours' load do not always hit the same cell.
    const keys = Object.keys(gws);
    for (const key of [...keys.slice(round % keys.length), ...keys.slice(0, round % keys.length)]) {
      results[key].push(await runNodeLoad({ port: gws[key].port, messages: quick ? 400 : 1500, sessions: 20, bytes: 5120, reuse: true }));
    }
  }
  const lat = {};
  for (const key of Object.keys(gws)) lat[key] = (await runNodeLoad({ port: gws[key].port, messages: quick ? 150 : 400, sessions: 1, bytes: 5120, reuse: true })).latencies;
  const rate = (key) => {
    const rs = results[key].map((r) => (r.messages - r.failures) / r.seconds).sort((a, b) => a - b);
    return rs[Math.floor(rs.length / 2)] ?? NaN;
  };
  const failures = Object.values(results).flat().reduce((n, r) => n + r.failures, 0);
  console.log('\nMX delivery (5 KB, reused connections, 20 sessions; same sink, same run):');
  console.log('| next hop | msgs/s | ratio to listed host | p50 ms (1 session) | DNS queries |');
  console.log('| --- | --- | --- | --- | --- |');
  const listed = rate('listed');
  const figures = {};
  for (const [key, label, responder] of [['listed', 'listed host', undefined], ['cached', 'mx: recipient, TTL 300 (cached)', cached], ['cold', 'mx: recipient, TTL 0 (3 queries per RCPT)', cold]]) {
    const r = rate(key);
    figures[key] = { rate: r, ratio: r / listed, p50: percentile(lat[key], 50), queries: responder?.queries() ?? 0 };
    console.log(`| ${label} | ${fmt(r)} | ${key === 'listed' ? '—' : `${fmt((100 * r) / listed, 1)}%`} | ${fmt(figures[key].p50, 2)} | ${responder ? responder.queries() : '—'} |`);
  }
  console.log(`MX cell failed transactions: ${failures}`);
  for (const gw of Object.values(gws)) await stopChild(gw.child);
  cached.close();
  cold.close();
  await sink.close();
  return { ...figures, failures };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { tmp, own } = setup('rg-bench-mx-', { budgetMs: 180_000, name: 'bench:mx' });
  await runMxCell({ tmp, own, quick: process.argv.includes('--quick') });
  process.exit(0);
}
