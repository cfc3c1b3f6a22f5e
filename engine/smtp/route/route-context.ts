// What routing a recipient needs from its generation: the pinned graph and the generation's targets.
// The transaction and inbound contexts extend it, so one object serves every layer.
import type { Logger } from 'pino';
import type { RoutingGraph } from '../../graph/types.js';
import type { LegTargets } from './leg-targets.js';
import type { MxTargets } from './mx-targets.js';
import type { RouteCursor } from './route-cursor.js';

export interface RouteContext {
  readonly graph: RoutingGraph;
  readonly logger: Logger;
  readonly targets: LegTargets;
  /** `mx` receivers: MX hosts and TLS policy per recipient domain. */
  readonly mx: MxTargets;
  readonly cursor: RouteCursor;
}
