#!/usr/bin/env node
// `npm run bench:edm`: exact data matching at 100k and 1M records (3 columns: email, iban, last_name).
// Build time (`edm index` library, CSV streamed from disk), load time and RSS added (a fresh process:
// read + integrity check + key), and lookup cost of a 100 KB message: prose with surnames in it, and a
// CSV-like dump of non-customer rows with a few customer rows. Targets (issue 15): build < 60 s,
// load < 2 s, < 200 MB RSS, 100 KB message < 2 ms. Uses dist/: run `npm run build` first.
// RELAYGUARD_BENCH_EDM_SIZES=100000 limits the sizes; RELAYGUARD_BENCH_EDM_PROFILE=DIR writes a CPU profile of the load+lookup process.
// RELAYGUARD_BENCH_EDM_CACHE=DIR keeps the key, CSVs and indexes there and reuses them (build time then shows as "cached").
import { execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setup } from './harness.mjs';

const SIZES = (process.env.RELAYGUARD_BENCH_EDM_SIZES ?? '100000,1000000').split(',').map(Number);
const self = fileURLToPath(import.meta.url);

// deterministic pseudo-random numbers (xorshift32), so runs compare
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
const SYL = ['an', 'ber', 'cor', 'dal', 'en', 'fis', 'gar', 'hol', 'in', 'jon', 'kel', 'lam', 'mor', 'nel', 'os', 'per', 'quin', 'ros', 'sten', 'tor', 'ul', 'vin', 'wes', 'yor', 'zan'];
const surname = (i) => { const a = SYL[i % 25]; const b = SYL[Math.floor(i / 25) % 25]; const c = i >= 625 ? SYL[Math.floor(i / 625) % 25] : ''; return (a + b + c).replace(/^./, (m) => m.toUpperCase()); };
// Zipf-like: a few surnames are very common (thousands of records), most are rare
const surnameIndex = (r) => Math.floor(Math.pow(r(), 2.5) * 15_000);
const iban = (i) => `DE${String(10 + (i % 89)).padStart(2, '0')} ${String(37040044 + i).padStart(8, '0').replace(/(\d{4})(\d{4})/, '$1 $2')} ${String(532013000 + i * 7).slice(-10).replace(/(\d{4})(\d{4})(\d{2})/, '$1 $2 $3')}`;
const email = (i) => `user${i}.${(i * 2654435761 >>> 0).toString(36)}@example.org`;

async function writeCsv(path, n) {
  const r = rng(n);
  const out = createWriteStream(path);
  out.write('email,iban,last_name\r\n');
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${email(i)},"${iban(i)}",${surname(surnameIndex(r))}\r\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((ok) => out.once('drain', ok));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise((ok) => out.end(ok));
}

function messages(n) {
  const r = rng(7);
  const words = ['the', 'invoice', 'for', 'march', 'was', 'sent', 'to', 'our', 'customer', 'please', 'check', 'account', 'and', 'reply', 'before', 'friday', 'regards', 'team', 'order', 'shipping'];
  let prose = '';
  while (prose.length < 100_000) prose += `${Array.from({ length: 12 }, () => (r() < 0.1 ? surname(surnameIndex(r)) : words[Math.floor(r() * words.length)])).join(' ')}.\n`;
  let dump = 'email,iban,last_name\n';
  let k = 0;
  while (dump.length < 100_000) {
    const i = n + 1000 + k++; // not in the index
    dump += k % 200 === 0 ? `${email(k)},${iban(k)},${surname(3)}\n` : `${email(i)},${iban(i)},${surname(surnameIndex(r))}\n`;
  }
  // the prose again, with two customer rows (e-mail + IBAN) in the middle: the column gate opens
  const mid = prose.length >> 1;
  const leak = `${prose.slice(0, mid)}\n${email(5)} ${iban(5)}\n${email(9)} ${iban(9)}\n${prose.slice(mid)}`.slice(0, 100_000);
  return { prose: prose.slice(0, 100_000), leak, dump: dump.slice(0, 100_000) };
}

async function child(indexPath, keyPath, n) {
  const { parseIndex } = await import('../dist/policy/edm/index-format.js');
  const { readEdmKey } = await import('../dist/policy/edm/edm-key.js');
  const { scanEdm } = await import('../dist/policy/edm/lookup.js');
  const { countRecords } = await import('../dist/policy/edm/count-records.js');
  const msgs = messages(n);
  globalThis.gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const parsed = parseIndex(readFileSync(indexPath), indexPath);
  const key = readEdmKey(keyPath);
  const loadMs = performance.now() - t0;
  if (!parsed.ok || !key.ok) throw new Error('load failed');
  globalThis.gc();
  const rssAdded = process.memoryUsage().rss - rss0;
  const index = { data: parsed.index, keys: key.keys, path: indexPath };
  const result = { loadMs, rssAddedMiB: rssAdded / 1048576, fileMiB: parsed.index.bytes / 1048576 };
  for (const [name, text] of Object.entries(msgs)) {
    // wall time and this process's CPU time: on a shared, overloaded machine the CPU time is the cost
    const times = [];
    const cpu = [];
    let records = 0;
    // warm-up first: the figure is the steady cost of a message, not the JIT's first look at the code
    for (let i = 0; i < 20; i++) countRecords(index, scanEdm(index, text), 0b111, 2);
    for (let i = 0; i < 100; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      records = countRecords(index, scanEdm(index, text), 0b111, 2).records;
      times.push(performance.now() - t);
      const d = process.cpuUsage(c);
      cpu.push((d.user + d.system) / 1000);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    result[`${name}Ms`] = { median: times[50], p95: times[95], cpu: cpu[50], cpuP95: cpu[95] };
    result[`${name}Records`] = records;
  }
  process.stdout.write(JSON.stringify(result));
}

async function main() {
  const { writeIndexFile } = await import('../dist/policy/edm/index-file.js');
  const { writeNewKey } = await import('../dist/policy/edm/edm-key.js');
  const { tmp } = setup('rg-bench-edm-', { budgetMs: 15 * 60_000, name: 'bench:edm' });
  const cache = process.env.RELAYGUARD_BENCH_EDM_CACHE;
  const dir = cache ?? tmp;
  if (cache !== undefined) mkdirSync(cache, { recursive: true });
  const keyPath = join(dir, 'edm.key');
  if (!existsSync(keyPath)) writeNewKey(keyPath);
  const rows = [];
  for (const n of SIZES) {
    const csv = join(dir, `c${n}.csv`);
    const out = join(dir, `c${n}.edm`);
    let buildS = NaN;
    let entries;
    if (cache !== undefined && existsSync(out) && existsSync(csv)) entries = 'cached';
    else {
      await writeCsv(csv, n);
      const t = performance.now();
      const built = await writeIndexFile({ csv, columns: ['email', 'iban', 'last_name'], keyFile: keyPath, out });
      buildS = (performance.now() - t) / 1000;
      if (!built.ok) throw new Error(built.error.message);
      entries = built.stats.entries;
    }
    const measured = JSON.parse(execFileSync(process.execPath, ['--expose-gc', ...(process.env.RELAYGUARD_BENCH_EDM_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.RELAYGUARD_BENCH_EDM_PROFILE}`] : []), self, 'child', out, keyPath, String(n)], { encoding: 'utf8', maxBuffer: 1 << 20 }));
    rows.push({ records: n, csvMiB: statSync(csv).size / 1048576, buildS, entries, ...measured });
  }
  const f = (x, d = 1) => x.toFixed(d);
  const cell = (m) => `${f(m.cpu, 2)} / ${f(m.cpuP95, 2)} (${f(m.median, 1)} / ${f(m.p95, 1)})`;
  console.log('| records | CSV MiB | build s | index MiB | load ms | RSS added MiB | 100 KB prose, surnames only: CPU ms p50 / p95 (wall p50 / p95) | same + 2 customer rows | 100 KB CSV dump |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    console.log(`| ${r.records} | ${f(r.csvMiB)} | ${Number.isNaN(r.buildS) ? 'cached' : f(r.buildS)} | ${f(r.fileMiB)} | ${f(r.loadMs, 0)} | ${f(r.rssAddedMiB)} | ${cell(r.proseMs)} | ${cell(r.leakMs)} | ${cell(r.dumpMs)} |`);
  }
  console.log(`(records found — prose: ${rows.map((r) => r.proseRecords).join(', ')} (expected 0); with 2 rows: ${rows.map((r) => r.leakRecords).join(', ')} (expected 2); dump: ${rows.map((r) => r.dumpRecords).join(', ')} (about 7 customer rows in it))`);
  console.log(`load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')} on ${(await import('node:os')).cpus().length} CPUs`);
}

if (process.argv[2] === 'child') await child(process.argv[3], process.argv[4], Number(process.argv[5]));
else await main();
