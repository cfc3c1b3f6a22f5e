// Payment cards. Luhn: ISO/IEC 7812-1 annex B; issuer prefixes and lengths: ISO/IEC 7812 IIN
// ranges as published by the card schemes (the same table as the v1 creditCardNumber detector).
import { isCardNumber } from '../credit-card.js';
import { bounded, digitsOf, regexIdentifier } from './identifier.js';
import { redact } from '../hits.js';

export const creditCard = regexIdentifier({
  name: 'credit-card',
  description: 'Payment card number (PAN): 13-19 digits with a known issuer prefix, Luhn-valid; spaces or dashes allowed.',
  sets: ['financial', 'pci'],
  checksum: true,
  // 13-19 digits, one optional separator between digits; the group is a fixed-width unit, so no backtracking blow-up
  pattern: bounded('\\d(?:[ \\u00a0-]?\\d){12,18}'),
  validate: (m) => {
    const digits = digitsOf(m[0]);
    if (!isCardNumber(digits)) return undefined;
    return 'medium';
  },
  keywords: ['card', 'credit', 'debit', 'visa', 'mastercard', 'amex', 'american express', 'discover', 'jcb', 'diners', 'cvv', 'cvc', 'expiry', 'expiration', 'pan', 'kreditkarte', 'carte', 'tarjeta'],
  sample: (v) => redact(digitsOf(v), 4, 4),
  levels: ['medium', 'high'],
  example: '4111 1111 1111 1111',
  spec: 'ISO/IEC 7812-1 (Luhn, annex B) and the schemes\' IIN ranges',
});

export const CARD_IDENTIFIERS = [creditCard];
