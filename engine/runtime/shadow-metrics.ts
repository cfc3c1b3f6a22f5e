// Shadow rollout metrics, on the gateway's own registry: disagreements by policy and kind, and what happened to
// each offered message (agreed, disagreed, skipped, dropped, error).
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

export type ShadowOutcome = 'agreed' | 'disagreed' | 'skipped' | 'dropped' | 'error';

export interface ShadowMetrics {
  disagreement(policy: string, kind: string): void;
  outcome(outcome: ShadowOutcome): void;
}

const MAX_POLICY_LABELS = 200;

export function createShadowMetrics(registry: Registry | undefined): ShadowMetrics {
  if (registry === undefined) return { disagreement: () => undefined, outcome: () => undefined };
  const registers = [registry];
  // prom-client refuses a second registration of a name; a shadow evaluator replaced after a dir change reuses them.
  const disagreements = (registry.getSingleMetric('relayguard_shadow_disagreements_total') as Counter<'policy' | 'kind'> | undefined) ??
    new Counter({ name: 'relayguard_shadow_disagreements_total', help: 'Messages the shadow candidate would handle differently from the live config, by policy and kind (newly_blocked, no_longer_blocked, changed_action, newly_matched, no_longer_matched, verdict).', labelNames: ['policy', 'kind'], registers });
  const evaluations = (registry.getSingleMetric('relayguard_shadow_evaluations_total') as Counter<'outcome'> | undefined) ??
    new Counter({ name: 'relayguard_shadow_evaluations_total', help: 'Live messages offered to the shadow candidate, by outcome (agreed, disagreed, skipped: no candidate or the message was not held, dropped: queue full, error).', labelNames: ['outcome'], registers });
  const seen = new Set<string>();
  return {
    disagreement(policy, kind) {
      // Policy names come from config, but bound the series anyway.
      if (!seen.has(policy) && seen.size >= MAX_POLICY_LABELS) policy = 'other';
      seen.add(policy);
      disagreements.inc({ policy: policy === '' ? '(verdict)' : policy, kind });
    },
    outcome(outcome) {
      evaluations.inc({ outcome });
    },
  };
}
