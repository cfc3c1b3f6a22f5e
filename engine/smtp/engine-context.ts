// What every command handler of a generation shares: the pinned graph, services, and generation state.
import type { Logger } from 'pino';
import type { RoutingGraph } from '../graph/types.js';
import type { InspectionLimits } from '../policy/extract/limits.js';
import type { AdmissionBudget } from './admission.js';
import type { EngineServices } from './engine-api.js';
import type { InboundSession } from './inbound-session.js';
import type { LegTargets } from './leg-targets.js';
import type { MxTargets } from './mx-targets.js';
import type { RouteCursor } from './route-cursor.js';
import type { SpoolOptions } from './spool.js';

export interface EngineContext {
  readonly graph: RoutingGraph;
  readonly services: EngineServices;
  readonly logger: Logger;
  readonly targets: LegTargets;
  /** `mx` receivers: MX hosts and TLS policy per recipient domain. */
  readonly mx: MxTargets;
  readonly cursor: RouteCursor;
  readonly spool: SpoolOptions;
  readonly analysisLimits: InspectionLimits;
  /** Gateway-wide bytes of messages in flight (gateway.inspection.maxConcurrentBytes). */
  readonly admission: AdmissionBudget;
  isDraining(): boolean;
  transactionStarted(s: InboundSession): void;
  transactionEnded(s: InboundSession): void;
}
