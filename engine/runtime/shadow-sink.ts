// The hook the SMTP engine calls once per inspected message, after the live decision: it hands the message to the
// shadow evaluator and returns at once (the evaluation runs later, off the reply path). The field is added to the
// engine's services by augmentation so the engine keeps seeing only an optional sink; the runtime provides it.
import type { RoutingGraph } from '../graph/types.js';
import type { Inspection } from '../policy/inspect.js';
import type { Envelope } from '../policy/decide/verdict.js';

export interface ShadowOffer {
  /** The live graph the message was inspected under. */
  readonly graph: RoutingGraph;
  readonly envelope: Envelope;
  /** The live decision and the analysis it was made on. */
  readonly live: Inspection;
  /** The message, when it is held in memory (at most the spool threshold); a spooled file is gone after delivery. */
  readonly raw: Buffer | null;
}

export interface ShadowSink {
  /** Never throws, never waits: enqueue or drop-and-count. */
  offer(offer: ShadowOffer): void;
}

declare module '../smtp/transaction/transaction-context.js' {
  interface TransactionServices {
    readonly shadow?: ShadowSink;
  }
}
