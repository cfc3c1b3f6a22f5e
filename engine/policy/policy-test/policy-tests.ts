// `relayguard test`: run each test case's message through the compiled policies and compare with its expectation.
import type { Expectation, PolicyTestFile } from '../../config/generated/policy-test.js';
import type { SourceFile } from '../../config/source-file.js';
import { inspectMessage } from '../inspect.js';
import type { InspectionSettings } from '../inspect.js';
import { formatPolicyReply } from '../decide/policy-reply.js';
import type { PolicySet } from '../policy-set.js';
import { buildTestMessage } from './test-message.js';
import type { Verdict } from '../decide/verdict.js';

export interface TestOutcome {
  readonly action: Verdict['kind'];
  readonly policies: readonly string[];
  readonly reply?: string;
  readonly addedHeaders: Readonly<Record<string, string>>;
  readonly subjectPrefix?: string;
  readonly recipients?: readonly string[];
  readonly inspection: Verdict['inspection'];
}

export interface TestCaseResult {
  readonly file: string;
  /** Position in the file's cases, 0-based. */
  readonly index: number;
  readonly name: string;
  readonly passed: boolean;
  /** One line per unmet expectation (or why the case could not run). */
  readonly failures: readonly string[];
  readonly actual?: TestOutcome;
}

export interface TestRunOptions {
  /** Upstream for cases that name none (the topology's only upstream, or ''). */
  readonly defaultUpstream: string;
  /** gateway.inspection of the config under test: the budget, limits and onFailure serve inspects with. */
  readonly settings: InspectionSettings;
}

export async function runPolicyTests(set: PolicySet, files: readonly { source: SourceFile; data: PolicyTestFile }[], opts: TestRunOptions): Promise<TestCaseResult[]> {
  const results: TestCaseResult[] = [];
  for (const { source, data } of files) {
    for (const [index, testCase] of data.cases.entries()) {
      const base = { file: source.displayPath, index, name: testCase.name };
      try {
        const msg = await buildTestMessage(testCase.message, data.defaults, source.path, opts.defaultUpstream);
        const envelope = { ...msg.envelope, transactionId: `test-${index}` };
        // The very function serve calls at the end of DATA, so a case passes here only if it would live.
        const { verdict } = await inspectMessage(set, msg.raw, envelope, opts.settings);
        const actual = outcomeOf(verdict);
        const failures = compare(testCase.expect, actual);
        results.push({ ...base, passed: failures.length === 0, failures, actual });
      } catch (err) {
        results.push({ ...base, passed: false, failures: [`cannot run: ${err instanceof Error ? err.message : String(err)}`] });
      }
    }
  }
  return results;
}

export function outcomeOf(v: Verdict): TestOutcome {
  const addedHeaders = Object.fromEntries(v.headerEdits.add.map((h) => [h.name, h.value]));
  return {
    action: v.kind,
    policies: v.matches.map((m) => m.policy),
    ...(v.kind === 'block' || v.kind === 'tempfail' ? { reply: formatPolicyReply(v.reply) } : {}),
    addedHeaders,
    ...(v.headerEdits.subjectPrefix !== undefined ? { subjectPrefix: v.headerEdits.subjectPrefix } : {}),
    ...(v.kind === 'redirect' ? { recipients: v.recipients } : {}),
    inspection: v.inspection,
  };
}

export function compare(expect: Expectation, actual: TestOutcome): string[] {
  const failures: string[] = [];
  if (expect.action !== actual.action) {
    const why = actual.inspection.status === 'failed' ? ` (inspection failed: ${actual.inspection.reason})` : '';
    failures.push(`action: expected ${expect.action}, got ${actual.action}${why}`);
  }
  if (expect.policies !== undefined && !sameSet(expect.policies, actual.policies)) {
    failures.push(`policies: expected [${[...expect.policies].sort().join(', ')}], got [${[...actual.policies].sort().join(', ')}]`);
  }
  if (expect.reply !== undefined && squash(expect.reply) !== squash(actual.reply ?? '')) {
    failures.push(`reply: expected "${expect.reply}", got ${actual.reply === undefined ? 'no reply' : `"${actual.reply}"`}`);
  }
  for (const [name, value] of Object.entries(expect.addedHeaders ?? {})) {
    const got = Object.entries(actual.addedHeaders).find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    if (got !== value) failures.push(`header ${name}: expected "${value ?? ''}", got ${got === undefined ? 'not added' : `"${got}"`}`);
  }
  if (expect.subjectPrefix !== undefined && expect.subjectPrefix !== actual.subjectPrefix) {
    failures.push(`subjectPrefix: expected "${expect.subjectPrefix}", got ${actual.subjectPrefix === undefined ? 'none' : `"${actual.subjectPrefix}"`}`);
  }
  if (expect.recipients !== undefined && !sameSet(expect.recipients, actual.recipients ?? [])) {
    failures.push(`recipients: expected [${expect.recipients.join(', ')}], got [${(actual.recipients ?? []).join(', ')}]`);
  }
  return failures;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function squash(s: string): string {
  return s.trim().replace(/\s+/g, ' ');
}
