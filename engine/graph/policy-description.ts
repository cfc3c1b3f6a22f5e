// The policies of a graph as plain data for render and plan. Kept apart so the graph side
// depends on the policy compiler's output in exactly one place.
import type { PolicySet } from '../policy/compile/compile.js';

export interface PolicyDescription {
  readonly name: string;
  readonly severity: string;
  readonly mode: string;
  /** The action type: pass | block | modify | redirect. */
  readonly action: string;
  /** The policy as written, keys sorted, without name/severity/mode (compared on their own): what `plan` compares. */
  readonly definition: unknown;
}

/** JSON with object keys sorted, so key order in the file never shows up as a change. */
export function normalizeJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeJson);
  if (value instanceof Date) return value.toISOString();
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && typeof v !== 'function') out[key] = normalizeJson(v);
  }
  return out;
}

/** The written form of one policy as the graph keeps it (see RoutingGraph.policyDefinitions). */
export function policyDefinition(written: unknown): unknown {
  if (typeof written !== 'object' || written === null) return normalizeJson(written);
  const { name: _name, severity: _severity, mode: _mode, ...rest } = written as Record<string, unknown>;
  return normalizeJson(rest);
}

export function describePolicies(set: PolicySet, definitions?: ReadonlyMap<string, unknown>): PolicyDescription[] {
  return set.policies.map((p) => ({
    name: p.name,
    severity: p.severity,
    mode: p.mode,
    action: p.action.type,
    definition: definitions?.get(p.name) ?? null,
  }));
}
