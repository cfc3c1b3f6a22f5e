// US social security numbers AAA-GG-SSSS (dashes or spaces), never-issued ranges excluded.
import { HitCollector, type Hits } from './hits.js';

// Boundaries are checked by hand: a leading lookbehind keeps V8 from scanning ahead for the first digit.
const CANDIDATE = /(\d{3})([- ])(\d{2})\2(\d{4})/g;
const DIGIT_OR_DASH = /[\d-]/;

// Published in advertising, never valid for a person.
const KNOWN_INVALID = new Set(['078051120', '219099999', '123456789']);

export function isValidSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !KNOWN_INVALID.has(area + group + serial);
}

export function scanUsSsns(text: string): Hits {
  const hits = new HitCollector();
  for (const m of text.matchAll(CANDIDATE)) {
    if (DIGIT_OR_DASH.test(text[m.index - 1] ?? '') || DIGIT_OR_DASH.test(text[m.index + m[0].length] ?? '')) continue;
    const [, area = '', , group = '', serial = ''] = m;
    if (isValidSsn(area, group, serial)) hits.add(`***-**-${serial}`);
  }
  return hits.done();
}

