import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CONFIDENCES } from './identifier.js';
import { IDENTIFIER_SETS, IDENTIFIERS, lookupIdentifier } from './catalogue.js';
import { IdentifierScan, KeywordContext, scanIdentifier } from './scan.js';

const schema = JSON.parse(await readFile('schemas/policy.schema.json', 'utf8')) as { definitions: Record<string, { enum?: string[] }> };

const scan = (name: string, text: string) => {
  const id = lookupIdentifier(name);
  if (id === undefined) throw new Error(name);
  return scanIdentifier(id, text, new KeywordContext(text));
};

describe('identifier catalogue', () => {
  it('the schema enum of names equals the catalogue, in order', () => {
    expect(schema.definitions.IdentifierName?.enum).toEqual(IDENTIFIERS.map((i) => i.name));
  });

  it('the schema enum of sets equals the catalogue sets', () => {
    expect(schema.definitions.IdentifierSet?.enum).toEqual([...IDENTIFIER_SETS.keys()]);
  });

  it('every identifier has positive and negative vectors in the table-driven tests', async () => {
    const files = await Promise.all(['vectors-national.test.ts', 'vectors-other.test.ts'].map((f) => readFile(`engine/policy/detectors/identifiers/${f}`, 'utf8')));
    const rows = files.join('\n').split(/\n\s*\{\n\s*name: /).slice(1);
    const covered = new Map(rows.map((r) => [/^'([^']+)'/.exec(r)?.[1], r]));
    for (const id of IDENTIFIERS) {
      const row = covered.get(id.name);
      expect(row, id.name).toBeDefined();
      expect(row, id.name).toMatch(/valid: \[\s*['`]/);
      expect(row, id.name).toMatch(/invalid: \[\s*['`]/);
    }
  });

  it.each(IDENTIFIERS.map((i) => [i.name, i] as const))('%s is complete and finds its own example', (name, id) => {
    expect(name).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(id.description.length).toBeGreaterThan(20);
    expect(id.spec.length).toBeGreaterThan(5);
    expect(id.sets.length).toBeGreaterThan(0);
    expect(id.levels.every((l) => CONFIDENCES.includes(l))).toBe(true);
    const found = scanIdentifier(id, `see ${id.example} here`, new KeywordContext(`see ${id.example} here`));
    expect(found.length).toBe(1);
    expect(id.levels).toContain(found[0]?.confidence);
  });

  it('names are unique', () => {
    expect(new Set(IDENTIFIERS.map((i) => i.name)).size).toBe(IDENTIFIERS.length);
  });
});

describe('confidence from supporting keywords', () => {
  it.each([
    ['aba-routing', '021000021', 'routing number: 021000021', 'low', 'high'],
    ['us-passport', 'A12345678', 'passport no A12345678', 'low', 'medium'],
    ['credit-card', '4111 1111 1111 1111', 'Visa 4111 1111 1111 1111', 'medium', 'high'],
    ['fi-hetu', '131052-308T', 'henkilötunnus 131052-308T', 'medium', 'high'],
    ['us-ssn', '536904399', 'SSN: 536904399', 'low', 'medium'],
    ['aws-secret-access-key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'low', 'high'],
  ])('%s: alone %s → with a keyword', (name, alone, withKeyword, base, raised) => {
    expect(scan(name, alone).map((m) => m.confidence)).toEqual([base]);
    expect(scan(name, withKeyword).map((m) => m.confidence)).toEqual([raised]);
  });

  it('a keyword outside the window does not count', () => {
    const far = `routing ${'x'.repeat(150)} 021000021`;
    expect(scan('aba-routing', far).map((m) => m.confidence)).toEqual(['low']);
    expect(scan('aba-routing', `021000021 ${'y'.repeat(80)} routing`).map((m) => m.confidence)).toEqual(['high']);
  });

  it('a keyword inside a longer word does not count', () => {
    expect(scan('aba-routing', 'rerouting 021000021').map((m) => m.confidence)).toEqual(['low']);
  });

  it('a mixed-case Ethereum address with a valid EIP-55 checksum is high, an unchecked one medium', () => {
    expect(scan('ethereum-address', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed')[0]?.confidence).toBe('high');
    expect(scan('ethereum-address', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed')[0]?.confidence).toBe('medium');
  });
});

describe('identifier hits', () => {
  it('counts matches at or above the confidence asked for', () => {
    const text = 'ABA 021000021 and 011000015; routing 122105155';
    const s = new IdentifierScan(text);
    const aba = [lookupIdentifier('aba-routing')!];
    expect(s.hits(aba, 'low').count).toBe(3);
    // "ABA" is within the window of the first two, "routing" of all three
    expect(s.hits(aba, 'high').count).toBe(3);
    expect(new IdentifierScan('021000021 011000015').hits(aba, 'medium').count).toBe(0);
  });

  it('a set counts a value that two members recognise once', () => {
    // 9 digits valid as an ABA routing number and, without separators, a bare SSN
    const ids = ['aba-routing', 'us-ssn'].map((n) => lookupIdentifier(n)!);
    const text = '122105155';
    expect(scan('aba-routing', text).length).toBe(1);
    expect(scan('us-ssn', text).length).toBe(1);
    expect(new IdentifierScan(text).hits(ids, 'low').count).toBe(1);
  });

  it('samples are redacted and never the value', () => {
    const s = new IdentifierScan('card 4111 1111 1111 1111, key AKIAIOSFODNN7EXAMPLE, hetu 131052-308T');
    const samples = ['credit-card', 'aws-access-key-id', 'fi-hetu'].flatMap((n) => s.hits([lookupIdentifier(n)!], 'low').samples);
    expect(samples).toEqual(['4111********1111', 'AKIA****************', '******308T']);
  });
});

describe('scanning is linear', () => {
  // texts shaped to make a backtracking pattern retry at every position
  const adversarial = [
    '1 '.repeat(60_000),
    '1-'.repeat(60_000),
    'A'.repeat(120_000),
    'a1'.repeat(60_000),
    'eyJ'.repeat(40_000),
    '@a.'.repeat(40_000),
    'ab:'.repeat(40_000),
    'Aa0/'.repeat(30_000),
    '12.'.repeat(40_000),
    'DE89 '.repeat(24_000),
  ];

  it.each(IDENTIFIERS.map((i) => [i.name, i] as const))('%s scans 120 KB of adversarial text quickly', (_, id) => {
    const start = performance.now();
    for (const text of adversarial) scanIdentifier(id, text, new KeywordContext(text));
    // generous for a shared 2-core machine; a quadratic pattern takes minutes here
    expect(performance.now() - start).toBeLessThan(3000);
  });
});

describe('identifier finds that overlap (each find walks its own regex copy)', () => {
  it('interleaved finds of one identifier on two texts, and a find after an abandoned one, give what one find at a time gives', () => {
    for (const id of IDENTIFIERS.filter((i) => i.pattern !== undefined)) {
      const a = `first ${id.example} and ${id.example}, then ${id.example}`;
      const b = `other ${id.example}; ${id.example}`;
      const alone = (t: string) => [...id.find(t)];
      const ia = id.find(a)[Symbol.iterator]();
      const ib = id.find(b)[Symbol.iterator]();
      const got: { a: unknown[]; b: unknown[] } = { a: [], b: [] };
      for (let done = 0; done < 2; ) {
        done = 0;
        const x = ia.next();
        if (x.done === true) done++;
        else got.a.push(x.value);
        const y = ib.next();
        if (y.done === true) done++;
        else got.b.push(y.value);
      }
      expect(got.a, id.name).toEqual(alone(a));
      expect(got.b, id.name).toEqual(alone(b));
      // abandoned after its first value, never closed: the next find must still start from the beginning
      const left = id.find(a)[Symbol.iterator]();
      left.next();
      expect(alone(b), id.name).toEqual(got.b);
      for (const first of id.find(a)) {
        expect(first, id.name).toEqual(alone(a)[0]);
        break; // closed by the loop: its copy is given back
      }
      expect(alone(a), id.name).toEqual(got.a);
    }
  });
});
