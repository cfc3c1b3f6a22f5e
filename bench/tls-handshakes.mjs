#!/usr/bin/env node
// `npm run bench:tls` (issue #4): STARTTLS handshakes per second on each leg of a real
// `node bin/relayguard.js serve DIR` process, each against the same loop without TLS, in the same run.
//   inbound:   C concurrent clients loop connect → 220 → EHLO → STARTTLS → TLS handshake (node:tls, trusting the
//              CA made by `relayguard certs init`) → EHLO → QUIT; the plain loop is connect → 220 → EHLO → EHLO → QUIT.
//   receiving: C sessions send 1 KB messages through the gateway over reused plain inbound connections; the
//              receiver has maxMessagesPerConnection: 1, so every message opens a new connection to the sink and,
//              with starttls: required, a new TLS handshake (pinned certificate from `relayguard certs issue`,
//              hostname verified). Compared with the same receiver and starttls: disabled, and (for reference)
//              with a pooled TLS receiver (default maxMessagesPerConnection).
// The sink (bench/fast-sink.mjs) runs in its own process (bench/sink-process.mjs) and counts completed
// handshakes. Bounded (about 70 s), loopback only, no process left behind.
//   node bench/tls-handshakes.mjs [--seconds S] [--clients C] [--rounds R] [--json FILE]
import { fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import tls from 'node:tls';
import { stringify } from 'yaml';
import { RelayConnection } from '../dist/smtp/relay/relay-client.js';
import { freePort, procStats, runCli as runCliIn, setup, sleep, stopChild } from './harness.mjs';
import { makeBody } from './load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const SECONDS = opt('--seconds', 5);
const CLIENTS = opt('--clients', 8);
const ROUNDS = opt('--rounds', 2);
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
const BUDGET_MS = 85_000 + Math.max(0, SECONDS * ROUNDS * 5 - 50) * 1000;

const { tmp, own } = setup('rg-bench-tls-', { budgetMs: BUDGET_MS, name: 'bench/tls-handshakes.mjs' });

/** CPU seconds of a process, from /proc (10 ms ticks); NaN once it is gone. */
function cpuSecondsOf(pid) {
  const s = procStats(pid);
  return s.rss === 0 ? NaN : s.cpuSeconds;
}

const runCli = (argv) => runCliIn(argv, { cwd: tmp, own });

function selfCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function startSink(certs) {
  const argv = certs ? ['--key', certs.key, '--cert', certs.cert] : [];
  const child = own(fork(join(root, 'bench', 'sink-process.mjs'), argv, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] }));
  const line = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sink exited ${code}`)));
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const { port } = JSON.parse(line);
  const stats = () =>
    new Promise((resolve) => {
      child.once('message', resolve);
      child.send('stats');
    });
  return { port, child, stats };
}

async function startGateway(dir, port) {
  const child = own(spawn(process.execPath, [join(root, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'warn', '--json-logs', '--workers', '1'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] }));
  const gw = { child, port, warnings: [], stderr: '' };
  child.stderr.on('data', (d) => (gw.stderr = (gw.stderr + d).slice(-4000)));
  createInterface({ input: child.stdout }).on('line', (text) => {
    try {
      const l = JSON.parse(text);
      if (l.level === 'warn' || l.level === 'error' || l.level === 'fatal') gw.warnings.push(l);
    } catch {
      /* not JSON */
    }
  });
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}: ${gw.stderr}`);
    const ok = await new Promise((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return gw;
    await sleep(50);
  }
  throw new Error(`gateway did not open port ${port}: ${gw.stderr}`);
}

/** SMTP replies off a stream, one complete (multi-line) reply per next(). */
class Replies {
  #buf = '';
  #lines = [];
  #ready = [];
  #waiters = [];
  #failed;
  constructor(stream) {
    this.stream = stream;
    this.onData = (d) => this.#push(d);
    this.onEnd = () => this.#fail(new Error('connection closed'));
    stream.on('data', this.onData);
    stream.on('error', this.onEnd);
    stream.on('close', this.onEnd);
  }
  #push(d) {
    this.#buf += d.toString('latin1');
    let nl;
    while ((nl = this.#buf.indexOf('\n')) >= 0) {
      const line = this.#buf.slice(0, nl).replace(/\r$/, '');
      this.#buf = this.#buf.slice(nl + 1);
      this.#lines.push(line);
      if (line[3] !== '-') {
        const reply = { code: Number(line.slice(0, 3)), lines: this.#lines };
        this.#lines = [];
        const w = this.#waiters.shift();
        if (w) w.resolve(reply);
        else this.#ready.push(reply);
      }
    }
  }
  #fail(err) {
    this.#failed ??= err;
    for (const w of this.#waiters.splice(0)) w.reject(err);
  }
  next() {
    const r = this.#ready.shift();
    if (r) return Promise.resolve(r);
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }
  detach() {
    this.stream.off('data', this.onData);
    this.stream.off('error', this.onEnd);
    this.stream.off('close', this.onEnd);
  }
}

async function expect(replies, code, what) {
  const r = await replies.next();
  if (r.code !== code) throw new Error(`${what}: expected ${code}, got ${r.lines.join(' | ')}`);
  return r;
}

function connect(port) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Waits for the server to close after 221 (it is the active closer, so TIME_WAIT stays on its side). */
function closed(socket) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const t = setTimeout(() => {
      socket.destroy();
      resolve();
    }, 2000);
    socket.once('close', () => {
      clearTimeout(t);
      resolve();
    });
    socket.resume();
  });
}

/** One inbound session; returns the TLS protocol/cipher when it did STARTTLS. */
async function inboundSession(port, starttls, ca) {
  const raw = await connect(port);
  raw.setNoDelay(true);
  let replies = new Replies(raw);
  let sock = raw;
  try {
    await expect(replies, 220, 'greeting');
    raw.write('EHLO bench.example.test\r\n');
    const ehlo = await expect(replies, 250, 'EHLO');
    let info;
    if (starttls) {
      if (!ehlo.lines.some((l) => /^250[ -]STARTTLS/i.test(l))) throw new Error('the gateway does not offer STARTTLS');
      raw.write('STARTTLS\r\n');
      await expect(replies, 220, 'STARTTLS');
      replies.detach();
      sock = await new Promise((resolve, reject) => {
        const t = tls.connect({ socket: raw, ca, servername: 'gw.example.test' }, () => resolve(t));
        t.once('error', reject);
      });
      if (!sock.authorized) throw new Error(`gateway certificate not trusted: ${sock.authorizationError}`);
      info = `${sock.getProtocol()} ${sock.getCipher()?.name ?? ''}`.trim();
      replies = new Replies(sock);
    }
    sock.write('EHLO bench.example.test\r\n');
    await expect(replies, 250, 'second EHLO');
    sock.write('QUIT\r\n');
    await expect(replies, 221, 'QUIT');
    replies.detach();
    await closed(sock);
    return info;
  } catch (err) {
    sock.destroy();
    raw.destroy();
    throw err;
  }
}

/** C workers loop `once` until the deadline; counts completed iterations and errors, and CPU of each process. */
async function timed(label, seconds, once, procs) {
  const sinkBefore = await procs.sink.stats();
  const before = { gw: cpuSecondsOf(procs.gateway.pid), self: selfCpuSeconds(), sink: sinkBefore.cpuMs / 1000 };
  let done = 0;
  let errors = 0;
  let firstError;
  const infos = {};
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, w) => {
      const state = { worker: w };
      while (performance.now() < deadline) {
        try {
          const info = await once(state);
          done++;
          if (info) infos[info] = (infos[info] ?? 0) + 1;
        } catch (err) {
          errors++;
          firstError ??= err.message;
          await sleep(5);
        }
      }
      await state.close?.();
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const sinkAfter = await procs.sink.stats();
  const after = { gw: cpuSecondsOf(procs.gateway.pid), self: selfCpuSeconds(), sink: sinkAfter.cpuMs / 1000 };
  return {
    label,
    seconds: elapsed,
    completed: done,
    perSecond: done / elapsed,
    errors,
    firstError,
    tls: infos,
    cpu: { gateway: after.gw - before.gw, client: after.self - before.self, sink: after.sink - before.sink },
    sink: {
      messages: sinkAfter.messages - sinkBefore.messages,
      connections: sinkAfter.connections - sinkBefore.connections,
      tlsHandshakes: sinkAfter.tlsHandshakes - sinkBefore.tlsHandshakes,
      protocols: Object.fromEntries(Object.entries(sinkAfter.protocols).map(([k, v]) => [k, v - (sinkBefore.protocols[k] ?? 0)]).filter(([, v]) => v > 0)),
    },
  };
}

/** One message through the gateway over this worker's reused inbound connection. */
function sender(port, domain, body) {
  return async (state) => {
    state.conn ??= await RelayConnection.open({
      host: '127.0.0.1',
      port,
      ehloName: 'bench.example.test',
      timeouts: { connectMs: 10_000, greetingMs: 10_000, commandMs: 30_000, dataMs: 60_000, idleMs: 30_000 },
      tls: { starttls: 'disabled', options: {} },
    });
    state.close ??= async () => {
      await state.conn?.quit().catch(() => state.conn?.close());
    };
    try {
      const { mail, rcpts } = await state.conn.mailAndRcpts('bench@corp.example', [], [`rcpt@${domain}`]);
      if (mail.code !== 250 || rcpts[0]?.code !== 250) throw new Error(`refused: MAIL ${mail.code} RCPT ${rcpts[0]?.code} ${rcpts[0]?.lines?.join(' ') ?? ''}`);
      const final = await state.conn.data([body]);
      if (final.code !== 250) throw new Error(`DATA ${final.code} ${final.lines?.join(' ') ?? ''}`);
    } catch (err) {
      state.conn?.close();
      state.conn = undefined;
      throw err;
    }
  };
}

function addCounts(list) {
  const out = {};
  for (const counts of list) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
}

const f0 = (n) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
const f2 = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');

async function main() {
  const started = Date.now();
  const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg().map((n) => Math.round(n * 100) / 100) };
  console.log(`relayguard STARTTLS handshake benchmark — ${machine.cpus} cores (${machine.model}), node ${machine.node}, load average ${machine.loadAverage.join(' ')}`);
  console.log(`${CLIENTS} concurrent clients, ${SECONDS} s per phase, ${ROUNDS} round(s), phases interleaved`);

  // Certificates from the gateway's own toolbox: a local CA + the gateway's key and certificate, and the sink's.
  const certDir = join(tmp, 'certs');
  await runCli(['certs', 'init', '--dir', certDir, '--hostname', 'gw.example.test', '--hostname', '127.0.0.1', '--quiet']);
  await runCli(['certs', 'issue', 'sink', '--dir', certDir, '--hostname', 'sink.example.test', '--hostname', '127.0.0.1']);
  // issue never trusts what it mints: pin the sink's certificate explicitly.
  await runCli(['certs', 'import', join(certDir, 'peers', 'sink.crt.pem'), '--name', 'sink', '--dir', certDir]);
  const ca = readFileSync(join(certDir, 'ca.crt.pem'));

  const sink = await startSink({ key: join(certDir, 'peers', 'sink.key.pem'), cert: join(certDir, 'peers', 'sink.crt.pem') });
  const port = await freePort();
  const dir = join(tmp, 'config');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(tmp, 'loop.secret'), 'bench-loop-secret-0123456789abcdef');
  const tlsTo = { starttls: 'required', trust: ['../certs/trusted/sink.crt.pem'], verifyHostname: true, serverName: 'sink.example.test' };
  const receiver = (name, tlsSection, extra = {}) => ({ name, host: '127.0.0.1', port: sink.port, tls: tlsSection, maxConnections: 50, ...extra });
  writeFileSync(
    join(dir, 'topology.yaml'),
    stringify({
      version: 1,
      gateway: {
        hostname: 'gw.example.test',
        listen: [{ address: '127.0.0.1', port }],
        tls: { certificate: '../certs/gateway.crt.pem', key: '../certs/gateway.key.pem', authenticate: true },
        limits: { maxConnections: 5000, maxConnectionsPerUpstream: 5000 },
        incidents: { path: '../incidents.jsonl' },
        loop: { secretFile: '../loop.secret' },
      },
      // optional: the same gateway serves the plain and the STARTTLS inbound loop.
      upstreams: [{ name: 'bench', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'optional', clientCertificate: 'none' } }],
      receivers: [
        receiver('sink-tls-new', tlsTo, { maxMessagesPerConnection: 1 }),
        receiver('sink-plain-new', { starttls: 'disabled' }, { maxMessagesPerConnection: 1 }),
        receiver('sink-tls-pooled', tlsTo),
      ],
      routes: [
        { domains: ['tls-new.example'], receivers: ['sink-tls-new'] },
        { domains: ['plain-new.example'], receivers: ['sink-plain-new'] },
        { domains: ['tls-pooled.example'], receivers: ['sink-tls-pooled'] },
        { domains: ['*'], receivers: ['sink-plain-new'] },
      ],
    }),
  );
  await runCli(['validate', dir]).catch((err) => {
    throw new Error(`the bench topology is invalid: ${err.message}`);
  });
  const gw = await startGateway(dir, port);
  const procs = { gateway: gw.child, sink };
  const body = makeBody(1024);

  const phases = {
    'inbound plain': () => inboundSession(port, false, ca),
    'inbound STARTTLS': () => inboundSession(port, true, ca),
    'receiving plain, new connection per message': sender(port, 'plain-new.example', body),
    'receiving STARTTLS, new connection per message': sender(port, 'tls-new.example', body),
    'receiving STARTTLS, pooled (reference)': sender(port, 'tls-pooled.example', body),
  };
  // Warm-up (JIT, first contexts), not counted.
  for (const once of Object.values(phases)) await timed('warm-up', 0.5, once, procs);

  const results = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [label, once] of Object.entries(phases)) {
      const res = await timed(label, SECONDS, once, procs);
      (results[label] ??= []).push(res);
      process.stdout.write(`  round ${r + 1} ${label}: ${f0(res.perSecond)}/s (${res.completed}, ${res.errors} errors${res.firstError ? `: ${res.firstError}` : ''})\n`);
    }
  }
  await stopChild(gw.child);
  sink.child.send('close');
  await stopChild(sink.child);

  const agg = (label) => {
    const rs = results[label];
    const sum = (f) => rs.reduce((n, x) => n + f(x), 0);
    const seconds = sum((x) => x.seconds);
    const completed = sum((x) => x.completed);
    return {
      label,
      perSecond: completed / seconds,
      rounds: rs.map((x) => Math.round(x.perSecond)),
      completed,
      errors: sum((x) => x.errors),
      firstError: rs.find((x) => x.firstError)?.firstError,
      gatewayCpuSeconds: sum((x) => x.cpu.gateway),
      gatewayCpuPerSecond: sum((x) => x.cpu.gateway) / seconds,
      gatewayCpuMsPerOp: (1000 * sum((x) => x.cpu.gateway)) / completed,
      clientCpuPerSecond: sum((x) => x.cpu.client) / seconds,
      sinkCpuPerSecond: sum((x) => x.cpu.sink) / seconds,
      sink: { messages: sum((x) => x.sink.messages), connections: sum((x) => x.sink.connections), tlsHandshakes: sum((x) => x.sink.tlsHandshakes), tlsHandshakesPerSecond: sum((x) => x.sink.tlsHandshakes) / seconds },
      tls: addCounts(rs.map((x) => x.tls)),
      sinkProtocols: addCounts(rs.map((x) => x.sink.protocols)),
    };
  };
  const rows = Object.keys(phases).map(agg);
  console.log('\n| leg | loop | per second | rounds | gateway CPU s (cores busy) | gateway CPU ms per op | client / sink cores busy | sink connections / TLS handshakes | errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const [leg, ...rest] = r.label.split(' ');
    console.log(
      `| ${leg} | ${rest.join(' ')} | ${f0(r.perSecond)} | ${r.rounds.join(', ')} | ${f2(r.gatewayCpuSeconds)} (${f2(r.gatewayCpuPerSecond)}) | ${f2(r.gatewayCpuMsPerOp)} | ${f2(r.clientCpuPerSecond)} / ${f2(r.sinkCpuPerSecond)} | ${r.sink.connections} / ${r.sink.tlsHandshakes} | ${r.errors}${r.firstError ? ` (${r.firstError})` : ''} |`,
    );
  }
  const by = Object.fromEntries(rows.map((r) => [r.label, r]));
  const inPlain = by['inbound plain'];
  const inTls = by['inbound STARTTLS'];
  const outPlain = by['receiving plain, new connection per message'];
  const outTls = by['receiving STARTTLS, new connection per message'];
  console.log(`\ninbound: ${f0(inTls.perSecond)} STARTTLS handshakes/s vs ${f0(inPlain.perSecond)} plain sessions/s (${f0((100 * inTls.perSecond) / inPlain.perSecond)}%); gateway CPU per session ${f2(inTls.gatewayCpuMsPerOp)} vs ${f2(inPlain.gatewayCpuMsPerOp)} ms (+${f2(inTls.gatewayCpuMsPerOp - inPlain.gatewayCpuMsPerOp)} ms per handshake); ${Object.keys(inTls.tls).join(', ')}`);
  console.log(`receiving: ${f0(outTls.sink.tlsHandshakesPerSecond)} STARTTLS handshakes/s (= ${f0(outTls.perSecond)} msgs/s, ${outTls.sink.connections} connections for ${outTls.sink.messages} messages) vs ${f0(outPlain.perSecond)} msgs/s plain (${f0((100 * outTls.perSecond) / outPlain.perSecond)}%); gateway CPU per message ${f2(outTls.gatewayCpuMsPerOp)} vs ${f2(outPlain.gatewayCpuMsPerOp)} ms; ${Object.keys(outTls.sinkProtocols).join(', ')}`);
  console.log(`gateway warnings/errors logged: ${gw.warnings.length}${gw.warnings.length ? ` (first: ${gw.warnings[0].msg})` : ''}`);
  const endLoad = loadavg().map((x) => Math.round(x * 100) / 100);
  console.log(`load average at the end: ${endLoad.join(' ')}; total bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ machine: { ...machine, loadAverageEnd: endLoad }, clients: CLIENTS, seconds: SECONDS, rounds: ROUNDS, rows, raw: results, warnings: gw.warnings.slice(0, 20) }, null, 2));
  const failed = rows.some((r) => r.completed === 0);
  if (failed) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(`bench failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
