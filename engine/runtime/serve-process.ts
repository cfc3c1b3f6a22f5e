// One gateway process from start to exit: start (exit 1 with diagnostics when the config is not valid),
// SIGHUP reloads, SIGTERM/SIGINT drain and exit 0, a second signal exits 1 at once.
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { formatDiagnostics } from '../config/load.js';
import { startDevMail } from './dev-mta.js';
import type { DevMail } from './dev-mta.js';
import { Gateway, GatewayStartError } from './gateway.js';
import type { GatewayOptions } from './gateway.js';
import { createMetrics } from './metrics.js';

export interface ServeProcessOptions {
  readonly dir: string;
  readonly logger: Logger;
  /** Start capture MTAs for loopback receivers and print a "try it" banner. */
  readonly dev?: boolean;
  /** false in cluster workers other than the first: one admin listener per host. Default true. */
  readonly admin?: boolean;
  /** Which signals stop the process (cluster workers leave SIGINT to the primary). */
  readonly stopSignals?: readonly NodeJS.Signals[];
  /** Where signals come from (tests); default process. */
  readonly signals?: EventEmitter;
  /** Immediate exit on a second stop signal; default process.exit. */
  readonly exit?: (code: number) => void;
  /** Problems before the logger could say them, for stderr. */
  readonly stderr?: (text: string) => void;
  /** Called once the gateway runs (cluster workers report readiness to the primary). */
  readonly onStarted?: (gateway: Gateway) => void;
  readonly gatewayOptions?: Partial<GatewayOptions>;
}

export async function serveProcess(opts: ServeProcessOptions): Promise<number> {
  // Signals are ours from the first moment: SIGHUP's default action would kill a starting gateway.
  const control = new StopControl(opts);
  try {
    const stderr = opts.stderr ?? ((t: string) => void process.stderr.write(t));
    let gateway: Gateway;
    try {
      gateway = await Gateway.start(opts.dir, { logger: opts.logger, metrics: createMetrics(), ...(opts.admin === false ? { admin: false } : {}), ...opts.gatewayOptions });
    } catch (err) {
      if (!(err instanceof GatewayStartError)) throw err;
      stderr(`${formatDiagnostics(err.diagnostics, 'text')}relayguard serve: ${err.message} [${err.code}]\n`);
      opts.logger.fatal({ code: err.code, errors: err.diagnostics.length }, err.message);
      return 1;
    }
    const dev = opts.dev === true ? await startDevMail(gateway.graph, { logger: opts.logger }) : undefined;
    opts.onStarted?.(gateway);
    return await control.run(gateway, dev);
  } finally {
    control.detach();
  }
}

/** SIGHUP → reload; first stop signal → drain; second → exit 1. Signals before the gateway runs are kept for it. */
class StopControl {
  readonly #opts: ServeProcessOptions;
  readonly #signals: EventEmitter;
  readonly #stopSignals: readonly NodeJS.Signals[];
  #gateway: Gateway | undefined;
  #dev: DevMail | undefined;
  #stopping = false;
  #reloadPending = false;
  #resolve: ((code: number) => void) | undefined;
  readonly #onHup = (): void => this.#hup();
  readonly #onStop = (signal: NodeJS.Signals): void => this.#stop(signal);

  constructor(opts: ServeProcessOptions) {
    this.#opts = opts;
    this.#signals = opts.signals ?? process;
    this.#stopSignals = opts.stopSignals ?? ['SIGTERM', 'SIGINT'];
    this.#signals.on('SIGHUP', this.#onHup);
    for (const s of this.#stopSignals) this.#signals.on(s, this.#onStop);
  }

  /** Resolves with the exit code once a stop signal has drained the gateway. */
  run(gateway: Gateway, dev: DevMail | undefined): Promise<number> {
    this.#gateway = gateway;
    this.#dev = dev;
    return new Promise<number>((resolve) => {
      this.#resolve = resolve;
      if (this.#stopping) this.#drain('SIGTERM');
      else if (this.#reloadPending) this.#hup();
    });
  }

  detach(): void {
    this.#signals.off('SIGHUP', this.#onHup);
    // The stop handlers stay until exit, so a late second signal still forces exit 1.
  }

  #hup(): void {
    const gateway = this.#gateway;
    if (gateway === undefined) {
      this.#reloadPending = true;
      return;
    }
    this.#opts.logger.info({ code: 'RG_RELOAD_SIGNAL' }, 'SIGHUP: reloading the configuration');
    gateway.reloadNow('signal').catch((err: unknown) => this.#opts.logger.error({ err, code: 'RG_RELOAD_CRASHED' }, 'reload failed'));
  }

  #stop(signal: NodeJS.Signals): void {
    if (this.#stopping) {
      this.#opts.logger.warn({ code: 'RG_RUNTIME_FORCED_EXIT', signal }, `${signal} again: exiting now without waiting for sessions`);
      (this.#opts.exit ?? ((code: number) => process.exit(code)))(1);
      return;
    }
    this.#stopping = true;
    if (this.#gateway !== undefined) this.#drain(signal);
    else this.#opts.logger.info({ code: 'RG_RUNTIME_STOP_SIGNAL', signal }, `${signal} while starting: stopping once started`);
  }

  #drain(signal: NodeJS.Signals): void {
    const gateway = this.#gateway;
    if (gateway === undefined) return;
    const log = this.#opts.logger;
    const graceMs = gateway.graph.gateway.drain.graceMs;
    log.info({ code: 'RG_RUNTIME_STOP_SIGNAL', signal, graceMs }, `${signal}: draining (send it again to exit at once)`);
    void gateway
      .shutdown(graceMs)
      .then(() => this.#dev?.close())
      .then(
        () => this.#resolve?.(0),
        (err: unknown) => {
          log.error({ err, code: 'RG_RUNTIME_SHUTDOWN_FAILED' }, 'shutdown failed');
          this.#resolve?.(1);
        },
      );
  }
}
