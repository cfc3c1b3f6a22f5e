// What every command handler of a generation shares: the pinned graph, services, and generation state.
// The layers below see only their part of it (TransactionContext, RouteContext), declared there.
import type { AdmissionBudget } from './admission.js';
import type { InboundSession } from './inbound-session.js';
import type { SpoolOptions } from '../transaction/spool.js';
import type { TransactionContext } from '../transaction/transaction-context.js';

export interface EngineContext extends TransactionContext {
  readonly spool: SpoolOptions;
  /** Gateway-wide bytes of messages in flight (gateway.inspection.maxConcurrentBytes). */
  readonly admission: AdmissionBudget;
  isDraining(): boolean;
  transactionStarted(s: InboundSession): void;
}
