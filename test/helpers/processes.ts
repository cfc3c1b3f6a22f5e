// Child processes owned by a test: started with a known PID, killed by that PID, never left behind.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { connect } from 'node:net';

export interface OwnedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const owned = new Set<OwnedProcess>();

export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): OwnedProcess {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  let out = '';
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 1_000_000) out = out.slice(-500_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const proc: OwnedProcess = {
    child,
    pid: child.pid,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(proc.pid, signal);
        const timer = setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) process.kill(proc.pid, 'SIGKILL');
        }, 10_000);
        const result = await exited;
        clearTimeout(timer);
        owned.delete(proc);
        return result;
      }
      owned.delete(proc);
      return exited;
    },
  };
  owned.add(proc);
  return proc;
}

/** Kills every process a test started and did not stop (call from afterAll). */
export async function stopAllProcesses(): Promise<void> {
  await Promise.all([...owned].map((p) => p.stop('SIGKILL')));
}

/** Resolves when something accepts TCP connections on host:port. */
export async function waitForPort(port: number, host = '127.0.0.1', timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
