// IBANs: country code, check digits, BBAN of the country's registered length, mod-97 = 1.
import { HitCollector, redact, type Hits } from './hits.js';

// SWIFT IBAN registry lengths.
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28,
  CH: 21, CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18,
  FK: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22,
  IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18,
  NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31,
  SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29,
  VA: 22, VG: 24, XK: 20, YE: 30,
};

// Country + check digits, then 11-30 alphanumerics, optionally grouped by single spaces.
const CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}/g;

export function ibanValid(compact: string): boolean {
  if (IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < rearranged.length; i++) {
    const c = rearranged.charCodeAt(i);
    // digits stay, letters become 10..35 (two digits)
    rem = c <= 57 ? (rem * 10 + (c - 48)) % 97 : (rem * 100 + (c - 55)) % 97;
  }
  return rem === 1;
}

/** The IBAN at the start of a candidate: exactly its country's length, ending at a group or word boundary. */
function ibanIn(candidate: string, followedByWord: boolean): { compact: string; used: number } | undefined {
  const length = IBAN_LENGTHS[candidate.slice(0, 2)];
  if (length === undefined) return undefined;
  let compact = '';
  let i = 0;
  for (; i < candidate.length && compact.length < length; i++) if (candidate[i] !== ' ') compact += candidate[i];
  if (compact.length !== length) return undefined;
  // the IBAN must not run on into more alphanumerics without a space
  const runsOn = i < candidate.length ? candidate[i] !== ' ' : followedByWord;
  return runsOn ? undefined : { compact, used: i };
}

export function scanIbans(text: string): Hits {
  const hits = new HitCollector();
  // the scan is synchronous and calls nothing that scans again, so the one global regex serves every text
  const re = CANDIDATE;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const found = ibanIn(m[0], /[A-Za-z0-9]/.test(text[m.index + m[0].length] ?? ''));
    if (found === undefined || !ibanValid(found.compact)) continue;
    hits.add(redact(found.compact, 4, 4));
    // a second IBAN right after the first (one space apart) starts a new candidate
    re.lastIndex = m.index + found.used;
  }
  return hits.done();
}
