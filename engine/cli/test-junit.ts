// `relayguard test --format junit`: JUnit XML as CI test reporters read it (one <testsuite> per test file,
// one <testcase> per case, <failure> with every unmet expectation). Config errors that stop the run become one
// failed case, so a reporter never shows a green run for a config that could not be tested.
import type { TestCaseResult } from '../policy/policy-test/policy-tests.js';

export interface JunitConfigError {
  readonly file: string;
  readonly message: string;
}

export function junitReport(results: readonly TestCaseResult[], configErrors: readonly JunitConfigError[] = []): string {
  const files = [...new Set(results.map((r) => r.file))];
  const suites = files.map((file) => suite(file, results.filter((r) => r.file === file)));
  if (configErrors.length > 0) suites.push(configSuite(configErrors));
  const tests = results.length + (configErrors.length > 0 ? 1 : 0);
  const failures = results.filter((r) => !r.passed).length + (configErrors.length > 0 ? 1 : 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="relayguard test" tests="${tests}" failures="${failures}" errors="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function suite(file: string, cases: readonly TestCaseResult[]): string {
  const failed = cases.filter((c) => !c.passed).length;
  const lines = [`  <testsuite name="${attr(file)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0">`];
  for (const c of cases) {
    const open = `    <testcase name="${attr(c.name)}" classname="${attr(file)}" time="0">`;
    if (c.passed) {
      lines.push(`${open}</testcase>`);
      continue;
    }
    const first = c.failures[0] ?? 'failed';
    lines.push(open, `      <failure message="${attr(first)}" type="expectation">${text(c.failures.join('\n'))}</failure>`, '    </testcase>');
  }
  lines.push('  </testsuite>');
  return lines.join('\n');
}

function configSuite(errors: readonly JunitConfigError[]): string {
  const body = errors.map((e) => `${e.file}: ${e.message}`).join('\n');
  return [
    '  <testsuite name="config" tests="1" failures="1" errors="0" skipped="0">',
    '    <testcase name="the config directory loads" classname="config" time="0">',
    `      <failure message="${attr(errors[0]?.message ?? 'invalid config')}" type="config">${text(body)}</failure>`,
    '    </testcase>',
    '  </testsuite>',
  ].join('\n');
}

// XML 1.0 forbids most control characters even escaped; they become U+FFFD.
function clean(s: string): string {
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}

function text(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
