// identifier:/identifiers: conditions end to end: validated by the schema, compiled into shared
// detectors, evaluated over held and windowed texts, with redacted samples in the evidence.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildMessage, compileYaml, policySet } from '../../../../test/fixtures/policy/helpers.js';
import { checkAgainstSchema } from '../../../config/schema-check.js';
import { lookupSchema } from '../../../config/schema-registry.js';
import { parseSourceFile } from '../../../config/source-file.js';
import { DEFAULT_ANALYSIS_LIMITS } from '../../analysis.js';
import { analyzeMessage } from '../../extract/analyze.js';
import { evaluatePolicies, type Envelope } from '../../decide/evaluate.js';
import { HOLD_CHARS } from '../../extract/text-collector.js';

const env: Envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };

const POLICIES = `
version: 1
policies:
  - name: hetu-bulk
    match: { identifier: { name: fi-hetu, min: 3, confidence: high } }
    action: { type: block }
  - name: eu-pii
    match: { identifiers: { set: pii-eu, min: 2 } }
    action: { type: modify, addHeaders: { X-Pii: eu } }
  - name: secrets
    match: { identifiers: { set: secrets, in: [body, attachments] } }
    action: { type: redirect, to: [quarantine@corp.example] }
  - name: routing-any
    mode: monitor
    match: { identifier: { name: aba-routing, confidence: low } }
    action: { type: block }
  - name: cards-v1
    match: { creditCardNumber: {} }
    action: { type: block }
`;

const set = policySet(POLICIES);

async function verdict(text: string, subject = 'hello') {
  const msg = await analyzeMessage(await buildMessage({ subject, text }), DEFAULT_ANALYSIS_LIMITS);
  return evaluatePolicies(set, msg, env, { deadline: performance.now() + 60_000 });
}

const schemaErrors = (body: string) => {
  const lookup = lookupSchema('policy');
  if (!lookup.ok) throw new Error('no schema');
  const parsed = parseSourceFile('p.policy.yaml', `version: 1\npolicies:\n  - name: p\n    match: ${body}\n    action: { type: block }\n`);
  return checkAgainstSchema(parsed.source, parsed.data, lookup.schema);
};

describe('identifier conditions', () => {
  it('the schema accepts catalogue names and sets, and rejects unknown ones with a location', () => {
    expect(schemaErrors('{ identifier: { name: fi-hetu, min: 3, confidence: high } }')).toEqual([]);
    expect(schemaErrors('{ identifiers: { set: pii-eu, min: 5 } }')).toEqual([]);
    expect(schemaErrors('{ identifier: { name: fi-hetuu } }').map((d) => d.message).join()).toContain('did you mean "fi-hetu"');
    expect(schemaErrors('{ identifiers: { set: pii-mars } }').length).toBeGreaterThan(0);
    expect(schemaErrors('{ identifier: { name: iban, confidence: certain } }').length).toBeGreaterThan(0);
    expect(schemaErrors('{ identifier: { set: pii-eu } }').length).toBeGreaterThan(0);
  });

  it('equal conditions share one detector; different confidences share the per-text scan only', () => {
    const { policySet: s, diagnostics } = compileYaml(`
version: 1
policies:
  - { name: a, match: { identifier: { name: iban } }, action: { type: block } }
  - { name: b, match: { identifier: { name: iban, min: 2 } }, action: { type: block } }
  - { name: c, match: { identifier: { name: iban, confidence: high } }, action: { type: block } }
`);
    expect(diagnostics).toEqual([]);
    expect(s.textDetectors.length).toBe(2);
  });

  it('min and confidence: three HETUs with a keyword block, two do not', async () => {
    const three = 'Henkilötunnus list: 131052-308T, 010594Y9032, 020594X903P';
    const v = await verdict(three);
    expect(v.kind).toBe('block');
    const m = v.matches.find((x) => x.policy === 'hetu-bulk');
    expect(m?.counts).toEqual({ 'identifier:fi-hetu': 3 });
    expect(m?.samples.every((s) => s.startsWith('******'))).toBe(true);
    expect((await verdict('Henkilötunnus list: 131052-308T, 010594Y9032')).matches.map((x) => x.policy)).not.toContain('hetu-bulk');
    // without the keyword they are medium, below the high the policy asks for
    expect((await verdict('list: 131052-308T, 010594Y9032, 020594X903P')).matches.map((x) => x.policy)).not.toContain('hetu-bulk');
  });

  it('a set adds up its members: an IBAN and a NIF make two EU identifiers', async () => {
    const v = await verdict('IBAN DE89 3704 0044 0532 0130 00, DNI 12345678Z');
    const m = v.matches.find((x) => x.policy === 'eu-pii');
    expect(m?.counts).toEqual({ 'identifiers:pii-eu': 2 });
    expect(v.kind).toBe('modify');
  });

  it('in: limits where a set looks (a token in the subject is not seen by the body-only policy)', async () => {
    expect((await verdict('nothing here', 'key AKIAIOSFODNN7EXAMPLE')).matches.map((x) => x.policy)).not.toContain('secrets');
    const v = await verdict('here is my key AKIAIOSFODNN7EXAMPLE');
    expect(v.kind).toBe('redirect');
    expect(v.matches.find((x) => x.policy === 'secrets')?.samples).toEqual(['AKIA****************']);
  });

  it('v1 conditions keep working beside catalogue ones', async () => {
    const v = await verdict('card 4111 1111 1111 1111');
    expect(v.matches.find((x) => x.policy === 'cards-v1')?.counts).toEqual({ creditCardNumber: 1 });
  });

  it('a text longer than a window is scanned window by window with the same counts', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(i % 4000 === 7 ? `henkilötunnus 131052-308T line ${i}` : `line ${i} of ordinary text that says nothing much at all`);
    const body = lines.join('\r\n');
    expect(body.length).toBeGreaterThan(2 * HOLD_CHARS);
    const raw = Buffer.from(`From: <a@corp.example>\r\nSubject: big\r\n\r\n${body}\r\n`);
    const streamed = () => Readable.from([raw]);
    const windowed = await analyzeMessage(streamed(), DEFAULT_ANALYSIS_LIMITS, undefined, set);
    const whole = await analyzeMessage(streamed(), DEFAULT_ANALYSIS_LIMITS);
    expect(windowed.segments.some((s) => s.prescanned !== undefined)).toBe(true);
    const counts = (a: typeof whole) => evaluatePolicies(set, a, env, { deadline: performance.now() + 60_000 }).matches.find((m) => m.policy === 'hetu-bulk')?.counts;
    expect(counts(windowed)).toEqual({ 'identifier:fi-hetu': 10 });
    expect(counts(whole)).toEqual({ 'identifier:fi-hetu': 10 });
  });
});
