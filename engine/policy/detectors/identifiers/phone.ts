// Phone numbers in international format (+CC …), validated against libphonenumber-js's full metadata
// (Google's libphonenumber data: ITU-T E.164 numbering plans per country). National-format numbers are
// left out: without a country they are indistinguishable from other digit runs.
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import { keywordRule, type Found, type Identifier } from './identifier.js';
import { redact } from '../hits.js';

// A '+' and up to 24 digits, spaces and punctuation: the longest E.164 number with its grouping.
// libphonenumber only ever sees these short slices, never the whole text (it is not linear on long input).
const CANDIDATE = /\+[ (]?\d[\d ().\u00a0/-]{4,24}\d/g;

function* findPhones(text: string): Generator<Found> {
  for (const m of text.matchAll(CANDIDATE)) {
    // the character before must not make the '+' part of a word or number
    if (/[\p{L}\p{N}+]/u.test(text[m.index - 1] ?? '')) continue;
    for (const f of findPhoneNumbersInText(m[0])) {
      if (!f.number.isValid()) continue;
      const start = m.index + f.startsAt;
      const end = m.index + f.endsAt;
      if (/[\p{L}\p{N}]/u.test(text[end] ?? '')) continue;
      yield { start, end, confidence: 'medium', sample: redact(f.number.number, 3, 2) };
    }
  }
}

export const phoneNumber: Identifier = Object.freeze({
  name: 'phone-number',
  description: 'Phone number in international format (+CC …), valid for its country per libphonenumber metadata.',
  sets: ['pii-contact'],
  checksum: false,
  find: findPhones,
  keywords: Object.freeze(['phone', 'tel', 'telephone', 'mobile', 'cell', 'fax', 'call', 'whatsapp', 'telefon', 'téléphone']),
  window: 60,
  withKeyword: keywordRule(false, undefined),
  levels: Object.freeze(['medium', 'high'] as const),
  example: '+44 20 7946 0958',
  spec: 'ITU-T E.164; Google libphonenumber metadata (via libphonenumber-js)',
});

export const PHONE_IDENTIFIERS = [phoneNumber];
