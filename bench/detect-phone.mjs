#!/usr/bin/env node
// `node bench/detect-phone.mjs [--n 300 --negatives 150]`: phone-number with regions (national numbers
// without +CC). Recall on national-format numbers of each region (70% written beside a supporting
// word, as bench:detect's positives), and false positives over bench:detect's hard negatives (order
// numbers, ISBNs, tracking numbers, timestamps, …; its "national phone" kind left out: those are phone
// numbers), at confidence low and at the default (medium). Needs `npm run build` first.
import { getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { rank } from '../dist/policy/detectors/identifiers/identifier.js';
import { phoneNumberIn } from '../dist/policy/detectors/identifiers/phone.js';
import { KeywordContext, scanIdentifier } from '../dist/policy/detectors/identifiers/scan.js';
import { numberArg as arg } from './harness.mjs';
import { hardNegativeDocs, pick, rnd } from './detect-corpus.mjs';

const N = arg('n', 300);
const NEG = arg('negatives', 150);
const REGION_SETS = [['US'], ['DE'], ['GB'], ['FR'], ['US', 'DE'], ['US', 'GB', 'DE', 'FR']];

const digits = (n) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');
function national(country) {
  for (;;) {
    const ex = getExampleNumber(country, examples);
    const n = ex.nationalNumber;
    const p = parsePhoneNumberFromString(`+${ex.countryCallingCode}${n.slice(0, n.length - 3)}${digits(3)}`);
    if (p?.isValid()) return p.formatNational();
  }
}
const WITH = [(v) => `Hi team, my phone is ${v} — please update the record.`, (v) => `Tel: ${v}`, (v) => `Name: Jane Doe\nmobile: ${v}\nCity: Springfield`, (v) => `name;phone;date\nJane Doe;${v};2024-05-01`];
const WITHOUT = [(v) => `Jane Doe, ${v}, Springfield`, (v) => `As discussed, here it is: ${v}\nThanks!`, (v) => `| Jane Doe | ${v} | active |`];

const best = (id, text) => Math.max(-1, ...scanIdentifier(id, text, new KeywordContext(text)).map((m) => rank(m.confidence)));
const negatives = hardNegativeDocs(NEG).filter((d) => d.kind !== 'national phone');
console.log(`| regions | recall low | recall medium (with keyword) | false positives low / ${negatives.length} | false positives medium | precision low | precision medium | kinds hit at medium |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const regions of REGION_SETS) {
  const id = phoneNumberIn(regions);
  const docs = Array.from({ length: N }, () => {
    const v = national(pick(regions));
    const kw = rnd() < 0.7;
    return { kw, text: kw ? pick(WITH)(v) : pick(WITHOUT)(v) };
  });
  const r = docs.map((d) => ({ ...d, r: best(id, d.text) }));
  const low = r.filter((x) => x.r >= 0).length;
  const med = r.filter((x) => x.r >= rank('medium')).length;
  const medKw = r.filter((x) => x.kw && x.r >= rank('medium')).length;
  const kwDocs = r.filter((x) => x.kw).length;
  let fpLow = 0;
  let fpMed = 0;
  const kinds = new Map();
  for (const n of negatives) {
    const b = best(id, n.text);
    if (b >= 0) fpLow++;
    if (b >= rank('medium')) {
      fpMed++;
      kinds.set(n.kind, (kinds.get(n.kind) ?? 0) + 1);
    }
  }
  const p = (tp, fp) => (tp / Math.max(1, tp + fp)).toFixed(3);
  console.log(`| ${regions.join(', ')} | ${(low / N).toFixed(3)} | ${(med / N).toFixed(3)} (${(medKw / Math.max(1, kwDocs)).toFixed(3)}) | ${fpLow} | ${fpMed} | ${p(low, fpLow)} | ${p(med, fpMed)} | ${[...kinds].map(([k, c]) => `${k} ${c}`).join(', ') || '—'} |`);
}
