// Policies × one analysed message → verdict. Each detector scans each text at most once per message,
// and the deadline is checked between detectors and texts (each scan itself is linear).
import type { AttachmentInfo, MessageAnalysis, UnscannablePart } from '../analysis.js';
import { type Hits, MAX_SAMPLES, NO_HITS } from '../detectors/hits.js';
import { decideFailure, decideUnscannable, type Matched } from './decide.js';
import { fileLabel } from '../extract/extract-file.js';
import { anyGlob } from '../glob.js';
import type { AttachmentTest, CompiledCondition, CompiledPolicy, PolicySet } from '../policy-set.js';
import { TextScan } from '../detectors/text-scan.js';
import { RangeStore } from '../detectors/candidate-scan.js';
import { matchingParts, unscannableHits, unscannableParts } from './unscannable.js';
import type { OnUnscannable } from './unscannable.js';
import { exactDataHits } from '../edm/compile-exact-data.js';
import type { Envelope, OnFailure, PolicyMatch, Verdict } from './verdict.js';

export type { Envelope, Verdict, PolicyMatch } from './verdict.js';

export class InspectionBudgetExceeded extends Error {
  readonly code = 'RG_POLICY_BUDGET';
  constructor() {
    super('inspection budget exceeded');
  }
}

export interface EvaluateOptions {
  /** performance.now() value after which evaluation stops. */
  readonly deadline: number;
  /** What an unfinished inspection becomes (default tempfail). */
  readonly onFailure?: OnFailure;
  /** What an unreadable part no enforce-mode policy matched becomes (default block). */
  readonly onUnscannable?: OnUnscannable;
}

export function evaluatePolicies(set: PolicySet, msg: MessageAnalysis, envelope: Envelope, opts: EvaluateOptions): Verdict {
  const parts = unscannableParts(msg);
  const run = new Evaluation(set, msg, envelope, opts.deadline, parts);
  const matched: Matched[] = [];
  try {
    for (const policy of set.policies) {
      run.checkDeadline();
      const m = run.policy(policy);
      if (m !== undefined) matched.push({ policy, match: m });
    }
  } catch (err) {
    if (!(err instanceof InspectionBudgetExceeded)) throw err;
    return decideFailure(matched, envelope, 'budget exceeded', opts.onFailure ?? 'tempfail');
  }
  // limits hit are unscannable parts (reason 'limit'): what they cut off was not read
  return decideUnscannable(matched, envelope, parts, opts.onUnscannable ?? 'block');
}

/** Evidence of one policy: positive detector results outside `not` (`any` stops at its first hit). */
class Evidence {
  readonly counts: Record<string, number> = {};
  readonly samples: string[] = [];
  readonly parts: UnscannablePart[] = [];
  add(label: string, hits: Hits): void {
    this.counts[label] = (this.counts[label] ?? 0) + hits.count;
    for (const s of hits.samples) if (this.samples.length < MAX_SAMPLES * 2 && !this.samples.includes(s)) this.samples.push(s);
  }
}

const DISCARD = new Evidence();

/**
 * Candidate-range buffers for the held segments, by segment index, reused message after message: a
 * fresh store allocates one typed array per covered identifier pattern for every text, which cost more
 * than scanning a 5 KB body. Sharing is safe because an evaluation is synchronous (it never yields, so
 * two messages never hold a store at once) and within one evaluation a store serves one segment only.
 * Only short texts use them, so what they keep between messages stays small (a store grows with the
 * ranges of the longest text it served); a long text gets a fresh store, whose cost its scan dwarfs.
 */
const POOLED_SEGMENTS = 8;
const POOLED_TEXT_CHARS = 16 * 1024;
const rangeStores: RangeStore[] = [];

function pooledStore(segment: number, text: string): RangeStore | undefined {
  if (segment >= POOLED_SEGMENTS || text.length > POOLED_TEXT_CHARS) return undefined;
  let store = rangeStores[segment];
  if (store === undefined) rangeStores[segment] = store = new RangeStore();
  return store;
}

class Evaluation {
  readonly #set: PolicySet;
  readonly #msg: MessageAnalysis;
  readonly #env: Envelope;
  readonly #deadline: number;
  /** Per detector: hits per segment (index aligned with msg.segments). */
  readonly #scans = new Map<number, Hits[]>();
  /** Per held segment: its scanner (keyword counts and regex prefilter shared by every detector). */
  readonly #texts: (TextScan | undefined)[] = [];
  readonly #parts: readonly UnscannablePart[];

  constructor(set: PolicySet, msg: MessageAnalysis, env: Envelope, deadline: number, parts: readonly UnscannablePart[]) {
    this.#parts = parts;
    this.#set = set;
    this.#msg = msg;
    this.#env = env;
    this.#deadline = deadline;
  }

  checkDeadline(): void {
    if (performance.now() > this.#deadline) throw new InspectionBudgetExceeded();
  }

  policy(p: CompiledPolicy): PolicyMatch | undefined {
    if (!this.#inScope(p)) return undefined;
    const evidence = new Evidence();
    if (!this.#cond(p.match, evidence)) return undefined;
    const found = { policy: p.name, severity: p.severity, mode: p.mode, action: p.action.type, counts: evidence.counts, samples: evidence.samples };
    return evidence.parts.length === 0 ? found : { ...found, unscannable: [...new Set(evidence.parts)] };
  }

  #inScope(p: CompiledPolicy): boolean {
    const s = p.scope;
    if (s.upstreams !== undefined && !s.upstreams.has(this.#env.upstream)) return false;
    if (s.senders !== undefined && !anyGlob(s.senders, this.#env.sender)) return false;
    if (s.recipients !== undefined) {
      const globs = s.recipients;
      if (!this.#env.recipients.some((r) => anyGlob(globs, r))) return false;
    }
    return true;
  }

  #cond(c: CompiledCondition, ev: Evidence): boolean {
    switch (c.kind) {
      case 'any':
        return c.items.some((item) => this.#cond(item, ev));
      case 'all':
        return c.items.every((item) => this.#cond(item, ev));
      case 'not':
        return !this.#cond(c.item, DISCARD);
      case 'text':
        return this.#text(c, ev);
      case 'attachment': {
        const matched = this.#msg.attachments.filter((a) => attachmentMatches(a, c.test));
        if (!record(ev, 'attachment', attachmentHits(matched), c.min)) return false;
        // A policy that names an attachment decides for it, and for what is inside it, readable or not
        // (a quarantined KeePass file is encrypted by design); under `not` nothing is covered.
        if (ev !== DISCARD) ev.parts.push(...coveredParts(this.#parts, matched));
        return true;
      }
      case 'header':
        return record(ev, 'header', this.#headerHits(c.name, c.re), c.min);
      case 'messageSize':
        return inRange(this.#msg.size, c.minBytes, c.maxBytes);
      case 'recipientCount':
        return inRange(this.#env.recipients.length, c.min, c.max);
      case 'unscannable': {
        const parts = matchingParts(this.#parts, c);
        if (!record(ev, 'unscannable', unscannableHits(parts), c.min)) return false;
        // evidence under `not` is discarded: a part matched there is not covered by the policy
        if (ev !== DISCARD) ev.parts.push(...parts);
        return true;
      }
      case 'exactData':
        return this.#exactData(c, ev);
      default: {
        const never: never = c;
        throw new Error(`RG_POL_INTERNAL: unknown condition ${JSON.stringify(never)}`);
      }
    }
  }

  #text(c: Extract<CompiledCondition, { kind: 'text' }>, ev: Evidence): boolean {
    const perSegment = this.#scan(c.detector);
    let count = 0;
    const samples: string[] = [];
    this.#msg.segments.forEach((seg, i) => {
      const hits = perSegment[i] ?? NO_HITS;
      if (!c.locations.has(seg.location) || hits.count === 0) return;
      count += hits.count;
      samples.push(...hits.samples);
    });
    return record(ev, c.label, { count, samples: samples.slice(0, MAX_SAMPLES) }, c.min);
  }

  /** Records of one index across every text in the condition's locations: a record's columns may sit in different parts. */
  #exactData(c: Extract<CompiledCondition, { kind: 'exactData' }>, ev: Evidence): boolean {
    const perSegment = this.#scan(c.detector);
    const found = this.#msg.segments.flatMap((seg, i) => (c.locations.has(seg.location) ? [perSegment[i]?.edm] : [])).filter((f) => f !== undefined);
    return record(ev, 'exactData', exactDataHits(c, found), c.minRecords);
  }

  #scan(id: number): Hits[] {
    const cached = this.#scans.get(id);
    if (cached !== undefined) return cached;
    const wanted = this.#set.detectorLocations[id];
    const out = this.#msg.segments.map((seg, i) => {
      // no condition on this detector reads this location: its hits would be discarded
      if (wanted !== undefined && !wanted.has(seg.location)) return NO_HITS;
      // a text too long to hold was scanned window by window while it was decoded
      if (seg.prescanned !== undefined) return seg.prescanned[id] ?? NO_HITS;
      this.checkDeadline();
      let scan = this.#texts[i];
      if (scan === undefined) scan = this.#texts[i] = new TextScan(this.#set, seg.text, pooledStore(i, seg.text));
      return scan.hits(id);
    });
    this.#scans.set(id, out);
    return out;
  }

  #headerHits(name: string, re: Extract<CompiledCondition, { kind: 'header' }>['re']): Hits {
    let count = 0;
    for (const h of this.#msg.headers) {
      if (h.name.toLowerCase() === name && (re === undefined || re.test(h.value))) count++;
    }
    return { count, samples: count > 0 ? [name] : [] };
  }
}

function record(ev: Evidence, label: string, hits: Hits, min: number): boolean {
  if (hits.count < min) return false;
  ev.add(label, hits);
  return true;
}

function inRange(n: number, min: number | undefined, max: number | undefined): boolean {
  return (min === undefined || n >= min) && (max === undefined || n <= max);
}

function attachmentHits(matched: readonly AttachmentInfo[]): Hits {
  const names = matched.map((a) => a.name);
  return { count: names.length, samples: names.slice(0, MAX_SAMPLES) };
}

function coveredParts(parts: readonly UnscannablePart[], matched: readonly AttachmentInfo[]): UnscannablePart[] {
  if (parts.length === 0 || matched.length === 0) return [];
  const labels = matched.map((a) => fileLabel(a.name, a.container));
  return parts.filter((p) => labels.some((l) => p.label === l || p.label.startsWith(`${l}/`)));
}

export function attachmentMatches(a: AttachmentInfo, t: AttachmentTest): boolean {
  const lower = a.name.toLowerCase();
  if (t.extensions !== undefined && !t.extensions.some((e) => lower.endsWith(e))) return false;
  if (t.names !== undefined && !anyGlob(t.names, a.name)) return false;
  if (t.types !== undefined && !anyGlob(t.types, a.declaredType) && !(a.sniffedType !== undefined && anyGlob(t.types, a.sniffedType))) return false;
  return inRange(a.size, t.minBytes, t.maxBytes);
}
