// Unreadable parts: the `unscannable` condition and gateway.inspection.onUnscannable, over
// MessageAnalysis values as extraction will fill them (encrypted, unsupported, corrupt, timeout).
import { describe, expect, it } from 'vitest';
import { policySet } from '../../../test/fixtures/policy/helpers.js';
import type { MessageAnalysis, UnscannablePart } from '../analysis.js';
import { evaluatePolicies, type Envelope } from './evaluate.js';
import { incidentsFrom } from '../incidents.js';
import type { OnUnscannable } from './unscannable.js';

const env: Envelope = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };
const later = (): number => performance.now() + 60_000;

const ENCRYPTED: UnscannablePart = { label: 'x.zip/y.bin', reason: 'encrypted', detail: 'zip entry is encrypted (ZipCrypto)' };
const BZIP2: UnscannablePart = { label: 'logs.zip/app.log', reason: 'unsupported', detail: 'zip entry uses bzip2 (method 12)' };
const CORRUPT: UnscannablePart = { label: 'broken.pdf', reason: 'corrupt', detail: 'no xref table' };

function message(unscannable: readonly UnscannablePart[], body = 'see attached'): MessageAnalysis {
  return {
    size: 1000,
    headers: [{ name: 'Subject', value: 'files' }],
    subject: 'files',
    messageId: '<m1@corp.example>',
    segments: [{ location: 'body', label: 'body', text: body }],
    attachments: [],
    limitsHit: [],
    unscannable,
    notes: [],
  };
}

const CARDS = `
  - name: block-cards
    match: { creditCardNumber: {} }
    action: { type: block, reply: "550 5.7.1 Card numbers may not leave corp" }`;

const verdict = (parts: readonly UnscannablePart[], policies = CARDS, onUnscannable?: OnUnscannable, body?: string) =>
  evaluatePolicies(policySet(`version: 1\npolicies:${policies}\n`), message(parts, body), env, { deadline: later(), ...(onUnscannable ? { onUnscannable } : {}) });

describe('onUnscannable (no policy matched the part)', () => {
  it('blocks by default with a 554 that names the part and the reason, and records it', () => {
    const v = verdict([ENCRYPTED]);
    expect(v).toMatchObject({ kind: 'block', reply: { code: 554, enhanced: '5.7.1', text: 'Message refused: attachment "x.zip/y.bin" could not be inspected (encrypted)' } });
    expect(v.matches).toEqual([expect.objectContaining({ policy: 'gateway.inspection.onUnscannable', action: 'block', samples: ['x.zip/y.bin (encrypted)'], unscannable: [ENCRYPTED] })]);
    const [incident] = incidentsFrom(v, env, message([]));
    expect(incident).toMatchObject({ policy: 'gateway.inspection.onUnscannable', verdict: 'block', unscannable: [{ label: 'x.zip/y.bin', reason: 'encrypted' }] });
  });

  it('tempfails with 451 4.7.1 naming the parts', () => {
    const v = verdict([BZIP2, CORRUPT], CARDS, 'tempfail');
    expect(v).toMatchObject({ kind: 'tempfail', reply: { code: 451, enhanced: '4.7.1' } });
    if (v.kind === 'tempfail') expect(v.reply.text).toBe('Message not accepted for now: attachment "logs.zip/app.log" could not be inspected (unsupported), and 1 more part; try again later');
  });

  it('passes with an X-Relayguard-Inspection marker and an incident record — never silently', () => {
    const v = verdict([ENCRYPTED, BZIP2], CARDS, 'pass');
    expect(v.kind).toBe('pass');
    expect(v.headerEdits.add).toEqual([{ name: 'X-Relayguard-Inspection', value: 'unscannable; x.zip/y.bin (encrypted), logs.zip/app.log (unsupported)' }]);
    expect(incidentsFrom(v, env, message([])).map((i) => [i.policy, i.action, i.verdict])).toEqual([['gateway.inspection.onUnscannable', 'pass', 'pass']]);
  });

  it('keeps a policy block (and its reply) over onUnscannable, still recording the unread part', () => {
    const v = verdict([ENCRYPTED], CARDS, 'pass', 'card 4111111111111111');
    expect(v).toMatchObject({ kind: 'block', reply: { code: 550, text: 'Card numbers may not leave corp' } });
    expect(v.matches.map((m) => m.policy)).toEqual(['block-cards', 'gateway.inspection.onUnscannable']);
  });

  it('names the message itself when a limit cut the analysis short', () => {
    const v = evaluatePolicies(policySet(`version: 1\npolicies:${CARDS}\n`), { ...message([]), limitsHit: [{ limit: 'maxDecodedBytes', detail: 'decoded content exceeds 100 bytes' }] }, env, { deadline: later() });
    expect(v).toMatchObject({ kind: 'block', reply: { text: 'Message refused: the message could not be inspected in full (limit: maxDecodedBytes: decoded content exceeds 100 bytes)' } });
  });

  it('keeps a hostile file name from breaking the reply line or the marker header', () => {
    const hostile: UnscannablePart = { label: 'a"\r\n250 OK\r\n.zip', reason: 'corrupt', detail: 'x' };
    const v = verdict([hostile]);
    if (v.kind !== 'block') throw new Error(v.kind);
    expect(v.reply.text).toBe(`Message refused: attachment "a'??250 OK??.zip" could not be inspected (corrupt)`);
    expect(verdict([hostile], CARDS, 'pass').headerEdits.add[0]?.value).not.toMatch(/[\r\n]/);
  });
});

describe('the unscannable condition', () => {
  it('lets an enforce-mode policy decide the parts it matches, by reason', () => {
    const allowEncrypted = `${CARDS}
  - name: legal-may-send-encrypted
    match: { unscannable: { reasons: [encrypted] } }
    action: { type: pass }`;
    expect(verdict([ENCRYPTED], allowEncrypted)).toMatchObject({ kind: 'pass', headerEdits: { add: [] } });
    // a part with another reason is not covered: onUnscannable still refuses it
    const v = verdict([ENCRYPTED, CORRUPT], allowEncrypted);
    expect(v).toMatchObject({ kind: 'block', reply: { text: 'Message refused: attachment "broken.pdf" could not be inspected (corrupt)' } });
    expect(v.matches.find((m) => m.policy === 'legal-may-send-encrypted')).toMatchObject({ counts: { unscannable: 1 }, unscannable: [ENCRYPTED] });
  });

  it('blocks with the policy own reply and names part and reason in the incident', () => {
    const quarantine = `
  - name: no-encrypted-archives
    match: { unscannable: { reasons: [encrypted, unsupported] } }
    action: { type: block, reply: "550 5.7.1 Encrypted archives are not allowed" }`;
    const v = verdict([ENCRYPTED, BZIP2], quarantine, 'pass');
    expect(v).toMatchObject({ kind: 'block', reply: { code: 550, text: 'Encrypted archives are not allowed' } });
    const [incident] = incidentsFrom(v, env, message([]));
    expect(incident).toMatchObject({ policy: 'no-encrypted-archives', counts: { unscannable: 2 }, samples: ['x.zip/y.bin (encrypted)', 'logs.zip/app.log (unsupported)'] });
    expect(incident?.unscannable?.map((p) => `${p.label} ${p.reason}`)).toEqual(['x.zip/y.bin encrypted', 'logs.zip/app.log unsupported']);
  });

  it('matches every reason when none are listed, and honours min', () => {
    const atLeastTwo = `
  - name: two-unread
    match: { unscannable: { min: 2 } }
    action: { type: modify, addHeaders: { X-Unread: "2+" } }`;
    expect(verdict([CORRUPT], atLeastTwo, 'pass').matches.map((m) => m.policy)).toEqual(['gateway.inspection.onUnscannable']);
    const v = verdict([CORRUPT, { ...CORRUPT, label: 'other.pdf', reason: 'timeout' }], atLeastTwo, 'block');
    expect(v).toMatchObject({ kind: 'modify', headerEdits: { add: [{ name: 'X-Unread', value: '2+' }] } });
  });

  it('a monitor-mode policy only records: the outcome stays onUnscannable', () => {
    const watch = `
  - name: watch-unread
    mode: monitor
    match: { unscannable: {} }
    action: { type: pass }`;
    const v = verdict([ENCRYPTED], watch);
    expect(v.kind).toBe('block');
    expect(v.matches.map((m) => [m.policy, m.mode])).toEqual([
      ['watch-unread', 'monitor'],
      ['gateway.inspection.onUnscannable', 'enforce'],
    ]);
  });

  it('a part matched only under `not` is not covered', () => {
    const inverted = `
  - name: not-corrupt
    match: { not: { unscannable: { reasons: [corrupt] } } }
    action: { type: pass }`;
    expect(verdict([ENCRYPTED], inverted).kind).toBe('block');
  });

  it('does not match a message where everything was read', () => {
    const any = `
  - name: any-unread
    match: { unscannable: {} }
    action: { type: block }`;
    expect(verdict([], any)).toMatchObject({ kind: 'pass', matches: [] });
  });
});
