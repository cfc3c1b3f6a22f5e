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

// Either separator in either place: the regex stays free of captures and back-references, which keeps its
// native scan fast; the separators are compared afterwards.
const CANDIDATE = /\d\d\d[- ]\d\d[- ]\d\d\d\d/g;

const isDigitOrDash = (c: number): boolean => (c >= 48 && c <= 57) || c === 45;

/**
 * The hits of /(\d{3})([- ])(\d{2})\2(\d{4})/g over the text, each kept unless a digit or dash touches it.
 * A kept one overlaps no other match of the looser CANDIDATE (the character before the later of two would
 * be a digit or a dash of the earlier, or a space where the later needs a digit), so CANDIDATE's matches
 * hold every kept one.
 */
export function scanUsSsns(text: string): Hits {
  const hits = new HitCollector();
  const re = new RegExp(CANDIDATE);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const at = m.index;
    if (text.charCodeAt(at + 3) !== text.charCodeAt(at + 6)) continue;
    if (isDigitOrDash(text.charCodeAt(at - 1)) || isDigitOrDash(text.charCodeAt(at + 11))) continue;
    const serial = text.slice(at + 7, at + 11);
    if (isValidSsn(text.slice(at, at + 3), text.slice(at + 4, at + 6), serial)) hits.add(`***-**-${serial}`);
  }
  return hits.done();
}
