#!/usr/bin/env node
// `npm run bench:connect`: what one connection costs the gateway. A gateway (no policies) in front of
// the Node sink; N connections, C at a time, each connect → greeting → EHLO → MAIL → RCPT (the receiving
// leg opens) → DATA of a 3-line message → QUIT (with --no-data QUIT after RCPT: an abandoned
// transaction, whose leg is closed rather than pooled). Prints the gateway's CPU µs per connection (primary and workers, from /proc) and
// the median connect → RCPT reply time; with --profile the gateway runs under --cpu-prof and the
// functions with the most self time are listed.
//   node bench/connect-cost.mjs [--connections N] [--concurrency C] [--workers N|auto] [--rounds R] [--profile] [--policies] [--no-data] [--pipelining] [--keep DIR]
//   --pipelining: MAIL and RCPT in one write, both replies awaited together (as Postfix and the Node generator do)
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { startFastSink } from './fast-sink.mjs';
import { freePort, median, setup, stopChild, treeStats, waitForPort } from './harness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const connections = Number(opt('--connections', 2000));
const concurrency = Number(opt('--concurrency', 10));
const rounds = Number(opt('--rounds', 3));
const workers = opt('--workers', '1');
const profile = args.includes('--profile');
const DATA = args.includes('--no-data') ? [] : ['DATA\r\n', 'From: <bench@corp.example>\r\nSubject: hi\r\n\r\nhello\r\n.\r\n'];
const { tmp, own } = setup('rg-connect-', { budgetMs: 300_000, name: 'bench:connect' });

function writeConfig(receiverPort, port) {
  const dir = join(tmp, 'gw');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(tmp, 'loop.secret'), 'bench-loop-secret-0123456789abcdef');
  if (args.includes('--policies')) {
    for (const f of readdirSync(join(root, 'policies'))) if (/\.policy\.ya?ml$/.test(f)) copyFileSync(join(root, 'policies', f), join(dir, f));
  }
  // relays for corp-postfix, which every example policy covers (partner-relay is in the scope of one of six)
  const placeholder = { name: 'partner-relay', addresses: ['127.0.0.9/32'], mode: 'forward', tls: { starttls: 'disabled' } };
  writeFileSync(
    join(dir, 'topology.yaml'),
    stringify({
      version: 1,
      gateway: {
        hostname: 'gw.example.test',
        listen: [{ address: '127.0.0.1', port }],
        limits: { maxConnections: 5000, maxConnectionsPerUpstream: 5000 },
        incidents: { path: join(tmp, 'incidents.jsonl') },
        loop: { secretFile: join(tmp, 'loop.secret') },
      },
      upstreams: [{ name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'disabled' } }, placeholder],
      receivers: [{ name: 'sink', host: '127.0.0.1', port: receiverPort, tls: { starttls: 'disabled' }, maxConnections: 100 }],
      routes: [{ domains: ['*'], receivers: ['sink'] }],
    }),
  );
  return dir;
}

const pipelining = args.includes('--pipelining');
const MAIL = { text: 'MAIL FROM:<bench@corp.example>\r\n', replies: 1 };
const RCPT = { text: 'RCPT TO:<rcpt@example.org>\r\n', replies: 1 };
const ENVELOPE = pipelining ? [{ text: MAIL.text + RCPT.text, replies: 2 }] : [MAIL, RCPT];

/** One connection: replies awaited one by one, like an MTA without pipelining (--pipelining: MAIL+RCPT as one group). Resolves with connect → last reply before QUIT, in ms. */
function oneConnection(port) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = net.connect(port, '127.0.0.1');
    const steps = [{ text: 'EHLO bench.example.test\r\n', replies: 1 }, ...ENVELOPE, ...DATA.map((text) => ({ text, replies: 1 })), { text: 'QUIT\r\n', replies: 1 }];
    let buf = '';
    let step = 0;
    let rcptAt = 0;
    s.setNoDelay(true);
    s.on('data', (d) => {
      buf += d;
      // a complete reply ends with "NNN text\r\n" (no dash after the code); a pipelined group waits for all its replies
      const wanted = step > 0 ? steps[step - 1].replies : 1;
      while (/(^|\n)\d{3} [^\n]*\n$/.test(buf) && (buf.match(/(^|\n)\d{3} /g) ?? []).length >= wanted) {
        if (buf.split('\n').some((l) => /^\d{3} /.test(l) && !/^[23]/.test(l))) return reject(new Error(`refused: ${buf.trim()}`));
        buf = '';
        if (step === steps.length - 1) rcptAt = performance.now();
        if (step < steps.length) s.write(steps[step++].text);
      }
    });
    s.on('error', reject);
    s.on('close', () => resolve(rcptAt - t0));
  });
}

async function runConnections(port, n) {
  let next = 0;
  const times = [];
  const worker = async () => {
    while (next++ < n) times.push(await oneConnection(port));
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return times;
}

function topSelf(file, n) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const self = new Map();
  p.samples.forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) return;
    const where = f.url.replace(/^file:\/\//, '').replace(`${root}/`, '').replace(/^.*node_modules\//, '');
    const key = `${f.functionName || '(anonymous)'} ${where ? `${where}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
}

async function main() {
  const sink = await startFastSink();
  const port = await freePort();
  const dir = writeConfig(sink.port, port);
  const profDir = join(tmp, 'prof');
  const flags = profile ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const child = own(spawn(process.execPath, [...flags, join(root, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'error', '--workers', workers], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitForPort(port);
  await runConnections(port, 1000); // warm-up: JIT, the receiving-leg pool
  const perConn = [];
  const times = [];
  const start = treeStats(child.pid).each;
  for (let r = 0; r < rounds; r++) {
    const before = treeStats(child.pid).cpuSeconds;
    times.push(...(await runConnections(port, connections)));
    perConn.push((1e6 * (treeStats(child.pid).cpuSeconds - before)) / connections);
  }
  const end = treeStats(child.pid);
  const processes = end.processes;
  const share = end.each.map((p) => (1e6 * (p.cpuSeconds - (start.find((x) => x.pid === p.pid)?.cpuSeconds ?? 0))) / (connections * rounds));
  await stopChild(child);
  await sink.close();
  console.log(
    `bench:connect — workers ${workers} (${processes} process(es)), ${connections} connections × ${rounds} rounds, ${concurrency} at a time, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(`gateway CPU per connection: ${perConn.map((x) => x.toFixed(0)).join(', ')} µs (median ${median(perConn).toFixed(0)} µs)`);
  if (processes > 1) console.log(`  by process (primary first): ${share.map((x) => x.toFixed(0)).join(', ')} µs; RSS ${end.each.map((p) => (p.rss / 2 ** 20).toFixed(0)).join(', ')} MiB`);
  console.log(`connect → reply before QUIT: p50 ${median(times).toFixed(2)} ms`);
  if (profile) {
    for (const f of readdirSync(profDir)) {
      console.log(`\ntop self time (${f}):`);
      for (const line of topSelf(join(profDir, f), 25)) console.log(line);
      if (opt('--keep')) copyFileSync(join(profDir, f), join(opt('--keep'), f));
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench:connect failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
