// Runs the real CLI (`node bin/relayguard.js serve DIR`) as a child process, the way operators do.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, waitForPort, type OwnedProcess } from '../helpers/processes.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = join(projectRoot, 'bin', 'relayguard.js');

export async function startGatewayProcess(dir: string, port: number, extraArgs: readonly string[] = []): Promise<OwnedProcess> {
  const proc = startProcess(process.execPath, [cliPath, 'serve', dir, '--log-level', 'warn', ...(extraArgs.includes('--workers') ? [] : ['--workers', '1']), ...extraArgs], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'test' },
  });
  try {
    await waitForPort(port);
  } catch (err) {
    await proc.stop('SIGKILL');
    throw new Error(`gateway did not start: ${(err as Error).message}\n${proc.output()}`);
  }
  return proc;
}
