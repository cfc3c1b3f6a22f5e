// Third-party tools for interop tests: a missing tool skips with a visible reason,
// unless RELAYGUARD_REQUIRE_TOOLS=1 (set by .ci/run), which turns the skip into a failure.
import { accessSync, constants } from 'node:fs';

const SEARCH_PATH = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin'];

export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH_PATH];
  for (const dir of dirs) {
    const candidate = `${dir}/${name}`;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export const toolsRequired = process.env.RELAYGUARD_REQUIRE_TOOLS === '1';
export const longTests = process.env.RELAYGUARD_LONG_TESTS === '1';

/**
 * Returns the tool's path, or undefined after printing why the dependent tests skip.
 * Throws when tools are required (CI), so a missing package fails the run.
 */
export function requireTool(name: string, packageHint: string): string | undefined {
  return requirePackageFile(findTool(name), name, packageHint);
}

/** Like requireTool for a file another package installs (a plugin, a module): its path, or undefined after saying why. */
export function requirePackageFile(path: string | undefined, what: string, packageHint: string): string | undefined {
  if (path !== undefined) return path;
  const reason = `${what} not found (install the Debian package "${packageHint}")`;
  if (toolsRequired) throw new Error(`RELAYGUARD_REQUIRE_TOOLS=1 but ${reason}`);
  process.stderr.write(`SKIP interop: ${reason}\n`);
  return undefined;
}
