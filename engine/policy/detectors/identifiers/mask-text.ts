// Masks catalogue identifiers in free text that ends up in logs (an incident's subject): each match,
// at any confidence, is replaced by its redacted sample. Addresses (network, contact sets) stay: they
// are what an operator needs to read an incident, and the envelope carries them anyway.
import { IDENTIFIERS } from './catalogue.js';
import { KeywordContext, scanIdentifier } from './scan.js';

const MASKED = IDENTIFIERS.filter((id) => !id.sets.includes('network') && !id.sets.includes('pii-contact'));

export function maskIdentifiers(text: string): string {
  const spans: { start: number; end: number; sample: string }[] = [];
  const keywords = new KeywordContext(text);
  for (const id of MASKED) for (const m of scanIdentifier(id, text, keywords)) spans.push(m);
  if (spans.length === 0) return text;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // inside a span already masked
    // a sample with no star (a PEM header names only its kind) still hides nothing: star it whole
    out += text.slice(at, s.start) + (s.sample.includes('*') ? s.sample : '*'.repeat(Math.min(s.end - s.start, 24)));
    at = s.end;
  }
  return out + text.slice(at);
}
