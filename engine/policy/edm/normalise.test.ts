import { describe, expect, it } from 'vitest';
import { halfSipHash, halfSipKey } from './half-siphash.js';
import { normaliseValue, scanTokens, TokenSpans } from './normalise.js';

describe('normaliseValue', () => {
  const cases: [string, string, string | undefined][] = [
    ['case and whitespace', '  Alice   SMITH ', 'alice smith'],
    ['punctuation between words', 'Smith,  John', 'smith john'],
    ['NFKC (full-width letters, ligature)', 'Ｓｍｉｔｈ ﬁne', 'smith fine'],
    ['typographic apostrophe', 'O’Brien', "o'brien"],
    ['e-mail address stays one word', 'Alice.Smith+dlp@Example.ORG', 'alice.smith+dlp@example.org'],
    ['IBAN with spaces', 'DE89 3704 0044 0532 0130 00', 'de89370400440532013000'],
    ['IBAN compact', 'de89370400440532013000', 'de89370400440532013000'],
    ['IBAN with a letter group', 'GB82 WEST 1234 5698 7654 32', 'gb82west12345698765432'],
    ['card with dashes', '4111-1111-1111-1111', '4111111111111111'],
    ['phone with parentheses and plus', '+1 (555) 010-0199', '15550100199'],
    ['date with slashes', '12/05/2024', '12052024'],
    ['address with a house number is words', '221B Baker Street', '221b baker street'],
    ['non-Latin name', 'Ёлка Иванова', 'ёлка иванова'],
    ['one character is left out', 'x', undefined],
    ['empty is left out', '  ', undefined],
    ['more than 4 words is left out', 'one two three four five', undefined],
  ];
  for (const [name, raw, want] of cases) {
    it(name, () => {
      const n = normaliseValue(raw);
      expect(n.kind === 'skip' ? undefined : n.value).toBe(want);
    });
  }
});

describe('HalfSipHash-2-4', () => {
  // reference vectors_hsip32 (key 00..07, message 00..len-1), little-endian tags
  const vectors = ['a9359f5b', '27475ab8', 'fa62a603', '8afee704', '2a6e4689', 'c5fab669', '5863fc23', '8bcf63c5'];
  const key = halfSipKey(Uint8Array.from({ length: 8 }, (_, i) => i));
  vectors.forEach((hex, len) => {
    it(`matches the reference vector for ${len} bytes`, () => {
      const tag = halfSipHash(key, Uint8Array.from({ length: len }, (_, i) => i));
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32LE(tag);
      expect(bytes.toString('hex')).toBe(hex);
    });
  });
});

describe('scanTokens over bytes (ASCII texts)', () => {
  it('gives the spans, flags and word hashes of the char-code scan (random ASCII corpus)', () => {
    let seed = 4242;
    const next = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    // every class the scan knows, weighted toward words, joiners at word ends and at the text's end
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789ABCZ@._'+-  \t\n()/,;:!?\"#$%&*<=>[]^`{|}~\u0000\u007f";
    const chars = new TokenSpans();
    const bytes = new TokenSpans();
    let words = 0;
    for (let t = 0; t < 500; t++) {
      const s = Array.from({ length: Math.floor(next() * 400) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
      scanTokens(s, chars, false);
      scanTokens(s, bytes, true);
      expect(bytes.count, s).toBe(chars.count);
      for (let i = 0; i < chars.count; i++) {
        const at = `${JSON.stringify(s)} token ${i}`;
        expect([bytes.start[i], bytes.end[i], bytes.flags[i], bytes.key[i]], at).toEqual([chars.start[i], chars.end[i], chars.flags[i], chars.key[i]]);
      }
      words += chars.count;
    }
    expect(words).toBeGreaterThan(10_000);
  });
});
