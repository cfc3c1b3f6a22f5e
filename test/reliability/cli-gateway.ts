// The real CLI (`node bin/relayguard.js serve DIR`) as a child process for crash and reload tests:
// a config dir with a fixed listener port, a forward route to a test MTA, and the process's log lines.
// RELAYGUARD_TEST_CLI points at another launcher (e.g. a build outside the tree) when set.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { forwardTopology, makeHarnessDir } from '../helpers/gateway-harness.js';
import { writeConfigDir } from '../helpers/config-dir.js';
import { freePort } from '../helpers/ports.js';
import { startProcess, waitForPort } from '../helpers/processes.js';
import { cliPath, projectRoot } from '../interop/gateway-process.js';
import type { OwnedProcess } from '../helpers/processes.js';
import type { TopologyFile } from '../../engine/config/generated/topology.js';
import type { PolicyFile } from '../../engine/config/generated/policy.js';
import type { TestPki } from '../helpers/pki.js';
import { afterEach } from 'vitest';
import { stopAllProcesses } from '../helpers/processes.js';
import { toolsRequired } from '../helpers/tools.js';
import { Cleanup } from './leaks.js';

export const CLI = process.env.RELAYGUARD_TEST_CLI ?? cliPath;

/** Why the CLI cannot run here, or undefined when it can. */
export function cliMissing(): string | undefined {
  if (process.env.RELAYGUARD_TEST_CLI !== undefined) return existsSync(CLI) ? undefined : `RELAYGUARD_TEST_CLI=${CLI} does not exist`;
  return existsSync(join(projectRoot, 'dist', 'cli', 'main.js')) ? undefined : 'dist/cli/main.js is missing: run `npm run build` first';
}

/** cliMissing for a suite: says why it skips, or fails under RELAYGUARD_REQUIRE_TOOLS=1. */
export function requireCli(suite: string): string | undefined {
  const missing = cliMissing();
  if (missing !== undefined && toolsRequired) throw new Error(`RG_TEST_NO_CLI: ${missing}`);
  if (missing !== undefined) process.stderr.write(`SKIP ${suite}: ${missing}\n`);
  return missing;
}

/** A cleanup stack run after each test, once every process the test started is stopped. */
export function cleanupAfterEach(): Cleanup {
  const cleanup = new Cleanup();
  afterEach(async () => {
    await stopAllProcesses();
    await cleanup.run();
  });
  return cleanup;
}

export interface CliConfig {
  readonly root: string;
  readonly pki: TestPki;
  readonly configDir: string;
  readonly port: number;
  readonly topology: TopologyFile;
  write(policies?: Readonly<Record<string, PolicyFile>>): void;
}

export async function cliConfig(receiverPort: number, gateway: Partial<TopologyFile['gateway']> = {}): Promise<CliConfig> {
  const { dir, pki } = makeHarnessDir();
  const port = await freePort();
  const topology = forwardTopology(
    { dir, pki },
    {
      receivers: [{ name: 'mx-1', port: receiverPort }],
      gateway: { listen: [{ address: '127.0.0.1', port }], drain: { graceMs: 2_000 }, timeouts: { connectMs: 2_000, greetingMs: 2_000, commandMs: 5_000, dataMs: 10_000, idleMs: 30_000 }, ...gateway },
    },
  );
  const configDir = join(dir, 'config');
  const config: CliConfig = { root: dir, pki, configDir, port, topology, write: (policies = {}) => void writeConfigDir(configDir, topology, policies) };
  config.write();
  return config;
}

export interface CliGateway {
  readonly proc: OwnedProcess;
  /** Parsed JSON log lines so far. */
  logs(): Record<string, unknown>[];
}

export async function startCliGateway(config: CliConfig): Promise<CliGateway> {
  const proc = startProcess(process.execPath, [CLI, 'serve', config.configDir, '--log-level', 'info', '--json-logs', '--workers', '1'], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'test' },
  });
  try {
    const exited = proc.exited.then((e) => Promise.reject(new Error(`exited early (code ${String(e.code)}, signal ${String(e.signal)})`)));
    await Promise.race([waitForPort(config.port, '127.0.0.1', 20_000), exited]);
    // The port opens before the signal handlers are installed; a SIGHUP in between would kill it.
    await waitForLog(proc, 'RG_RUNTIME_STARTED', 10_000);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`RG_TEST_CLI_START: gateway did not start: ${(err as Error).message}\n${proc.output()}`);
  }
  return { proc, logs: () => parseLogs(proc.output()) };
}

async function waitForLog(proc: OwnedProcess, code: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!parseLogs(proc.output()).some((l) => l.code === code)) {
    if (Date.now() > until) throw new Error(`no ${code} log line within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function parseLogs(output: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by the kill
    }
  }
  return out;
}
