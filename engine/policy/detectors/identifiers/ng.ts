// Nigeria: National Identification Number. NIMC issues 11 digits; the last is a Verhoeff check digit
// (as implemented by Presidio's NG_NIN recognizer). NIMC publishes no algorithm, so a match alone is low.
import { verhoeff } from './checksums.js';
import { bounded, regexIdentifier } from './identifier.js';

export const ngNin = regexIdentifier({
  name: 'ng-nin',
  description: 'Nigerian National Identification Number: 11 digits, Verhoeff check digit.',
  sets: ['pii-africa'],
  checksum: true,
  base: ['low'],
  pattern: bounded('\\d{11}'),
  validate: (m) => (verhoeff(m[0]) ? 'low' : undefined),
  keywords: ['nin', 'national identification number', 'national identity number', 'nimc', 'nigeria id'],
  window: 100,
  example: '12345678902',
  spec: 'NIMC National Identification Number (11 digits); Verhoeff check digit as in Presidio NG_NIN',
});

export const NG_IDENTIFIERS = [ngNin];
