// Golden config cases: each folder holds a config directory and expected.json with the exact diagnostics
// `relayguard validate` must report (code, severity, file, line, column, message substring) and the exit code.
// UPDATE_CONFIG_CASES=1 rewrites expected.json from the actual output — review the diff before keeping it.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runValidate } from '../../engine/cli/validate.js';
import type { DiagnosticsJson } from '../../engine/config/format.js';
import { makeCasePki } from './case-pki.js';
import type { CasePki, PkiMaterial } from './case-pki.js';

interface ExpectedDiagnostic {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly pointer: string;
  /** A substring of the message, or several that must all appear. */
  readonly message: string | readonly string[];
}

interface ExpectedCase {
  readonly description: string;
  readonly pki?: Readonly<Record<string, PkiMaterial>>;
  readonly exitCode: 0 | 1 | 2;
  readonly diagnostics: readonly ExpectedDiagnostic[];
}

const casesDir = dirname(fileURLToPath(import.meta.url));
const caseNames = readdirSync(casesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && existsSync(join(casesDir, e.name, 'expected.json')))
  .map((e) => e.name)
  .sort();
const update = process.env['UPDATE_CONFIG_CASES'] === '1';

let work: string;
let pki: CasePki;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rg-config-cases-'));
  pki = makeCasePki(join(work, '.pki'));
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function readExpected(name: string): ExpectedCase {
  return JSON.parse(readFileSync(join(casesDir, name, 'expected.json'), 'utf8')) as ExpectedCase;
}

function prepare(name: string, expected: ExpectedCase): string {
  const dir = join(work, name);
  cpSync(join(casesDir, name), dir, { recursive: true, filter: (src) => !src.endsWith('expected.json') });
  for (const [file, material] of Object.entries(expected.pki ?? {})) pki.write(dir, file, material);
  return dir;
}

describe('golden config cases', () => {
  it('has at least 25 broken configs', () => {
    expect(caseNames.filter((n) => readExpected(n).exitCode !== 0 || readExpected(n).diagnostics.length > 0).length).toBeGreaterThanOrEqual(25);
  });

  it.each(caseNames)('%s', async (name) => {
    const expected = readExpected(name);
    const dir = prepare(name, expected);
    const outcome = await runValidate(dir, { format: 'json' });
    const json = JSON.parse(outcome.output) as DiagnosticsJson;
    const actual = json.diagnostics.map((d) => ({ ...d, file: relative(dir, resolve(d.file)) }));
    if (update) {
      const diagnostics = actual.map(({ code, severity, file, line, column, pointer, message }) => ({ code, severity, file, line, column, pointer, message }));
      writeFileSync(join(casesDir, name, 'expected.json'), `${JSON.stringify({ ...expected, exitCode: outcome.exitCode, diagnostics }, null, 2)}\n`);
      return;
    }
    expect(outcome.exitCode).toBe(expected.exitCode);
    expect(json.valid).toBe(expected.exitCode === 0);
    expect(actual.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.pointer}`)).toEqual(
      expected.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.pointer}`),
    );
    expected.diagnostics.forEach((d, i) => {
      for (const part of typeof d.message === 'string' ? [d.message] : d.message) expect(actual[i]?.message).toContain(part);
    });
  });
});
