// exactData as a policy condition: located diagnostics for bad indexes and keys, evaluation over real MIME.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMessage, compileYaml } from '../../../test/fixtures/policy/helpers.js';
import { DEFAULT_ANALYSIS_LIMITS } from '../analysis.js';
import { inspectMessage } from '../inspect.js';
import { incidentsFrom } from '../incidents.js';
import { writeNewKey } from './edm-key.js';
import { writeIndexFile } from './index-file.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-edm-policy-'));
const data = join(dir, 'data');
const policyPath = join(dir, 'policies', 'edm.policy.yaml');
const env = { upstream: 'corp-postfix', sender: 'alice@corp.example', recipients: ['bob@partner.example'], transactionId: 't-1' };
const settings = { budgetMs: 10_000, onFailure: 'tempfail' as const, onUnscannable: 'block' as const, limits: DEFAULT_ANALYSIS_LIMITS };

beforeAll(async () => {
  mkdirSync(data);
  mkdirSync(join(dir, 'policies'));
  writeNewKey(join(data, 'edm.key'));
  writeNewKey(join(data, 'other.key'));
  writeFileSync(join(data, 'customers.csv'), 'email,iban,last_name\nalice@example.org,DE89 3704 0044 0532 0130 00,Smith\nbob@example.org,GB82 WEST 1234 5698 7654 32,Jones\n');
  const built = await writeIndexFile({ csv: join(data, 'customers.csv'), columns: ['email', 'iban', 'last_name'], keyFile: join(data, 'edm.key'), out: join(data, 'customers.edm') });
  if (!built.ok) throw new Error(built.error.message);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = (options: string) => `version: 1
policies:
  - name: customer-records
    severity: high
    match:
      exactData: ${options}
    action: { type: block, reply: "550 5.7.1 Customer records may not leave corp" }
`;

describe('exactData validation', () => {
  const diag = (options: string) => compileYaml(policy(options), policyPath).diagnostics.map((d) => ({ code: d.code, pointer: d.pointer, line: d.line, column: d.column }));

  it('accepts a good index with the key recorded in it', () => {
    expect(diag('{ index: ../data/customers.edm, columns: [email, iban], minColumns: 2 }')).toEqual([]);
  });

  it('names a missing index at the index: value', () => {
    expect(diag('{ index: ../data/nope.edm }')).toEqual([{ code: 'RG_EDM_INDEX_MISSING', pointer: '/policies/0/match/exactData/index', line: 6, column: 27 }]);
  });

  it('names a truncated index', () => {
    const bytes = readFileSync(join(data, 'customers.edm'));
    writeFileSync(join(data, 'truncated.edm'), bytes.subarray(0, bytes.length - 40));
    expect(diag('{ index: ../data/truncated.edm }')).toMatchObject([{ code: 'RG_EDM_INDEX_CORRUPT', pointer: '/policies/0/match/exactData/index' }]);
  });

  it('names a key that does not fit the index at keyFile:', () => {
    const d = compileYaml(policy('{ index: ../data/customers.edm, keyFile: ../data/other.key }'), policyPath).diagnostics;
    expect(d).toMatchObject([{ code: 'RG_EDM_KEY_MISMATCH', pointer: '/policies/0/match/exactData/keyFile', line: 6 }]);
    expect(d[0]?.message).toMatch(/another key \(fingerprint [0-9a-f]{32}\)/);
  });

  it('names a column the index does not have, with a suggestion', () => {
    const d = compileYaml(policy('{ index: ../data/customers.edm, columns: [email, lastname] }'), policyPath).diagnostics;
    expect(d).toMatchObject([{ code: 'RG_EDM_COLUMN_UNKNOWN', pointer: '/policies/0/match/exactData/columns/1' }]);
    expect(d[0]?.message).toContain('did you mean "last_name"');
  });

  it('says when minColumns can never be met', () => {
    expect(diag('{ index: ../data/customers.edm, columns: [email], minColumns: 2 }')).toMatchObject([{ code: 'RG_POL_NEVER_MATCHES', pointer: '/policies/0/match/exactData/minColumns' }]);
  });

  it('reports a key recorded in the index that is gone', () => {
    copyFileSync(join(data, 'edm.key'), join(data, 'moved.key'));
    const moved = join(dir, 'moved');
    mkdirSync(moved);
    writeFileSync(join(moved, 'c.csv'), 'email\nx@example.org\n');
    return writeIndexFile({ csv: join(moved, 'c.csv'), columns: ['email'], keyFile: join(data, 'moved.key'), out: join(data, 'moved.edm') }).then(() => {
      rmSync(join(data, 'moved.key'));
      const d = compileYaml(policy('{ index: ../data/moved.edm }'), policyPath).diagnostics;
      expect(d).toMatchObject([{ code: 'RG_EDM_KEY_MISSING', pointer: '/policies/0/match/exactData/index' }]);
      expect(d[0]?.hint).toMatch(/keyFile/);
    });
  });
});

describe('exactData compile', () => {
  it('two conditions on one index share one detector and one view of the file (no copy per policy or session)', () => {
    const yaml = `version: 1
policies:
  - name: a
    match: { exactData: { index: ../data/customers.edm, columns: [email, iban] } }
    action: { type: block }
  - name: b
    mode: monitor
    match: { exactData: { index: ../data/customers.edm, minColumns: 3 } }
    action: { type: block }
`;
    const { policySet, diagnostics } = compileYaml(yaml, policyPath);
    expect(diagnostics).toEqual([]);
    expect(policySet.textDetectors.filter((d) => d.kind === 'exactData')).toHaveLength(1);
    const [a, b] = policySet.policies.map((p) => p.match);
    expect(a?.kind === 'exactData' && b?.kind === 'exactData' && a.index === b.index).toBe(true);
    const d = policySet.textDetectors[0];
    // the entries are a view into the bytes read from disk, not a copy
    expect(d?.kind === 'exactData' && d.index.data.entries.buffer.byteLength >= d.index.data.bytes).toBe(true);
  });
});

describe('exactData evaluation', () => {
  const verdict = async (mail: Parameters<typeof buildMessage>[0], options = '{ index: ../data/customers.edm, columns: [email, iban, last_name], minColumns: 2 }') => {
    const { policySet, diagnostics } = compileYaml(policy(options), policyPath);
    expect(diagnostics).toEqual([]);
    return (await inspectMessage(policySet, await buildMessage(mail), env, settings)).verdict;
  };

  it('blocks two columns of one record and records columns, never values', async () => {
    const v = await verdict({ text: 'Customer: ALICE@example.org, account DE89370400440532013000' });
    expect(v.kind).toBe('block');
    const [incident] = incidentsFrom(v, env, { messageId: '<m@x>', subject: 'hello' });
    expect(incident?.counts).toEqual({ exactData: 1 });
    expect(incident?.samples).toEqual(['columns email+iban']);
    expect(JSON.stringify(incident)).not.toMatch(/alice@example|DE89|3704|smith/i);
  });

  it('finds the columns of one record in different parts (subject and attachment)', async () => {
    const v = await verdict({ subject: 'about Mrs Smith', text: 'see attached', attachments: [{ filename: 'row.txt', content: 'IBAN DE89 3704 0044 0532 0130 00\n' }] });
    expect(v.kind).toBe('block');
  });

  it('passes one column, and columns of two different records', async () => {
    expect((await verdict({ text: 'alice@example.org' })).kind).toBe('pass');
    expect((await verdict({ text: 'alice@example.org and GB82 WEST 1234 5698 7654 32' })).kind).toBe('pass');
  });

  it('needs minRecords records', async () => {
    const opts = '{ index: ../data/customers.edm, minColumns: 2, minRecords: 2 }';
    expect((await verdict({ text: 'alice@example.org Smith' }, opts)).kind).toBe('pass');
    expect((await verdict({ text: 'alice@example.org Smith; bob@example.org Jones' }, opts)).kind).toBe('block');
  });

  it('looks only where in: says', async () => {
    const opts = '{ index: ../data/customers.edm, in: [attachments] }';
    expect((await verdict({ text: 'alice@example.org Smith' }, opts)).kind).toBe('pass');
  });

  it('finds records in a text too long to hold (scanned window by window)', async () => {
    const filler = 'lorem ipsum dolor sit amet\n'.repeat(60_000);
    const v = await verdict({ text: `alice@example.org\n${filler}Smith\n` });
    expect(v.kind).toBe('block');
  });
});
