// US social security numbers AAA-GG-SSSS (dashes or spaces), never-issued ranges excluded.
import { HitCollector, type Hits } from './hits.js';

// Published in advertising, never valid for a person.
const KNOWN_INVALID = new Set(['078051120', '219099999', '123456789']);

export function isValidSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !KNOWN_INVALID.has(area + group + serial);
}

const SSN_LENGTH = 11;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isSeparator = (c: number): boolean => c === 45 || c === 32;
const isDigitOrDash = (c: number): boolean => isDigit(c) || c === 45;

/**
 * The hits of /(\d{3})([- ])(\d{2})\2(\d{4})/g over the text, each kept unless a digit or dash touches it.
 * A kept one never overlaps another match (the character before the later one would be a digit or a dash
 * of the earlier, or a space where the later one needs a digit), so each position can be tried on its own,
 * and every kept candidate is a group of 3, 2 and 4 digits. An 11-character candidate holds exactly one
 * of every 11th character, on a digit or on a separator between two: the probe there finds the whole
 * candidate from its own digit group (or the group before the separator).
 */
export function scanUsSsns(text: string): Hits {
  const hits = new HitCollector();
  const n = text.length;
  for (let i = SSN_LENGTH - 1; i < n; i += SSN_LENGTH) {
    const c = text.charCodeAt(i);
    let start: number;
    if (isDigit(c)) {
      let g = i;
      while (g > i - 4 && isDigit(text.charCodeAt(g - 1))) g--;
      let e = i + 1;
      while (e < g + 5 && isDigit(text.charCodeAt(e))) e++;
      start = e - g === 3 ? g : e - g === 2 ? g - 4 : e - g === 4 ? g - 7 : -1;
    } else if (isSeparator(c) && isDigit(text.charCodeAt(i + 1)) && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i - 2))) {
      // the separator after the area (3 digits before it) or after the group (2)
      start = isDigit(text.charCodeAt(i - 3)) ? i - 3 : i - 6;
    } else continue;
    if (start < 0 || !candidateAt(text, start)) continue;
    if (isDigitOrDash(text.charCodeAt(start - 1)) || isDigitOrDash(text.charCodeAt(start + SSN_LENGTH))) continue;
    const serial = text.slice(start + 7, start + 11);
    if (isValidSsn(text.slice(start, start + 3), text.slice(start + 4, start + 6), serial)) hits.add(`***-**-${serial}`);
  }
  return hits.done();
}

/** AAA, a dash or a space, GG, the same separator, SSSS at text[p]. */
function candidateAt(text: string, p: number): boolean {
  const sep = text.charCodeAt(p + 3);
  if (!isSeparator(sep) || text.charCodeAt(p + 6) !== sep) return false;
  for (const k of DIGIT_OFFSETS) if (!isDigit(text.charCodeAt(p + k))) return false;
  return true;
}
const DIGIT_OFFSETS = [0, 1, 2, 4, 5, 7, 8, 9, 10] as const;
