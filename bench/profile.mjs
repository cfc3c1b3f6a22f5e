#!/usr/bin/env node
// `npm run bench:profile`: the gateway under --cpu-prof while one session sends 5 KB messages
// (the latency path) and then 20 sessions do (the throughput path), in front of the Node sink, with
// the example policies. Prints the functions with the most self time and where the profile is;
// open the .cpuprofile in Chrome DevTools (Performance → Load profile) for the flame graph. Prints the
// gateway's CPU per message of each phase too (from /proc; --no-cpu-prof for figures without the
// profiler's own overhead, --gateway DIR to run another build's bin/relayguard.js, a baseline).
//   node bench/profile.mjs [--messages N] [--bytes N] [--sessions N] [--new-connections]
//                          [--no-policies | --policies DIR] [--no-cpu-prof] [--gateway DIR] [--keep DIR]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { startFastSink } from './fast-sink.mjs';
import { freePort, setup, treeStats, waitForPort } from './harness.mjs';
import { percentile, runNodeLoad } from './load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const messages = Number(opt('--messages', 3000));
const bytes = Number(opt('--bytes', 5120));
const keep = opt('--keep', undefined);
const sessions = Number(opt('--sessions', 20));
const reuse = !args.includes('--new-connections');
const policies = !args.includes('--no-policies');
const policyDir = opt('--policies', join(root, 'policies'));
const cpuProf = !args.includes('--no-cpu-prof');
const gateway = opt('--gateway', root);
const { tmp, own } = setup('rg-profile-');
let child;

/** Self time per function (file:line), summed over the profile's samples. */
function topSelf(profile, n) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    const f = byId.get(id)?.callFrame;
    if (f === undefined) return;
    const file = f.url.replace(/^file:\/\//, '').replace(`${root}/`, '');
    const key = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`);
}

async function main() {
  const sink = await startFastSink();
  const port = await freePort();
  const dir = join(tmp, 'config');
  mkdirSync(dir);
  if (policies) for (const f of readdirSync(policyDir)) if (/\.policy\.ya?ml$/.test(f)) copyFileSync(join(policyDir, f), join(dir, f));
  writeFileSync(join(tmp, 'loop.secret'), 'profile-loop-secret-0123456789abcdef');
  // relays for corp-postfix, which every example policy covers (partner-relay is in the scope of one of six)
  const placeholder = { name: 'partner-relay', addresses: ['127.0.0.9/32'], mode: 'reflect', reflect: { port: sink.port, tls: { starttls: 'disabled' } }, tls: { starttls: 'disabled' } };
  writeFileSync(
    join(dir, 'topology.yaml'),
    stringify({
      version: 1,
      gateway: { hostname: 'gw.example.test', listen: [{ address: '127.0.0.1', port }], incidents: { path: join(tmp, 'incidents.jsonl') }, loop: { secretFile: join(tmp, 'loop.secret') } },
      upstreams: [{ name: 'corp-postfix', addresses: ['127.0.0.1/32'], mode: 'forward', tls: { starttls: 'disabled' } }, placeholder],
      receivers: [{ name: 'sink', host: '127.0.0.1', port: sink.port, tls: { starttls: 'disabled' } }],
      routes: [{ domains: ['*'], receivers: ['sink'] }],
    }),
  );
  const profDir = keep ?? join(tmp, 'prof');
  mkdirSync(profDir, { recursive: true });
  const prof = cpuProf ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  child = own(spawn(process.execPath, [...prof, join(gateway, 'bin', 'relayguard.js'), 'serve', dir, '--log-level', 'error', '--workers', '1'], { stdio: 'inherit' }));
  await waitForPort(port);
  await runNodeLoad({ port, messages: 200, sessions: 4, bytes, reuse: true }); // warm-up
  const cpu0 = treeStats(child.pid).cpuSeconds;
  const one = await runNodeLoad({ port, messages, sessions: 1, bytes, reuse });
  const cpu1 = treeStats(child.pid).cpuSeconds;
  const many = await runNodeLoad({ port, messages: messages * 2, sessions, bytes, reuse });
  const cpu2 = treeStats(child.pid).cpuSeconds;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
  await sink.close();
  const perMessage = (cpu, n) => `gateway CPU ${((cpu * 1e6) / n).toFixed(0)} µs/message`;
  console.log(`gateway ${gateway === root ? 'this build' : gateway}, ${policies ? `policies of ${policyDir}` : 'no policies'}, ${reuse ? 'reused' : 'new'} connections${cpuProf ? ', under --cpu-prof' : ''}`);
  console.log(`one session: ${messages} × ${bytes} B, p50 ${percentile(one.latencies, 50).toFixed(2)} ms, p99 ${percentile(one.latencies, 99).toFixed(2)} ms, ${perMessage(cpu1 - cpu0, messages)}`);
  console.log(`${sessions} sessions: ${(many.messages / many.seconds).toFixed(0)} msgs/s, ${perMessage(cpu2 - cpu1, many.messages)}, failures ${one.failures + many.failures}`);
  if (!cpuProf) return;
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no .cpuprofile written (did the gateway exit cleanly?)');
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8'));
  console.log('\nself time, top 30:');
  for (const line of topSelf(profile, 30)) console.log(line);
  if (keep) console.log(`\nprofile: ${join(profDir, file)}`);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`profile failed: ${err.stack ?? err}`);
    process.exit(1);
  },
);
