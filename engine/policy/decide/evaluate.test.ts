import { describe, expect, it } from 'vitest';
import { buildMessage, kdbx, policySet } from '../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS, type MessageAnalysis } from '../analysis.js';
import { analyzeMessage } from '../extract/analyze.js';
import { evaluatePolicies, type Envelope } from './evaluate.js';
import { inspectMessage } from '../inspect.js';

const env: Envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };
const later = (): number => performance.now() + 60_000;

const POLICIES = `
version: 1
policies:
  - name: block-cards
    severity: high
    match: { creditCardNumber: {} }
    action: { type: block, reply: "550 5.7.1 Card numbers may not leave corp" }
  - name: quarantine-falcon
    match: { keywords: { words: ["project falcon"] } }
    action: { type: redirect, to: [quarantine@corp.example] }
  - name: encrypt-confidential
    match: { keywords: { words: [confidential] } }
    action: { type: modify, addHeaders: { X-DLP-Encrypt: "yes" }, subjectPrefix: "[ENCRYPT] " }
  - name: tag-external
    scope: { recipients: ["*@partner.example"] }
    match: { regex: { pattern: "internal only", flags: i } }
    action: { type: modify, addHeaders: { X-DLP-Tag: external }, removeHeaders: [X-Internal] }
  - name: ssn-monitor
    mode: monitor
    match: { usSsn: {} }
    action: { type: block }
`;

async function verdictFor(text: string, extra: Partial<Envelope> = {}, yaml = POLICIES) {
  const msg = await analyzeMessage(await buildMessage({ text }), DEFAULT_ANALYSIS_LIMITS);
  return evaluatePolicies(policySet(yaml), msg, { ...env, ...extra }, { deadline: later() });
}

describe('evaluatePolicies', () => {
  it('passes a clean message with no edits', async () => {
    const v = await verdictFor('lunch at noon?');
    expect(v).toMatchObject({ kind: 'pass', matches: [], inspection: { status: 'ok' } });
    expect(v.headerEdits.add).toEqual([]);
  });

  it('block beats redirect and modify, with the policy reply', async () => {
    const v = await verdictFor('confidential: project falcon card 4111111111111111');
    expect(v.kind).toBe('block');
    if (v.kind === 'block') expect(v.reply).toEqual({ code: 550, enhanced: '5.7.1', text: 'Card numbers may not leave corp' });
    expect(v.matches.map((m) => m.policy)).toEqual(['block-cards', 'quarantine-falcon', 'encrypt-confidential']);
  });

  it('redirect beats modify, keeps modifications and records the original recipients', async () => {
    const v = await verdictFor('confidential: project falcon', { recipients: ['bob@partner.example', 'carol@partner.example'] });
    expect(v.kind).toBe('redirect');
    if (v.kind === 'redirect') expect(v.recipients).toEqual(['quarantine@corp.example']);
    expect(v.headerEdits.add).toEqual([
      { name: 'X-DLP-Encrypt', value: 'yes' },
      { name: 'X-Relayguard-Original-Recipients', value: 'bob@partner.example, carol@partner.example' },
    ]);
    expect(v.headerEdits.subjectPrefix).toBe('[ENCRYPT] ');
  });

  it('combines modifications of several policies', async () => {
    const v = await verdictFor('confidential and INTERNAL ONLY');
    expect(v.kind).toBe('modify');
    expect(v.headerEdits).toEqual({
      add: [
        { name: 'X-DLP-Encrypt', value: 'yes' },
        { name: 'X-DLP-Tag', value: 'external' },
      ],
      remove: ['x-internal'],
      subjectPrefix: '[ENCRYPT] ',
    });
  });

  it('scopes by recipient glob', async () => {
    const v = await verdictFor('internal only', { recipients: ['dave@corp.example'] });
    expect(v.kind).toBe('pass');
  });

  it('monitor mode records the match and enforces nothing', async () => {
    const v = await verdictFor('employee 123-45-6780');
    expect(v.kind).toBe('pass');
    expect(v.matches).toEqual([{ policy: 'ssn-monitor', severity: 'medium', mode: 'monitor', action: 'block', counts: { usSsn: 1 }, samples: ['***-**-6780'] }]);
  });

  it('counts matches and never puts a full number in samples', async () => {
    const v = await verdictFor('4111111111111111 / 5555 5555 5555 4444 / 4111111111111111');
    const m = v.matches[0];
    expect(m?.counts).toEqual({ creditCardNumber: 3 });
    expect(m?.samples).toEqual(['4111********1111', '5555********4444']);
    expect(JSON.stringify(v)).not.toMatch(/4111111111111111|5555555555554444/);
  });

  it('honours min thresholds, in: locations, all/not nesting, attachments and sizes', async () => {
    const yaml = `
version: 1
policies:
  - name: two-cards-in-body
    match: { creditCardNumber: { min: 2, in: [body] } }
    action: { type: block }
  - name: keepass-not-from-it
    match:
      all:
        - attachment: { extensions: [".kdbx"], types: ["application/x-keepass*"], maxBytes: 1000 }
        - not: { header: { name: X-IT-Approved, pattern: "^yes$" } }
        - messageSize: { maxBytes: 100000 }
        - recipientCount: { max: 5 }
    action: { type: redirect, to: [quarantine@corp.example] }
`;
    const set = policySet(yaml);
    const one = await analyzeMessage(await buildMessage({ subject: '4111111111111111', text: '5555555555554444' }), DEFAULT_ANALYSIS_LIMITS);
    expect(evaluatePolicies(set, one, env, { deadline: later() }).kind).toBe('pass');
    const withKdbx = (headers: Record<string, string>) =>
      buildMessage({ text: 'db', headers, attachments: [{ filename: 'db.kdbx', content: Buffer.from(kdbx()) }] }).then((raw) => analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS));
    expect(evaluatePolicies(set, await withKdbx({}), env, { deadline: later() }).kind).toBe('redirect');
    // approved: no policy decides for the (encrypted) KeePass file, so onUnscannable does
    const approved = await withKdbx({ 'X-IT-Approved': 'yes' });
    expect(evaluatePolicies(set, approved, env, { deadline: later() }).kind).toBe('block');
    expect(evaluatePolicies(set, approved, env, { deadline: later(), onUnscannable: 'pass' }).kind).toBe('pass');
  });

  it('turns an exceeded budget into tempfail 451 4.7.1 by default', async () => {
    const msg = await analyzeMessage(await buildMessage({ text: 'confidential' }), DEFAULT_ANALYSIS_LIMITS);
    const v = evaluatePolicies(policySet(POLICIES), msg, env, { deadline: performance.now() - 1 });
    expect(v).toMatchObject({ kind: 'tempfail', reply: { code: 451, enhanced: '4.7.1' }, inspection: { status: 'failed', reason: 'budget exceeded' } });
  });

  it('with onFailure pass, relays with a marker header instead — never silently', async () => {
    const msg = await analyzeMessage(await buildMessage({ text: 'confidential' }), DEFAULT_ANALYSIS_LIMITS);
    const v = evaluatePolicies(policySet(POLICIES), msg, env, { deadline: performance.now() - 1, onFailure: 'pass' });
    expect(v.kind).toBe('pass');
    expect(v.headerEdits.add).toEqual([{ name: 'X-Relayguard-Inspection', value: 'failed; budget exceeded' }]);
  });

  it('treats a limit hit as an unscannable part (limit) for onUnscannable, unless a policy blocked', async () => {
    const limited: MessageAnalysis = {
      ...(await analyzeMessage(await buildMessage({ text: 'hello' }), DEFAULT_ANALYSIS_LIMITS)),
      limitsHit: [{ limit: 'maxParts', detail: 'too many' }],
    };
    expect(evaluatePolicies(policySet(POLICIES), limited, env, { deadline: later() })).toMatchObject({
      kind: 'block',
      reply: { code: 554, enhanced: '5.7.1', text: 'Message refused: the message could not be inspected in full (limit: maxParts: too many)' },
      inspection: { status: 'ok' },
    });
    const blocked = { ...limited, segments: [...limited.segments, { location: 'body' as const, label: 'body', text: '4111111111111111' }] };
    expect(evaluatePolicies(policySet(POLICIES), blocked, env, { deadline: later() }).kind).toBe('block');
  });

  it('stays within budget against pathological input (the deadline is checked between scans)', async () => {
    const hostile = `${'a'.repeat(200_000)}!`;
    const yaml = `
version: 1
policies:
${Array.from({ length: 20 }, (_, i) => `  - { name: p${i}, match: { regex: { pattern: "(a+)+b${i}" } }, action: { type: block } }`).join('\n')}
`;
    const msg = await analyzeMessage(await buildMessage({ text: hostile }), DEFAULT_ANALYSIS_LIMITS);
    const v = evaluatePolicies(policySet(yaml), msg, env, { deadline: performance.now() });
    expect(v.kind).toBe('tempfail');
  });

  it('a detector shared by conditions on different locations reads every location one of them names', async () => {
    // one creditCardNumber detector: headers only for the first policy, nested in any/all/not for the others
    const yaml = `
version: 1
policies:
  - name: card-in-headers
    match: { creditCardNumber: { in: [headers] } }
    action: { type: block }
  - name: card-in-subject-or-body
    match: { any: [ { messageSize: { minBytes: 900000000 } }, { all: [ { creditCardNumber: { in: [subject, body] } } ] } ] }
    action: { type: modify, addHeaders: { X-Card: body } }
  - name: no-card-in-attachments
    mode: monitor
    match: { all: [ { keywords: { words: [invoice] } }, { not: { creditCardNumber: { in: [attachments] } } } ] }
    action: { type: block }
`;
    const set = policySet(yaml);
    const policiesFor = async (opts: Parameters<typeof buildMessage>[0]) =>
      evaluatePolicies(set, await analyzeMessage(await buildMessage(opts), DEFAULT_ANALYSIS_LIMITS), env, { deadline: later() }).matches.map((m) => m.policy);
    expect(await policiesFor({ text: 'invoice attached', headers: { 'X-Ref': '4111111111111111' } })).toEqual(['card-in-headers', 'no-card-in-attachments']);
    expect(await policiesFor({ text: 'invoice 4111111111111111' })).toEqual(['card-in-subject-or-body', 'no-card-in-attachments']);
    // the Subject is a header field too
    expect(await policiesFor({ subject: 'card 4111111111111111', text: 'hello' })).toEqual(['card-in-headers', 'card-in-subject-or-body']);
    const attached = { text: 'invoice attached', attachments: [{ filename: 'card.txt', content: 'card 4111111111111111' }] };
    expect(await policiesFor(attached)).toEqual([]);
  });

  it('identifier scans of one message leave nothing for the next (candidate buffers are reused)', async () => {
    // two identifier detectors over the same segments: each segment's candidate ranges serve both
    const yaml = `
version: 1
policies:
  - name: secrets
    match: { identifiers: { set: secrets, in: [subject, body, headers] } }
    action: { type: block }
  - name: hetu
    mode: monitor
    match: { identifier: { name: fi-hetu, min: 2, in: [subject, body, headers] } }
    action: { type: block }
`;
    const set = policySet(yaml);
    const tokens = await analyzeMessage(
      await buildMessage({ subject: 'key AKIAIOSFODNN7EXAMPLE', text: 'henkilötunnus 131052-308T and 010594Y9032, key AKIAI44QH8DHBEXAMPLE', headers: { 'X-Note': 'henkilötunnus 020594X903P' } }),
      DEFAULT_ANALYSIS_LIMITS,
    );
    const clean = await analyzeMessage(await buildMessage({ subject: 'lunch', text: 'AKIA is not a key, 131052 is not a HETU' }), DEFAULT_ANALYSIS_LIMITS);
    const run = (msg: MessageAnalysis) => evaluatePolicies(set, msg, env, { deadline: later() }).matches.map((m) => ({ policy: m.policy, counts: m.counts }));
    const first = run(tokens);
    expect(first).toEqual([
      { policy: 'secrets', counts: { 'identifiers:secrets': 2 } },
      { policy: 'hetu', counts: { 'identifier:fi-hetu': 3 } },
    ]);
    expect(run(clean)).toEqual([]);
    expect(run(tokens)).toEqual(first);
    expect(run(clean)).toEqual([]);
  });
});

describe('inspectMessage', () => {
  const settings = { budgetMs: 10_000, onFailure: 'tempfail' as const, onUnscannable: 'block' as const, limits: DEFAULT_ANALYSIS_LIMITS };

  it('analyses and evaluates in one call', async () => {
    const r = await inspectMessage(policySet(POLICIES), await buildMessage({ text: 'card 4111111111111111' }), env, settings);
    expect(r.verdict.kind).toBe('block');
  });

  it('refuses a message with more MIME parts than maxParts as an unscannable part (limit)', async () => {
    const parts = Array.from({ length: 30 }, (_, i) => `--b\r\nContent-Type: application/octet-stream\r\n\r\nx${i}\r\n`).join('');
    const raw = Buffer.from(`Subject: many\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`);
    const r = await inspectMessage(policySet(POLICIES), raw, env, { ...settings, limits: { ...DEFAULT_ANALYSIS_LIMITS, maxParts: 10 } });
    expect(r.verdict).toMatchObject({
      kind: 'block',
      reply: { code: 554, text: 'Message refused: the message could not be inspected in full (limit: maxParts: more than 10 MIME parts)' },
      unscannable: [{ label: '(message)', reason: 'limit' }],
    });
  });

  it('turns an unparseable stream into the failure verdict', async () => {
    const { Readable } = await import('node:stream');
    const broken = new Readable({ read() { this.destroy(new Error('connection reset')); } });
    const r = await inspectMessage(policySet(POLICIES), broken, env, { ...settings, onFailure: 'pass' });
    expect(r.verdict.kind).toBe('pass');
    expect(r.verdict.inspection).toEqual({ status: 'failed', reason: 'analysis failed: connection reset' });
    expect(r.verdict.headerEdits.add[0]?.name).toBe('X-Relayguard-Inspection');
  });
});

describe('the html-qp-card.eml fixture', () => {
  it('finds a card in the HTML alternative, decodes the subject and sees headers', async () => {
    const { readFile } = await import('node:fs/promises');
    const raw = await readFile(new URL('../../../test/fixtures/policy/html-qp-card.eml', import.meta.url));
    const msg = await analyzeMessage(raw, DEFAULT_ANALYSIS_LIMITS);
    expect(msg.subject).toBe('Rückerstattung for order 1234');
    expect(msg.messageId).toBe('<html-qp-card@corp.example>');
    const set = policySet(`
version: 1
policies:
  - { name: cards, match: { creditCardNumber: {} }, action: { type: block } }
  - { name: account-header, match: { header: { name: x-account-ref, pattern: "^ACC-[0-9]{4}-" } }, action: { type: pass } }
  - { name: account-anywhere, match: { keywords: { words: [ACC-2024], in: [headers] } }, action: { type: pass } }
  - { name: account-in-body, match: { keywords: { words: [ACC-2024] } }, action: { type: pass } }
`);
    const v = evaluatePolicies(set, msg, env, { deadline: later() });
    expect(v.kind).toBe('block');
    expect(v.matches.map((m) => m.policy)).toEqual(['cards', 'account-header', 'account-anywhere']);
    expect(v.matches[0]?.samples).toEqual(['6011********1117']);
  });
});
