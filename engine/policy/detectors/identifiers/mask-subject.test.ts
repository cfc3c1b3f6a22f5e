// An incident record carries the subject: a credential or an alphanumeric ID typed there must not
// reach the incident log in clear (numbers alone were already masked by maskNumbers).
import { describe, expect, it } from 'vitest';
import { incidentsFrom } from '../../incidents.js';
import { NO_EDITS } from '../../policy-set.js';
import type { Verdict } from '../../decide/verdict.js';

const verdict: Verdict = {
  kind: 'block',
  reply: { code: 550, enhanced: '5.7.1', text: 'no' },
  headerEdits: NO_EDITS,
  inspection: { status: 'ok' },
  matches: [{ policy: 'secrets', severity: 'high', mode: 'enforce', action: 'block', counts: { 'identifiers:secrets': 1 }, samples: ['AKIA****************'] }],
};
const envelope = { upstream: 'corp-postfix', sender: 'a@corp.example', recipients: ['b@partner.example'], transactionId: 'tx-1' };
const subjectOf = (subject: string) => incidentsFrom(verdict, envelope, { messageId: '<m@x>', subject })[0]?.subject;

describe('incident subjects', () => {
  it.each([
    ['key AKIAIOSFODNN7EXAMPLE for prod', 'AKIAIOSFODNN7EXAMPLE'],
    ['token ghp_16C7e42F292c6912E7710c838347Ae178B4a', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'],
    ['NRIC S1234567D please', 'S1234567D'],
    ['CF RSSMRA85T10A562S', 'RSSMRA85T10A562S'],
    ['db postgres://app:s3cr3tPass@db.example.com/prod', 's3cr3tPass'],
    ['NINO AB 12 34 56 C', 'AB 12 34 56 C'],
  ])('%j keeps no clear value', (subject, secret) => {
    const masked = subjectOf(subject);
    expect(masked).not.toContain(secret);
    expect(masked).toMatch(/\*{3}/);
  });

  it('leaves ordinary subjects and addresses alone, and masks numbers as before', () => {
    expect(subjectOf('Lunch with jane@example.com at 12:30')).toBe('Lunch with jane@example.com at 12:30');
    expect(subjectOf('card 4111 1111 1111 1111, ssn 123-45-6780, order 12345')).toBe('card 4111********1111, ssn *****6780, order 12345');
  });
});
