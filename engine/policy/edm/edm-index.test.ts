import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEdmKey, writeNewKey } from './edm-key.js';
import { hasSelective, isCommonHash, parseIndex } from './index-format.js';
import { writeIndexFile } from './index-file.js';
import { runEdmInfo } from '../../cli/edm.js';
import { countRecords } from './count-records.js';
import { entryHash, FANOUT, lookupSelective, lookupValue, resolvePending, scanEdm, type EdmIndex } from './lookup.js';
import { normaliseValue, T_ALPHA, T_AT, T_DIGIT, T_ID_WORD } from './normalise.js';
import { admits } from './word-shape.js';
import { seededWords } from '../../../test/helpers/seeded-words.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-edm-'));
const KEY = join(dir, 'edm.key');
const CSV = join(dir, 'customers.csv');
const OUT = join(dir, 'customers.edm');

// record 0..2 are distinct people; 3.. share the surname "Common" (more than FANOUT records)
const rows = [
  'email,iban,last_name,phone',
  'alice@example.org,DE89 3704 0044 0532 0130 00,Smith,+1 (555) 010-0199',
  '"bob@example.org","GB82 WEST 1234 5698 7654 32","O\'Neill, Jr",',
  'carol@example.org,FR14 2004 1010 0505 0001 3M02 606,van der Berg,555-0100',
  ...Array.from({ length: FANOUT + 4 }, (_, i) => `c${i}@example.org,,Common,`),
];

let index: EdmIndex;
beforeAll(async () => {
  writeNewKey(KEY);
  writeFileSync(CSV, `${rows.join('\r\n')}\r\n`);
  const built = await writeIndexFile({ csv: CSV, columns: ['email', 'iban', 'last_name', 'phone'], keyFile: KEY, out: OUT });
  if (!built.ok) throw new Error(built.error.message);
  const parsed = parseIndex(readFileSync(OUT), OUT);
  const key = readEdmKey(KEY);
  if (!parsed.ok || !key.ok) throw new Error('round trip failed');
  index = { data: parsed.index, keys: key.keys, path: OUT };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const columns = (text: string, min = 2) => countRecords(index, scanEdm(index, text), 0xf, min);

describe('edm index round trip', () => {
  it('records columns, records and the key fingerprint, never a value', () => {
    expect(index.data.columns).toEqual(['email', 'iban', 'last_name', 'phone']);
    expect(index.data.records).toBe(rows.length - 1);
    const bytes = readFileSync(OUT);
    for (const clear of ['alice', 'example.org', 'smith', 'Smith', '3704', 'de89370400440532013000', 'neill']) expect(bytes.includes(Buffer.from(clear))).toBe(false);
    expect(statSync(KEY).mode & 0o777).toBe(0o600);
  });

  it('finds two columns of one record written differently from the CSV', () => {
    expect(columns('Hi, ALICE@example.org here. IBAN: de89370400440532013000. Regards, Mrs. SMITH')).toEqual({ records: 1, columnSets: ['email+iban+last_name'] });
  });

  it('finds a phone number and a multi-word name', () => {
    expect(columns('call 555 0100 and ask for Mr Van  der Berg')).toEqual({ records: 1, columnSets: ['last_name+phone'] });
    expect(columns('call +1 555 010 0199, Smith')).toEqual({ records: 1, columnSets: ['last_name+phone'] });
  });

  it('finds a quoted CSV value with an embedded comma and quote', () => {
    expect(columns("O'Neill, Jr — GB82WEST12345698765432")).toEqual({ records: 1, columnSets: ['iban+last_name'] });
  });

  it('does not count one column, or columns of two different records', () => {
    expect(columns('alice@example.org only').records).toBe(0);
    expect(columns('alice@example.org and GB82 WEST 1234 5698 7654 32').records).toBe(0);
    expect(columns('alice@example.org', 1).records).toBe(1);
  });

  it('spends no lookup when the text cannot hold minColumns columns', () => {
    // (a filter false positive could add a second column; a third is one in ten thousand)
    const found = scanEdm(index, 'Smith');
    expect(found.pending.size).toBeGreaterThan(0);
    expect(countRecords(index, found, 0xf, 3).records).toBe(0);
    // still pending: nothing was looked up
    expect(found.pending.size).toBeGreaterThan(0);
    expect(found.anchors.size).toBe(0);
  });

  it('counts a common value only for a record a selective value found', () => {
    expect(columns('Common').records).toBe(0);
    expect(columns('Common', 1).records).toBe(0);
    expect(columns('c7@example.org, Mr Common')).toEqual({ records: 1, columnSets: ['email+last_name'] });
  });

  it('refuses a missing or short key', async () => {
    const short = join(dir, 'short.key');
    writeFileSync(short, 'secret\n');
    const r1 = await writeIndexFile({ csv: CSV, columns: ['email'], keyFile: short, out: join(dir, 'x.edm') });
    expect(r1.ok ? '' : r1.error.code).toBe('RG_EDM_KEY_SHORT');
    const r2 = await writeIndexFile({ csv: CSV, columns: ['email'], keyFile: join(dir, 'none.key'), out: join(dir, 'x.edm') });
    expect(r2.ok ? '' : r2.error.code).toBe('RG_EDM_KEY_MISSING');
  });

  it('names an unknown column by the header, not by content', async () => {
    const r = await writeIndexFile({ csv: CSV, columns: ['email', 'ssn'], keyFile: KEY, out: join(dir, 'x.edm') });
    expect(r.ok ? '' : r.error.code).toBe('RG_EDM_COLUMN_UNKNOWN');
    expect(r.ok ? '' : r.error.message).toContain('email, iban, last_name, phone');
  });

  it('reports a CSV error by line without the value', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'email\nok@example.org\n"unterminated@example.org\n');
    const r = await writeIndexFile({ csv: bad, columns: ['email'], keyFile: KEY, out: join(dir, 'x.edm') });
    expect(r.ok ? '' : r.error.message).toMatch(/line 3: a quoted field is not closed/);
    expect(r.ok ? '' : r.error.message).not.toContain('unterminated@');
  });
});

describe('corrupt indexes', () => {
  const good = () => readFileSync(OUT);
  it.each([
    ['a flipped bit', (b: Buffer) => { b[b.length >> 1] = (b[b.length >> 1] ?? 0) ^ 1; return b; }, 'RG_EDM_INDEX_CORRUPT'],
    ['truncation', (b: Buffer) => b.subarray(0, b.length - 7), 'RG_EDM_INDEX_CORRUPT'],
    ['an appended byte', (b: Buffer) => Buffer.concat([b, Buffer.from([0])]), 'RG_EDM_INDEX_CORRUPT'],
    ['a foreign file', () => Buffer.from('email,iban\nx,y\n'), 'RG_EDM_INDEX_FORMAT'],
    ['a future version', (b: Buffer) => { b.writeUInt32LE(99, 8); return b; }, 'RG_EDM_INDEX_VERSION'],
  ])('refuses %s', (_name, damage, code) => {
    const r = parseIndex(damage(good()), 'x.edm');
    expect(r.ok ? 'ok' : r.error.code).toBe(code);
  });
});

describe('format 1 indexes (HMAC-SHA-256 entries)', () => {
  // the version word is read before anything else, so the header of a format 1 file is all it takes
  const formatOne = () => {
    const b = Buffer.from(readFileSync(OUT));
    b.writeUInt32LE(1, 8);
    return b;
  };
  it('are refused with the file and the command that rebuilds them', () => {
    const r = parseIndex(formatOne(), 'data/customers.edm');
    expect(r.ok ? undefined : r.error).toMatchObject({
      code: 'RG_EDM_INDEX_VERSION',
      message: expect.stringMatching(/^data\/customers\.edm is index format version 1, written by an earlier relayguard; this relayguard reads version 2/),
      hint: expect.stringContaining('relayguard edm index CSV --columns ... --key-file KEY --out data/customers.edm'),
    });
  });
  it('edm info says the same and exits 1', () => {
    const old = join(dir, 'old.edm');
    writeFileSync(old, formatOne());
    const r = runEdmInfo(old, {});
    expect(r.exitCode).toBe(1);
    expect(r.errors).toContain(`error RG_EDM_INDEX_VERSION: ${old} is index format version 1`);
    expect(r.errors).toContain(`hint: rebuild it: relayguard edm index CSV`);
  });
});

describe('lookup order', () => {
  // countRecords looks up the busiest column last and may leave its candidates pending; resolving
  // every candidate first must give the same records and column sets, for every threshold and column set
  const pool = ['alice@example.org', 'DE89 3704 0044 0532 0130 00', 'Smith', '+1 (555) 010-0199', 'bob@example.org', 'GB82WEST12345698765432', "O'Neill, Jr",
    'carol@example.org', 'van der Berg', '555-0100', 'Common', 'c3@example.org', 'c11@example.org', 'the', 'invoice', 'smithers', 'de89 3704', 'Jones', 'order 4711'];
  const { next } = seededWords(12345);
  it('gives what resolving everything gives (300 random texts × column sets × thresholds)', () => {
    let matched = 0;
    for (let t = 0; t < 300; t++) {
      const text = Array.from({ length: 1 + Math.floor(next() * 8) }, () => pool[Math.floor(next() * pool.length)]).join(next() < 0.5 ? ' ' : ', ');
      for (const columnBits of [0xf, 0x7, 0x5, 0xc, 0x3]) {
        for (let min = 1; min <= 3; min++) {
          const phased = countRecords(index, scanEdm(index, text), columnBits, min);
          const full = scanEdm(index, text);
          resolvePending(index, full);
          expect(phased, `${text} / ${columnBits.toString(2)} / ${min}`).toEqual(countRecords(index, full, columnBits, min));
          if (phased.records > 0 && min >= 2) matched++;
        }
      }
    }
    // the texts do hold records: the comparison is not between two empty answers
    expect(matched).toBeGreaterThan(100);
  });
});

describe('word shapes', () => {
  it('summarise each column by classes and lengths, never values', () => {
    const [email, iban, lastName, phone] = index.data.shapes;
    // every e-mail value has an @ and letters; no IBAN or phone value is a letter-only word
    expect(admits(email ?? 0, T_ALPHA | T_AT | T_DIGIT, 17)).toBe(true);
    expect(admits(email ?? 0, T_ALPHA | T_ID_WORD, 17)).toBe(false);
    expect(admits(iban ?? 0, T_ALPHA | T_ID_WORD, 22)).toBe(false);
    expect(admits(iban ?? 0, T_ALPHA | T_DIGIT | T_ID_WORD, 22)).toBe(true);
    expect(admits(iban ?? 0, T_DIGIT | T_ID_WORD, 4)).toBe(false);
    expect(admits(lastName ?? 0, T_ALPHA | T_ID_WORD, 5)).toBe(true);
    expect(admits(lastName ?? 0, T_DIGIT | T_ID_WORD, 5)).toBe(false);
    expect(admits(phone ?? 0, T_DIGIT | T_ID_WORD, 7)).toBe(true);
    // "van der Berg" and "O'Neill, Jr" are the multi-word values: first words of 3 and 7 characters
    expect(admits(index.data.prefixShapes, T_ALPHA | T_ID_WORD, 3)).toBe(true);
    expect(admits(index.data.prefixShapes, T_ALPHA, 7)).toBe(true);
    expect(admits(index.data.prefixShapes, T_ALPHA | T_ID_WORD, 8)).toBe(false);
    expect(admits(index.data.prefixShapes, T_ALPHA | T_DIGIT | T_ID_WORD, 5)).toBe(false);
  });

  it('keep words no column looks like out of the candidates (no filter false positives for them)', async () => {
    // an index of e-mail addresses only: 3,000 distinct words without @ would give some 1% filter false positives
    const csv = join(dir, 'emails.csv');
    writeFileSync(csv, `email\r\n${Array.from({ length: 500 }, (_, i) => `user${i}@example.org`).join('\r\n')}\r\n`);
    const out = join(dir, 'emails.edm');
    const built = await writeIndexFile({ csv, columns: ['email'], keyFile: KEY, out });
    if (!built.ok) throw new Error(built.error.message);
    const parsed = parseIndex(readFileSync(out), out);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const emails = { data: parsed.index, keys: index.keys, path: out };
    const words = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}x${(i * 7919).toString(36)}`).join(' ');
    expect(scanEdm(emails, words).pending.size).toBe(0);
    expect(countRecords(emails, scanEdm(emails, `${words} user77@example.org`), 1, 1).records).toBe(1);
  });
});

describe('scan shortcuts (differential over a random corpus)', () => {
  // 3,000 random records; texts repeat words many times (the per-text word memo), write identifiers
  // with and without separators (the in-buffer identifier hash) and name surnames shared by more than
  // FANOUT records (the common-value table): no candidate the index holds may be dropped
  const { next, pick, word, digits } = seededWords(777);
  const surnames = Array.from({ length: 40 }, () => word(3, 9));
  const records = Array.from({ length: 3000 }, (_, i) => ({
    email: `${word(2, 8)}.${i}@${word(3, 7)}.org`,
    iban: `DE${digits(2)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(4)} ${digits(2)}`,
    // a few surnames are very common (hundreds of records), most rare; some are two words
    // and two sit at the threshold: FANOUT records (selective) and FANOUT + 1 (common)
    name: i < 2 * FANOUT + 1 ? (i < FANOUT ? 'atfanout' : 'overfanout') : next() < 0.5 ? pick(surnames.slice(0, 4)) : next() < 0.2 ? `${pick(['van', 'de', 'le'])} ${word(3, 8)}` : `${word(3, 10)}`,
    phone: `+49 ${digits(3)} ${digits(7)}`,
  }));
  let big: EdmIndex;
  beforeAll(async () => {
    const csv = join(dir, 'random.csv');
    writeFileSync(csv, `email,iban,name,phone\r\n${records.map((r) => `${r.email},${r.iban},${r.name},${r.phone}`).join('\r\n')}\r\n`);
    const out = join(dir, 'random.edm');
    const built = await writeIndexFile({ csv, columns: ['email', 'iban', 'name', 'phone'], keyFile: KEY, out });
    if (!built.ok) throw new Error(built.error.message);
    const parsed = parseIndex(readFileSync(out), out);
    if (!parsed.ok) throw new Error(parsed.error.message);
    big = { data: parsed.index, keys: index.keys, path: out };
  });
  const shuffleCase = (v: string) => [...v].map((c) => (next() < 0.3 ? c.toUpperCase() : c)).join('');
  // identifiers without separators, or with - and . inside groups (compacted away)
  const written = (column: 'email' | 'iban' | 'name' | 'phone', v: string) => {
    const r = next();
    if (column !== 'iban' && column !== 'phone') return shuffleCase(v);
    return r < 0.3 ? v.replace(/ /g, '') : r < 0.6 ? v.replace(/ /g, pick(['-', '.'])).replace(/^\+49[-.]/, '+49 ') : shuffleCase(v);
  };

  it('keeps every value the text holds, with its column, however often its words repeat', () => {
    const cols = ['email', 'iban', 'name', 'phone'] as const;
    let checked = 0;
    for (let t = 0; t < 200; t++) {
      const parts: string[] = [];
      const held: { value: string; column: number }[] = [];
      for (let k = 0; k < 60; k++) {
        const r = next();
        if (r < 0.5) parts.push(pick(['the', 'invoice', 'for', 'march', 'and', 'Dear', ...surnames.slice(0, 8)]));
        else if (r < 0.6) parts.push(word(2, 12), digits(4));
        else {
          const rec = pick(records);
          const c = Math.floor(next() * 4);
          const column = cols[c] ?? 'email';
          parts.push(written(column, rec[column]));
          const n = normaliseValue(rec[column]);
          if (n.kind !== 'skip') held.push({ value: n.value, column: c });
        }
        parts.push(pick([' ', ', ', '\n', '; ']));
      }
      // the same words again: the second time through, every word comes from the memo
      const text = parts.join('') + ' ' + parts.join('');
      const pending = scanEdm(big, text).pending;
      for (const { value, column } of held) {
        expect(((pending.get(value) ?? 0) >>> column) & 1, `${value} (column ${column}) in text ${t}`).toBe(1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(2000);
  });

  it('holds a hash in the common-value table exactly when its value has more than FANOUT entries', () => {
    const values = new Set<string>();
    for (const r of records) for (const v of [r.email, r.iban, r.name, r.phone]) {
      const n = normaliseValue(v);
      if (n.kind !== 'skip') values.add(n.value);
    }
    for (let i = 0; i < 2000; i++) values.add(word(2, 10));
    let common = 0;
    for (const v of values) {
      const { start, end } = lookupValue(big, v);
      const { hi, lo } = entryHash(big.keys, v);
      const isCommon = end - start > FANOUT;
      expect(isCommonHash(big.data.commonHashes, hi, lo), v).toBe(isCommon);
      expect(lookupSelective(big, v) === undefined, v).toBe(isCommon);
      if (isCommon) common++;
    }
    // the four frequent surnames at least: the table is not trivially empty; the threshold is exact
    expect(common).toBeGreaterThanOrEqual(5);
    expect(lookupSelective(big, 'atfanout')).toMatchObject({});
    expect(lookupSelective(big, 'overfanout')).toBeUndefined();
  });

  it('marks a record and column selective exactly when its value has at most FANOUT entries', () => {
    let selective = 0;
    records.forEach((r, rec) => {
      [r.email, r.iban, r.name, r.phone].forEach((v, column) => {
        const n = normaliseValue(v);
        const { start, end } = n.kind === 'skip' ? { start: 0, end: 0 } : lookupValue(big, n.value);
        const want = end > start && end - start <= FANOUT;
        expect(hasSelective(big.data, rec, column), `record ${rec} column ${column}`).toBe(want);
        if (want) selective++;
      });
    });
    // most values are selective, the frequent surnames (and overfanout) are not
    expect(selective).toBeGreaterThan(records.length * 3);
    expect(selective).toBeLessThan(records.length * 4);
  });
});
