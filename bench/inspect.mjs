#!/usr/bin/env node
// `npm run bench:inspect`: inspection throughput per content kind (MB of message per CPU-second of the
// whole process, worker threads included) with the example policies in policies/, and what a 25 MB
// 1000:1 zip bomb and a 50 MB plain message cost (CPU seconds, RSS growth), each in a fresh process
// reading the message as a stream, as the gateway reads a spooled one. Needs `npm run build`.
//   node bench/inspect.mjs [--quick] [--json FILE]
import { execFileSync } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { docx, message, pdf, prose, xlsx } from './inspect-messages.mjs';
import { procStats, setup } from './harness.mjs';
import { zipBomb } from './zip-bomb.mjs';

// RG_BENCH_DIST=/path/to/other/dist measures another build (a baseline) with the same messages
const dist = process.env.RG_BENCH_DIST ?? fileURLToPath(new URL('../dist', import.meta.url));
const { parseSourceFile } = await import(join(dist, 'config/source-file.js'));
const { compilePolicies } = await import(join(dist, 'policy/compile/compile.js'));
const { inspectMessage } = await import(join(dist, 'policy/inspect.js'));
const { DEFAULT_ANALYSIS_LIMITS } = await import(join(dist, 'policy/analysis.js'));
const closeExtractionPool = await import(join(dist, 'policy/extract/pool.js')).then((m) => m.closeExtractionPool, () => async () => {});

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const MB = 1 << 20;
// throughput, not time limits, is measured: a shared, loaded machine must not turn big files into timeouts
const settings = { budgetMs: 120_000, onFailure: 'tempfail', limits: { ...DEFAULT_ANALYSIS_LIMITS, timeoutMs: 60_000 } };
const envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 'bench' };

function examplePolicies() {
  const dir = join(root, 'policies');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.policy.yaml'))
    .map((f) => {
      const parsed = parseSourceFile(join(dir, f), readFileSync(join(dir, f), 'utf8'));
      return { source: parsed.source, data: parsed.data };
    });
  const { policySet, diagnostics } = compilePolicies(files, { upstreamNames: ['corp-postfix', 'partner-relay'] });
  if (diagnostics.some((d) => d.severity === 'error')) throw new Error(`example policies do not compile: ${JSON.stringify(diagnostics)}`);
  return policySet;
}

const streamOf = (raw) => Readable.from((function* () {
  for (let i = 0; i < raw.length; i += 16 << 10) yield raw.subarray(i, i + (16 << 10));
})());

const cpuSeconds = (u) => (u.user + u.system) / 1e6;

async function throughput(set, name, raw, reps) {
  await inspectMessage(set, streamOf(raw), envelope, settings); // warm: modules, pdf.js, a worker thread
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let verdict;
  for (let i = 0; i < reps; i++) verdict = await inspectMessage(set, streamOf(raw), envelope, settings);
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  const wall = (performance.now() - t0) / 1000;
  const mb = (raw.length * reps) / MB;
  // compressed formats hold many times their size in text: MB of extracted text per CPU-second too
  const textMB = (verdict.analysis?.segments ?? []).filter((x) => x.location === 'attachments').reduce((n, x) => n + x.text.length, 0) / MB;
  return {
    kind: name,
    messageMB: +(raw.length / MB).toFixed(2),
    mbPerCpuSecond: +(mb / cpu).toFixed(1),
    mbPerWallSecond: +(mb / wall).toFixed(1),
    extractedTextMB: +textMB.toFixed(2),
    textMbPerCpuSecond: textMB === 0 ? '-' : +((textMB * reps) / cpu).toFixed(1),
    verdict: verdict.verdict.kind,
    unscannable: (verdict.analysis?.unscannable ?? []).map((u) => u.reason).join(',') || '-',
  };
}

// Child mode: one message from a file, streamed; CPU and RSS growth of this fresh process only.
async function child(kind, file) {
  const set = examplePolicies();
  // a running gateway has its modules loaded and worker threads up: warm both with small messages
  const warm = await message({ text: 'warm-up', attachments: [{ filename: 'w.pdf', content: pdf(['warm']) }, { filename: 'w.zip', content: Buffer.from(zipSync({ 'w.bin': new Uint8Array(128 << 10).map((_, i) => (i * 7919) & 0xff) }, { level: 0 })) }] });
  await inspectMessage(set, streamOf(warm), envelope, settings);
  const before = procStats(process.pid);
  const cpu0 = process.cpuUsage();
  const r = await inspectMessage(set, createReadStream(file, { highWaterMark: 16 << 10 }), envelope, settings);
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  const after = procStats(process.pid);
  const unscannable = r.analysis?.unscannable ?? [];
  console.log(JSON.stringify({ kind, cpuSeconds: +cpu.toFixed(2), rssGrowthMB: +((after.peakRss - before.rss) / MB).toFixed(1), verdict: r.verdict.kind, unscannable: unscannable.slice(0, 2) }));
  await closeExtractionPool();
}

async function main() {
  const quick = args.includes('--quick');
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const { tmp } = setup('rg-bench-inspect-', { budgetMs: 600_000, name: 'bench:inspect' });
  const set = examplePolicies();
  const size = quick ? 2 * MB : 8 * MB;
  const lines = prose(size);
  const text = lines.join('\n');
  const html = lines.map((l, i) => `<p class="row"><a href="https://intranet.example.org/doc?id=${i}&amp;q=${encodeURIComponent(l.slice(0, 20))}" title="row ${i}">${l}</a></p>`).join('\n');
  const inner = zipSync({ 'a.txt': strToU8(text.slice(0, text.length >> 1)), 'b.csv': strToU8(text.slice(text.length >> 1)) });
  const kinds = [
    ['plain text', await message({ text: `${text}\n` })],
    ['HTML', await message({ html: `<html><body>${html}</body></html>` })],
    ['docx', await message({ text: 'see attached', attachments: [{ filename: 'report.docx', content: Buffer.from(docx(lines)) }] })],
    ['xlsx', await message({ text: 'see attached', attachments: [{ filename: 'sheet.xlsx', content: Buffer.from(xlsx(lines)) }] })],
    ['PDF', await message({ text: 'see attached', attachments: [{ filename: 'statement.pdf', content: pdf(lines.slice(0, quick ? 5_000 : 20_000)) }] })],
    // the same pages with a ToUnicode map on the font, as most producers write: read by pdf.js (no target)
    ['PDF via pdf.js', await message({ text: 'see attached', attachments: [{ filename: 'statement.pdf', content: pdf(lines.slice(0, quick ? 5_000 : 20_000), { toUnicode: true }) }] })],
    ['nested zip', await message({ text: 'see attached', attachments: [{ filename: 'outer.zip', content: Buffer.from(zipSync({ 'mid.zip': zipSync({ 'inner.zip': inner }) })) }] })],
  ];
  const rows = [];
  for (const [name, raw] of kinds) rows.push(await throughput(set, name, raw, quick ? 1 : 3));
  await closeExtractionPool();
  console.log('inspection throughput (example policies, message streamed in 16 KiB chunks, CPU of all threads):');
  console.table(rows);

  const bombFile = join(tmp, 'bomb.eml');
  const bomb = zipBomb(25 * MB, 1000);
  writeFileSync(bombFile, await message({ text: 'see attached', attachments: [{ filename: 'bomb.zip', content: bomb }] }));
  const plainFile = join(tmp, 'plain50.eml');
  writeFileSync(plainFile, await message({ text: prose(50 * MB).join('\n') }));
  const children = [];
  for (const [kind, file] of [['25 MB zip bomb (1000 entries x 25 MB, 1000:1)', bombFile], ['50 MB plain message', plainFile]]) {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', kind, file], { encoding: 'utf8', timeout: 300_000 });
    children.push(JSON.parse(out.trim().split('\n').pop()));
  }
  console.log(`zip bomb: ${(bomb.length / MB).toFixed(1)} MB zip that would inflate to ${(25 * 1000 / 1024).toFixed(1)} GB`);
  console.table(children.map((c) => ({ kind: c.kind, cpuSeconds: c.cpuSeconds, rssGrowthMB: c.rssGrowthMB, verdict: c.verdict, unscannable: c.unscannable.map((u) => `${u.label}: ${u.reason}`).join('; ') })));
  const [bombRow, plainRow] = children;
  const plain = rows.find((r) => r.kind === 'plain text');
  const pdfRow = rows.find((r) => r.kind === 'PDF');
  const targets = [
    ['plain text >= 100 MB/s per CPU-s', plain.mbPerCpuSecond >= 100, plain.mbPerCpuSecond],
    ['PDF >= 20 MB/s per CPU-s', pdfRow.mbPerCpuSecond >= 20, pdfRow.mbPerCpuSecond],
    ['bomb refused in < 1 s CPU', bombRow.cpuSeconds < 1 && bombRow.unscannable.length > 0, bombRow.cpuSeconds],
    ['bomb RSS growth < 50 MB', bombRow.rssGrowthMB < 50, bombRow.rssGrowthMB],
    ['50 MB message RSS growth < 30 MB', plainRow.rssGrowthMB < 30, plainRow.rssGrowthMB],
  ];
  for (const [what, met, value] of targets) console.log(`${met ? 'met    ' : 'NOT MET'} ${what}: ${value}`);
  if (jsonOut !== undefined) writeFileSync(jsonOut, JSON.stringify({ throughput: rows, children }, null, 2));
}

if (args[0] === '--child') await child(args[1], args[2]);
else await main();
