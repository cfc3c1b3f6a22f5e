// The /status document: what is running (revision, listeners, upstreams, receivers, certificates),
// how the last reload went, and what is in flight. Built from the live graph plus runtime facts.
import type { Diagnostic } from '../config/diagnostic.js';
import type { CertificateSummary, OutboundTls, Receiver, RoutingGraph, Upstream } from '../graph/types.js';
import type { ReloadResult } from './reload-result.js';
import type { ShadowOutcome } from './shadow-metrics.js';

export type ReloadOutcome = 'success' | 'failure' | 'unchanged';

/** What the reloader knows about its last attempt. */
export interface ReloadReport {
  readonly result: ReloadOutcome;
  readonly at: Date;
  readonly durationMs?: number;
  /** What started it: watch, signal, manual, start. */
  readonly trigger?: string;
  /** Content hash of the files tried (null when nothing could be read). */
  readonly revision?: string | null;
  /** One-line plan summary of an applied change. */
  readonly summary?: string;
  /** Errors for a failure; warnings for a success. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The reloader's result in the words of /status and the reloads_total metric. */
export function reloadReportOf(r: ReloadResult): ReloadReport {
  switch (r.outcome) {
    case 'applied':
      return { result: 'success', at: r.at, durationMs: r.durationMs, trigger: r.trigger, revision: r.revision, summary: r.summary, diagnostics: r.diagnostics };
    case 'unchanged':
      return { result: 'unchanged', at: r.at, trigger: r.trigger, revision: r.revision, diagnostics: [] };
    case 'failed':
      return { result: 'failure', at: r.at, durationMs: r.durationMs, trigger: r.trigger, revision: r.revision, diagnostics: r.diagnostics };
    default: {
      const never: never = r;
      return never;
    }
  }
}

export type ListenerState = 'listening' | 'draining';

export interface ListenerFacts {
  readonly address: string;
  /** The bound port (differs from the configured one when the config says 0). */
  readonly port: number;
  readonly state: ListenerState;
}

/** Facts only the running process knows; everything else comes from the graph. */
export interface RuntimeState {
  readonly startedAt: Date;
  readonly lastReload?: ReloadReport;
  /** Bound listeners; when absent, the graph's configured listeners are shown as listening. */
  readonly listeners?: readonly ListenerFacts[];
  readonly sessionsInFlight: number;
  readonly transactionsInFlight: number;
  readonly draining: boolean;
  /** Older graph generations still serving sessions after a swap. */
  readonly retiredGenerations?: number;
}

/** The shadow evaluator's part of /status (runtime/shadow.ts fills it in). */
export interface ShadowStatus {
  readonly dir: string;
  readonly candidate: { readonly revision: string; readonly gitCommit: string | null; readonly loadedAt: string; readonly policies: number } | null;
  readonly lastLoad: ReloadReport | null;
  readonly counts: Readonly<Record<ShadowOutcome | 'offered' | 'reusedAnalysis', number>>;
  readonly queued: number;
}

export interface StatusSnapshot {
  readonly status: 'ok' | 'draining' | 'not-loaded';
  readonly now: string;
  readonly startedAt: string;
  readonly revision: { readonly hash: string; readonly gitCommit: string | null; readonly dir: string; readonly loadedAt: string } | null;
  readonly lastReload: {
    readonly result: ReloadOutcome;
    readonly at: string;
    readonly durationMs: number | null;
    readonly trigger: string | null;
    readonly revision: string | null;
    readonly summary: string | null;
    readonly diagnostics: readonly Diagnostic[];
  } | null;
  readonly gateway: { readonly hostname: string; readonly authenticate: boolean; readonly admin: { readonly address: string; readonly port: number } | null } | null;
  readonly listeners: readonly ListenerFacts[];
  readonly upstreams: readonly UpstreamStatus[];
  readonly receivers: readonly ReceiverStatus[];
  readonly routes: readonly { readonly index: number; readonly domains: readonly string[]; readonly receivers: readonly string[]; readonly strategy: string }[];
  readonly policies: readonly { readonly name: string; readonly mode: string; readonly severity: string; readonly action: string }[];
  readonly certificates: readonly CertificateStatus[];
  readonly sessionsInFlight: number;
  readonly transactionsInFlight: number;
  readonly retiredGenerations: number;
  readonly draining: boolean;
  /** gateway.shadow / serve --shadow: the candidate revision, its last load and the evaluation counts. */
  readonly shadow?: ShadowStatus;
}

export interface OutboundTlsStatus {
  readonly starttls: string;
  readonly verifyHostname: boolean;
  readonly serverName: string | null;
  readonly trust: readonly string[];
}

export interface UpstreamStatus {
  readonly name: string;
  readonly mode: string;
  readonly addresses: readonly string[];
  readonly tls: { readonly starttls: string; readonly clientCertificate: string; readonly trust: readonly string[] };
  readonly reflect: { readonly host: string | null; readonly port: number; readonly tls: OutboundTlsStatus } | null;
}

export interface ReceiverStatus {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tls: OutboundTlsStatus;
}

export interface CertificateStatus {
  readonly file: string;
  readonly subject: string;
  readonly fingerprint256: string;
  readonly validTo: string;
  /** Whole days left, negative once expired. */
  readonly daysToExpiry: number;
  readonly expiresSoon: boolean;
  readonly usedBy: readonly string[];
}

const DAY_MS = 86_400_000;
/** Same threshold as the suggested alert in docs/operations.md. */
export const EXPIRY_WARNING_DAYS = 14;

function outboundStatus(tls: OutboundTls): OutboundTlsStatus {
  return { starttls: tls.starttls, verifyHostname: tls.verifyHostname, serverName: tls.serverName ?? null, trust: tls.trustFiles };
}

function upstreamStatus(u: Upstream): UpstreamStatus {
  return {
    name: u.name,
    mode: u.mode,
    addresses: u.addresses,
    tls: { starttls: u.inbound.starttls, clientCertificate: u.inbound.clientCertificate, trust: u.inbound.trustFiles },
    reflect: u.reflect ? { host: u.reflect.host ?? null, port: u.reflect.port, tls: outboundStatus(u.reflect.tls) } : null,
  };
}

function receiverStatus(r: Receiver): ReceiverStatus {
  return { name: r.name, host: r.host, port: r.port, tls: outboundStatus(r.tls) };
}

export function certificateStatus(c: CertificateSummary, now: Date): CertificateStatus {
  const daysToExpiry = Math.floor((c.validTo.getTime() - now.getTime()) / DAY_MS);
  return {
    file: c.file,
    subject: c.subject,
    fingerprint256: c.fingerprint256,
    validTo: c.validTo.toISOString(),
    daysToExpiry,
    expiresSoon: daysToExpiry < EXPIRY_WARNING_DAYS,
    usedBy: c.usedBy,
  };
}

function reloadStatus(r: ReloadReport | undefined): StatusSnapshot['lastReload'] {
  if (r === undefined) return null;
  return {
    result: r.result,
    at: r.at.toISOString(),
    durationMs: r.durationMs ?? null,
    trigger: r.trigger ?? null,
    revision: r.revision ?? null,
    summary: r.summary ?? null,
    diagnostics: r.diagnostics,
  };
}

function graphParts(graph: RoutingGraph, now: Date) {
  const g = graph.gateway;
  return {
    revision: { hash: graph.revision.hash, gitCommit: graph.revision.gitCommit ?? null, dir: graph.revision.dir, loadedAt: graph.revision.loadedAt.toISOString() },
    gateway: { hostname: g.hostname, authenticate: g.tls.authenticate, admin: graph.admin ? { address: graph.admin.address, port: graph.admin.port } : null },
    upstreams: graph.upstreams.map(upstreamStatus),
    receivers: [...graph.receivers.values()].map(receiverStatus),
    routes: graph.routes.map((r) => ({ index: r.index, domains: r.domains, receivers: r.receivers.map((x) => x.name), strategy: r.strategy })),
    policies: graph.policies.policies.map((p) => ({ name: p.name, mode: p.mode, severity: p.severity, action: p.action.type })),
    certificates: graph.certificates.map((c) => certificateStatus(c, now)),
  };
}

const EMPTY_GRAPH_PARTS = { revision: null, gateway: null, upstreams: [], receivers: [], routes: [], policies: [], certificates: [] } as const;

/** The /status document; `graph` is undefined until the first config has loaded. */
export function buildStatus(graph: RoutingGraph | undefined, state: RuntimeState, now: Date = new Date()): StatusSnapshot {
  const parts = graph ? graphParts(graph, now) : EMPTY_GRAPH_PARTS;
  const listeners: readonly ListenerFacts[] =
    state.listeners ?? graph?.listeners.map((l) => ({ address: l.address, port: l.port, state: state.draining ? 'draining' : 'listening' })) ?? [];
  return {
    status: state.draining ? 'draining' : graph ? 'ok' : 'not-loaded',
    now: now.toISOString(),
    startedAt: state.startedAt.toISOString(),
    revision: parts.revision,
    lastReload: reloadStatus(state.lastReload),
    gateway: parts.gateway,
    listeners,
    upstreams: parts.upstreams,
    receivers: parts.receivers,
    routes: parts.routes,
    policies: parts.policies,
    certificates: parts.certificates,
    sessionsInFlight: state.sessionsInFlight,
    transactionsInFlight: state.transactionsInFlight,
    retiredGenerations: state.retiredGenerations ?? 0,
    draining: state.draining,
  };
}

/** Why the gateway is not ready, from the snapshot; undefined when nothing in it explains it. */
export function notReadyReason(s: StatusSnapshot): string | undefined {
  if (s.draining) return 'draining';
  if (s.revision === null) return s.lastReload?.result === 'failure' ? 'config invalid, no graph loaded' : 'config not loaded';
  if (s.listeners.length === 0 || s.listeners.every((l) => l.state !== 'listening')) return 'no SMTP listener bound';
  return undefined;
}
