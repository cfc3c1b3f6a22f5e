// Masks long numbers in free text that ends up in logs (the subject in an incident record):
// a card number, SSN or account number must never be written out in full.
import { redact } from './hits.js';

const NUMBER_RUN = /\d[\d \u00a0./-]{6,}\d/g;

export function maskNumbers(text: string): string {
  return text.replace(NUMBER_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    if (digits.length < 9) return run;
    return digits.length >= 13 ? redact(digits, 4, 4) : redact(digits, 0, 4);
  });
}
