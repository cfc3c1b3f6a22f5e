#!/usr/bin/env node
// The text detectors alone: one TextScan over a 64 KiB window with the example policies (every text
// detector's hits), CPU µs per window and MB per CPU-second, for bench:inspect's prose, the same words in
// a real pseudo-random mix, and npm run bench's 100 KB body (bench/load.mjs makeBody). Several builds are
// loaded side by side and alternated round by round, so that a shared machine's load hits them alike:
//   RG_BENCH_DISTS=old=/tmp/old/dist,new=dist node bench/detect-scan.mjs [rounds] [scans per round]
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prose } from './inspect-messages.mjs';
import { makeBody } from './load.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dists = (process.env.RG_BENCH_DISTS ?? `this=${join(root, 'dist')}`).split(',').map((kv) => kv.split('='));
const rounds = Number(process.argv[2] ?? 11);
const per = Number(process.argv[3] ?? 100);
const dir = join(root, 'policies');

const builds = [];
for (const [name, d] of dists) {
  const dist = resolve(root, d);
  const { parseSourceFile } = await import(join(dist, 'config/source-file.js'));
  const { compilePolicies } = await import(join(dist, 'policy/compile/compile.js'));
  const { TextScan } = await import(join(dist, 'policy/detectors/text-scan.js'));
  const { RangeStore } = await import(join(dist, 'policy/detectors/candidate-scan.js'));
  const files = readdirSync(dir).filter((f) => f.endsWith('.policy.yaml')).map((f) => {
    const p = parseSourceFile(join(dir, f), readFileSync(join(dir, f), 'utf8'));
    return { source: p.source, data: p.data };
  });
  const { policySet: set } = compilePolicies(files, { upstreamNames: ['corp-postfix', 'partner-relay'] });
  const store = new RangeStore();
  const scan = (text) => {
    const s = new TextScan(set, text, store);
    return set.textDetectors.map((_, id) => s.hits(id).count);
  };
  builds.push({ name, scan });
}

// prose() as bench:inspect generates it, and the same vocabulary drawn with an integer multiply (prose()'s
// float multiply loses the low bits of its seed, so every word it picks is the first)
const WORDS = ['quarterly', 'report', 'customer', 'invoice', '2024-10-31', 'total', 'EUR', '1,234.56', 'shipment', 'order', '#883412', 'please', 'review', 'attached', 'figures', 'regards', 'the', 'of', 'and', 'delivery', 'contract', 'renewal', 'account', 'manager', 'meeting', 'Tuesday', 'agenda', 'budget', 'forecast', 'region', 'north', 'south'];
function mixedProse(chars) {
  let seed = 42;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff);
  let out = '';
  while (out.length < chars) {
    let line = `${next() % 100000}`;
    while (line.length < 88) line += ` ${WORDS[(next() >>> 16) % WORDS.length]}`;
    out += `${line}\n`;
  }
  return out;
}
const WINDOW = 64 << 10;
const texts = {
  'bench:inspect prose': prose(WINDOW).join('\n').slice(0, WINDOW),
  'mixed prose': mixedProse(WINDOW).slice(0, WINDOW),
  'npm run bench body': makeBody(WINDOW + 200).toString('latin1').replace(/\r\n/g, '\n').slice(150, 150 + WINDOW),
};
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; ${rounds} rounds × ${per} scans`);
for (const [label, text] of Object.entries(texts)) {
  const counts = builds.map((b) => JSON.stringify(b.scan(text)));
  if (new Set(counts).size > 1) console.log(`  ${label}: hit counts differ between builds: ${counts.join(' / ')}`);
  const us = builds.map(() => []);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
    for (const i of order) {
      const t0 = process.cpuUsage();
      for (let k = 0; k < per; k++) builds[i].scan(text);
      const u = process.cpuUsage(t0);
      us[i].push((u.user + u.system) / per);
    }
  }
  const cells = builds.map((b, i) => {
    const m = median(us[i]);
    return `${b.name} ${m.toFixed(0)} µs (${((WINDOW / 2 ** 20) / (m / 1e6)).toFixed(1)} MB/s)`;
  });
  console.log(`${label.padEnd(22)} ${cells.join('   ')}`);
}
