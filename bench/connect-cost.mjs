#!/usr/bin/env node
// `npm run bench:connect`: what one connection costs the gateway. A gateway (no policies) in front of
// the Node sink; N connections, C at a time, each connect → greeting → EHLO → MAIL → RCPT (the receiving
// leg opens) → DATA of a 3-line message → QUIT (with --no-data QUIT after RCPT: an abandoned
// transaction, whose leg is closed rather than pooled). Prints the gateway's CPU µs per connection (primary and workers, from /proc) and
// the median connect → RCPT reply time; with --profile the gateway runs under --cpu-prof and the
// functions with the most self time are listed.
//   node bench/connect-cost.mjs [--connections N] [--concurrency C] [--workers N|auto] [--rounds R] [--profile] [--policies] [--no-data] [--pipelining] [--keep DIR]
//                               [--phases] [--session-only] [--smtp-sink] [--strace] [--gateway-root DIR]
//   --session-only: connect → greeting → EHLO → QUIT, no transaction: what a connection costs on its own (accept,
//     session set-up, greeting, EHLO, close), without the leg or the message
//   --pipelining: MAIL and RCPT in one write, both replies awaited together (as Postfix and the Node generator do)
//   --phases: one connection at a time, the 5 KB bench body, MAIL+RCPT pipelined; per-phase p50 (connect → greeting,
//     EHLO, MAIL+RCPT, DATA → 354, body → final reply, QUIT → 221) for the gateway and for direct delivery to the
//     sink, the two alternated in chunks of 100 connections
//     (--no-direct: the gateway only, e.g. for clean system-call counts)
//   --null-relay: instead of the gateway, a bare Node relay with the same hops (the floor of two TCP legs in one
//     Node process: no SMTP library, spool, headers or inspection)
//   --smtp-sink: Postfix's smtp-sink as the receiving MTA (as `npm run bench`), not the Node sink
//   --strace: counts the gateway's system calls over the measured rounds (strace -f -c) and prints them per connection
//   --strace-timeline FILE: instead, every system call with its time (strace -f -ttt -T) into FILE
//   --perf FILE: perf record -e cpu-clock -g of the gateway over the measured rounds (run it with GW_FLAGS=--perf-basic-prof)
//   GW_FLAGS (environment): extra node flags for the gateway, as in bench/run.mjs
//   --gateway-root DIR: runs the gateway of another checkout (an old build, for A/B in the same minutes)
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
import { SMTP_SINK, makeBody } from './load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const connections = Number(opt('--connections', 2000));
const concurrency = Number(opt('--concurrency', 10));
const rounds = Number(opt('--rounds', 3));
const workers = opt('--workers', '1');
const profile = args.includes('--profile');
const phases = args.includes('--phases');
const gatewayRoot = opt('--gateway-root', root);
const DATA = args.includes('--no-data') || args.includes('--session-only') ? [] : ['DATA\r\n', 'From: <bench@corp.example>\r\nSubject: hi\r\n\r\nhello\r\n.\r\n'];
const { tmp, own } = setup('rg-connect-', { budgetMs: 600_000, name: 'bench:connect' });

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
const sessionOnly = args.includes('--session-only');
const ENVELOPE = sessionOnly ? [] : pipelining ? [{ text: MAIL.text + RCPT.text, replies: 2 }] : [MAIL, RCPT];

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

const PHASES = ['greeting', 'ehlo', 'mail+rcpt', 'data', 'body', 'quit'];
const BODY = makeBody(5120);

/** One connection as the Node generator makes it, timed per reply: [greeting, EHLO, MAIL+RCPT, DATA, body, QUIT] in ms. */
function phasedConnection(port) {
  return new Promise((resolve, reject) => {
    const steps = [
      { out: 'EHLO bench.example.test\r\n', replies: 1 },
      { out: MAIL.text + RCPT.text, replies: 2 },
      { out: 'DATA\r\n', replies: 1 },
      { out: Buffer.concat([BODY, Buffer.from('.\r\n')]), replies: 1 },
      { out: 'QUIT\r\n', replies: 1 },
    ];
    const at = [performance.now()];
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    let buf = '';
    let wanted = 1;
    let step = 0;
    s.on('data', (d) => {
      buf += d;
      if (!/(^|\n)\d{3} [^\n]*\n$/.test(buf) || (buf.match(/(^|\n)\d{3} /g) ?? []).length < wanted) return;
      if (buf.split('\n').some((l) => /^\d{3} /.test(l) && !/^[23]/.test(l))) return reject(new Error(`refused: ${buf.trim()}`));
      at.push(performance.now());
      buf = '';
      if (step < steps.length) {
        wanted = steps[step].replies;
        s.write(steps[step++].out);
      }
    });
    s.on('error', reject);
    s.on('close', () => (at.length === PHASES.length + 1 ? resolve(at.slice(1).map((t, i) => t - at[i])) : reject(new Error('connection closed early'))));
  });
}

async function phasedRun(port, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await phasedConnection(port));
  return out;
}

function phaseTable(byTarget) {
  const p50 = (rows, i) => median(rows.map((r) => (i < 0 ? r.reduce((a, b) => a + b, 0) - r[r.length - 1] : r[i])));
  const head = `${'phase'.padEnd(22)}${Object.keys(byTarget).map((k) => k.padStart(12)).join('')}   (p50, µs)`;
  const lines = PHASES.map((name, i) => `${name.padEnd(22)}${Object.values(byTarget).map((rows) => (1000 * p50(rows, i)).toFixed(0).padStart(12)).join('')}`);
  lines.push(`${'connect → final reply'.padEnd(22)}${Object.values(byTarget).map((rows) => (1000 * p50(rows, -1)).toFixed(0).padStart(12)).join('')}`);
  return [head, ...lines];
}

/** Resolves with the next `n` complete replies read from `socket`. */
function replyReader(socket) {
  let buf = '';
  const waiting = [];
  const got = [];
  socket.on('data', (d) => {
    buf += d.toString('latin1');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl + 1);
      buf = buf.slice(nl + 1);
      got.push(line);
      if (/^\d{3} /.test(line)) {
        const w = waiting[0];
        if (w !== undefined && got.filter((l) => /^\d{3} /.test(l)).length >= w.n) {
          waiting.shift();
          w.resolve(got.splice(0).join(''));
        }
      }
    }
  });
  return (n) => new Promise((resolve) => waiting.push({ n, resolve }));
}

/**
 * The floor for the same hops: a Node process that relays a transaction in lockstep like the gateway
 * (MAIL+RCPT to a pooled leg before answering RCPT, DATA overlapped, the final reply only after the
 * receiver's), with no SMTP library, no spool, no headers, no inspection.
 */
function serveNullRelay(port, sinkPort) {
  const idle = [];
  const openLeg = async () => {
    const s = net.connect(sinkPort, '127.0.0.1');
    s.setNoDelay(true);
    const next = replyReader(s);
    await next(1);
    s.write('EHLO relay.example.test\r\n');
    await next(1);
    return { s, next };
  };
  net
    .createServer((up) => {
      up.setNoDelay(true);
      up.write('220 null-relay ESMTP\r\n');
      let buf = Buffer.alloc(0);
      let inData = false;
      let leg = null;
      let dataReply = null;
      let mail = '';
      let busy = Promise.resolve();
      up.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        busy = busy.then(async () => {
          for (;;) {
            if (inData) {
              const end = buf.indexOf('\r\n.\r\n');
              if (end < 0) return;
              const body = buf.subarray(0, end + 5);
              buf = buf.subarray(end + 5);
              inData = false;
              await dataReply;
              leg.s.write(body);
              const final = await leg.next(1);
              idle.push(leg);
              leg = null;
              up.write(final);
              continue;
            }
            const nl = buf.indexOf(10);
            if (nl < 0) return;
            const line = buf.subarray(0, nl + 1).toString('latin1');
            buf = buf.subarray(nl + 1);
            const verb = line.slice(0, 4).toUpperCase();
            if (verb === 'EHLO') up.write('250-null-relay\r\n250-PIPELINING\r\n250 8BITMIME\r\n');
            else if (verb === 'MAIL') {
              mail = line;
              // as the gateway: the MAIL reply waits for the RCPT's when the client pipelined them
              if (buf.length === 0) up.write('250 ok\r\n');
              else mail += '\0';
            } else if (verb === 'RCPT') {
              leg = idle.pop() ?? (await openLeg());
              const held = mail.endsWith('\0');
              leg.s.write(mail.replace('\0', '') + line);
              const replies = await leg.next(2);
              up.write(held ? replies : replies.slice(replies.indexOf('\n') + 1));
            } else if (verb === 'DATA') {
              up.write('354 go ahead\r\n');
              leg.s.write('DATA\r\n');
              dataReply = leg.next(1);
              inData = true;
            } else if (verb === 'QUIT') {
              up.end('221 bye\r\n');
              return;
            } else up.write('250 ok\r\n');
          }
        });
      });
      up.on('error', () => up.destroy());
    })
    .listen(port, '127.0.0.1');
}

async function startReceiver() {
  if (!args.includes('--smtp-sink')) return startFastSink();
  if (SMTP_SINK === undefined) throw new Error('--smtp-sink: smtp-sink is not installed');
  const port = await freePort();
  const child = own(spawn(SMTP_SINK, [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), `127.0.0.1:${port}`, '512'], { stdio: 'ignore' }));
  await waitForPort(port);
  return { port, close: () => stopChild(child) };
}

/** strace -f -c on the gateway; stop() detaches and returns the summary table. */
function attachStrace(pid, timeline) {
  const file = timeline ?? join(tmp, 'strace.txt');
  const mode = timeline === undefined ? ['-c'] : ['-ttt', '-T'];
  const child = own(spawn('strace', ['-f', ...mode, '-o', file, '-p', String(pid)], { stdio: 'ignore' }));
  return {
    ready: new Promise((r) => setTimeout(r, 1000)),
    stop: async () => {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await done;
      return readFileSync(file, 'utf8');
    },
  };
}

/** The strace -c table as calls per connection, busiest first. */
function perConnection(summary, n) {
  const rows = [];
  for (const line of summary.split('\n')) {
    const m = /^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:(\d+)\s+)?(\w+)\s*$/.exec(line);
    if (m && m[3] !== 'total') rows.push({ name: m[3], calls: Number(m[1]) / n });
  }
  const total = rows.reduce((a, r) => a + r.calls, 0);
  return [`system calls per connection: ${total.toFixed(1)}`, ...rows.sort((a, b) => b.calls - a.calls).filter((r) => r.calls >= 0.05).map((r) => `  ${r.calls.toFixed(2).padStart(7)}  ${r.name}`)];
}

/** User and system CPU seconds of one process (the gateway with --workers 1), from /proc. */
function userSys(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { user: Number(stat[11]) / 100, sys: Number(stat[12]) / 100 };
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
  if (args.includes('--serve-null-relay')) return serveNullRelay(Number(opt('--port')), Number(opt('--sink-port')));
  const sink = await startReceiver();
  const port = await freePort();
  const dir = writeConfig(sink.port, port);
  const profDir = join(tmp, 'prof');
  const flags = [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []), ...(process.env.GW_FLAGS ? process.env.GW_FLAGS.split(' ') : [])];
  const argv = args.includes('--null-relay')
    ? [fileURLToPath(import.meta.url), '--serve-null-relay', '--port', String(port), '--sink-port', String(sink.port)]
    : [join(gatewayRoot, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'error', '--workers', workers];
  const child = own(spawn(process.execPath, [...flags, ...argv], { cwd: gatewayRoot, stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitForPort(port);
  await runConnections(port, 1000); // warm-up: JIT, the receiving-leg pool
  const perConn = [];
  const times = [];
  const byTarget = { direct: [], gateway: [] };
  const timeline = opt('--strace-timeline');
  const trace = args.includes('--strace') || timeline !== undefined ? attachStrace(child.pid, timeline) : null;
  await trace?.ready;
  const perfFile = opt('--perf');
  const perf = perfFile === undefined ? null : own(spawn('perf', ['record', '-e', 'cpu-clock', '-F', '2000', '-g', '-o', perfFile, '-p', String(child.pid)], { stdio: 'ignore' }));
  if (perf !== null) await new Promise((r) => setTimeout(r, 1000));
  const start = treeStats(child.pid).each;
  const cpu0 = userSys(child.pid);
  for (let r = 0; r < rounds; r++) {
    const before = treeStats(child.pid).cpuSeconds;
    if (phases) {
      // direct and gateway in turns, so both see the same minutes of a shared machine
      for (let done = 0; done < connections; done += 100) {
        const n = Math.min(100, connections - done);
        if (!args.includes('--no-direct')) byTarget.direct.push(...(await phasedRun(sink.port, n)));
        const cpu = treeStats(child.pid).cpuSeconds;
        byTarget.gateway.push(...(await phasedRun(port, n)));
        times.push(treeStats(child.pid).cpuSeconds - cpu);
      }
      perConn.push((1e6 * times.splice(0).reduce((a, b) => a + b, 0)) / connections);
      continue;
    }
    times.push(...(await runConnections(port, connections)));
    perConn.push((1e6 * (treeStats(child.pid).cpuSeconds - before)) / connections);
  }
  const cpu1 = userSys(child.pid);
  if (perf !== null) {
    const done = new Promise((r) => perf.once('exit', r));
    perf.kill('SIGINT');
    await done;
  }
  const syscalls = trace === null ? null : await trace.stop();
  const end = treeStats(child.pid);
  const processes = end.processes;
  const share = end.each.map((p) => (1e6 * (p.cpuSeconds - (start.find((x) => x.pid === p.pid)?.cpuSeconds ?? 0))) / (connections * rounds));
  await stopChild(child);
  await sink.close();
  console.log(
    `bench:connect — workers ${workers} (${processes} process(es)), ${connections} connections × ${rounds} rounds, ${phases ? 1 : concurrency} at a time${phases ? " (phases)" : ""}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  console.log(`gateway CPU per connection: ${perConn.map((x) => x.toFixed(0)).join(', ')} µs (median ${median(perConn).toFixed(0)} µs)`);
  const n = connections * rounds;
  if (processes === 1) console.log(`  of which user ${((1e6 * (cpu1.user - cpu0.user)) / n).toFixed(0)} µs, system ${((1e6 * (cpu1.sys - cpu0.sys)) / n).toFixed(0)} µs (the process itself)`);
  if (processes > 1) console.log(`  by process (primary first): ${share.map((x) => x.toFixed(0)).join(', ')} µs; RSS ${end.each.map((p) => (p.rss / 2 ** 20).toFixed(0)).join(', ')} MiB`);
  if (phases) for (const line of phaseTable(byTarget)) console.log(line);
  else console.log(`connect → reply before QUIT: p50 ${median(times).toFixed(2)} ms`);
  if (syscalls !== null && timeline === undefined) for (const line of perConnection(syscalls, connections * rounds)) console.log(line);
  if (profile) {
    for (const f of readdirSync(profDir)) {
      console.log(`\ntop self time (${f}):`);
      for (const line of topSelf(join(profDir, f), 25)) console.log(line);
      if (opt('--keep')) copyFileSync(join(profDir, f), join(opt('--keep'), f));
    }
  }
}

main().then(
  () => args.includes('--serve-null-relay') || process.exit(0),
  (err) => {
    console.error(`bench:connect failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
