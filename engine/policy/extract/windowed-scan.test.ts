// WindowedScan counts a long text window by window, each window scanned with the end of the one before
// (the overlap) and the overlap's own hits taken off again. Differential: on seeded generated texts whose
// values fall across window cuts and inside overlaps, the merged hits (counts and samples) are those of
// one scan of the whole text, through the text collector as it streams a body and with small windows
// cut the same way (line ends, else blanks; the overlap from a blank on), so that values cross many cuts.
import { describe, expect, it } from 'vitest';
import { policySet } from '../../../test/fixtures/policy/helpers.js';
import { seededWords } from '../../../test/helpers/seeded-words.js';
import { ByteBudget } from './byte-budget.js';
import { cutPoint, HOLD_CHARS, piecesCut, TextCollector, WINDOW_CHARS } from './text-collector.js';
import { RangeStore } from '../detectors/candidate-scan.js';
import type { Hits } from '../detectors/hits.js';
import { IDENTIFIERS } from '../detectors/identifiers/catalogue.js';
import { TextScan, WindowedScan } from '../detectors/text-scan.js';
import type { PolicySet } from '../policy-set.js';

const SET = policySet(`
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
    match: { keywords: { words: ["project falcon", "confidential"] } }
    action: { type: block }
  - name: pattern
    match: { regex: { pattern: "ord-[0-9]{4}", flags: "i" } }
    action: { type: block }
  - name: eu
    match: { identifiers: { set: pii-eu, confidence: low } }
    action: { type: block }
  - name: secrets
    match: { identifiers: { set: secrets, confidence: low } }
    action: { type: block }
`);

const VALUES = [
  ...IDENTIFIERS.map((i) => i.example),
  '4111 1111 1111 1111', '4111-1111-1111-1111', '5555555555554444', '4012888888881881', '4111111111111112',
  '078-05-1120', '536-90-4399', 'GB82 WEST 1234 5698 7654 32', 'DE89370400440532013000',
  'confidential', 'Project Falcon', 'ord-1234', 'ORD-9876', 'AKIAIOSFODNN7EXAMPLE',
];
const FILLER = ['the', 'quarterly', 'report', 'invoice', '2024-10-31', '1,234.56', '#883412', 'passport', 'iban', 'token', 'secret', 'é', '€'];
const GLUE = [' ', ' ', ' ', '\n', ', ', '\t'];

/** About `length` characters: filler words with values among them, lines of varying length (some long). */
function text(seed: number, length: number, valueEvery: number): string {
  let s = seed;
  const next = (): number => (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) >>> 4;
  const parts: string[] = [];
  let n = 0;
  while (n < length) {
    const piece = next() % valueEvery === 0 ? (VALUES[next() % VALUES.length] ?? '') : (FILLER[next() % FILLER.length] ?? '');
    const glue = next() % 40 === 0 ? '\n' : (GLUE[next() % GLUE.length] ?? ' ');
    parts.push(piece, glue);
    n += piece.length + glue.length;
  }
  return parts.join('');
}

const whole = (set: PolicySet, t: string): Hits[] => {
  const scan = new TextScan(set, t, new RangeStore());
  return set.textDetectors.map((_, id) => scan.hits(id));
};
// Samples in text order for the value detectors. A keyword detector's samples are its words in policy
// order within each scanned text and an identifier detector's its identifiers' in catalogue order, so
// their order (and which three identifiers show) depends on where windows begin: compared as a set and
// by number. Counts are compared for every detector.
const plain = (hits: readonly Hits[]): { count: number; samples: string[] | number }[] =>
  hits.map((h, id) => {
    const kind = SET.textDetectors[id]?.kind;
    return { count: h.count, samples: kind === 'identifier' ? h.samples.length : kind === 'keywords' ? [...h.samples].sort() : [...h.samples] };
  });

/** The text collector's cutting, with a window of `windowChars` and an overlap of `overlapChars`. */
function windowed(set: PolicySet, t: string, windowChars: number, overlapChars: number): Hits[] {
  const scan = new WindowedScan(set);
  let overlap = '';
  let at = 0;
  while (at < t.length) {
    const rest = t.slice(at, at + windowChars - overlap.length);
    const last = at + rest.length >= t.length;
    const cut = last ? rest.length : cutPoint(rest, false);
    const window = overlap + rest.slice(0, cut);
    scan.scan(window, overlap.length);
    at += cut;
    overlap = tail(window, overlapChars);
  }
  return [...scan.result()];
}

// text-collector.ts overlapOf with another overlap length
function tail(scanned: string, overlapChars: number): string {
  if (scanned.length <= overlapChars) return scanned;
  const from = scanned.length - overlapChars;
  for (let i = from; i < from + (overlapChars >> 1); i++) {
    const c = scanned.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09) return scanned.slice(i + 1);
  }
  return scanned.slice(from);
}

describe('WindowedScan (differential: windows merged as one scan of the whole text)', () => {
  it('counts and samples every value once with small windows, values across cuts and inside overlaps', () => {
    const found = SET.textDetectors.map(() => 0);
    for (let seed = 1; seed <= 12; seed++) {
      const t = text(seed, 40_000, 3 + (seed % 5));
      const expected = whole(SET, t);
      for (const [windowChars, overlapChars] of [[2_000, 400], [1_500, 700], [5_000, 300]] as const) {
        expect(plain(windowed(SET, t, windowChars, overlapChars)), `seed ${seed}, ${windowChars}/${overlapChars}`).toEqual(plain(expected));
      }
      expected.forEach((h, id) => (found[id] = (found[id] ?? 0) + h.count));
    }
    // every detector found something, so no comparison was of empty results
    expect(found.filter((n) => n === 0)).toEqual([]);
  });

  it('a streamed body through the text collector (held, then windows) gives the whole text scan', () => {
    const t = text(99, HOLD_CHARS + 6 * WINDOW_CHARS, 50);
    const collector = new TextCollector({ budget: new ByteBudget(Number.POSITIVE_INFINITY), scans: SET });
    // pieces of varying size, as a decoder hands them over
    for (let at = 0, k = 0; at < t.length; k++) {
      const size = [16_384, 3, 70_000, 9_000, 1][k % 5] ?? 1;
      collector.push(t.slice(at, at + size));
      at += size;
    }
    const got = collector.end();
    expect(got.text).toBe('');
    const expected = whole(SET, t);
    expect(expected.some((h) => h.count > 10)).toBe(true);
    expect(plain(got.prescanned ?? [])).toEqual(plain(expected));
  });
});

describe('the window cut read from the pieces held (differential: cutPoint of their join)', () => {
  it('is cutPoint of the first n characters joined, for seeded pieces, every n and both modes', () => {
    const r = seededWords(13);
    // line ends, tag ends and blanks sparse enough that each rule (line end, blank, none) decides some cuts
    const unit = (): string => r.pick(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '\n', ' ', '\t', '>', '<', 'xyz']);
    const seen = new Set<string>();
    for (let t = 0; t < 400; t++) {
      const sparse = t % 3 === 0;
      const pieces = Array.from({ length: 1 + Math.floor(r.next() * 7) }, () => Array.from({ length: 1 + Math.floor(r.next() * 12) }, () => (sparse && r.next() < 0.8 ? 'q' : unit())).join(''));
      const joined = pieces.join('');
      for (let n = 1; n <= joined.length; n++) {
        for (const markup of [false, true]) {
          const expected = cutPoint(joined.slice(0, n), markup);
          expect(piecesCut(pieces, n, markup), `${JSON.stringify(pieces)} n=${n} markup=${markup}`).toBe(expected);
          seen.add(expected === n ? 'none' : joined[expected - 1] ?? '');
        }
      }
    }
    // cuts after a line end, a tag end, a blank, a tab and at n itself all occurred
    expect([...seen].sort()).toEqual(['\t', '\n', ' ', '>', 'none'].sort());
  });
});
