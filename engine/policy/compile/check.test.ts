import { describe, expect, it } from 'vitest';
import { parseSourceFile } from '../../config/source-file.js';
import type { PolicyFile } from '../../config/generated/policy.js';
import { compileYaml } from '../../../test/fixtures/policy/helpers.js';
import { compilePolicies } from './compile.js';

const codes = (yaml: string) => compileYaml(yaml).diagnostics.map((d) => [d.code, d.pointer, d.line]);

describe('policy checks', () => {
  it('reports an unknown upstream with its position and a suggestion', () => {
    const { diagnostics } = compileYaml(`version: 1
policies:
  - name: p
    scope:
      upstreams: [corp-postfx]
    match: { creditCardNumber: {} }
    action: { type: block }
`);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'RG_POL_UPSTREAM_UNKNOWN',
        severity: 'error',
        pointer: '/policies/0/scope/upstreams/0',
        line: 5,
        message: expect.stringContaining('did you mean "corp-postfix"'),
      }),
    ]);
  });

  it('rejects what RE2 cannot compile, with a hint', () => {
    const { diagnostics } = compileYaml(`version: 1
policies:
  - name: p
    match: { regex: { pattern: "(\\\\w+) \\\\1" } }
    action: { type: block }
`);
    expect(diagnostics[0]).toMatchObject({ code: 'RG_POL_REGEX', pointer: '/policies/0/match/regex/pattern', line: 4 });
    expect(diagnostics[0]?.hint).toMatch(/backreferences/);
  });

  it.each([
    ['550 5.7.1 ok', []],
    ['450 4.7.1 later', [['RG_POL_REPLY', '/policies/0/action/reply', 4]]],
    ['550 4.7.1 mismatch', [['RG_POL_REPLY', '/policies/0/action/reply', 4]]],
    ['blocked', [['RG_POL_REPLY', '/policies/0/action/reply', 4]]],
  ])('checks block reply %j', (reply, expected) => {
    expect(codes(`version: 1
policies:
  - name: p
    action: { type: block, reply: "${reply}" }
    match: { creditCardNumber: {} }
`)).toEqual(expected);
  });

  it('finds policies that can never match', () => {
    const found = codes(`version: 1
policies:
  - name: a
    scope: { recipients: [] }
    match:
      all:
        - attachment: { minBytes: 2000000 }
        - messageSize: { maxBytes: 1000000 }
    action: { type: block }
  - name: b
    match: { any: [ { attachment: {} }, { keywords: { words: [x], in: [] } }, { header: { name: Subject, min: 2 } } ] }
    action: { type: block }
  - name: c
    match: { attachment: { minBytes: 10, maxBytes: 5 } }
    action: { type: block }
`);
    // positions are locate()'s business (engine/config); here: which finding, where in the document
    expect(found.map(([code, pointer]) => [code, pointer])).toEqual([
      ['RG_POL_NEVER_MATCHES', '/policies/0/scope/recipients'],
      ['RG_POL_NEVER_MATCHES', '/policies/0/match/all'],
      ['RG_POL_ATTACHMENT_EMPTY', '/policies/1/match/any/0/attachment'],
      ['RG_POL_NEVER_MATCHES', '/policies/1/match/any/1/keywords/in'],
      ['RG_POL_NEVER_MATCHES', '/policies/1/match/any/2/header/min'],
      ['RG_POL_NEVER_MATCHES', '/policies/2/match/attachment'],
    ]);
    expect(found.every(([, , line]) => typeof line === 'number' && line > 0)).toBe(true);
  });

  it('reports duplicate names across files and leaves failing policies out of the set', () => {
    const file = (path: string, name: string) => {
      const parsed = parseSourceFile(path, `version: 1\npolicies:\n  - name: ${name}\n    match: { iban: {} }\n    action: { type: pass }\n`);
      return { source: parsed.source, data: parsed.data as PolicyFile };
    };
    const { policySet, diagnostics } = compilePolicies([file('/x/a.policy.yaml', 'same'), file('/x/b.policy.yaml', 'same')], { upstreamNames: [] });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'RG_POL_DUPLICATE_NAME', pointer: '/policies/0/name', line: 3 });
    expect(diagnostics[0]?.message).toContain('a.policy.yaml:3');
    expect(policySet.policies.map((p) => p.file)).toEqual([expect.stringContaining('a.policy.yaml')]);
  });

  it('shares one detector between policies that ask for the same thing', () => {
    const { policySet } = compileYaml(`version: 1
policies:
  - { name: a, match: { creditCardNumber: {} }, action: { type: block } }
  - { name: b, match: { creditCardNumber: { min: 3 } }, action: { type: pass } }
  - { name: c, match: { regex: { pattern: x } }, action: { type: pass } }
  - { name: d, match: { regex: { pattern: x } }, action: { type: pass } }
`);
    expect(policySet.textDetectors.map((d) => d.kind)).toEqual(['creditCardNumber', 'regex']);
    expect(policySet.policies[1]?.source).toMatchObject({ severity: 'medium', mode: 'enforce' });
  });
});
