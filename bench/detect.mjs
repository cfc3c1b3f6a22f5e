#!/usr/bin/env node
// `npm run bench:detect [-- --n 300 --negatives 150 --markdown]`: recall and precision of every
// catalogue identifier on a generated, labelled corpus (bench/detect-corpus.mjs), and the cost of
// scanning 1 MB of mail-like text with the whole catalogue. Needs `npm run build` first.
//
// Per identifier: recall at any confidence (format + validator) and at the default (medium), on
// documents of which 70% carry a supporting word; false positives at the default confidence over
// the shared hard negatives and, for identifiers with a checksum, over invalid-checksum twins of
// their own values written the same way; "cross" counts other identifiers' documents it also fires on.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { IDENTIFIERS } from '../dist/policy/detectors/identifiers/catalogue.js';
import { rank } from '../dist/policy/detectors/identifiers/identifier.js';
import { IdentifierScan, KeywordContext, scanIdentifier } from '../dist/policy/detectors/identifiers/scan.js';
import { CandidatePlan } from '../dist/policy/detectors/candidate-scan.js';
import { numberArg as arg } from './harness.mjs';
import { hardNegativeDocs, positiveDoc, twinDoc } from './detect-corpus.mjs';

const N = arg('n', 300);
const NEG = arg('negatives', 150);
const markdown = process.argv.includes('--markdown');

const started = performance.now();
const positives = new Map(IDENTIFIERS.map((id) => [id.name, Array.from({ length: N }, () => positiveDoc(id.name))]));
const twins = new Map(IDENTIFIERS.map((id) => [id.name, id.checksum ? Array.from({ length: N }, () => twinDoc(id.name)).filter(Boolean) : []]));
const negatives = hardNegativeDocs(NEG);

// recall and precision through the engine's path: the catalogue's candidate pass, then each regex near candidates
const PLAN = new CandidatePlan(IDENTIFIERS.flatMap((id) => (id.pattern === undefined ? [] : [id.pattern])));

// each document is scanned by every identifier: its candidate pass once
const passes = new Map();
const startsOf = (text) => passes.get(text) ?? passes.set(text, PLAN.scan(text)).get(text);

/** Best confidence rank of a match in the text, -1 for none. */
function best(id, text) {
  let r = -1;
  for (const m of scanIdentifier(id, text, new KeywordContext(text), startsOf(text))) r = Math.max(r, rank(m.confidence));
  return r;
}

const MEDIUM = rank('medium');
const rows = [];
const fpByKind = new Map();
for (const id of IDENTIFIERS) {
  const pos = positives.get(id.name).map((d) => ({ d, r: best(id, d.text) }));
  const found = pos.filter((p) => p.r >= 0).length;
  const foundDefault = pos.filter((p) => p.r >= MEDIUM).length;
  const kwDocs = pos.filter((p) => p.d.withKeyword);
  const foundKw = kwDocs.filter((p) => p.r >= MEDIUM).length;
  let fp = 0;
  let fpLow = 0;
  for (const n of negatives) {
    const r = best(id, n.text);
    if (r >= 0) fpLow++;
    if (r >= MEDIUM) {
      fp++;
      fpByKind.set(n.kind, [...(fpByKind.get(n.kind) ?? []), id.name]);
    }
  }
  const tw = twins.get(id.name).map((t) => best(id, t.text));
  const twinFp = tw.filter((r) => r >= MEDIUM).length;
  let cross = 0;
  for (const [other, docs] of positives) if (other !== id.name) for (const d of docs) if (best(id, d.text) >= MEDIUM) cross++;
  const precision = foundDefault / Math.max(1, foundDefault + fp + twinFp);
  rows.push({
    name: id.name,
    checksum: id.checksum ? 'yes' : 'no',
    recall: found / N,
    recallDefault: foundDefault / N,
    recallKeyword: foundKw / Math.max(1, kwDocs.length),
    fpLow,
    fp,
    twins: tw.length === 0 ? '-' : `${twinFp}/${tw.length}`,
    precision,
    cross,
  });
}

// the whole catalogue (one IdentifierScan per text, as the engine does) over ~1 MB of mixed text
const docs = [...negatives.map((n) => n.text), ...[...positives.values()].flat().map((d) => d.text)];
let big = '';
for (let i = 0; big.length < 1_000_000; i++) big += `${docs[i % docs.length]}\n`;
/** Time of the whole catalogue over a text, and its match count; plan undefined: every regex over the whole text. */
function catalogue(text, plan) {
  const t = performance.now();
  const s = new IdentifierScan(text, plan);
  let n = 0;
  for (const id of IDENTIFIERS) n += s.hits([id], 'low').count;
  return { ms: performance.now() - t, n };
}
const { ms: wholeMs } = catalogue(big, undefined);
const { ms: scanMs, n: total } = catalogue(big, PLAN);
// and over ordinary prose (this repository's README repeated), the common case of a gateway
const prose = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
let plain = '';
while (plain.length < 1_000_000) plain += prose;
const { ms: plainWholeMs } = catalogue(plain, undefined);
const { ms: plainMs, n: plainTotal } = catalogue(plain, PLAN);

const f = (x) => x.toFixed(3);
const header = ['identifier', 'checksum', 'recall (any)', 'recall (medium)', 'recall (medium, keyword)', 'FP low', 'FP medium', 'checksum twins FP', 'precision (medium)', 'cross'];
const table = rows.map((r) => [r.name, r.checksum, f(r.recall), f(r.recallDefault), f(r.recallKeyword), String(r.fpLow), String(r.fp), r.twins, f(r.precision), String(r.cross)]);
if (markdown) {
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => ' --- ').join('|')}|`);
  for (const t of table) console.log(`| ${t.join(' | ')} |`);
} else {
  const w = header.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  for (const t of [header, ...table]) console.log(t.map((c, i) => c.padEnd(w[i])).join('  '));
}
const checked = rows.filter((r) => r.checksum === 'yes');
const below = checked.filter((r) => r.recall < 0.99 || r.precision < 0.99);
console.log(`\ncorpus: ${N} positive documents per identifier (${IDENTIFIERS.length} identifiers), ${negatives.length} hard negatives (${NEG} each of ${new Set(negatives.map((n) => n.kind)).size} kinds), ${[...twins.values()].reduce((n, t) => n + t.length, 0)} checksum twins`);
console.log(`hard-negative kinds that fired at medium: ${[...fpByKind].map(([k, ids]) => `${k} (${[...new Set(ids)].join(', ')})`).join('; ') || 'none'}`);
console.log(`checksum identifiers below 0.99 recall (any) or precision (medium): ${below.map((r) => r.name).join(', ') || 'none'}`);
console.log(`whole catalogue over ${(big.length / 1e6).toFixed(2)} MB of the corpus (identifier-dense): ${scanMs.toFixed(0)} ms (${(big.length / 1e6 / (scanMs / 1000)).toFixed(1)} MB/s; without the candidate pass ${wholeMs.toFixed(0)} ms), ${total} matches`);
console.log(`whole catalogue over ${(plain.length / 1e6).toFixed(2)} MB of prose (README): ${plainMs.toFixed(0)} ms (${(plain.length / 1e6 / (plainMs / 1000)).toFixed(1)} MB/s; without the candidate pass ${plainWholeMs.toFixed(0)} ms), ${plainTotal} matches; total run ${((performance.now() - started) / 1000).toFixed(1)} s`);
