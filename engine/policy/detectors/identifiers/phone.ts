// Phone numbers, validated against libphonenumber-js's full metadata (Google's libphonenumber data:
// ITU-T E.164 numbering plans per country). The catalogue identifier finds international numbers
// (+CC …) only: without a country a national number is indistinguishable from other digit runs. A
// policy that names the regions it expects (`identifier: { name: phone-number, regions: [US, DE] }`)
// gets phoneNumberIn(regions), which also reads national numbers as numbers of those regions.
import { findPhoneNumbersInText, isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { keywordRule, type Confidence, type Found, type Identifier } from './identifier.js';
import { redact } from '../hits.js';

// A '+' and up to 24 digits, spaces and punctuation: the longest E.164 number with its grouping.
// libphonenumber only ever sees these short slices, never the whole text (it is not linear on long input).
const CANDIDATE = /\+[ (]?\d[\d ().\u00a0/-]{4,24}\d/g;
// The same without the '+': a national number may open with a digit or its area code in parentheses.
const NATIONAL_CANDIDATE = /[+(]?\d[\d ().\u00a0/-]{4,24}\d/g;
// Each scan caps its candidates, as the catalogue's patterns do: a text of digit runs costs bounded work.
const MAX_CANDIDATES = 10_000;

// the character before must not make the candidate part of a word or number
const joinsBefore = (text: string, at: number): boolean => /[\p{L}\p{N}+]/u.test(text[at - 1] ?? '');
const joinsAfter = (text: string, at: number): boolean => /[\p{L}\p{N}]/u.test(text[at] ?? '');

function* findPhones(text: string): Generator<Found> {
  let seen = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    if (++seen > MAX_CANDIDATES) return;
    if (joinsBefore(text, m.index)) continue;
    for (const f of findPhoneNumbersInText(m[0])) {
      if (!f.number.isValid()) continue;
      const start = m.index + f.startsAt;
      const end = m.index + f.endsAt;
      if (joinsAfter(text, end)) continue;
      yield { start, end, confidence: 'medium', sample: redact(f.number.number, 3, 2) };
    }
  }
}

const KEYWORDS = Object.freeze(['phone', 'tel', 'telephone', 'mobile', 'cell', 'fax', 'call', 'whatsapp', 'telefon', 'téléphone']);

export const phoneNumber: Identifier = Object.freeze({
  name: 'phone-number',
  description: 'Phone number in international format (+CC …), valid for its country per libphonenumber metadata; with regions: also national numbers of those regions.',
  sets: ['pii-contact'],
  checksum: false,
  find: findPhones,
  keywords: KEYWORDS,
  window: 60,
  withKeyword: keywordRule(false, undefined),
  levels: Object.freeze(['medium', 'high'] as const),
  example: '+44 20 7946 0958',
  spec: 'ITU-T E.164; Google libphonenumber metadata (via libphonenumber-js)',
});

export const PHONE_IDENTIFIERS = [phoneNumber];

/** Region codes libphonenumber has no numbering plan for (a policy naming one is refused at validation). */
export function unknownRegions(regions: readonly string[]): string[] {
  return regions.filter((r) => !isSupportedCountry(r));
}

/**
 * Phone numbers international or national in one of `regions` (ISO 3166-1 alpha-2, as the policy lists
 * them). An international number is medium, as in the catalogue; a national one is low: a valid
 * national number is still only a digit run that fits a numbering plan (order numbers do too), so it
 * reaches the default confidence (medium) only with a supporting keyword nearby ("call", "tel", …).
 * Its own name (phone-number/US,DE) keeps its scan apart from the catalogue's in a text's shared scan.
 */
export function phoneNumberIn(regions: readonly string[]): Identifier {
  const countries = regions.filter((r): r is CountryCode => isSupportedCountry(r));
  if (countries.length !== regions.length) throw new Error(`RG_POL_INTERNAL: unknown phone regions ${unknownRegions(regions).join(', ')}`);
  return Object.freeze({
    ...phoneNumber,
    name: `phone-number/${countries.join(',')}`,
    description: `Phone number in international format, or national format of ${countries.join(', ')}, valid per libphonenumber metadata.`,
    find: (text: string) => findRegional(text, countries),
    levels: Object.freeze(['low', 'medium', 'high'] as const),
  });
}

function* findRegional(text: string, countries: readonly CountryCode[]): Generator<Found> {
  let seen = 0;
  for (const m of text.matchAll(NATIONAL_CANDIDATE)) {
    if (++seen > MAX_CANDIDATES) return;
    if (joinsBefore(text, m.index)) continue;
    const international = m[0].startsWith('+');
    // one span once, whichever region reads it first (the policy's order)
    const spans = new Set<string>();
    for (const country of international ? [undefined] : countries) {
      for (const f of findPhoneNumbersInText(m[0], country === undefined ? undefined : { defaultCountry: country })) {
        if (!f.number.isValid()) continue;
        const start = m.index + f.startsAt;
        const end = m.index + f.endsAt;
        if (joinsAfter(text, end) || spans.has(`${start}:${end}`)) continue;
        spans.add(`${start}:${end}`);
        const confidence: Confidence = text[start] === '+' ? 'medium' : 'low';
        yield { start, end, confidence, sample: redact(f.number.number, 3, 2) };
      }
    }
  }
}
