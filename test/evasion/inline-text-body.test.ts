// "Can I get a card number past a body-only policy?" by declaring the body as another text type. A mail
// reader shows every inline text/* part (no attachment disposition) in the message body, as the gateway
// already read inline text/plain and text/html:
// text/enriched, text/richtext, text/markdown, text/csv, text/x-anything. A policy written `in: [body]`
// (to keep attachments out of a keyword rule, say) must see them; a text file with an attachment
// disposition stays an attachment. Each message is built here byte by byte and inspected as serve does.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { inspectMessage } from '../../engine/policy/inspect.js';
import { policySet } from '../fixtures/policy/helpers.js';
import { CARD } from './extraction-fixtures.js';

const policy = (where: string): string => `version: 1
policies:
  - name: cards-in-${where}
    match: { creditCardNumber: { min: 1, in: [${where}] } }
    action: { type: block }
`;
const BODY_ONLY = policy('body');
const ATTACHMENTS_ONLY = policy('attachments');

const HEAD = 'From: <alice@corp.example>\r\nTo: <bob@partner.example>\r\nSubject: figures\r\nMIME-Version: 1.0\r\n';
const crlf = (text: string): Buffer => Buffer.from(HEAD + text.replace(/\r?\n/g, '\r\n'), 'latin1');
const single = (headers: string, body: string): Buffer => crlf(`${headers}\n\n${body}\n`);
const mixed = (partHeaders: string, body: string, outer = 'multipart/mixed'): Buffer =>
  crlf(`Content-Type: ${outer}; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee below\n--b\n${partHeaders}\n\n${body}\n--b--\n`);
const LONG_PAD = `${'filler words without numbers '.repeat(40)}\n`.repeat(1200);

const env = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-inline' };
const settings = { budgetMs: 10_000, onFailure: 'tempfail' as const, onUnscannable: 'block' as const, limits: DEFAULT_ANALYSIS_LIMITS };
const verdict = async (yaml: string, raw: Buffer): Promise<string> => (await inspectMessage(policySet(yaml), raw, env, settings)).verdict.kind;

/** Where the analysis puts the text that holds the card's digits, to say what went wrong when a test fails. */
const locations = async (raw: Buffer): Promise<string> => {
  const a = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
  return JSON.stringify(a.segments.filter((s) => s.text.includes(CARD.slice(-4))).map((s) => [s.location, s.label]));
};

const INLINE_BODIES: readonly (readonly [string, Buffer])[] = [
  ['single-part text/enriched', single('Content-Type: text/enriched', `card <bold>${CARD}</bold>`)],
  ['single-part text/richtext', single('Content-Type: text/richtext', `card <bold>${CARD}</bold>`)],
  ['single-part text/markdown', single('Content-Type: text/markdown; charset=utf-8', `**card** ${CARD}`)],
  ['single-part text/x-anything', single('Content-Type: text/x-anything', `card ${CARD}`)],
  ['text/enriched alternative to text/plain', mixed('Content-Type: text/enriched', `card <bold>${CARD}</bold>`, 'multipart/alternative')],
  ['inline text/csv in multipart/mixed (Content-Disposition: inline)', mixed('Content-Type: text/csv\nContent-Disposition: inline', `name,card\nbob,${CARD}`)],
  ['inline text/markdown that has a file name (inline decides, as for text/plain)', mixed('Content-Type: text/markdown; name=notes.md\nContent-Disposition: inline; filename=notes.md', `card ${CARD}`)],
  ['base64 text/markdown body', single('Content-Type: text/markdown\nContent-Transfer-Encoding: base64', Buffer.from(`card ${CARD}`).toString('base64'))],
];

describe('inline text parts of any text type are body text', () => {
  it.each(INLINE_BODIES)('%s: a body-only card policy blocks', async (_name, raw) => {
    expect(await verdict(BODY_ONLY, raw), await locations(raw)).toBe('block');
  });

  // a spooled message (over the spool threshold) is inspected from a stream: the same parts, the same locations
  it.each(INLINE_BODIES)('%s, streamed: a body-only card policy blocks', async (_name, raw) => {
    expect((await inspectMessage(policySet(BODY_ONLY), Readable.from([raw]), env, settings)).verdict.kind, await locations(raw)).toBe('block');
  });

  it('an inline text/markdown body over 1 MiB (scanned while it streams), the card at its end', async () => {
    const raw = single('Content-Type: text/markdown', `${LONG_PAD}card ${CARD}`);
    expect(await verdict(BODY_ONLY, raw)).toBe('block');
  });

  // what already held: an attachment-disposed text file is an attachment, for both kinds of policy
  it.each([
    ['text/csv with a file name', mixed('Content-Type: text/csv; name=cards.csv\nContent-Disposition: attachment; filename=cards.csv', `name,card\nbob,${CARD}`)],
    ['text/enriched disposed as an attachment without a name', mixed('Content-Type: text/enriched\nContent-Disposition: attachment', `card <bold>${CARD}</bold>`)],
    ['text/plain disposed as an attachment', mixed('Content-Type: text/plain\nContent-Disposition: attachment; filename=cards.txt', `card ${CARD}`)],
  ])('%s stays an attachment: attachments-only blocks, body-only passes', async (_name, raw) => {
    expect(await verdict(ATTACHMENTS_ONLY, raw), await locations(raw)).toBe('block');
    expect(await verdict(BODY_ONLY, raw), await locations(raw)).toBe('pass');
  });

  it('control: a clean inline text/enriched body passes the body-only policy', async () => {
    expect(await verdict(BODY_ONLY, single('Content-Type: text/enriched', 'hello <bold>world</bold>'))).toBe('pass');
  });
});
