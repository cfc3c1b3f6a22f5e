// Author-written patterns run on RE2 (linear time), so no policy can stall the gateway.
import { RE2JS } from 're2js';
import { HitCollector, redact, type Hits } from './hits.js';

export type Re2Compiled =
  | { readonly ok: true; readonly re: RE2JS }
  | { readonly ok: false; readonly message: string; readonly hint: string };

const FLAG_BITS: Readonly<Record<string, number>> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

// Bounds the work per text even for a pattern that matches nearly everywhere.
export const MAX_MATCHES_PER_TEXT = 10_000;

export function compileRe2(pattern: string, flags = ''): Re2Compiled {
  let bits = 0;
  for (const f of flags) {
    const bit = FLAG_BITS[f];
    if (bit === undefined) return { ok: false, message: `unknown regex flag "${f}"`, hint: 'use i, m and s' };
    bits |= bit;
  }
  try {
    return { ok: true, re: RE2JS.compile(pattern, bits) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `RE2 cannot compile ${JSON.stringify(pattern)}: ${message}`, hint: re2Hint(pattern) };
  }
}

/**
 * One alternation of every pattern, each keeping its own flags as an inline group ((?is:...)).
 * Undefined when there is nothing to combine or RE2 refuses the combined program (then each runs alone).
 */
export function compilePrefilter(patterns: readonly { pattern: string; flags: string }[]): RE2JS | undefined {
  if (patterns.length < 2) return undefined;
  const source = patterns.map((p) => (p.flags === '' ? `(?:${p.pattern})` : `(?${p.flags}:${p.pattern})`)).join('|');
  try {
    return RE2JS.compile(source);
  } catch {
    return undefined;
  }
}

function re2Hint(pattern: string): string {
  if (/\\[1-9]/.test(pattern)) return 'RE2 has no backreferences (\\1); match the alternatives explicitly';
  if (/\(\?<?[=!]/.test(pattern)) return 'RE2 has no lookahead or lookbehind; match the context or use \\b';
  if (/[*+?}][+]/.test(pattern)) return 'RE2 has no possessive quantifiers; drop the extra +';
  return 'see the RE2 syntax: https://github.com/google/re2/wiki/Syntax';
}

export function scanRe2(re: RE2JS, text: string): Hits {
  // test() runs on the DFA without captures: the common no-match case costs one fast pass
  if (!re.test(text)) return new HitCollector().done();
  const hits = new HitCollector();
  for (const m of re.matchAll(text)) {
    if (m[0] === '') continue;
    hits.add(redact(m[0], 2, 2));
    if (hits.count >= MAX_MATCHES_PER_TEXT) break;
  }
  return hits.done();
}

/** Whether any match exists (header patterns and presence checks). */
export function testRe2(re: RE2JS, text: string): boolean {
  return re.test(text);
}
