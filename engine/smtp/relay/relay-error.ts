// Transport failures of the receiving leg. Server replies (4xx/5xx) are values, never RelayErrors.
import { replies, replyText } from '../reply.js';
import type { SmtpReply } from '../reply.js';

export type RelayErrorCode =
  | 'RG_RELAY_CONNECT_REFUSED'
  | 'RG_RELAY_CONNECT_TIMEOUT'
  | 'RG_RELAY_CONNECT_FAILED'
  | 'RG_RELAY_GREETING'
  | 'RG_RELAY_EHLO_REJECTED'
  | 'RG_RELAY_TLS_HANDSHAKE'
  | 'RG_RELAY_TLS_VERIFY'
  | 'RG_RELAY_NO_STARTTLS'
  | 'RG_RELAY_STARTTLS_REJECTED'
  | 'RG_RELAY_CONNECTION_LOST'
  | 'RG_RELAY_TIMEOUT'
  | 'RG_RELAY_PROTOCOL'
  | 'RG_RELAY_BAD_ARGUMENT'
  | 'RG_RELAY_BUSY'
  | 'RG_RELAY_CLOSED'
  | 'RG_RELAY_ABORTED'
  | 'RG_RELAY_BODY_READ'
  | 'RG_RELAY_POOL_TIMEOUT'
  | 'RG_RELAY_POOL_CLOSED';

export type RelayPhase = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'mail' | 'rcpt' | 'data' | 'rset' | 'quit' | 'pool';

export type RelayErrorDetails = {
  readonly host: string;
  readonly port: number;
  readonly reply?: SmtpReply;
  readonly cause?: unknown;
};

export class RelayError extends Error {
  readonly code: RelayErrorCode;
  readonly phase: RelayPhase;
  readonly host: string;
  readonly port: number;
  readonly reply?: SmtpReply;

  constructor(code: RelayErrorCode, phase: RelayPhase, message: string, details: RelayErrorDetails) {
    super(`${details.host}:${details.port}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'RelayError';
    this.code = code;
    this.phase = phase;
    this.host = details.host;
    this.port = details.port;
    if (details.reply !== undefined) this.reply = details.reply;
  }
}

type Blame = 'setup' | 'lost' | 'internal';

/** setup: the receiver could not be reached in a usable state; lost: it went away mid-session; internal: our bug. */
function blame(code: RelayErrorCode): Blame {
  switch (code) {
    case 'RG_RELAY_CONNECT_REFUSED':
    case 'RG_RELAY_CONNECT_TIMEOUT':
    case 'RG_RELAY_CONNECT_FAILED':
    case 'RG_RELAY_GREETING':
    case 'RG_RELAY_EHLO_REJECTED':
    case 'RG_RELAY_TLS_HANDSHAKE':
    case 'RG_RELAY_TLS_VERIFY':
    case 'RG_RELAY_NO_STARTTLS':
    case 'RG_RELAY_STARTTLS_REJECTED':
    case 'RG_RELAY_POOL_TIMEOUT':
    case 'RG_RELAY_POOL_CLOSED':
      return 'setup';
    case 'RG_RELAY_CONNECTION_LOST':
    case 'RG_RELAY_TIMEOUT':
    case 'RG_RELAY_PROTOCOL':
    case 'RG_RELAY_ABORTED':
    case 'RG_RELAY_BODY_READ':
      return 'lost';
    case 'RG_RELAY_BAD_ARGUMENT':
    case 'RG_RELAY_BUSY':
    case 'RG_RELAY_CLOSED':
      return 'internal';
    default: {
      const never: never = code;
      return never;
    }
  }
}

const SETUP_PHASES: ReadonlySet<RelayPhase> = new Set(['connect', 'greeting', 'ehlo', 'starttls', 'pool']);

/**
 * What the upstream hears when the receiving leg fails: always 4xx so it keeps the message.
 * Setup failures are 421 4.4.1 (unreachable), losses mid-transaction 421 4.4.2, misuse of the client 451 4.3.0;
 * the text names host:port and the cause.
 */
export function toUpstreamReply(err: unknown): SmtpReply {
  if (!(err instanceof RelayError)) {
    return replies.internalError(err instanceof Error ? err.message : String(err));
  }
  const detail = err.reply === undefined ? err.message : `${err.message} (${replyText(err.reply)})`;
  const cause = `[${err.code}] ${detail}`;
  const kind = blame(err.code);
  if (kind === 'internal') return replies.internalError(cause);
  return kind === 'setup' || SETUP_PHASES.has(err.phase) ? replies.unreachable(cause) : replies.connectionLost(cause);
}
