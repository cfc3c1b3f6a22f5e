// Phone numbers in international format (+CC …), validated against libphonenumber-js's full metadata
// (Google's libphonenumber data: ITU-T E.164 numbering plans per country). National-format numbers are
// left out: without a country they are indistinguishable from other digit runs.
import { findPhoneNumbersInText } from 'libphonenumber-js/max';
import { keywordRule, type Found, type Identifier } from './identifier.js';
import { redact } from '../hits.js';

const MAYBE = /\+ ?\(?\d/;

function* findPhones(text: string): Generator<Found> {
  if (!MAYBE.test(text)) return;
  for (const f of findPhoneNumbersInText(text)) {
    if (!f.number.isValid()) continue;
    yield { start: f.startsAt, end: f.endsAt, confidence: 'medium', sample: redact(f.number.number, 3, 2) };
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
