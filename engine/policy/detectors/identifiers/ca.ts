// Canada: Social Insurance Number. Employment and Social Development Canada, "Social Insurance
// Number – Code of Practice": 9 digits, Luhn check digit; first digit 0 and 8 are never assigned.
import { luhn } from './checksums.js';
import { bounded, digitsOf, regexIdentifier } from './identifier.js';

export const caSin = regexIdentifier({
  name: 'ca-sin',
  description: 'Canadian Social Insurance Number: 9 digits (3-3-3), Luhn check digit, first digit not 0 or 8.',
  sets: ['pii-ca'],
  checksum: true,
  base: ['low', 'medium'],
  pattern: bounded('[1-79]\\d{2}([ -]?)\\d{3}\\1\\d{3}'),
  validate: (m) => (luhn(digitsOf(m[0])) ? (m[1] === '' ? 'low' : 'medium') : undefined),
  keywords: ['sin', 'social insurance', 'numéro d\'assurance sociale', 'nas', 'insurance number'],
  example: '130 692 544',
  spec: 'ESDC Social Insurance Number Code of Practice (Luhn check digit)',
});

export const CA_IDENTIFIERS = [caSin];
