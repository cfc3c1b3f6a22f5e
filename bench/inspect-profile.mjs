#!/usr/bin/env node
// The inspection cost of one message kind, in process, for `node --cpu-prof`: bench:inspect's 8 MB
// plain-text message streamed in 16 KiB chunks (`plain`), or a 100 KB one held in memory as the gateway
// holds small messages (`100k`), with the example policies; prints MB/s per CPU-second and CPU µs per
// message. RG_BENCH_DIST=/path/to/dist measures another build with the same messages.
//   node [--cpu-prof] bench/inspect-profile.mjs plain|100k [reps]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.RG_BENCH_DIST ?? join(root, 'dist');
const { parseSourceFile } = await import(join(dist, 'config/source-file.js'));
const { compilePolicies } = await import(join(dist, 'policy/compile.js'));
const { inspectMessage } = await import(join(dist, 'policy/inspect.js'));
const { DEFAULT_ANALYSIS_LIMITS } = await import(join(dist, 'policy/analysis.js'));
const settings = { budgetMs: 120_000, onFailure: 'tempfail', onUnscannable: 'block', limits: { ...DEFAULT_ANALYSIS_LIMITS, timeoutMs: 60_000 } };
const envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 'bench' };
const dir = join(root, 'policies');
const files = readdirSync(dir).filter((f) => f.endsWith('.policy.yaml')).map((f) => { const p = parseSourceFile(join(dir, f), readFileSync(join(dir, f), 'utf8')); return { source: p.source, data: p.data }; });
const { policySet: set } = compilePolicies(files, { upstreamNames: ['corp-postfix', 'partner-relay'] });
function prose(bytes) {
  const words = ['quarterly', 'report', 'customer', 'invoice', '2024-10-31', 'total', 'EUR', '1,234.56', 'shipment', 'order', '#883412', 'please', 'review', 'attached', 'figures', 'regards', 'the', 'of', 'and', 'delivery', 'contract', 'renewal', 'account', 'manager', 'meeting', 'Tuesday', 'agenda', 'budget', 'forecast', 'region', 'north', 'south'];
  let seed = 42; const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  const lines = []; let n = 0;
  while (n < bytes) { let line = `${next() % 100000} `; while (line.length < 88) line += `${words[next() % words.length]} `; lines.push(line.trimEnd()); n += line.length; }
  return lines;
}
const kind = process.argv[2] ?? 'plain';
const MB = 1 << 20;
const size = kind === 'plain' ? 8 * MB : 100 << 10;
const reps = Number(process.argv[3] ?? (kind === 'plain' ? 5 : 400));
const raw = await new MailComposer({ from: 'alice@corp.example', to: 'bob@partner.example', subject: 'bench', text: prose(size).join('\n') + '\n' }).compile().build();
const streamOf = (raw) => Readable.from((function* () { for (let i = 0; i < raw.length; i += 16 << 10) yield raw.subarray(i, i + (16 << 10)); })());
const one = kind === 'plain' ? () => inspectMessage(set, streamOf(raw), envelope, settings) : () => inspectMessage(set, raw, envelope, settings);
for (let i = 0; i < 3; i++) await one();
const cpu0 = process.cpuUsage();
let v;
for (let i = 0; i < reps; i++) v = await one();
const u = process.cpuUsage(cpu0); const cpu = (u.user + u.system) / 1e6;
console.log(JSON.stringify({ kind, bytes: raw.length, reps, mbPerCpuS: +((raw.length * reps / MB) / cpu).toFixed(1), cpuUsPerMsg: +(cpu * 1e6 / reps).toFixed(0), verdict: v.verdict.kind, segs: v.analysis?.segments.map((s) => [s.location, s.text.length, s.prescanned !== undefined]) }));
