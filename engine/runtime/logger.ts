// Structured logs: JSON lines (pino) by default, pino-pretty for humans at a terminal. The helpers
// below are the one place a transaction or TLS event becomes a log line, so every caller logs alike.
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { EngineObserver, LegTls, RefusalReason, TlsHandshakeEvent, TransactionRecord } from '../smtp/engine-api.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  /** Default: env RELAYGUARD_LOG_LEVEL, else info. */
  readonly level?: string;
  /** Human-readable output. Default: true when writing to a stdout that is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go. Default: stdout. */
  readonly destination?: DestinationStream;
  /** Environment to read RELAYGUARD_LOG_LEVEL from (tests). Default: process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export class LoggerConfigError extends Error {
  readonly code = 'RG_LOG_LEVEL';

  constructor(level: string) {
    super(`unknown log level "${level}" (known: ${LOG_LEVELS.join(', ')})`);
    this.name = 'LoggerConfigError';
  }
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

export function resolveLogLevel(level: string | undefined, env: Readonly<Record<string, string | undefined>>): LogLevel {
  const chosen = (level ?? env['RELAYGUARD_LOG_LEVEL'] ?? 'info').trim().toLowerCase();
  if (!isLogLevel(chosen)) throw new LoggerConfigError(chosen);
  return chosen;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = resolveLogLevel(opts.level, opts.env ?? process.env);
  const usePretty = opts.pretty ?? (opts.destination === undefined && process.stdout.isTTY === true);
  if (usePretty) {
    // Formatted in-process, synchronously: no worker transport to resolve at runtime, no lost lines at exit.
    const format = prettyFactory({ colorize: opts.destination === undefined, translateTime: 'SYS:standard' });
    const target: DestinationStream = opts.destination ?? process.stdout;
    return pino({ level }, { write: (line: string) => void target.write(format(line)) });
  }
  const options = {
    level,
    // Level names, not numbers, and ISO times: the lines are read by people and by log pipelines.
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Synchronous: the line before a crash or a SIGTERM exit is the one that matters.
  return pino(options, opts.destination ?? pino.destination({ dest: 1, sync: true }));
}

/** A leg's TLS facts as log fields. */
function legFields(tls: LegTls | undefined): Record<string, unknown> | undefined {
  if (tls === undefined) return undefined;
  return {
    version: tls.protocol,
    cipher: tls.cipher,
    verified: tls.verified,
    ...(tls.peerSubject === undefined ? {} : { peerSubject: tls.peerSubject }),
    ...(tls.peerFingerprint === undefined ? {} : { peerFingerprint: tls.peerFingerprint }),
  };
}

/** The queue id the receiving MTA put in its final reply (Postfix "queued as X", Exim "id=X"). */
export function queueIdOf(reply: string | undefined): string | undefined {
  if (reply === undefined) return undefined;
  const match = /queued as ([A-Za-z0-9._-]+)/i.exec(reply) ?? /\bid=([A-Za-z0-9._-]+)/i.exec(reply);
  return match?.[1];
}

/** The fields of the one line every finished transaction gets. */
export function transactionFields(r: TransactionRecord): Record<string, unknown> {
  const queueId = queueIdOf(r.downstreamReply);
  return {
    event: 'transaction',
    transactionId: r.transactionId,
    sessionId: r.sessionId,
    upstream: r.upstream,
    mode: r.mode,
    ...(r.receiver === undefined ? {} : { receiver: r.receiver }),
    from: r.sender,
    to: r.recipients,
    size: r.size,
    outcome: r.outcome,
    decision: r.decision,
    policies: r.policies,
    reply: r.reply,
    ...(r.downstreamReply === undefined ? {} : { downstreamReply: r.downstreamReply }),
    ...(queueId === undefined ? {} : { queueId }),
    tls: { inbound: legFields(r.inboundTls) ?? null, receiving: legFields(r.receivingTls) ?? null },
    timings: r.timings,
  };
}

export function logTransaction(logger: Logger, record: TransactionRecord): void {
  if (!logger.isLevelEnabled('info')) return; // the fields and message are built for nothing at warn/error
  const to = record.receiver ?? record.mode;
  logger.info(transactionFields(record), `${record.outcome} ${record.upstream} -> ${to}: ${record.reply}`);
}

export interface TlsLogEvent extends TlsHandshakeEvent {
  /** What to do about a failure, e.g. the `relayguard certs import` command. */
  readonly hint?: string;
}

/** For callers that do not log TLS themselves: failures at warn (with the hint), unverified peers at info, successes at debug. */
export function logTlsHandshake(logger: Logger, e: TlsLogEvent): void {
  const fields = { event: 'tls', ...e };
  switch (e.result) {
    case 'failed':
      logger.warn(fields, `TLS ${e.leg} ${e.peer} (${e.address}) failed: ${e.reason ?? 'handshake failed'}${e.hint ? ` — fix: ${e.hint}` : ''}`);
      return;
    case 'unverified':
      logger.info(fields, `TLS ${e.leg} ${e.peer} (${e.address}) encrypted but peer not verified (gateway.tls.authenticate: false)`);
      return;
    case 'ok':
      logger.debug(fields, `TLS ${e.leg} ${e.peer} (${e.address}) ${e.protocol ?? ''}`.trimEnd());
      return;
    default: {
      const never: never = e.result;
      return never;
    }
  }
}

/**
 * An EngineObserver that logs; combine it with the metrics via combineObservers. The engine already
 * logs refusals, TLS failures (at warn, with the fix) and relay errors where it has the details, so
 * here those are debug traces; the one info line per transaction is written only here.
 */
export function createLogObserver(logger: Logger): EngineObserver {
  return {
    sessionOpened: (e) => logger.debug({ event: 'session-open', ...e }, `session ${e.sessionId} from ${e.remoteAddress}`),
    sessionRefused: (e: { readonly remoteAddress: string; readonly reason: RefusalReason }) =>
      logger.debug({ event: 'session-refused', ...e }, `refused ${e.remoteAddress}: ${e.reason}`),
    sessionClosed: (e) => logger.debug({ event: 'session-close', ...e }, `session ${e.sessionId} closed`),
    tlsHandshake: (e) => logger.debug({ event: 'tls', ...e }, `TLS ${e.leg} ${e.peer} (${e.address}): ${e.result}${e.protocol ? ` ${e.protocol}` : ''}`),
    transactionFinished: (r) => logTransaction(logger, r),
    relayError: (e) => logger.debug({ event: 'relay-error', ...e }, `receiving MTA ${e.receiver}: ${e.kind}`),
  };
}

/** Fans every observer call out to each observer in order. */
export function combineObservers(...observers: readonly EngineObserver[]): EngineObserver {
  return {
    sessionOpened: (e) => observers.forEach((o) => o.sessionOpened(e)),
    sessionRefused: (e) => observers.forEach((o) => o.sessionRefused(e)),
    sessionClosed: (e) => observers.forEach((o) => o.sessionClosed(e)),
    tlsHandshake: (e) => observers.forEach((o) => o.tlsHandshake(e)),
    transactionFinished: (r) => observers.forEach((o) => o.transactionFinished(r)),
    relayError: (e) => observers.forEach((o) => o.relayError(e)),
  };
}

export type { Logger } from 'pino';
