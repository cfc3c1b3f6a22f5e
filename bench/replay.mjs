// bench:replay — `relayguard replay` over a generated corpus (default 10,000 messages, mixed sizes and
// attachments, bench/corpus.mjs) with one worker: the example policies (policies/) against a copy whose card
// policy is switched to monitor mode. Target: under 60 s. Prints messages/s, MB/s and the differences found.
// Usage: node bench/replay.mjs [--messages N] [--format mbox|eml|maildir]
import { cpSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { setup, argValue as arg } from './harness.mjs';
import { generateCorpus, writeEmlDir, writeMaildir, writeMbox } from './corpus.mjs';
import { runReplay } from '../dist/cli/replay.js';
import { runCertsInit } from '../dist/cli/certs.js';

const n = Number(arg('messages', '10000'));
const format = arg('format', 'mbox');
const { tmp } = setup('rg-bench-replay-', { budgetMs: 15 * 60_000, name: 'bench:replay' });

runCertsInit({ dir: join(tmp, 'certs'), hostname: ['gw.example.test'], quiet: true, examplePeers: true });
cpSync('policies', join(tmp, 'old'), { recursive: true });
cpSync('policies', join(tmp, 'new'), { recursive: true });
const policyFile = join(tmp, 'new', 'data-protection.policy.yaml');
writeFileSync(policyFile, readFileSync(policyFile, 'utf8').replace('    mode: enforce', '    mode: monitor'));

const messages = [...generateCorpus(n, 42)].map((m) => ({ ...m }));
const bytes = messages.reduce((s, m) => s + m.raw.length, 0);
const corpus = join(tmp, format === 'mbox' ? 'corpus.mbox' : 'corpus');
if (format === 'mbox') await writeMbox(corpus, messages);
else if (format === 'maildir') writeMaildir(corpus, messages);
else writeEmlDir(corpus, messages);
messages.length = 0;

console.log(`relayguard replay benchmark — ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`corpus: ${n} messages, ${(bytes / 1e6).toFixed(1)} MB (${format}${format === 'mbox' ? `, ${(statSync(corpus).size / 1e6).toFixed(1)} MB file` : ''})`);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const out = await runReplay(join(tmp, 'old'), join(tmp, 'new'), { corpus, format: 'json', upstream: 'corp-postfix', progress: (l) => console.error(l), progressEvery: 1000 });
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const report = JSON.parse(out.stdout);
console.log(`replay: ${seconds.toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${(n / seconds).toFixed(0)} messages/s, ${(bytes / 1e6 / seconds).toFixed(1)} MB/s (each message inspected twice)`);
console.log(`exit ${out.exitCode}: ${report.messages} replayed, ${report.diffs.length} handled differently; ${report.policies.map((p) => `${p.policy}: ${p.noLongerBlocked} no longer blocked`).join('; ')}`);
console.log(`target: < 60 s with one worker — ${seconds < 60 ? 'met' : 'NOT met'}`);
