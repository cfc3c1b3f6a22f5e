// TextScan's shortcuts must change the work, never the hits: one ASCII test shared by the detection text
// and the keyword scan, the candidate pass's grouped probes, the probed card digit runs, identifiers whose
// keywords are absent from the text. Every text detector of a policy set is compared, on seeded generated
// texts, with a reference built from the plain paths: each identifier regex over the whole text with its
// keywords looked up per match, card runs by the regex scan of before, keywords on the lower-cased copy.
import { describe, expect, it } from 'vitest';
import { policySet } from '../../../test/fixtures/policy/helpers.js';
import { RangeStore } from './candidate-scan.js';
import { isCardNumber } from './credit-card.js';
import { detectionText } from './detection-text.js';
import { HitCollector, type Hits, redact } from './hits.js';
import { scanIbans } from './iban.js';
import { IDENTIFIER_SETS, IDENTIFIERS } from './identifiers/catalogue.js';
import type { Identifier } from './identifiers/identifier.js';
import { identifierHits, type Match } from './identifiers/scan.js';
import { countKeywords, keywordHits } from './keywords.js';
import { scanRe2 } from './re2.js';
import { TextScan } from './text-scan.js';
import { scanUsSsns } from './us-ssn.js';
import type { PolicySet } from '../policy-set.js';

const sets = [...IDENTIFIER_SETS.keys()];
const POLICIES = `
version: 1
policies:
  - name: cards
    match: { creditCardNumber: {} }
    action: { type: block }
  - name: ssn
    match: { usSsn: {} }
    action: { type: block }
  - name: iban
    match: { iban: {} }
    action: { type: block }
  - name: words
    match: { keywords: { words: ["project falcon", "confidential", "vertraulich", "Σίγμα"] } }
    action: { type: block }
  - name: words-exact
    match: { keywords: { words: ["EUR", "Total"], caseSensitive: true, wholeWord: false } }
    action: { type: block }
  - name: pattern
    match: { regex: { pattern: "ord-[0-9]{4}", flags: "i" } }
    action: { type: block }
${sets.map((s) => `  - name: set-${s}\n    match: { identifiers: { set: ${s}, confidence: low } }\n    action: { type: block }`).join('\n')}
  - name: eu-medium
    match: { identifiers: { set: pii-eu, min: 2 } }
    action: { type: block }
  - name: secrets-high
    match: { identifiers: { set: secrets, confidence: high } }
    action: { type: block }
`;
const SET = policySet(POLICIES);

// ---- the reference: the plain paths, as the scan ran them before its shortcuts ----

const SPAN = /(?<![\d \u00a0-])[\d \u00a0-]{13,}/g;
const CANDIDATE = /(?<![\d])\d(?:[ \u00a0-]?\d){12,18}(?![\d])/g;

function referenceCards(text: string): Hits {
  const hits = new HitCollector();
  for (const m of text.matchAll(SPAN)) {
    const run = m[0].replace(/^[^\d]+|[^\d]+$/g, '');
    if (run.replace(/\D/g, '').length < 13) continue;
    for (const c of run.matchAll(CANDIDATE)) {
      const digits = c[0].replace(/[ \u00a0-]/g, '');
      if (isCardNumber(digits)) hits.add(redact(digits, 4, 4));
    }
  }
  return hits.done();
}

const isWordChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 95;

/** Every match of one identifier over the whole text, confidence raised by any keyword within its window. */
function referenceMatches(id: Identifier, text: string): Match[] {
  const lower = text.toLowerCase();
  const near = (k: string, from: number, to: number): boolean => {
    for (let i = lower.indexOf(k); i !== -1; i = lower.indexOf(k, i + 1)) {
      if (i >= from && i <= to && !isWordChar(lower.charCodeAt(i - 1)) && !isWordChar(lower.charCodeAt(i + k.length))) return true;
    }
    return false;
  };
  return [...id.find(text)].map((f) => {
    if (id.keywords.length === 0 || f.confidence === 'high') return f;
    const hit = id.keywords.some((k) => near(k, f.start - id.window - k.length, f.end + id.window));
    return hit ? { ...f, confidence: id.withKeyword(f.confidence) } : f;
  });
}

function reference(set: PolicySet, raw: string): Hits[] {
  const text = detectionText(raw);
  const byName = new Map<string, Match[]>();
  return set.textDetectors.map((d) => {
    switch (d.kind) {
      case 'creditCardNumber':
        return referenceCards(text);
      case 'usSsn':
        return scanUsSsns(text);
      case 'iban':
        return scanIbans(text);
      case 'regex':
        return scanRe2(d.re, text);
      case 'keywords':
        return keywordHits(d.ref, countKeywords(set.keywords, text), set.keywords);
      case 'identifier':
        return identifierHits(
          d.identifiers.map((id) => {
            let m = byName.get(id.name);
            if (m === undefined) byName.set(id.name, (m = referenceMatches(id, text)));
            return m;
          }),
          d.confidence,
        );
      case 'exactData':
        throw new Error('no exactData detector in this set');
      default: {
        const never: never = d;
        throw new Error(`unknown detector ${JSON.stringify(never)}`);
      }
    }
  });
}

// ---- generated texts ----

const PIECES = [
  ...IDENTIFIERS.map((i) => i.example),
  '4111 1111 1111 1111', '4111-1111-1111-1111', '5555555555554444', '4111\u00a01111\u00a01111\u00a01111', '4111111111111112',
  '078-05-1120', '536-90-4399', 'GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000',
  '0123456789', '2024-10-31', '1,234.56', '#883412', '12345', '+358', '19850101-1234',
  'confidential', 'CONFIDENTIAL', 'Project Falcon', 'vertraulich', 'ΣΊΓΜΑ', 'Σίγμα', 'EUR', 'Total', 'ord-1234',
  'nhs', 'NHS number', 'codice fiscale', 'pesel', 'hetu', 'steuer-id', 'passport', 'ssn', 'iban', 'routing', 'aws', 'secret', 'token', 'key',
  'the', 'quarterly', 'report', 'invoice', 'order', 'QUARTERLY', 'Tuesday', 'aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQ', 'AKIAIOSFODNN7EXAMPLE',
  '\u200b', '\u00ad', '\ud800', '\x7f', '\x80', '\u0000', '4111\u00001111\u00001111\u00001111', '\uff14\uff11\uff11\uff11', '\u0664\u0661\u0661\u0661', 'é', 'İ', '€', '\u00a0', '\t', '\n', '-', '.', '/', ':', '=', '+', '_',
];
const GLUE = [' ', ' ', ' ', '', '\n', '-', '.', ', ', '\u00a0'];

function texts(seed: number, count: number, maxPieces: number): string[] {
  let s = seed;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) >>> 4;
  const out: string[] = [];
  for (let t = 0; t < count; t++) {
    const n = next() % maxPieces;
    let text = '';
    for (let p = 0; p < n; p++) text += (PIECES[next() % PIECES.length] ?? '') + (GLUE[next() % GLUE.length] ?? '');
    out.push(text);
  }
  return out;
}

const scanned = (set: PolicySet, text: string, store?: RangeStore): Hits[] => {
  const scan = new TextScan(set, text, store);
  return set.textDetectors.map((_, id) => scan.hits(id));
};

describe('TextScan (differential: every detector as the plain paths find it)', () => {
  it('has a detector of every kind the shortcuts touch', () => {
    const kinds = new Set(SET.textDetectors.map((d) => d.kind));
    for (const k of ['creditCardNumber', 'usSsn', 'iban', 'regex', 'keywords', 'identifier']) expect(kinds).toContain(k);
  });

  it('finds the same hits on seeded generated texts, short and long, with one reused range store', () => {
    const store = new RangeStore();
    const found = SET.textDetectors.map(() => 0);
    for (const text of [...texts(1, 400, 40), ...texts(2, 40, 2000)]) {
      const hits = scanned(SET, text, store);
      expect(hits, text).toEqual(reference(SET, text));
      hits.forEach((h, id) => (found[id] = (found[id] ?? 0) + h.count));
    }
    // the texts hold something for every detector, so the comparison is not of empty results
    expect(found.filter((n) => n === 0)).toEqual([]);
  });

  it('raises confidence for a keyword near a value only where it stands as a word, in either case', () => {
    for (const id of IDENTIFIERS) {
      for (const k of id.keywords) {
        for (const text of [`${id.example} ${k}`, `${id.example} x${k}`, `${id.example} ${k}_`, `${k.toUpperCase()}: ${id.example}`, `${id.example} 7${k}9`]) {
          expect(scanned(SET, text), text).toEqual(reference(SET, text));
        }
      }
    }
  });

  it('finds the same hits in texts of one piece repeated (every alignment of runs against the probes)', () => {
    for (const piece of PIECES) {
      for (const glue of [' ', '', '\n']) {
        const text = Array.from({ length: 30 }, (_, i) => piece + glue.repeat(1 + (i % 3))).join('');
        expect(scanned(SET, text), text).toEqual(reference(SET, text));
      }
    }
  });
});
