import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.js';
import { cardBrand, isCardNumber, luhnValid, scanCreditCards } from './credit-card.js';
import { ibanValid, scanIbans } from './iban.js';
import { countKeywords, keywordHits, KeywordIndexBuilder } from './keywords.js';
import { compileRe2, scanRe2 } from './re2.js';
import { scanUsSsns } from './us-ssn.js';

describe('creditCardNumber', () => {
  it.each([
    ['4111111111111111', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['3530111333300000', 'jcb'],
    ['30569309025904', 'diners'],
  ])('recognises public test number %s as %s', (pan, brand) => {
    expect(cardBrand(pan)).toBe(brand);
    expect(isCardNumber(pan)).toBe(true);
    expect(scanCreditCards(`card: ${pan}.`).count).toBe(1);
  });

  it.each(['4111 1111 1111 1111', '4111-1111-1111-1111', '3782 822463 10005'])('finds %s with separators', (text) => {
    expect(scanCreditCards(`pay with ${text} today`).count).toBe(1);
  });

  it.each([
    ['4111111111111112', 'fails Luhn'],
    ['1234567812345670', 'Luhn-valid but no known issuer'],
    ['41111111111111110000', 'longer digit run'],
    ['order 4111111111111111999', 'embedded in a longer number'],
    ['4111  1111 1111 1111', 'double space'],
    ['phone +1 555 0100', 'too short'],
  ])('ignores %s (%s)', (text) => {
    expect(scanCreditCards(text).count).toBe(0);
  });

  it('redacts to first four and last four digits', () => {
    const hits = scanCreditCards('4111 1111 1111 1111 and 5555555555554444');
    expect(hits.count).toBe(2);
    expect(hits.samples).toEqual(['4111********1111', '5555********4444']);
    expect(hits.samples.join(' ')).not.toContain('4111111111111111');
  });

  it('implements Luhn', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });
});

describe('usSsn', () => {
  it('finds valid numbers with dashes or spaces and redacts all but the serial', () => {
    const hits = scanUsSsns('ssn 123-45-6780, also 234 56 7890');
    expect(hits.count).toBe(2);
    expect(hits.samples).toEqual(['***-**-6780', '***-**-7890']);
  });

  it.each(['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000', '078-05-1120', '123-45 6789', '1123-45-6789'])(
    'ignores %s',
    (text) => {
      expect(scanUsSsns(`id ${text} end`).count).toBe(0);
    },
  );
});

describe('iban', () => {
  it.each(['DE89370400440532013000', 'GB82WEST12345698765432', 'FR1420041010050500013M02606', 'NL91ABNA0417164300', 'CH9300762011623852957'])(
    'validates %s',
    (iban) => {
      expect(ibanValid(iban)).toBe(true);
      expect(scanIbans(`IBAN: ${iban}`).count).toBe(1);
    },
  );

  it('finds grouped IBANs and two in a row', () => {
    const hits = scanIbans('to DE89 3704 0044 0532 0130 00 or GB82 WEST 1234 5698 7654 32 thanks');
    expect(hits.count).toBe(2);
    expect(hits.samples).toEqual(['DE89**************3000', 'GB82**************5432']);
  });

  it.each([
    ['DE89370400440532013001', 'broken check digits'],
    ['GB82WEST1234569876543', 'wrong length for GB'],
    ['XX89370400440532013000', 'unknown country'],
    ['DE89370400440532013000X', 'runs on into more characters'],
  ])('rejects %s (%s)', (text) => {
    expect(scanIbans(text).count).toBe(0);
  });
});

describe('AhoCorasick', () => {
  it('finds overlapping words in one pass, ASCII and beyond', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers', 'grüße']);
    const found: string[] = [];
    ac.scan('ushers say grüße', (m) => found.push(`${m.word}@${m.start}`));
    expect(found.sort()).toEqual(['0@2', '1@1', '3@2', '4@11'].sort());
  });
});

describe('keywords', () => {
  const builder = new KeywordIndexBuilder();
  const ci = builder.add(['Project Falcon', 'secret'], false, true);
  const partial = builder.add(['secret'], false, false);
  const cs = builder.add(['ACME'], true, true);
  const index = builder.build();
  const hits = (ref: typeof ci, text: string): number => keywordHits(ref, countKeywords(index, text), index).count;

  it('matches case-insensitively on whole words by default', () => {
    expect(hits(ci, 'About PROJECT FALCON: top secret.')).toBe(2);
    expect(hits(ci, 'secretary')).toBe(0);
    expect(hits(partial, 'secretary')).toBe(1);
  });

  it('honours caseSensitive', () => {
    expect(hits(cs, 'ACME corp')).toBe(1);
    expect(hits(cs, 'acme corp')).toBe(0);
  });
});

describe('regex (RE2)', () => {
  it('translates flags i, m and s', () => {
    const re = compileRe2('^project.falcon$', 'ims');
    if (!re.ok) throw new Error(re.message);
    expect(scanRe2(re.re, 'intro\nPROJECT\nFALCON\nend').count).toBe(1);
    const strict = compileRe2('^project.falcon$');
    if (!strict.ok) throw new Error(strict.message);
    expect(scanRe2(strict.re, 'intro\nPROJECT\nFALCON\nend').count).toBe(0);
  });

  it.each([
    ['(a)\\1', 'backreferences'],
    ['foo(?=bar)', 'lookahead'],
    ['(?<!x)y', 'lookbehind'],
  ])('rejects %s with a hint about %s', (pattern, what) => {
    const re = compileRe2(pattern);
    expect(re.ok).toBe(false);
    if (!re.ok) expect(re.hint).toMatch(what === 'backreferences' ? /backreferences/ : /lookahead or lookbehind/);
  });

  it('runs a pathological pattern on long input in linear time (it terminates)', () => {
    const re = compileRe2('(a+)+$');
    if (!re.ok) throw new Error(re.message);
    expect(scanRe2(re.re, `${'a'.repeat(50_000)}!`).count).toBe(0);
  });

  it('redacts regex samples', () => {
    const re = compileRe2('secret-[0-9]+');
    if (!re.ok) throw new Error(re.message);
    expect(scanRe2(re.re, 'key secret-123456').samples).toEqual(['se*********56']);
  });
});
