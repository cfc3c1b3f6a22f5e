// The candidate pass must change the work, never the result: every catalogue identifier finds the
// same matches (offsets, confidence, samples, order) with and without it, on the bench:detect corpus,
// on values inserted into noise (also glued to neighbours and cut at window boundaries), and for
// generated patterns against generated texts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hardNegativeDocs, positiveDoc, SPECS, twinDoc } from '../../../bench/detect-corpus.mjs';
import { CandidatePlan, RangeStore } from './candidate-scan.js';
import { IDENTIFIER_SETS, IDENTIFIERS } from './identifiers/catalogue.js';
import { IdentifierScan } from './identifiers/scan.js';
import { regexFeatures, regexFirstChars } from './regex-features.js';

const WITH_PATTERN = IDENTIFIERS.filter((i) => i.pattern !== undefined);
const PLAN = new CandidatePlan(WITH_PATTERN.map((i) => i.pattern as RegExp));

/** Every identifier's matches both ways; returns the names that differ (expected: none). */
function differing(text: string, plan = PLAN, store?: RangeStore): string[] {
  const starts = plan.scan(text);
  const whole = new IdentifierScan(text);
  const near = new IdentifierScan(text, plan, store);
  const bad: string[] = [];
  for (const id of WITH_PATTERN) {
    const a = [...id.find(text)];
    const b = [...id.find(text, starts.for(id.pattern as RegExp))];
    if (JSON.stringify(a) !== JSON.stringify(b)) bad.push(`${id.name} find`);
    // with keyword context: confidence after supporting words, as policies see it
    if (JSON.stringify(whole.matches(id)) !== JSON.stringify(near.matches(id))) bad.push(`${id.name} matches`);
  }
  return bad;
}

/** Words without candidates of any catalogue pattern, long enough to make a text's ranges sparse. */
const PROSE = 'please review the attached figures and the agenda of the meeting on the budget of the north region '.repeat(40);

const NOISE = ['the', 'invoice', 'Total:', '2024-10-31', '1,234.56', '#883412', 'EUR', '-', '/', '+', '=', '.', ':', '//', '\n', '\t', 'aGVsbG8gd29ybGQ', 'Ü', 'é', '€', 'İ', '0x', '_', 'AKIA', 'ghp_', 'eyJ', 'sk_live_', 'xoxb-', 'https://', 'DE', 'IT', 'GB82'];

describe('candidate scan (differential: same matches as the whole-text scan)', () => {
  it('finds the same matches with one reused range store, text after text (as a window scanner does)', () => {
    const store = new RangeStore();
    const texts: string[] = [];
    for (const id of WITH_PATTERN) texts.push(`lead ${id.example} tail`, `${'0123456789 abcdefghij '.repeat(50)}${id.example}`, '');
    // long texts first, so later short ones sit in buffers that still hold the earlier texts' ranges
    texts.sort((a, b) => b.length - a.length);
    for (const t of [...texts, ...texts.reverse()]) expect(differing(t, PLAN, store), t).toEqual([]);
  });

  it('refuses starts whose store has since scanned another text (they would read its ranges)', () => {
    const store = new RangeStore();
    const id = WITH_PATTERN.find((i) => PLAN.covers(i.pattern as RegExp));
    if (id === undefined) throw new Error('no covered pattern');
    const first = PLAN.scan(`a ${id.example} b`, store);
    PLAN.scan('something else', store);
    expect(() => first.for(id.pattern as RegExp)).toThrow(/RG_POL_INTERNAL/);
  });

  it('covers the catalogue patterns it can read, so the test exercises the candidate path', () => {
    const covered = WITH_PATTERN.filter((i) => PLAN.covers(i.pattern as RegExp)).map((i) => i.name);
    expect(covered.length).toBeGreaterThan(WITH_PATTERN.length - 3);
    expect(covered).toContain('aws-secret-access-key');
    expect(covered).toContain('password-in-url');
    expect(covered).toContain('it-fiscal-code');
  });

  it('finds the same matches on the bench:detect corpus (positives, checksum twins, hard negatives)', () => {
    const docs: string[] = [];
    for (const name of Object.keys(SPECS)) {
      for (let i = 0; i < 25; i++) {
        docs.push(positiveDoc(name).text);
        const twin = twinDoc(name);
        if (twin !== undefined) docs.push(twin.text);
      }
    }
    docs.push(...hardNegativeDocs(25).map((d) => d.text));
    // one document at a time, and all of them as one text (many candidates of every kind at once)
    for (const d of docs) expect(differing(d), d).toEqual([]);
    expect(differing(docs.join('\n'))).toEqual([]);
  });

  it('finds the same matches for catalogue examples inserted into noise, glued or spaced', () => {
    const examples = IDENTIFIERS.map((i) => i.example);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...examples), fc.constantFrom(...NOISE), fc.string({ maxLength: 12 })), { maxLength: 40 }), fc.constantFrom('', ' ', '\n', '-', 'x'), (pieces, glue) => {
        const text = pieces.join(glue);
        expect(differing(text)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a value at every distance behind long candidate ranges that hold none (the bounded probe of 64 starts)', () => {
    const fillers = ['2024-10-31 ', '1234567890', 'AB12 CD34 ', 'aGVsbG8gd29y', '12 345 678 '];
    for (const id of WITH_PATTERN) {
      for (const [filler, dense] of fillers.flatMap((f) => [[f, true] as const, [f, false] as const])) {
        const lead = filler.repeat(Math.ceil(200 / filler.length));
        for (let at = 0; at <= 200; at += 1 + (at % 7)) {
          for (const glue of [' ', '']) {
            // alone the candidates cover the text (dense: the global regex runs on); inside prose they are
            // sparse (searched 64 starts at a time)
            const text = dense ? `${lead.slice(0, at)}${glue}${id.example} ${lead}` : `${PROSE}${lead.slice(0, at)}${glue}${id.example} ${lead}${PROSE}`;
            const near = [...id.find(text, PLAN.scan(text).for(id.pattern as RegExp))];
            expect(near, `${id.name} after ${at} of ${filler}`).toEqual([...id.find(text)]);
          }
        }
      }
    }
  });

  it('finds literals by their rarest character: at the start of the text, overlapping, sharing an anchor, cut before it', () => {
    // the GitLab prefixes share their anchor (`-`); `-----BEGIN ` is found by `B`, `xox` by `x` (overlapping in `xoxox`)
    const glpat = IDENTIFIERS.find((i) => i.name === 'gitlab-token')?.example ?? '';
    const gitlab = ['glpat-', 'glrt-', 'gldt-', 'glptt-', 'glcbt-'].map((p) => glpat.replace('glpat-', p));
    expect(glpat.startsWith('glpat-')).toBe(true);
    const key = IDENTIFIERS.find((i) => i.example.startsWith('-----BEGIN '))?.example ?? '';
    const slack = IDENTIFIERS.find((i) => i.example.startsWith('xox'))?.example ?? '';
    for (const text of [...gitlab, key, `${slack}`, `xo${slack}`, `${gitlab.join('-')}`, `--${key}`, `${key.slice(1)}`, `2024-10-31 ${gitlab.join(' 1-2 ')}`]) {
      for (let cut = 0; cut <= Math.min(text.length, 40); cut++) expect(differing(text.slice(cut))).toEqual([]);
    }
  });

  it('finds the same matches in each window when a value is cut at a window boundary', () => {
    for (const id of WITH_PATTERN) {
      const text = `lead ${id.example} tail ${id.example}`;
      for (let cut = 0; cut <= text.length; cut++) {
        expect(differing(text.slice(0, cut))).toEqual([]);
        expect(differing(text.slice(cut))).toEqual([]);
      }
    }
  });

  it('finds values right after a word, at every alignment of the word against the probes', () => {
    // A probe in a word that every class of its group holds moves the next probe to the word's end + the
    // stride: a value exactly as long as its class's minimum, one blank after the word, must still hold it.
    // One plan per pattern (with the whole catalogue, hex classes keep 'x' from being in all of them); '~'
    // is in no class, so probes land in the word, and the word is short, so no range of its own lets the
    // regex run on into the value.
    for (const id of WITH_PATTERN) {
      const re = id.pattern as RegExp;
      const plan = new CandidatePlan([re]);
      if (!plan.covers(re)) continue;
      for (let m = 0; m < 48; m++) {
        for (const word of ['x', 'xxxx', 'Q', '7']) {
          const text = `${'~'.repeat(m)}${word} ${id.example} ${'~'.repeat(60)}`;
          expect(JSON.stringify([...id.find(text, plan.scan(text).for(re))]), `${id.name}: ${text}`).toBe(JSON.stringify([...id.find(text)]));
        }
      }
    }
  });

  it('finds the same matches in long runs of token, base64 and digit characters', () => {
    const alphabets = ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', '0123456789', '0123456789 -', '0123456789abcdefABCDEF:.', 'abcdefghijklmnopqrstuvwxyz0123456789_-'];
    fc.assert(
      fc.property(fc.constantFrom(...alphabets), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 2 ** 30 }), (alphabet, length, seed) => {
        let s = seed;
        const next = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff);
        const text = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
        expect(differing(`x ${text} = ${text.slice(0, 40)}=`)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  // npm run bench's smtp-source body: lines of one digit and 77 'X'. Where the lower-case classes fit in
  // the first probe group's table they ride in its walks (upper case and digits), are reported there for
  // a run they all share, and their own group skips that run: values planted in, at the edges of and
  // between such runs, with runs the riders leave earlier or later than the group's own classes (lower
  // case or '_' glued on), must be found as the whole-text scan finds them — with the whole catalogue's
  // plan and with the example policies' (pii-eu and secrets), whose plan has 9 + 4 classes.
  it('finds the same matches in smtp-source-like text: values planted in and around long upper-case runs', () => {
    const example = new Set([...(IDENTIFIER_SETS.get('pii-eu') ?? []), ...(IDENTIFIER_SETS.get('secrets') ?? [])]);
    const policyPlan = new CandidatePlan(WITH_PATTERN.filter((i) => example.has(i.name)).map((i) => i.pattern as RegExp));
    // validation aside (a run of X is no AWS key): each pattern's own matches, with and without the plan
    const raw = (text: string, plan: CandidatePlan): string[] =>
      WITH_PATTERN.filter((i) => plan.covers(i.pattern as RegExp) && JSON.stringify(allMatches(i.pattern as RegExp, text, plan)) !== JSON.stringify(allMatches(i.pattern as RegExp, text))).map((i) => i.name);
    const line = (k: number, run = 'X'): string => `${k % 10}${run.repeat(Math.ceil(77 / run.length)).slice(0, 77)}`;
    const runs = ['X', 'AB12', 'Q', 'ZZ9'];
    // glue the riders' classes differ on ('_' '-' '.' '+' '/' '='), lower case, blanks
    const glue = ['', ' ', 'x', '_', 'ab', '-', '+', '/', '.', '='];
    let s = 7;
    const next = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff);
    for (const id of WITH_PATTERN) {
      for (const g of glue) {
        for (let place = 0; place < 3; place++) {
          const lines = Array.from({ length: 3 }, (_, k) => line(k, runs[next() % runs.length]));
          const row = lines[1] as string;
          const cut = 1 + (next() % row.length);
          lines[1] = place === 0 ? `${row.slice(0, cut)}${g}${id.example}${g}${row.slice(cut)}` : place === 1 ? `${id.example}${g}${row}` : `${row}${g}${id.example}`;
          const text = lines.join('\r\n');
          expect(differing(text), `${id.name}: ${text}`).toEqual([]);
          expect(differing(text, policyPlan), `${id.name} (example policies' plan): ${text}`).toEqual([]);
        }
      }
    }
    // A value of only the riders' classes (lower case) one character past a ridden run: their own group's
    // next probe after the run must still land in it. A run the riders leave at different steps while a
    // class of the first group goes on ('+' is in fi-hetu's class and the AWS secret key's, not the
    // others'): not reported as theirs, so a 40-character key around the '+' is still found.
    const fiscal = IDENTIFIERS.find((i) => i.name === 'it-fiscal-code')?.example.toLowerCase() ?? '';
    expect(fiscal).toHaveLength(16);
    for (const sep of [' ', '-', '\r\n', '.', '=']) {
      for (const n of [16, 17, 30, 40, 77]) {
        const text = `${line(1)}\r\n7${'X'.repeat(n)}${sep}${fiscal}\r\n${line(2)}`;
        expect(differing(text), text).toEqual([]);
        expect(differing(text, policyPlan), text).toEqual([]);
      }
    }
    for (const c of ['+', '/', '-', '.', '_', ' ']) {
      for (let k = 1; k < 40; k += 3) {
        const text = `${line(1)}\r\n${'X'.repeat(k)}${c}${'X'.repeat(39 - k)}\r\n${line(2)}\r\n${'Q'.repeat(k)}${c}${'Z'.repeat(68 - k)}`;
        expect(differing(text), text).toEqual([]);
        expect(raw(text, PLAN), text).toEqual([]);
        expect(raw(text, policyPlan), text).toEqual([]);
      }
    }
    // runs of exactly and about the riders' lengths (16, 40, 69, 93), alone and glued to lower case
    for (const n of [15, 16, 17, 39, 40, 41, 68, 69, 70, 92, 93, 94]) {
      for (const [a, b] of [['', ''], ['x', ''], ['', 'x'], ['_', '_'], ['a', 'b']]) {
        const text = ['1XXXX', `${a}${'X'.repeat(n)}${b}`, `${a}${'A1'.repeat(n).slice(0, n)}${b}`, line(3)].join('\r\n');
        expect(differing(text)).toEqual([]);
        expect(differing(text, policyPlan)).toEqual([]);
        expect(raw(text, policyPlan), text).toEqual([]);
      }
    }
  });
});

describe('candidate scan with riders (the example policies\' plan, where the lower-case classes ride in the upper-case walks)', () => {
  it('finds the same matches on random mixes of upper-case, lower-case and digit runs, examples and glue', () => {
    const example = new Set([...(IDENTIFIER_SETS.get('pii-eu') ?? []), ...(IDENTIFIER_SETS.get('secrets') ?? [])]);
    const policyPlan = new CandidatePlan(WITH_PATTERN.filter((i) => example.has(i.name)).map((i) => i.pattern as RegExp));
    const examples = IDENTIFIERS.filter((i) => example.has(i.name)).flatMap((i) => [i.example, i.example.toLowerCase(), i.example.toUpperCase()]);
    const run = (chars: string): fc.Arbitrary<string> => fc.tuple(fc.constantFrom(...chars.split('')), fc.integer({ min: 1, max: 100 }), fc.boolean()).chain(([c, n, mixed]) => (mixed ? fc.stringMatching(new RegExp(`^[${chars}]{${n}}$`)) : fc.constant(c.repeat(n))));
    const piece = fc.oneof(run('A-Z0-9'.replace('A-Z0-9', 'ABCXYZ0123456789')), run('abcxyz0123456789'), run('XQ'), fc.constantFrom(...examples), fc.constantFrom(' ', '\r\n', '_', '-', '+', '/', '.', '=', ':', 'x', 'X', '1'));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (pieces) => {
        const text = pieces.join('');
        expect(differing(text, policyPlan), text).toEqual([]);
        const bad = WITH_PATTERN.filter((i) => policyPlan.covers(i.pattern as RegExp) && JSON.stringify(allMatches(i.pattern as RegExp, text, policyPlan)) !== JSON.stringify(allMatches(i.pattern as RegExp, text)));
        expect(bad.map((i) => i.name), text).toEqual([]);
      }),
      { numRuns: 1500 },
    );
  });
});

/** The identifier loop reduced to its regex: every match of a global regex, with or without starts. */
function allMatches(re: RegExp, text: string, plan?: CandidatePlan): string[] {
  const g = new RegExp(re.source, re.flags);
  const sticky = new RegExp(re.source, `${re.flags}y`);
  const starts = plan?.scan(text).for(re);
  const out: string[] = [];
  for (let m = starts === undefined ? g.exec(text) : starts.exec(g, sticky, text); m !== null; m = starts === undefined ? g.exec(text) : starts.exec(g, sticky, text)) {
    out.push(`${m.index}:${m[0]}`);
    if (m[0] === '') g.lastIndex++;
  }
  return out;
}

// Small regexes over a small alphabet: literals, classes, quantifiers, groups, alternation, lookarounds
const ATOMS = ['a', 'b', 'ab', 'A', '1', '-', ' ', '\\d', '\\w', '\\s', '[ab]', '[a-c1]', '[^a]', '.', '\\.', '\\b'];
const regexArb: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => a + b),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `(?:${a}|${b})`),
    fc.tuple(tie('re'), fc.constantFrom('?', '*', '+', '{2}', '{1,3}', '{3,}')).map(([a, q]) => `(?:${a})${q}`),
    tie('re').map((a) => `(${a})`),
    fc.tuple(fc.constantFrom('(?<!', '(?<=', '(?=', '(?!'), fc.constantFrom(...ATOMS)).map(([l, a]) => `${l}${a})`),
    // lookarounds with alternatives, one-character ones among them (what the start test reads)
    fc.tuple(fc.constantFrom('(?<!', '(?<=', '(?=', '(?!'), fc.constantFrom(...ATOMS), fc.constantFrom(...ATOMS)).map(([l, a, b]) => `${l}${a}|${b})`),
  ),
})).re;

// A leading negative lookbehind, as the catalogue writes them: the start test skips positions after its characters
const boundedArb = fc
  .tuple(fc.constantFrom('[a1]', '[ab]|1-', '\\d|[ab] ', 'a|b|-', '[^ ]'), regexArb, fc.constantFrom('', '(?![ab])', '(?!\\d|a-)'))
  .map(([before, body, after]) => `(?<!${before})(?:${body})${after}`);

describe('regex features (differential over generated patterns)', () => {
  it('never skips a position where a generated pattern matches', () => {
    fc.assert(
      fc.property(regexArb, fc.constantFrom('g', 'gi'), fc.stringMatching(/^[abcAB1 \-.\n_]{0,60}$/), (source, flags, text) => {
        const re = new RegExp(source, flags);
        const plan = new CandidatePlan([re]);
        expect(allMatches(re, text, plan.covers(re) ? plan : undefined)).toEqual(allMatches(re, text));
      }),
      { numRuns: 3000 },
    );
  });

  it('never skips a position where a generated pattern with a leading negative lookbehind matches', () => {
    fc.assert(
      fc.property(boundedArb, fc.constantFrom('g', 'gi'), fc.stringMatching(/^[abcAB1 \-.\n_]{0,80}$/), (source, flags, text) => {
        const re = new RegExp(source, flags);
        const plan = new CandidatePlan([re]);
        expect(allMatches(re, text, plan.covers(re) ? plan : undefined)).toEqual(allMatches(re, text));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads literals and runs from catalogue-style patterns and refuses what it does not understand', () => {
    const shape = (re: RegExp): string | undefined =>
      regexFeatures(re)
        ?.map((f) => (f.kind === 'literal' ? `lit ${f.text}${f.folded ? '/i' : ''} @${f.minOffset}-${f.maxOffset}` : `run ${f.length} @${f.minOffset}-${f.maxOffset}`))
        .join(' | ');
    expect(shape(/(?<![A-Za-z0-9])AKIA[A-Z2-7]{16}/g)).toBe('run 20 @0-0');
    expect(shape(/[a-z]{2,5}:\/\/[^\s]+/g)).toBe('lit :// @2-5');
    expect(shape(/(?:sk|rk)_live_[0-9a-z]{4}/g)).toBe('lit sk_live_ @0-0 | lit rk_live_ @0-0');
    expect(shape(/x-----BEGIN/gi)).toBe('lit x-----begin/i @0-0');
    expect(shape(/(?<!\d)\d{11}(?!\d)/g)).toBe('run 11 @0-0');
    // unicode mode, property escapes, named backreferences, patterns that can match empty: scanned whole
    expect(shape(/\d{11}/gu)).toBeUndefined();
    expect(shape(new RegExp('\\p{L}{12}', 'g'))).toBeUndefined();
    expect(shape(/(?<a>x)\k<a>yyyyyy/g)).toBeUndefined();
    expect(shape(/\d*/g)).toBeUndefined();
    // nearly everything matches a single letter: not worth a pass
    expect(shape(/[a-z]/g)).toBeUndefined();
  });

  it('reads the characters a match can start with (past lookbehinds and optional parts)', () => {
    const first = (re: RegExp): string | undefined => {
      const c = regexFirstChars(re);
      return c === undefined ? undefined : [...c.ascii].map((v, i) => (v === 1 ? String.fromCharCode(i) : '')).join('') + (c.nonAscii ? '+U' : '');
    };
    expect(first(/(?<![A-Za-z0-9])(?:([XYZ])[ -]?(\d{7}))/g)).toBe('XYZ');
    expect(first(/(?:(IT ?)?(\d{2}))/g)).toBe('0123456789I');
    expect(first(/de ?\d/gi)).toBe('Dd');
    expect(first(/a*b|c/g)).toBe('abc');
    expect(first(/(a)?\1x/g)).toBe('ax');
    expect(first(/.x/g)).toContain('+U');
    // a pattern that can match empty starts anywhere
    expect(first(/a*/g)).toBeUndefined();
  });

  // (?<!B) M (?!A) with M's characters inside B and A: a match is a whole maximal run of M's characters,
  // so runs too long or too short for M are skipped (an exact feature); with a character of M outside B
  // or A, or a non-ASCII one, the pattern keeps its other features. Both must find what the regex finds.
  it('finds the same matches for patterns bounded by lookarounds of their own characters (exact runs)', () => {
    const BOUNDS = ['[ab1]', '[ab]', '[a-c1]', '\\w', '[^ ]', '[ab1-]'];
    const BODIES = ['a{2}', '[ab]{3}', 'a[ab1]{1,4}', '(?:a|b1){2}', '[ab]+', '1?a{2,3}', '[a1]{2}(?:[b1]{2})?', '(a)\\1'];
    fc.assert(
      fc.property(fc.constantFrom(...BOUNDS), fc.constantFrom(...BODIES), fc.constantFrom(...BOUNDS), fc.constantFrom('g', 'gi'), fc.stringMatching(/^[abcAB1 \-.\n_é]{0,80}$/), (before, body, after, flags, text) => {
        const re = new RegExp(`(?<!${before})${body}(?!${after})`, flags);
        const plan = new CandidatePlan([re]);
        expect(allMatches(re, text, plan.covers(re) ? plan : undefined)).toEqual(allMatches(re, text));
      }),
      { numRuns: 3000 },
    );
    const kind = (re: RegExp): string | undefined => regexFeatures(re)?.map((f) => (f.kind === 'exact' ? `exact ${f.length}-${f.maxLength}` : f.kind)).join(',');
    expect(kind(/(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g)).toBe('exact 40-40');
    expect(kind(/(?<![A-Za-z0-9])(?:[A-Z]?\d{8,9})(?![A-Za-z0-9])/g)).toBe('exact 8-10');
    // a space in the match but not in the bounds: the run can reach past the match, no exact feature
    expect(kind(/(?<![A-Za-z0-9])(?:\d{8}[ -]?[A-Z])(?![A-Za-z0-9])/g)).not.toContain('exact');
    // non-ASCII in the match: the scan's runs treat every non-ASCII character alike, no exact feature
    expect(kind(/(?<![^ ])[^ ]{12}(?![^ ])/g) ?? '').not.toContain('exact');
  });
});
