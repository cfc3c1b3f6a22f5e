// `relayguard replay`: both revisions' complete inspection — inspectMessage, the function serve calls at the end
// of DATA, under each revision's own gateway.inspection — over every message of a corpus, and what differs.
// Pure library: no socket, no incident file; the revisions are built by the one build path (graph/build).
import { Readable } from 'node:stream';
import type { Diagnostic } from '../config/diagnostic.js';
import type { LoadedConfig } from '../config/load.js';
import { locate } from '../config/locate.js';
import { buildGraph } from '../graph/build.js';
import { inspectionSettingsOf } from '../graph/inspection-settings.js';
import type { RoutingGraph } from '../graph/types.js';
import { inspectMessage } from '../policy/inspect.js';
import type { InspectionSettings } from '../policy/inspect.js';
import type { PolicyMatch, Verdict, VerdictKind } from '../policy/decide/verdict.js';
import type { CorpusMessage } from './replay-corpus.js';
import { replayEnvelope } from './replay-envelope.js';
import type { EnvelopeFlags } from './replay-envelope.js';

export interface Revision {
  readonly dir: string;
  readonly graph: RoutingGraph;
  readonly config: LoadedConfig;
  readonly settings: InspectionSettings;
}

export type RevisionLoad = { readonly ok: true; readonly revision: Revision; readonly diagnostics: readonly Diagnostic[] } | { readonly ok: false; readonly unusable: boolean; readonly diagnostics: readonly Diagnostic[] };

export async function loadRevision(dir: string): Promise<RevisionLoad> {
  const built = await buildGraph(dir);
  if (!built.graph || !built.config) return { ok: false, unusable: built.status === 'unusable', diagnostics: built.diagnostics };
  return { ok: true, revision: { dir, graph: built.graph, config: built.config, settings: inspectionSettingsOf(built.graph.gateway.inspection) }, diagnostics: built.diagnostics };
}

/** What one revision did with one message, reduced to what a reviewer compares. */
export interface Handling {
  readonly kind: VerdictKind;
  /** Matched policies, sorted, with the action and mode each had. */
  readonly matches: readonly { readonly policy: string; readonly action: PolicyMatch['action']; readonly mode: PolicyMatch['mode'] }[];
  readonly inspection: Verdict['inspection'];
}

export interface MessageDiff {
  readonly id: string;
  readonly sender: string;
  readonly recipients: readonly string[];
  readonly upstream: string;
  readonly subject: string;
  readonly before: Handling;
  readonly after: Handling;
}

export interface PolicyImpact {
  readonly policy: string;
  /** Where the policy is written (the new revision's, or the old one's for a removed policy); line 0 if unknown. */
  readonly file: string;
  readonly line: number;
  /** The message is blocked after and was not before, and this policy blocks it. */
  readonly newlyBlocked: number;
  /** The message was blocked before and is not after, and this policy blocked it. */
  readonly noLongerBlocked: number;
  /** The policy matched both times, with another action or mode. */
  readonly changedAction: number;
  readonly newlyMatched: number;
  readonly noLongerMatched: number;
}

export interface ReplayReport {
  readonly messages: number;
  readonly unreadable: readonly { readonly id: string; readonly message: string }[];
  readonly diffs: readonly MessageDiff[];
  readonly policies: readonly PolicyImpact[];
  readonly before: { readonly dir: string; readonly revision: string };
  readonly after: { readonly dir: string; readonly revision: string };
}

export interface ReplayOptions {
  readonly flags: EnvelopeFlags;
  /** Called after every message (the CLI prints progress from it). */
  readonly onMessage?: (done: number, differing: number) => void;
}

export async function replayCorpus(before: Revision, after: Revision, corpus: AsyncIterable<CorpusMessage>, opts: ReplayOptions): Promise<ReplayReport> {
  const defaultUpstream = after.graph.upstreams.length === 1 ? (after.graph.upstreams[0]?.name ?? '') : '';
  const diffs: MessageDiff[] = [];
  const unreadable: { id: string; message: string }[] = [];
  let messages = 0;
  const iterator = corpus[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<CorpusMessage>;
    try {
      next = await iterator.next();
    } catch (err) {
      unreadable.push({ id: `#${messages + unreadable.length + 1}`, message: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (next.done) break;
    const msg = next.value;
    messages += 1;
    const envelope = replayEnvelope(msg, opts.flags, defaultUpstream, `replay-${messages}`);
    const [old, now] = [await inspectOn(before, msg.raw, envelope), await inspectOn(after, msg.raw, envelope)];
    if (differs(old.handling, now.handling)) {
      diffs.push({ id: msg.id, sender: envelope.sender, recipients: envelope.recipients, upstream: envelope.upstream, subject: old.subject || now.subject, before: old.handling, after: now.handling });
    }
    opts.onMessage?.(messages, diffs.length);
  }
  return {
    messages,
    unreadable,
    diffs,
    policies: policyImpacts(diffs, before, after),
    before: { dir: before.dir, revision: before.graph.revision.hash },
    after: { dir: after.dir, revision: after.graph.revision.hash },
  };
}

async function inspectOn(rev: Revision, raw: Buffer, envelope: Parameters<typeof inspectMessage>[2]): Promise<{ handling: Handling; subject: string }> {
  // Like serve: a message within the spool's memory threshold is inspected from memory, a larger one as a stream.
  const input = raw.length <= rev.graph.gateway.spool.memoryThresholdBytes ? raw : Readable.from(chunks(raw));
  const { verdict, analysis } = await inspectMessage(rev.graph.policies, input, envelope, rev.settings);
  return { handling: handlingOf(verdict), subject: analysis?.subject ?? '' };
}

function* chunks(raw: Buffer): Iterable<Buffer> {
  for (let i = 0; i < raw.length; i += 64 * 1024) yield raw.subarray(i, i + 64 * 1024);
}

export function handlingOf(v: Verdict): Handling {
  const matches = v.matches.map((m) => ({ policy: m.policy, action: m.action, mode: m.mode })).sort((a, b) => (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0));
  return { kind: v.kind, matches, inspection: v.inspection };
}

/** A difference a reviewer cares about: the verdict kind, or which policies matched. */
export function differs(a: Handling, b: Handling): boolean {
  if (a.kind !== b.kind || a.matches.length !== b.matches.length) return true;
  return a.matches.some((m, i) => m.policy !== b.matches[i]?.policy);
}

function blocking(h: Handling): Set<string> {
  if (h.kind !== 'block') return new Set();
  return new Set(h.matches.filter((m) => m.mode === 'enforce' && m.action === 'block').map((m) => m.policy));
}

export type ChangeKind = 'newlyBlocked' | 'noLongerBlocked' | 'changedAction' | 'newlyMatched' | 'noLongerMatched';

/**
 * How one message's handling changed, per policy. A policy can change in two ways at once (matched now and the one
 * that blocks). A verdict change no policy explains (another onFailure, a limit) is reported with policy ''.
 */
export function changesBetween(before: Handling, after: Handling): { readonly policy: string; readonly kind: ChangeKind | 'verdict' }[] {
  const out: { policy: string; kind: ChangeKind | 'verdict' }[] = [];
  const wasBlocked = before.kind === 'block';
  const isBlocked = after.kind === 'block';
  if (isBlocked && !wasBlocked) for (const p of blocking(after)) out.push({ policy: p, kind: 'newlyBlocked' });
  if (wasBlocked && !isBlocked) for (const p of blocking(before)) out.push({ policy: p, kind: 'noLongerBlocked' });
  const old = new Map(before.matches.map((m) => [m.policy, m]));
  const now = new Map(after.matches.map((m) => [m.policy, m]));
  for (const [p, m] of now) {
    const o = old.get(p);
    if (o === undefined) out.push({ policy: p, kind: 'newlyMatched' });
    else if (o.action !== m.action || o.mode !== m.mode) out.push({ policy: p, kind: 'changedAction' });
  }
  for (const p of old.keys()) if (!now.has(p)) out.push({ policy: p, kind: 'noLongerMatched' });
  if (out.length === 0 && before.kind !== after.kind) out.push({ policy: '', kind: 'verdict' });
  return out;
}

function policyImpacts(diffs: readonly MessageDiff[], before: Revision, after: Revision): PolicyImpact[] {
  const impacts = new Map<string, Record<ChangeKind, number>>();
  for (const d of diffs) {
    for (const c of changesBetween(d.before, d.after)) {
      if (c.kind === 'verdict') continue;
      const entry = impacts.get(c.policy) ?? { newlyBlocked: 0, noLongerBlocked: 0, changedAction: 0, newlyMatched: 0, noLongerMatched: 0 };
      entry[c.kind] += 1;
      impacts.set(c.policy, entry);
    }
  }
  return [...impacts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([policy, counts]) => ({ policy, ...(whereIs(policy, after) ?? whereIs(policy, before) ?? { file: '', line: 0 }), ...counts }));
}

/** The policy's file and the line of its list entry, from the positioned document it was compiled from. */
export function whereIs(policy: string, rev: Revision): { file: string; line: number } | undefined {
  const compiled = rev.graph.policies.policies.find((p) => p.name === policy);
  if (compiled === undefined) return undefined;
  const loaded = rev.config.policies.find((f) => f.source.displayPath === compiled.file);
  const index = loaded?.data.policies.findIndex((p) => p.name === policy) ?? -1;
  if (loaded === undefined || index < 0) return { file: compiled.file, line: 0 };
  return { file: compiled.file, line: locate(loaded.source, `/policies/${index}`).line };
}
