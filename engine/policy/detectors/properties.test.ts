import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.js';
import { digitRuns, luhnValid, scanCreditCards } from './credit-card.js';

function naiveCount(text: string, word: string): number {
  let n = 0;
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) n++;
  return n;
}

function withLuhnDigit(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

describe('detector properties', () => {
  it('digitRuns finds exactly the runs the regex /\\d[\\d \\u00a0-]{11,}\\d/g finds that can hold a card', () => {
    const piece = fc.constantFrom('0', '4', '9', '12', '4111', ' ', '-', '\u00a0', 'a', '\n', '  ', '--');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), (parts) => {
        const text = parts.join('');
        const byRegex = (text.match(/\d[\d \u00a0-]{11,}\d/g) ?? []).filter((r) => r.replace(/\D/g, '').length >= 13);
        expect([...digitRuns(text)]).toEqual(byRegex);
      }),
      { numRuns: 2000 },
    );
  });

  it('digitRuns finds the runs of the regex scan it replaced, on long mixed texts (seeded)', () => {
    // the previous implementation: maximal runs by regex, trimmed to digits, 13+ digits
    const SPAN = /(?<![\d \u00a0-])[\d \u00a0-]{13,}/g;
    const byRegex = (text: string): string[] =>
      [...text.matchAll(SPAN)].map((m) => m[0].replace(/^[^\d]+|[^\d]+$/g, '')).filter((r) => r.replace(/\D/g, '').length >= 13);
    const pieces = ['4111 1111 1111 1111', '0123456789', '4', ' ', '-', '\u00a0', 'x', '\n', 'quarterly ', '1,234.56', '  '];
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff);
    for (let t = 0; t < 300; t++) {
      let text = '';
      const parts = next() % 200;
      for (let p = 0; p < parts; p++) text += pieces[(next() >>> 8) % pieces.length];
      expect([...digitRuns(text)], text).toEqual(byRegex(text));
    }
  });

  it('Aho-Corasick counts exactly what a naive search counts (overlaps, non-ASCII)', () => {
    const alphabet = fc.constantFrom('a', 'b', 'ab', 'ü', 'ß', ' ', '€');
    const word = fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 6 }), fc.array(alphabet, { maxLength: 60 }), (words, parts) => {
        const text = parts.join('');
        const counts = new Array<number>(words.length).fill(0);
        new AhoCorasick(words).scan(text, (m) => {
          counts[m.word] = (counts[m.word] ?? 0) + 1;
          expect(text.slice(m.start, m.end)).toBe(words[m.word]);
        });
        expect(counts).toEqual(words.map((w) => naiveCount(text, w)));
      }),
    );
  });

  // the locator (a word list of up to 32) skips text while no partial match is pending; a longer list
  // runs the automaton alone. Both must report the same occurrences, in the same order.
  it('Aho-Corasick with and without its locator: same matches, same order, exact and ASCII-folded', () => {
    const alphabet = fc.constantFrom('a', 'b', 'A', 'B', 'ab', 'aB', 'ü', '.', ' ', '\n', '\ud83d', '\ude00', '€', '|', '\\');
    const word = fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((p) => p.join(''));
    const filler = Array.from({ length: 40 }, (_, i) => `zz${i}q`);
    fc.assert(
      fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 6 }), fc.array(alphabet, { maxLength: 60 }), (words, parts) => {
        const text = parts.join('');
        const record = (ac: AhoCorasick, folded: boolean, t: string): string[] => {
          const out: string[] = [];
          const ok = folded ? ac.scanAsciiFolded(t, (m) => out.push(`${m.word}@${m.start}-${m.end}`)) : (ac.scan(t, (m) => out.push(`${m.word}@${m.start}-${m.end}`)), true);
          return ok ? out : ['not ascii'];
        };
        const lower = words.map((w) => w.toLowerCase());
        for (const [list, folded, t] of [[words, false, text], [lower, true, text], [lower, false, text.toLowerCase()]] as const) {
          const located = record(new AhoCorasick(list), folded, t);
          const plain = record(new AhoCorasick([...list, ...filler]), folded, t);
          expect(located).toEqual(plain);
        }
        const ascii = text.replace(/[^\x00-\x7f]/g, '');
        expect(record(new AhoCorasick(lower), true, ascii)).toEqual(record(new AhoCorasick(lower), false, ascii.toLowerCase()));
      }),
      { numRuns: 3000 },
    );
  });

  it('finds every Luhn-valid Visa number in prose and never reveals it in a sample', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{14}$/), fc.constantFrom(' ', '-', ''), fc.string({ maxLength: 20 }), (body, sep, prose) => {
        const pan = withLuhnDigit(`4${body}`);
        const written = sep === '' ? pan : pan.match(/.{1,4}/g)?.join(sep) ?? pan;
        const clean = prose.replace(/[\d -]/g, 'x');
        const hits = scanCreditCards(`${clean} ${written} ${clean}`);
        expect(hits.count).toBe(1);
        expect(hits.samples.join()).not.toContain(pan);
        expect(hits.samples[0]).toBe(`${pan.slice(0, 4)}********${pan.slice(-4)}`);
      }),
    );
  });
});
