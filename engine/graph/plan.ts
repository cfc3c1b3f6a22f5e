// `relayguard plan` and the hot-reload log line: what changes between two graphs.
// Both graphs are compared through their descriptions (describe.ts), so everything that is
// shown is compared, and nothing secret is.
import { describeGraph } from './describe.js';
import type { GraphDescription, RouteDescription } from './describe.js';
import { flattenForDiff } from './plan-flatten.js';
import type { RoutingGraph } from './types.js';

export type ChangeKind = 'added' | 'removed' | 'changed';
export type PlanSection = 'gateway' | 'listener' | 'upstream' | 'receiver' | 'route' | 'policy' | 'test';

export interface Change {
  readonly kind: ChangeKind;
  readonly section: PlanSection;
  readonly name: string;
  readonly details: readonly string[];
}

/** Section order of a plan; `test` is filled by an optional policy-test comparison (see cli/plan.ts). */
export const PLAN_SECTIONS: readonly PlanSection[] = ['gateway', 'listener', 'upstream', 'receiver', 'route', 'policy', 'test'];

interface Keyed {
  readonly name: string;
  readonly order: number;
  readonly value: unknown;
}

interface Sorted extends Change {
  readonly order: number;
}

function fieldDetails(before: unknown, after: unknown): string[] {
  const a = flattenForDiff(before);
  const b = flattenForDiff(after);
  const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  return keys.filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k) ?? '(none)'} → ${b.get(k) ?? '(none)'}`);
}

function diffKeyed(section: PlanSection, before: readonly Keyed[], after: readonly Keyed[]): Sorted[] {
  const old = new Map(before.map((k) => [k.name, k]));
  const now = new Map(after.map((k) => [k.name, k]));
  const out: Sorted[] = [];
  for (const item of after) {
    const prev = old.get(item.name);
    if (!prev) out.push({ kind: 'added', section, name: item.name, details: [], order: item.order });
    else {
      const details = fieldDetails(prev.value, item.value);
      if (details.length > 0) out.push({ kind: 'changed', section, name: item.name, details, order: item.order });
    }
  }
  for (const item of before) {
    if (!now.has(item.name)) out.push({ kind: 'removed', section, name: item.name, details: [], order: item.order });
  }
  return out;
}

function listenerName(l: { readonly address: string; readonly port: number }): string {
  return l.address.includes(':') ? `[${l.address}]:${l.port}` : `${l.address}:${l.port}`;
}

function routeName(r: RouteDescription): string {
  return `#${r.index + 1} (${r.domains.join(', ')})`;
}

function routeBody(r: RouteDescription): unknown {
  return { domains: r.domains, receivers: r.receivers, strategy: r.strategy };
}

type RoutePairing = (old: RouteDescription, now: RouteDescription) => boolean;

const domainKey = (r: RouteDescription): string => r.domains.join('\n');
const sharedDomain: RoutePairing = (o, r) => o.domains.some((d) => r.domains.includes(d));
const samePosition: RoutePairing = (o, r) => o.index === r.index;

/**
 * Routes have no names: pair those with the same domain list first (wherever they moved), then
 * those sharing a domain, then the rest by position; what is left was added or removed.
 */
function pairRoutes(before: readonly RouteDescription[], after: readonly RouteDescription[]): Map<RouteDescription, RouteDescription> {
  const byDomains = new Map<string, RouteDescription[]>();
  for (const o of before) byDomains.set(domainKey(o), [...(byDomains.get(domainKey(o)) ?? []), o]);
  const pairs = new Map<RouteDescription, RouteDescription>();
  for (const r of after) {
    const match = byDomains.get(domainKey(r))?.shift();
    if (match) pairs.set(r, match);
  }
  const unpairedOld = [...byDomains.values()].flat().sort((a, b) => a.index - b.index);
  for (const rule of [sharedDomain, samePosition]) {
    for (const r of after) {
      if (pairs.has(r)) continue;
      const at = unpairedOld.findIndex((o) => rule(o, r));
      const [match] = at >= 0 ? unpairedOld.splice(at, 1) : [];
      if (match) pairs.set(r, match);
    }
  }
  return pairs;
}

function diffRoutes(before: readonly RouteDescription[], after: readonly RouteDescription[]): Sorted[] {
  const pairs = pairRoutes(before, after);
  const paired = new Set(pairs.values());
  const out: Sorted[] = [];
  for (const r of after) {
    const prev = pairs.get(r);
    if (!prev) {
      out.push({ kind: 'added', section: 'route', name: routeName(r), details: [`receivers: ${r.receivers.join(', ')}`], order: r.index });
      continue;
    }
    const moved = prev.index !== r.index ? [`position: #${prev.index + 1} → #${r.index + 1}`] : [];
    const details = [...moved, ...fieldDetails(routeBody(prev), routeBody(r))];
    if (details.length > 0) out.push({ kind: 'changed', section: 'route', name: routeName(r), details, order: r.index });
  }
  for (const r of before.filter((o) => !paired.has(o))) out.push({ kind: 'removed', section: 'route', name: routeName(r), details: [], order: r.index });
  return out;
}

function named<T extends { readonly name: string }>(items: readonly T[]): Keyed[] {
  return items.map((item, order) => ({ name: item.name, order, value: item }));
}

function bySectionThenName(a: Sorted, b: Sorted): number {
  const s = PLAN_SECTIONS.indexOf(a.section) - PLAN_SECTIONS.indexOf(b.section);
  if (s !== 0) return s;
  if (a.section === 'route') return a.order - b.order || a.kind.localeCompare(b.kind);
  return a.name.localeCompare(b.name);
}

export function planDescriptions(before: GraphDescription, after: GraphDescription): readonly Change[] {
  const gateway = (d: GraphDescription): Keyed[] => [{ name: 'gateway', order: 0, value: d.gateway }];
  const listeners = (d: GraphDescription): Keyed[] => d.listeners.map((l, order) => ({ name: listenerName(l), order, value: l }));
  const changes: Sorted[] = [
    ...diffKeyed('gateway', gateway(before), gateway(after)),
    ...diffKeyed('listener', listeners(before), listeners(after)),
    ...diffKeyed('upstream', named(before.upstreams), named(after.upstreams)),
    ...diffKeyed('receiver', named(before.receivers), named(after.receivers)),
    ...diffRoutes(before.routes, after.routes),
    ...diffKeyed('policy', named(before.policies), named(after.policies)),
  ];
  return Object.freeze(changes.sort(bySectionThenName).map(({ kind, section, name, details }) => Object.freeze({ kind, section, name, details: Object.freeze(details) })));
}

/** Every change once, in a stable order: section (gateway … policy), then name (routes by position). */
export function planChanges(oldGraph: RoutingGraph, newGraph: RoutingGraph): readonly Change[] {
  return planDescriptions(describeGraph(oldGraph), describeGraph(newGraph));
}

const SYMBOL: { readonly [K in ChangeKind]: string } = { added: '+', removed: '-', changed: '~' };

/** "upstream corp-postfix"; the gateway is one of a kind, so just "gateway". */
function label(c: Change): string {
  return c.section === 'gateway' ? 'gateway' : `${c.section} ${c.name}`;
}

function countKinds(changes: readonly Change[]): { readonly added: number; readonly changed: number; readonly removed: number } {
  const count = (kind: ChangeKind): number => changes.filter((c) => c.kind === kind).length;
  return { added: count('added'), changed: count('changed'), removed: count('removed') };
}

/** Terraform-like: one line per change, details inline when there is one, indented when more. */
export function formatPlan(changes: readonly Change[]): string {
  if (changes.length === 0) return 'No changes. The new configuration compiles to the same routing graph.\n';
  const lines: string[] = [];
  for (const c of changes) {
    const head = `${SYMBOL[c.kind]} ${label(c)}`;
    if (c.details.length === 1) lines.push(`${head}: ${c.details[0]}`);
    else lines.push(head, ...c.details.map((d) => `    ${d}`));
  }
  const n = countKinds(changes);
  lines.push('', `Plan: ${n.added} to add, ${n.changed} to change, ${n.removed} to remove.`, '');
  return lines.join('\n');
}

/** One line for logs: "2 added, 1 changed, 0 removed: ~policy block-card-numbers, +receiver mx-out-2". */
export function summarizePlan(changes: readonly Change[]): string {
  if (changes.length === 0) return 'no changes';
  const n = countKinds(changes);
  const items = changes.map((c) => `${SYMBOL[c.kind]}${label(c)}`).join(', ');
  return `${n.added} added, ${n.changed} changed, ${n.removed} removed: ${items}`;
}
