// Long texts are scanned in windows; a value that straddles a window cut must still be found, once.
// Bodies and attachments that stream are cut by the text collector; long texts extracted from a file
// (an archive entry, a PDF) go through the same windows instead of one giant string.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildMessage, policySet } from '../../../test/fixtures/policy/helpers.js';
import { zip } from '../../../test/evasion/extraction-fixtures.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../analysis.js';
import { analyzeMessage } from './analyze.js';
import { EXTRACTED_HOLD_CHARS } from './facts.js';
import { evaluatePolicies, type Envelope } from '../decide/evaluate.js';
import { HOLD_CHARS, WINDOW_CHARS } from './text-collector.js';

const env: Envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };
const set = policySet(`
version: 1
policies:
  - name: cards
    match: { creditCardNumber: { min: 1 } }
    action: { type: block }
`);
const CARD = '4111 1111 1111 1111';

const streamed = (raw: Buffer): Readable => Readable.from((function* () {
  for (let i = 0; i < raw.length; i += 65_536) yield raw.subarray(i, i + 65_536);
})());

const cards = (a: MessageAnalysis): number => evaluatePolicies(set, a, env, { deadline: performance.now() + 60_000 }).matches.find((m) => m.policy === 'cards')?.counts['creditCardNumber'] ?? 0;

/** One line of `length` characters with no line end and the card across `at`. */
function lineWithCardAcross(length: number, at: number): string {
  // pseudo-random letters (compresses about 2:1, under any ratio limit), a blank every 8 characters
  let seed = 7;
  const letter = (): string => String.fromCharCode(97 + ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 26));
  const filler = Array.from({ length }, (_, i) => (i % 8 === 7 ? ' ' : letter())).join('');
  const start = at - 9;
  return `${filler.slice(0, start - 1)} ${CARD} ${filler.slice(start + CARD.length + 1)}`;
}

describe('windowed scanning with overlap', () => {
  it('a card straddling the first window cut of a long body line is found exactly once', async () => {
    // the first window is cut at the last blank of its first WINDOW_CHARS: put a blank inside the card there
    const text = lineWithCardAcross(HOLD_CHARS + 3 * WINDOW_CHARS, WINDOW_CHARS - 5);
    const raw = Buffer.from(`Subject: long\r\nContent-Type: text/plain\r\n\r\n${text}\r\n`);
    const whole = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
    expect(cards(whole)).toBe(1);
    const windowed = await analyzeMessage(streamed(raw), DEFAULT_ANALYSIS_LIMITS, undefined, set);
    expect(windowed.segments.some((s) => s.prescanned !== undefined)).toBe(true);
    expect(cards(windowed)).toBe(1);
  });

  it('a long text extracted from a zip is scanned in windows (not held whole), and a card across a cut is found once', async () => {
    const text = lineWithCardAcross(EXTRACTED_HOLD_CHARS + 3 * WINDOW_CHARS, WINDOW_CHARS - 5);
    const raw = await buildMessage({ text: 'see attached', attachments: [{ filename: 'export.zip', content: zip([{ name: 'export.txt', data: text }]) }] });
    const a = await analyzeMessage(streamed(raw), DEFAULT_ANALYSIS_LIMITS, undefined, set);
    const entry = a.segments.find((s) => s.label === 'export.zip/export.txt');
    expect(entry?.text).toBe('');
    expect(entry?.prescanned).toBeDefined();
    expect(cards(a)).toBe(1);
  });

  it('many cards, one per short line, count the same windowed as whole (nothing counted twice in the overlap)', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => (i % 997 === 0 ? `line ${i} card ${CARD}` : `line ${i} of ordinary text, nothing in it`));
    const raw = Buffer.from(`Subject: many\r\nContent-Type: text/plain\r\n\r\n${lines.join('\r\n')}\r\n`);
    const whole = cards(await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS));
    expect(whole).toBe(61);
    expect(cards(await analyzeMessage(streamed(raw), DEFAULT_ANALYSIS_LIMITS, undefined, set))).toBe(whole);
  });
});
