#!/usr/bin/env node
// The inspection cost of one message kind, in process, for `node --cpu-prof` or callgrind: bench:inspect's
// 8 MB plain-text (`plain`) or HTML (`html`) message or its 20,000-line PDF attachment (`pdf`) streamed in
// 16 KiB chunks, or a 100 KB plain one held in memory as the gateway holds small messages (`100k`), or
// npm run bench's 100 KB message (`load100k`: bench/load.mjs makeBody, a 10-digit run and two 10-letter
// words on every line), held the same way, or its 5 KB message (`load5k`), or what Postfix's smtp-source sends
// in npm run bench (`source5k`, `source100k`: 4 header lines, then lines of one digit and 77 X), with the example policies; prints MB/s per CPU-second and CPU
// µs per message. RG_BENCH_DIST=/path/to/dist
// measures another build with the same messages.
//   node [--cpu-prof] bench/inspect-profile.mjs plain|html|pdf|100k|load100k|load5k|source5k|source100k [reps] [runs]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { message, pdf, prose } from './inspect-messages.mjs';
import { makeBody } from './load.mjs';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.RG_BENCH_DIST ?? join(root, 'dist');
const { parseSourceFile } = await import(join(dist, 'config/source-file.js'));
const { compilePolicies } = await import(join(dist, 'policy/compile/compile.js'));
const { inspectMessage } = await import(join(dist, 'policy/inspect.js'));
const { DEFAULT_ANALYSIS_LIMITS } = await import(join(dist, 'policy/analysis.js'));
const closeExtractionPool = await import(join(dist, 'policy/extract/pool.js')).then((m) => m.closeExtractionPool, () => async () => {});
const settings = { budgetMs: 120_000, onFailure: 'tempfail', onUnscannable: 'block', limits: { ...DEFAULT_ANALYSIS_LIMITS, timeoutMs: 60_000 } };
const envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 'bench' };
const dir = join(root, 'policies');
const files = readdirSync(dir).filter((f) => f.endsWith('.policy.yaml')).map((f) => { const p = parseSourceFile(join(dir, f), readFileSync(join(dir, f), 'utf8')); return { source: p.source, data: p.data }; });
const { policySet: set } = compilePolicies(files, { upstreamNames: ['corp-postfix', 'partner-relay'] });
const kind = process.argv[2] ?? 'plain';
const MB = 1 << 20;
const lines = prose(kind === '100k' ? 100 << 10 : 8 * MB);
const html = () => lines.map((l, i) => `<p class="row"><a href="https://intranet.example.org/doc?id=${i}&amp;q=${encodeURIComponent(l.slice(0, 20))}" title="row ${i}">${l}</a></p>`).join('\n');
const held = ['100k', 'load100k', 'load5k', 'source5k', 'source100k'].includes(kind);
const raw = kind === 'load100k' ? makeBody(102_400) : kind === 'load5k' ? makeBody(5_120) : kind.startsWith('source') ? sourceBody(kind === 'source5k' ? 5_120 : 102_400) : await (kind === 'pdf'
  ? message({ text: 'see attached', attachments: [{ filename: 'statement.pdf', content: pdf(lines.slice(0, 20_000)) }] })
  : kind === 'html' ? message({ html: `<html><body>${html()}</body></html>` }) : message({ text: `${lines.join('\n')}\n` }));
function sourceBody(bytes) {
  let body = 'From: <bench@corp.example>\r\nTo: <rcpt@example.org>\r\nDate: Thu, 3 Dec 2026 12:00:00 +0000\r\nMessage-Id: <1.2.3@bench.example>\r\n\r\n';
  for (let i = 0; body.length < bytes; i++) body += `${i % 10}${'X'.repeat(77)}\r\n`;
  return Buffer.from(body);
}
// A held message is measured after WARM_HELD inspections: the JIT settles only after a few thousand (a 5 KB
// smtp-source message costs ~500 µs in its first 500 inspections, ~120 µs from about the 4,000th on), so
// the 400 reps after 3 warm-ups this measured before were mostly warm-up. Then `runs` runs of `reps`, and
// the median run is reported (all of them in `runsUs`).
const WARM_HELD = 4000;
const reps = Number(process.argv[3] ?? (held ? 5000 : 5));
const runs = Number(process.argv[4] ?? (held ? 5 : 1));
const streamOf = (raw) => Readable.from((function* () { for (let i = 0; i < raw.length; i += 16 << 10) yield raw.subarray(i, i + (16 << 10)); })());
const one = held ? () => inspectMessage(set, raw, envelope, settings) : () => inspectMessage(set, streamOf(raw), envelope, settings);
for (let i = 0; i < (held ? WARM_HELD : 3); i++) await one();
let v;
const perRun = [];
for (let r = 0; r < runs; r++) {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < reps; i++) v = await one();
  const u = process.cpuUsage(cpu0);
  perRun.push((u.user + u.system) / 1e6);
}
const cpu = [...perRun].sort((a, b) => a - b)[Math.floor(runs / 2)];
console.log(JSON.stringify({ kind, bytes: raw.length, reps, runs, mbPerCpuS: +((raw.length * reps / MB) / cpu).toFixed(1), cpuUsPerMsg: +(cpu * 1e6 / reps).toFixed(0), runsUs: perRun.map((c) => +(c * 1e6 / reps).toFixed(0)), verdict: v.verdict.kind, segs: v.analysis?.segments.map((s) => [s.location, s.text.length, s.prescanned !== undefined]) }));
await closeExtractionPool();
