// `relayguard serve [DIR] [--log-level L] [--pretty|--json-logs] [--dev] [--workers N|auto] [--shadow DIR]`: runs the gateway
// until SIGTERM/SIGINT (drain, exit 0), reloading on file changes and SIGHUP.
import { resolve } from 'node:path';
import { InvalidArgumentError, Option } from 'commander';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import { createLogger, LoggerConfigError, LOG_LEVELS } from '../runtime/logger.js';
import { serveProcess } from '../runtime/serve-process.js';
import { autoWorkers } from '../runtime/cpu-quota.js';
import { createMetrics } from '../runtime/metrics.js';
import { answerMetricsCollect, reportReady, requestPeerMetrics, runPrimary, workerId } from '../runtime/workers.js';

export interface ServeFlags {
  readonly logLevel?: string;
  readonly pretty?: boolean;
  readonly jsonLogs?: boolean;
  readonly dev?: boolean;
  readonly workers?: number | 'auto';
  /** A candidate config directory evaluated in shadow (overrides gateway.shadow). */
  readonly shadow?: string;
}

/** Starts, serves until stopped, and resolves with the exit code: 0 after a clean drain, 1 when it could not start, 2 on usage errors. */
export async function runServe(dir: string, flags: ServeFlags): Promise<number> {
  let logger: Logger;
  try {
    const pretty = flags.jsonLogs === true ? false : flags.pretty === true ? true : undefined;
    logger = createLogger({ ...(flags.logLevel !== undefined ? { level: flags.logLevel } : {}), ...(pretty !== undefined ? { pretty } : {}) });
  } catch (err) {
    if (!(err instanceof LoggerConfigError)) throw err;
    process.stderr.write(`relayguard serve: ${err.message}\n`);
    return 2;
  }
  const workers = flags.workers === undefined || flags.workers === 'auto' ? autoWorkers() : flags.workers;
  const id = workerId();
  if (id !== undefined) return serveWorker(dir, flags, logger.child({ worker: id }), id);
  if (workers > 1) return runPrimary({ workers, logger });
  return serveProcess({ dir, logger, ...(flags.dev === true ? { dev: true } : {}), ...(flags.shadow !== undefined ? { gatewayOptions: { shadowDir: resolve(flags.shadow) } } : {}) });
}

/** One of N cluster workers: the first also serves admin HTTP and --dev; SIGINT is the primary's to handle. */
async function serveWorker(dir: string, flags: ServeFlags, logger: Logger, id: number): Promise<number> {
  // A terminal's Ctrl-C reaches the whole process group; the primary turns it into one SIGTERM per worker.
  process.on('SIGINT', () => undefined);
  // Worker 1 serves /metrics for all: it adds the other workers' snapshots, relayed by the primary.
  const metrics = createMetrics(id === 1 ? { peers: requestPeerMetrics } : {});
  answerMetricsCollect(() => metrics.snapshot());
  const code = await serveProcess({
    dir,
    logger,
    admin: id === 1,
    dev: flags.dev === true && id === 1,
    stopSignals: ['SIGTERM'],
    onStarted: () => reportReady(),
    gatewayOptions: { metrics, ...(flags.shadow !== undefined ? { shadowDir: resolve(flags.shadow) } : {}) },
  });
  // The IPC channel to the primary would keep this process alive after the drain.
  process.disconnect?.();
  return code;
}

function parseWorkers(value: string): number | 'auto' {
  if (value === 'auto') return value;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('expected "auto" or a whole number from 1 to 256');
  return n;
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the gateway on DIR; hot-reload on file changes and SIGHUP; drain in-flight sessions on SIGTERM')
    .argument('[dir]', 'config directory', 'policies')
    .addOption(new Option('--log-level <level>', 'log level (default: env RELAYGUARD_LOG_LEVEL, else info)').choices([...LOG_LEVELS]))
    .addOption(new Option('--pretty', 'human-readable logs (default when stdout is a terminal)').conflicts('jsonLogs'))
    .addOption(new Option('--json-logs', 'JSON lines logs (default when stdout is not a terminal)'))
    .option('--shadow <dir>', "candidate config directory whose policies are evaluated on live traffic without affecting delivery (overrides gateway.shadow)")
    .option('--dev', 'also start capture MTAs for loopback receivers (writes var/dev-mail/) and print a "try it" line')
    .addOption(
      new Option('--workers <n>', 'worker processes sharing the listeners (node:cluster; 1: in-process); auto: 1 on up to 2 usable cores, else one per usable core but one (cgroup CPU quota respected)')
        .argParser(parseWorkers)
        .default('auto'),
    )
    .action(async (dir: string, options: ServeFlags) => {
      const code = await runServe(dir, options);
      process.exitCode = code;
      // Everything is closed after a drain; this only guards against a handle someone forgot.
      setTimeout(() => process.exit(code), 2000).unref();
    });
}
