// The one place inspection settings come from. `serve` inspects with the graph's gateway.inspection;
// `test`, `replay` and the shadow candidate build theirs here from the same section and defaults, so a
// limit, the budget, onFailure or onUnscannable can never behave differently in CI than on live mail.
import type { InspectionSection } from '../config/generated/topology.js';
import type { InspectionSettings } from '../policy/inspect.js';
import { DEFAULTS } from './defaults.js';
import type { GatewaySettings } from './types.js';

export type GatewayInspection = GatewaySettings['inspection'];

/** gateway.inspection of a topology file with every default filled in (what compile puts in the graph). */
export function compileInspection(section: InspectionSection | undefined): GatewayInspection {
  return Object.freeze({ ...DEFAULTS.inspection, ...section, extraction: Object.freeze({ ...DEFAULTS.inspection.extraction, ...section?.extraction }) });
}

/** What inspectMessage takes, from the graph's section (mirrors how a generation builds its analysis limits). */
export function inspectionSettingsOf(g: GatewayInspection): InspectionSettings {
  return Object.freeze({
    budgetMs: g.budgetMs,
    onFailure: g.onFailure,
    onUnscannable: g.onUnscannable,
    limits: Object.freeze({ maxDepth: g.maxDepth, maxParts: g.maxParts, maxDecodedBytes: g.maxDecodedBytes, ...g.extraction }),
  });
}
