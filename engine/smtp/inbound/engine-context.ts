// What every command handler of a generation shares: the pinned graph, services, and generation state.
import type { Logger } from 'pino';
import type { RoutingGraph } from '../../graph/types.js';
import type { AnalysisLimits } from '../../policy/analysis.js';
import type { AdmissionBudget } from './admission.js';
import type { EngineServices } from '../engine-api.js';
import type { InboundSession } from './inbound-session.js';
import type { LegTargets } from '../route/leg-targets.js';
import type { MxTargets } from '../route/mx-targets.js';
import type { RouteCursor } from '../route/route-cursor.js';
import type { SpoolOptions } from '../transaction/spool.js';

export interface EngineContext {
  readonly graph: RoutingGraph;
  readonly services: EngineServices;
  readonly logger: Logger;
  readonly targets: LegTargets;
  /** `mx` receivers: MX hosts and TLS policy per recipient domain. */
  readonly mx: MxTargets;
  readonly cursor: RouteCursor;
  readonly spool: SpoolOptions;
  readonly analysisLimits: AnalysisLimits;
  /** Gateway-wide bytes of messages in flight (gateway.inspection.maxConcurrentBytes). */
  readonly admission: AdmissionBudget;
  isDraining(): boolean;
  transactionStarted(s: InboundSession): void;
  transactionEnded(s: InboundSession): void;
}
