// The policies of a graph as plain data for render and plan. Kept apart so the graph side
// depends on the policy compiler's output in exactly one place.
import type { PolicySet } from '../policy/compile.js';

export interface PolicyDescription {
  readonly name: string;
  readonly severity: string;
  readonly mode: string;
  /** The action type: pass | block | modify | redirect. */
  readonly action: string;
  /** The policy as written (defaults applied), keys sorted: what `plan` compares. */
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

export function describePolicies(set: PolicySet): PolicyDescription[] {
  return set.policies.map((p) => ({
    name: p.name,
    severity: p.severity,
    mode: p.mode,
    action: p.action.type,
    definition: normalizeJson(p.source),
  }));
}
