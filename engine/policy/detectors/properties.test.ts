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
