// Keyword counts of an ASCII text are taken while folding case in the automaton, not on a lower-cased
// copy; any other text is lower-cased as before. Both must count exactly what the copy would.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.js';
import { countKeywords, KeywordIndexBuilder, keywordHits } from './keywords.js';

const WORDS = ['project falcon', 'confidential', 'vertraulich', 'a.b', 'ÿes', 'kb', 'σας', 'x'];

/** The counts as they were taken before: on text.toLowerCase(), boundaries read there too. */
function reference(words: readonly string[], text: string): { any: number[]; whole: number[] } {
  const lower = text.toLowerCase();
  const any = words.map(() => 0);
  const whole = words.map(() => 0);
  const wordChar = (c: number): boolean => /[\p{L}\p{N}_]/u.test(String.fromCharCode(c));
  const ok = (outside: number, word: string, edge: number): boolean => !wordChar(word.charCodeAt(edge)) || outside < 0 || outside >= lower.length || !wordChar(lower.charCodeAt(outside));
  new AhoCorasick(words).scan(lower, (m) => {
    any[m.word] = (any[m.word] ?? 0) + 1;
    const w = words[m.word] ?? '';
    if (ok(m.start - 1, w, 0) && ok(m.end, w, w.length - 1)) whole[m.word] = (whole[m.word] ?? 0) + 1;
  });
  return { any, whole };
}

describe('case-insensitive keyword counts', () => {
  const b = new KeywordIndexBuilder();
  const refs = [b.add(WORDS, false, false), b.add(WORDS, false, true)];
  const index = b.build();
  const pieces = fc.constantFrom('Project Falcon', 'PROJECT FALCON', 'confidential', 'CONFIDENTIAL', 'Vertraulich', 'A.B', 'kB', '\u212aB', 'ŸES', 'ΣΑΣ', 'İ', 'X', ' ', '_', '-', '\n', 'é', 'word');

  it('counts what the lower-cased copy counts, for ASCII and non-ASCII texts', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(pieces, fc.string({ maxLength: 6 })), { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        const counts = countKeywords(index, text);
        const ref = reference(index.foldedWords, text);
        expect([...counts.folded.any]).toEqual(ref.any);
        expect([...counts.folded.whole]).toEqual(ref.whole);
        for (const ref0 of refs) expect(keywordHits(ref0, counts, index).count).toBe((ref0.wholeWord ? ref.whole : ref.any).reduce((x, y) => x + y, 0));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds keywords written in any case in an ASCII text', () => {
    const counts = countKeywords(index, 'About PROJECT FALCON: Confidential. project falcon');
    expect(counts.folded.whole[index.foldedWords.indexOf('project falcon')]).toBe(2);
    expect(counts.folded.whole[index.foldedWords.indexOf('confidential')]).toBe(1);
  });
});
