// scanEdm against the plain algorithm it shortcuts: every word, every n-gram of 2..MAX_WORDS words and
// every identifier sub-run (digit group to digit group, compacted) of a text looked up in the entries,
// no shape tables, memo, filter, digit list, byte copy or batching. After the scan's candidates are
// looked up, both must hold the same records with the same columns and the same common values.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEdmKey, writeNewKey } from './edm-key.js';
import { parseIndex } from './index-format.js';
import { writeIndexFile } from './index-file.js';
import { emptyFound, FANOUT, lookupValue, record, resolvePending, scanEdm, type EdmFound, type EdmIndex } from './lookup.js';
import { compactId, idRunWord, MAX_ID_CHARS, MAX_ID_GROUPS, MAX_WORDS, MIN_VALUE_CHARS, normaliseText, tokenize } from './normalise.js';
import { seededWords } from '../../../test/helpers/seeded-words.js';

/** Every candidate the rules of docs/edm.md allow, as strings (tokenize: the char-code scan). */
function candidates(text: string): Set<string> {
  const t = tokenize(normaliseText(text));
  const out = new Set<string>();
  const n = t.words.length;
  for (let i = 0; i < n; i++) {
    out.add(t.words[i] ?? '');
    for (let k = 2; k <= MAX_WORDS && i + k <= n; k++) out.add(t.words.slice(i, i + k).join(' '));
  }
  // identifier runs: maximal chains of run words joined by ID_GAP only
  let i = 0;
  while (i < n) {
    if (!idRunWord(t, i)) {
      i++;
      continue;
    }
    let end = i;
    while (end + 1 < n && t.idGap[end + 1] === true && idRunWord(t, end + 1)) end++;
    for (let a = i; a <= end; a++) {
      for (let b = a; b <= end && b - a < MAX_ID_GROUPS; b++) {
        if (t.digit[a] !== true || t.digit[b] !== true) continue;
        const v = compactId(t.words, a, b);
        if (v.length >= MIN_VALUE_CHARS && v.length <= MAX_ID_CHARS) out.add(v);
      }
    }
    i = end + 1;
  }
  return out;
}

function plainScan(index: EdmIndex, text: string): EdmFound {
  const found = emptyFound();
  for (const v of candidates(text)) record(index, found, lookupValue(index, v));
  return found;
}

/** What a found holds once looked up: records → columns, and the common ranges (as a set). */
function facts(found: EdmFound): { anchors: [number, number][]; common: string[]; commonColumns: number } {
  const common = new Set<string>();
  for (let c = 0; c < found.common.length; c += 2) common.add(`${found.common[c]}-${found.common[c + 1]}`);
  return { anchors: [...found.anchors].sort((a, b) => a[0] - b[0]), common: [...common].sort(), commonColumns: found.commonColumns };
}

const dir = mkdtempSync(join(tmpdir(), 'rg-edm-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scanEdm against the plain algorithm (random texts)', () => {
  const { next, pick, word, digits } = seededWords(9001);
  const common = ['müller', 'smith', 'o’brien', 'nguyen'];
  const records = Array.from({ length: 2000 }, (_, i) => ({
    email: `${word(2, 8)}.${i}@${word(3, 7)}.org`,
    iban: next() < 0.5 ? `DE${digits(2)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)}` : `GB${digits(2)} ${word(4, 4).toUpperCase()} ${digits(4)} ${digits(4)} ${digits(2)}`,
    name: i < FANOUT + 1 ? 'overfanout' : next() < 0.4 ? pick(common) : next() < 0.3 ? `${pick(['van', 'de', 'le'])} ${word(3, 8)}` : word(3, 10),
    phone: next() < 0.5 ? `+1 (${digits(3)}) ${digits(3)}-${digits(4)}` : `${digits(4)}-${digits(4)}-${digits(4)}-${digits(4)}`,
  }));
  let index: EdmIndex;
  beforeAll(async () => {
    const key = join(dir, 'edm.key');
    writeNewKey(key);
    const csv = join(dir, 'records.csv');
    writeFileSync(csv, `email,iban,name,phone\r\n${records.map((r) => `${r.email},${r.iban},${r.name},${r.phone}`).join('\r\n')}\r\n`);
    const out = join(dir, 'records.edm');
    const built = await writeIndexFile({ csv, columns: ['email', 'iban', 'name', 'phone'], keyFile: key, out });
    if (!built.ok) throw new Error(built.error.message);
    const parsed = parseIndex(readFileSync(out), out);
    const keys = readEdmKey(key);
    if (!parsed.ok || !keys.ok) throw new Error('round trip failed');
    index = { data: parsed.index, keys: keys.keys, path: out };
  });

  // a value as a message may write it: other case, separators dropped or changed, glued to punctuation
  const written = (v: string): string => {
    const r = next();
    if (r < 0.2) return v.replace(/ /g, '');
    if (r < 0.35) return v.replace(/ /g, pick(['-', '.', '/', '  ']));
    if (r < 0.5) return v.toUpperCase();
    if (r < 0.6) return `(${v})`;
    return v;
  };
  const filler = ['the', 'invoice', 'for', 'Dear', 'de', 'van', 'GB', 'id', '12', '4', 'x', 'Ёлка', 'ｆｕｌｌ', 'naïve', '—', 'a.b-c', '+44', '(0)'];

  for (const ascii of [true, false]) {
    it(`finds what every candidate would find, ${ascii ? 'ASCII texts (byte scan)' : 'texts with non-ASCII characters'}`, () => {
      let held = 0;
      for (let t = 0; t < 150; t++) {
        const parts: string[] = [];
        for (let k = 0; k < 80; k++) {
          const r = next();
          if (r < 0.35) parts.push(pick(filler));
          else if (r < 0.5) parts.push(word(1, 6), digits(1 + Math.floor(next() * 5)));
          else {
            const rec = pick(records);
            parts.push(written(rec[pick(['email', 'iban', 'name', 'phone'] as const)]));
          }
          parts.push(pick([' ', ' ', ', ', '\n', '; ', '-', '/', ' (', ') ']));
        }
        // repeated: the second half's words come from the memo
        let text = parts.join('') + '\n' + parts.slice(0, 40).join('');
        if (ascii) text = text.replace(/[^\u0000-\u007f]/g, ' ');
        else text = `Ёлка ${text}`;
        const want = facts(plainScan(index, text));
        const got = scanEdm(index, text);
        resolvePending(index, got);
        expect(facts(got), `text ${t}: ${JSON.stringify(text.slice(0, 200))}`).toEqual(want);
        held += want.anchors.length;
      }
      // the texts name many records: the comparison is not between two empty results
      expect(held).toBeGreaterThan(1500);
    });
  }
});
