import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkAgainstSchema } from '../../config/schema-check.js';
import { lookupSchema } from '../../config/schema-registry.js';
import { parseSourceFile } from '../../config/source-file.js';

const CONTRACT_EXAMPLE = `version: 1
policies:
  - name: block-card-numbers
    severity: high
    mode: enforce
    scope:
      upstreams: [corp-postfix]
      senders: ["*@corp.example"]
      recipients: ["*"]
    match:
      any:
        - creditCardNumber: { min: 1 }
        - regex: { pattern: "project\\\\s+falcon", flags: "i", in: [subject, body, attachments], min: 1 }
        - keywords: { words: ["confidential"], in: [body], min: 1 }
        - attachment: { extensions: [".kdbx"], maxBytes: 10485760 }
    action:
      type: block
      reply: "550 5.7.1 Message blocked by data loss prevention policy"
`;

function schemaFindings(kind: 'policy' | 'policy-test', path: string, text: string) {
  const lookup = lookupSchema(kind);
  if (!lookup.ok) throw new Error(`schema ${kind} unavailable`);
  const parsed = parseSourceFile(path, text);
  return checkAgainstSchema(parsed.source, parsed.data, lookup.schema);
}

describe('policy schemas', () => {
  it('accept the example from CONTRACT.md', () => {
    expect(schemaFindings('policy', 'contract.policy.yaml', CONTRACT_EXAMPLE)).toEqual([]);
  });

  it.each(['policies/data-protection.policy.yaml', 'policies/secrets.policy.yaml'])('accept %s', async (path) => {
    expect(schemaFindings('policy', path, await readFile(path, 'utf8'))).toEqual([]);
  });

  it('accept policies/tests/example.test.yaml', async () => {
    const path = 'policies/tests/example.test.yaml';
    expect(schemaFindings('policy-test', path, await readFile(path, 'utf8'))).toEqual([]);
  });

  it.each([
    ['two detectors in one condition', 'match: { creditCardNumber: {}, usSsn: {} }\n    action: { type: block }'],
    ['an unknown detector', 'match: { passport: {} }\n    action: { type: block }'],
    ['redirect without to', 'match: { iban: {} }\n    action: { type: redirect }'],
    ['an unknown regex flag', 'match: { regex: { pattern: x, flags: g } }\n    action: { type: block }'],
    ['an unknown location', 'match: { iban: { in: [footer] } }\n    action: { type: block }'],
  ])('reject %s', (_, body) => {
    expect(schemaFindings('policy', 'bad.policy.yaml', `version: 1\npolicies:\n  - name: p\n    ${body}\n`).length).toBeGreaterThan(0);
  });
});
