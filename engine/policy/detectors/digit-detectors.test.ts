// The card scan reads characters instead of running regexes over every digit run, and the SSN scan runs a
// looser regex; both must find exactly what the scans they replaced found, hit for hit and sample for sample. The replaced
// implementations are kept below verbatim (main 0b7af26's credit-card.ts and us-ssn.ts, bodies unchanged,
// `export` dropped) and compared with the new ones on seeded texts full of digits, separators and near
// misses, and on every issuer boundary.
import { describe, expect, it } from 'vitest';
import { seededWords, type SeededWords } from '../../../test/helpers/seeded-words.js';
import * as cards from './credit-card.js';
import { HitCollector, redact, type Hits } from './hits.js';
import * as ssns from './us-ssn.js';

// ---- the reference: credit-card.ts and us-ssn.ts before, verbatim ----

const before = (() => {
  // Payment card numbers: 13-19 digits with optional single spaces or dashes, known issuer, Luhn-valid. A
  // dash is any a reader takes for one between groups: '-', hyphen, non-breaking hyphen, figure, en and em
  // dash (U+2010-U+2014, windows-1252 0x96/0x97) and the minus sign (U+2212).

  // Inside a run: bounded repetition with digit guards on both sides, so a longer digit run is not a card.
  const CANDIDATE = /(?<![\d])\d(?:[ \u00a0\u2010-\u2014\u2212-]?\d){12,18}(?![\d])/g;
  const SEPARATORS = /[ \u00a0\u2010-\u2014\u2212-]/g;

  interface Brand {
    readonly name: string;
    readonly lengths: readonly number[];
    readonly prefix: (d: string) => boolean;
  }

  const range = (d: string, len: number, lo: number, hi: number): boolean => {
    const p = Number(d.slice(0, len));
    return p >= lo && p <= hi;
  };

  const BRANDS: readonly Brand[] = [
    { name: 'visa', lengths: [13, 16, 19], prefix: (d) => d.startsWith('4') },
    { name: 'mastercard', lengths: [16], prefix: (d) => range(d, 2, 51, 55) || range(d, 4, 2221, 2720) },
    { name: 'amex', lengths: [15], prefix: (d) => d.startsWith('34') || d.startsWith('37') },
    {
      name: 'discover',
      lengths: [16, 17, 18, 19],
      prefix: (d) => d.startsWith('6011') || d.startsWith('65') || range(d, 3, 644, 649) || range(d, 6, 622126, 622925),
    },
    { name: 'jcb', lengths: [16, 17, 18, 19], prefix: (d) => range(d, 4, 3528, 3589) },
    {
      name: 'diners',
      lengths: [14, 15, 16, 17, 18, 19],
      prefix: (d) => range(d, 3, 300, 305) || d.startsWith('3095') || d.startsWith('36') || d.startsWith('38') || d.startsWith('39'),
    },
  ];

  function luhnValid(digits: string): boolean {
    let sum = 0;
    let double = false;
    for (let i = digits.length - 1; i >= 0; i--) {
      let d = digits.charCodeAt(i) - 48;
      if (double) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      double = !double;
    }
    return sum % 10 === 0;
  }

  function cardBrand(digits: string): string | undefined {
    return BRANDS.find((b) => b.lengths.includes(digits.length) && b.prefix(digits))?.name;
  }

  function isCardNumber(digits: string): boolean {
    return cardBrand(digits) !== undefined && luhnValid(digits);
  }

  function scanCreditCards(text: string): Hits {
    const hits = new HitCollector();
    for (const run of digitRuns(text)) {
      for (const m of run.matchAll(CANDIDATE)) {
        const digits = m[0].replace(SEPARATORS, '');
        if (isCardNumber(digits)) hits.add(redact(digits, 4, 4));
      }
    }
    return hits.done();
  }

  const MIN_CARD_DIGITS = 13;

  const isDigit = (c: number): boolean => c >= 48 && c <= 57;
  /** Digits, space, no-break space and the dashes: what a written card number is made of. */
  const inSpan = (c: number): boolean => (c >= 48 && c <= 57) || c === 32 || c === 0xa0 || c === 45 || (c >= 0x2010 && c <= 0x2014) || c === 0x2212;

  /**
   * Maximal runs of digits, spaces, no-break spaces and dashes, trimmed to digits, holding 13+ digits. A run
   * that long is at least 13 characters, so probing every 13th character lands in each; a hit is widened
   * to its whole run. (Before: the regex /(?<![\d \u00a0-])[\d \u00a0-]{13,}/g, which stopped at every
   * space of prose; and before that /\d[\d \u00a0-]{11,}\d/g, retried at every digit.)
   */
  function* digitRuns(text: string): Generator<string> {
    const n = text.length;
    for (let i = MIN_CARD_DIGITS - 1; i < n; i += MIN_CARD_DIGITS) {
      if (!inSpan(text.charCodeAt(i))) continue;
      let b = i + 1;
      while (b < n && inSpan(text.charCodeAt(b))) b++;
      let a = i;
      while (a > 0 && inSpan(text.charCodeAt(a - 1))) a--;
      // text[b] is outside: the next run starts after it, so its 13th character is at b + 13 or later
      i = b;
      if (b - a < MIN_CARD_DIGITS) continue;
      while (a < b && !isDigit(text.charCodeAt(a))) a++;
      while (b > a && !isDigit(text.charCodeAt(b - 1))) b--;
      let digits = 0;
      for (let k = a; k < b; k++) if (isDigit(text.charCodeAt(k))) digits++;
      if (digits >= MIN_CARD_DIGITS) yield text.slice(a, b);
    }
  }
  return { BRANDS, luhnValid, cardBrand, isCardNumber, scanCreditCards, digitRuns };
})();

const ssnBefore = (() => {
  // US social security numbers AAA-GG-SSSS (dashes or spaces), never-issued ranges excluded.

  // Boundaries are checked by hand: a leading lookbehind keeps V8 from scanning ahead for the first digit.
  const CANDIDATE = /(\d{3})([- ])(\d{2})\2(\d{4})/g;
  const DIGIT_OR_DASH = /[\d-]/;

  // Published in advertising, never valid for a person.
  const KNOWN_INVALID = new Set(['078051120', '219099999', '123456789']);

  function isValidSsn(area: string, group: string, serial: string): boolean {
    const a = Number(area);
    if (a === 0 || a === 666 || a >= 900) return false;
    if (group === '00' || serial === '0000') return false;
    return !KNOWN_INVALID.has(area + group + serial);
  }

  function scanUsSsns(text: string): Hits {
    const hits = new HitCollector();
    for (const m of text.matchAll(CANDIDATE)) {
      if (DIGIT_OR_DASH.test(text[m.index - 1] ?? '') || DIGIT_OR_DASH.test(text[m.index + m[0].length] ?? '')) continue;
      const [, area = '', , group = '', serial = ''] = m;
      if (isValidSsn(area, group, serial)) hits.add(`***-**-${serial}`);
    }
    return hits.done();
  }
  return { isValidSsn, scanUsSsns };
})();

// ---- seeded texts: cards, near misses and SSNs among dates, numbers and words ----

const SEPARATORS = [' ', '\u00a0', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212'];
// next to the separators: not one of them, so a number written with these is not one candidate
const LOOKALIKES = ['\u2015', '\u2009', '\u200b', '\t', '\n', '.', ',', '/', '_', '\u00ad', '\u2009', '\u2215'];
const PREFIXES = ['4', '51', '55', '50', '56', '2221', '2220', '2720', '2721', '34', '37', '35', '6011', '6012', '65', '644', '649', '643', '622126', '622125', '622925', '622926', '3528', '3589', '3527', '3590', '300', '305', '306', '3095', '3096', '36', '38', '39', '1', '0', '7', '9'];

function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (before.luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}

function cardDigits(r: SeededWords): string {
  const prefix = r.next() < 0.8 ? r.pick(PREFIXES) : r.digits(1 + Math.floor(r.next() * 6));
  const length = 12 + Math.floor(r.next() * 9);
  const body = (prefix + r.digits(20)).slice(0, length - 1);
  return r.next() < 0.75 ? withLuhn(body) : body + r.digits(1);
}

/** The digits in groups: fours, or sizes at random; joined by one separator, now and then by two or a lookalike. */
function written(r: SeededWords, digits: string): string {
  const style = r.next();
  if (style < 0.2) return digits;
  const sep = r.pick(SEPARATORS);
  let out = '';
  for (let i = 0; i < digits.length; ) {
    const size = style < 0.6 ? 4 : 1 + Math.floor(r.next() * 6);
    if (i > 0) {
      const odd = r.next();
      out += odd < 0.06 ? sep + r.pick(SEPARATORS) : odd < 0.1 ? r.pick(LOOKALIKES) : odd < 0.25 ? r.pick(SEPARATORS) : sep;
    }
    out += digits.slice(i, i + size);
    i += size;
  }
  return out;
}

function ssnText(r: SeededWords): string {
  const area = r.pick(['000', '666', '900', '999', '078', '219', '123', '665', '667', '899', '001', r.digits(3), r.digits(3), r.digits(2), r.digits(4)]);
  const group = r.pick(['00', '05', '09', '45', r.digits(2), r.digits(2), r.digits(1), r.digits(3)]);
  const serial = r.pick(['0000', '1120', '9999', '6789', r.digits(4), r.digits(4), r.digits(4), r.digits(3), r.digits(5)]);
  const sep = r.pick(['-', '-', ' ', ' ', '\u2013', '\u00a0']);
  const sep2 = r.next() < 0.85 ? sep : r.pick(['-', ' ', '', '  ']);
  return `${area}${sep}${group}${sep2}${serial}`;
}

function piece(r: SeededWords): string {
  const k = r.next();
  if (k < 0.25) return written(r, cardDigits(r));
  if (k < 0.45) return ssnText(r);
  if (k < 0.55) return r.pick(['2024-10-31', '2024-10-31 2024-10-31', '12345 2024-10-31', '1,234.56', '#883412', '+1 555 0100']);
  if (k < 0.7) return r.digits(1 + Math.floor(r.next() * 22));
  if (k < 0.85) return r.word(1, 8);
  return r.pick([...SEPARATORS, ...LOOKALIKES, '  ', '--', ' - ']);
}

function text(r: SeededWords, pieces: number): string {
  let out = '';
  for (let i = 0; i < pieces; i++) {
    const glue = r.next();
    out += glue < 0.4 ? '' : glue < 0.7 ? r.pick(SEPARATORS) : glue < 0.85 ? ' ' : r.pick([...LOOKALIKES, 'x', 'ab', '9']);
    out += piece(r);
  }
  return out;
}

/** Texts on which the new scan and the old disagree (an expect per text would dominate the run time). */
class Differences {
  readonly found: string[] = [];
  compare(what: string, s: string, now: unknown, then: unknown): void {
    if (this.found.length < 5 && JSON.stringify(now) !== JSON.stringify(then)) this.found.push(`${what} ${JSON.stringify(s)}: ${JSON.stringify(now)} instead of ${JSON.stringify(then)}`);
  }
}

describe('card and SSN scans against the regex scans they replaced', () => {
  it('the same card and SSN hits and samples on 6,000 seeded texts rich in digits, separators and near misses', () => {
    const r = seededWords(913);
    const diff = new Differences();
    let cardHits = 0;
    let ssnHits = 0;
    for (let t = 0; t < 6000; t++) {
      const s = text(r, 1 + Math.floor(r.next() * 40));
      const card = cards.scanCreditCards(s);
      diff.compare('cards', s, card, before.scanCreditCards(s));
      const ssn = ssns.scanUsSsns(s);
      diff.compare('ssn', s, ssn, ssnBefore.scanUsSsns(s));
      cardHits += card.count;
      ssnHits += ssn.count;
    }
    expect(diff.found).toEqual([]);
    // the texts must hold real hits, or the comparison proves little
    expect(cardHits).toBeGreaterThan(1000);
    expect(ssnHits).toBeGreaterThan(500);
  });

  it('the same hits on long texts, where the probes step across many runs', () => {
    const r = seededWords(4242);
    const diff = new Differences();
    for (let t = 0; t < 40; t++) {
      const s = text(r, 500 + Math.floor(r.next() * 1500));
      diff.compare('cards', s, cards.scanCreditCards(s), before.scanCreditCards(s));
      diff.compare('ssn', s, ssns.scanUsSsns(s), ssnBefore.scanUsSsns(s));
    }
    expect(diff.found).toEqual([]);
  });

  it('the same hits for every SSN written at every offset of a short text', () => {
    // each candidate lands once under the probes, whatever characters come before it
    const r = seededWords(77);
    const diff = new Differences();
    for (let t = 0; t < 400; t++) {
      const core = ssnText(r);
      for (let lead = 0; lead < 12; lead++) {
        for (const edge of ['', ' ', '-', '1', 'a']) {
          const s = `${'x'.repeat(lead)}${edge}${core}${edge}${r.pick(['', ' ', '-', '5', ' 123-45-6780'])}`;
          diff.compare('ssn', s, ssns.scanUsSsns(s), ssnBefore.scanUsSsns(s));
        }
      }
    }
    expect(diff.found).toEqual([]);
  });

  it('the same hits on dense strings of digits, dashes and spaces, where candidates overlap', () => {
    // a match with mixed separators, or one touching a digit, must not hide a kept SSN next to it
    const r = seededWords(2026);
    const diff = new Differences();
    const alphabet = ['1', '2', '0', '9', '6', '-', ' ', '-', ' ', '\u00a0', '\u2013', '4', 'a'];
    for (let t = 0; t < 20_000; t++) {
      let s = r.next() < 0.5 ? ssnText(r) : '';
      const length = 11 + Math.floor(r.next() * 30);
      while (s.length < length) s += r.next() < 0.3 ? ssnText(r) : r.pick(alphabet);
      diff.compare('ssn', s, ssns.scanUsSsns(s), ssnBefore.scanUsSsns(s));
      diff.compare('cards', s, cards.scanCreditCards(s), before.scanCreditCards(s));
    }
    expect(diff.found).toEqual([]);
    for (const s of ['123-45 6789-12-3456', '123 45-6789 12 3456', '123-45-6789 12 3456', '234 56 7890 56 7890', '1234-56-7890', '123-45-67890'])
      expect(ssns.scanUsSsns(s), s).toEqual(ssnBefore.scanUsSsns(s));
  });

  it('the same card hits at every offset and with every neighbour of a number', () => {
    const r = seededWords(31);
    const diff = new Differences();
    // public test numbers, the shortest (13 digits, one character per digit) first
    const known = ['4222222222222', '4222 2222 22222', '30569309025904', '378282246310005', '4111111111111111', '6011-1111-1111-1117', '3530111333300000', '4111111111111111110'];
    for (let t = 0; t < 300; t++) {
      const core = known[t] ?? written(r, cardDigits(r));
      for (let lead = 0; lead < 14; lead++) {
        for (const edge of ['', ' ', '-', '\u00a0', '7', 'a', '  ']) {
          const s = `${'y'.repeat(lead)}${edge}${core}${edge}${r.pick(['', 'z', '4', ' 4111 1111 1111 1111'])}`;
          diff.compare('cards', s, cards.scanCreditCards(s), before.scanCreditCards(s));
        }
      }
    }
    expect(diff.found).toEqual([]);
  });

  it('the same digit runs as before', () => {
    const r = seededWords(5);
    const diff = new Differences();
    for (let t = 0; t < 1000; t++) {
      const s = text(r, 1 + Math.floor(r.next() * 30));
      diff.compare('runs', s, [...cards.digitRuns(s)], [...before.digitRuns(s)]);
    }
    expect(diff.found).toEqual([]);
  });
});

describe('issuer table', () => {
  const lengths = Array.from({ length: 9 }, (_, i) => 12 + i);

  it('the same brand as before for every four-digit prefix at every length', () => {
    const diff = new Differences();
    for (const length of lengths) {
      for (let p = 0; p < 10_000; p++) {
        for (const tail of ['00', '09', '21', '26', '92', '99']) {
          const digits = (String(p).padStart(4, '0') + tail + '0123456789012345').slice(0, length);
          diff.compare('brand', digits, cards.cardBrand(digits) ?? null, before.cardBrand(digits) ?? null);
        }
      }
    }
    expect(diff.found).toEqual([]);
  });

  it('the scan decides as before at both sides of every issuer range boundary, and on every two-digit prefix', () => {
    const prefixes = new Set<string>();
    for (const b of cards.BRANDS) {
      for (const [digits, lo, hi] of b.ranges) {
        const scale = 10 ** (6 - digits);
        for (const edge of [lo * scale, (hi + 1) * scale - 1]) for (let d = -2; d <= 2; d++) prefixes.add(String(edge + d).padStart(6, '0'));
      }
    }
    for (let p = 0; p < 100; p++) for (const tail of ['0000', '2126', '2925', '9999']) prefixes.add(String(p).padStart(2, '0') + tail);
    const r = seededWords(99);
    const diff = new Differences();
    let found = 0;
    for (const prefix of prefixes) {
      for (const length of lengths) {
        const body = (prefix + r.digits(20)).slice(0, length - 1);
        for (const digits of [withLuhn(body), body + r.digits(1)]) {
          for (const s of [`pan ${digits}.`, written(r, digits)]) {
            const hits = cards.scanCreditCards(s);
            diff.compare('cards', s, hits, before.scanCreditCards(s));
            found += hits.count;
          }
          diff.compare('isCardNumber', digits, cards.isCardNumber(digits), before.isCardNumber(digits));
        }
      }
    }
    expect(diff.found).toEqual([]);
    expect(found).toBeGreaterThan(100);
  });

  it('the redacted sample is built from the hit only', () => {
    const hits = new HitCollector();
    hits.add(redact('4111111111111111', 4, 4));
    expect(cards.scanCreditCards('a 4111\u20131111\u20131111\u20131111 b')).toEqual(hits.done() satisfies Hits);
  });
});
