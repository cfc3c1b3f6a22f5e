// Policy files → one frozen PolicySet per graph: regexes compiled, keyword automata built, globs ready.
import type { Diagnostic } from '../../config/diagnostic.js';
import type { SourceFile } from '../../config/source-file.js';
import type { Action, Condition, Policy, PolicyFile, PolicyScope } from '../../config/generated/policy.js';
import type { Location } from '../analysis.js';
import { checkPolicyFiles } from './check.js';
import { compileIdentifierCondition } from '../detectors/identifiers/condition.js';
import { KeywordIndexBuilder } from '../detectors/keywords.js';
import { CandidatePlan } from '../detectors/candidate-scan.js';
import { compilePrefilter, compileRe2 } from '../detectors/re2.js';
import { compileGlob } from '../glob.js';
import { compileExactData } from '../edm/compile-exact-data.js';
import { readExactData, type ExactDataFiles } from '../edm/exact-data.js';
import { DEFAULT_BLOCK_REPLY, parsePolicyReply } from '../decide/policy-reply.js';
import { compileUnscannable } from '../decide/unscannable.js';
import type { CompiledAction, CompiledCondition, CompiledPolicy, CompiledScope, HeaderEdits, PolicySet, TextDetector } from '../policy-set.js';

export type { PolicySet, CompiledPolicy } from '../policy-set.js';

const DEFAULT_LOCATIONS: ReadonlySet<Location> = new Set<Location>(['subject', 'body', 'attachments']);

/** Detectors are shared by key, so two policies asking for card numbers scan once per message. */
class Builder {
  readonly detectors: TextDetector[] = [];
  readonly #byKey = new Map<string, number>();
  readonly keywords = new KeywordIndexBuilder();
  readonly regexSources: { pattern: string; flags: string }[] = [];
  /** The policy file being compiled (exactData paths are relative to it) and the indexes read for this build. */
  source: SourceFile | undefined;
  exactData: ExactDataFiles | undefined;

  detector(key: string, make: () => TextDetector): number {
    let id = this.#byKey.get(key);
    if (id === undefined) {
      id = this.detectors.push(make()) - 1;
      this.#byKey.set(key, id);
    }
    return id;
  }
}

/**
 * Compiles every policy of every file. Diagnostics with severity error mean the set is incomplete
 * (policies with errors are left out): callers must refuse to run it.
 */
export function compilePolicies(
  files: readonly { source: SourceFile; data: PolicyFile }[],
  ctx: { upstreamNames: readonly string[]; exactData?: ExactDataFiles },
): { policySet: PolicySet; diagnostics: readonly Diagnostic[] } {
  // buildGraph reads the index files first (their digests are part of the revision); `relayguard test` does not
  const exactData = ctx.exactData ?? readExactData(files);
  const diagnostics = checkPolicyFiles(files, { ...ctx, exactData });
  const failed = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.file}#${policyPointer(d.pointer)}`));
  const builder = new Builder();
  builder.exactData = exactData;
  const policies: CompiledPolicy[] = [];
  for (const { source, data } of files) {
    builder.source = source;
    data.policies.forEach((policy, i) => {
      if (failed.has(`${source.displayPath}#/policies/${i}`)) return;
      policies.push(compilePolicy(policy, source.displayPath, builder));
    });
  }
  const policySet: PolicySet = Object.freeze({
    policies: Object.freeze(policies),
    textDetectors: Object.freeze(builder.detectors),
    detectorLocations: detectorLocations(builder.detectors.length, policies),
    keywords: builder.keywords.build(),
    regexPrefilter: compilePrefilter(builder.regexSources),
    identifierCandidates: identifierCandidates(builder.detectors),
  });
  return { policySet, diagnostics };
}

/** The union of the locations of every text and exactData condition, per detector. */
function detectorLocations(count: number, policies: readonly CompiledPolicy[]): readonly ReadonlySet<Location>[] {
  const sets = Array.from({ length: count }, () => new Set<Location>());
  const visit = (c: CompiledCondition): void => {
    switch (c.kind) {
      case 'any':
      case 'all':
        return c.items.forEach(visit);
      case 'not':
        return visit(c.item);
      case 'text':
      case 'exactData':
        for (const l of c.locations) sets[c.detector]?.add(l);
        return;
      default:
        return;
    }
  };
  for (const p of policies) visit(p.match);
  return Object.freeze(sets);
}

function identifierCandidates(detectors: readonly TextDetector[]): CandidatePlan | undefined {
  const patterns = detectors.flatMap((d) => (d.kind === 'identifier' ? d.identifiers.flatMap((i) => (i.pattern === undefined ? [] : [i.pattern])) : []));
  return patterns.length === 0 ? undefined : new CandidatePlan(patterns);
}

function policyPointer(pointer: string): string {
  return /^\/policies\/\d+/.exec(pointer)?.[0] ?? pointer;
}

function compilePolicy(policy: Policy, file: string, b: Builder): CompiledPolicy {
  const severity = policy.severity ?? 'medium';
  const mode = policy.mode ?? 'enforce';
  return Object.freeze({
    name: policy.name,
    severity,
    mode,
    file,
    source: { ...policy, severity, mode },
    scope: compileScope(policy.scope),
    match: compileCondition(policy.match, b),
    action: compileAction(policy.action),
  });
}

function compileScope(scope: PolicyScope | undefined): CompiledScope {
  return Object.freeze({
    upstreams: scope?.upstreams === undefined ? undefined : new Set(scope.upstreams),
    senders: scope?.senders?.map(compileGlob),
    recipients: scope?.recipients?.map(compileGlob),
  });
}

function compileCondition(cond: Condition, b: Builder): CompiledCondition {
  if ('any' in cond) return { kind: 'any', items: cond.any.map((c) => compileCondition(c, b)) };
  if ('all' in cond) return { kind: 'all', items: cond.all.map((c) => compileCondition(c, b)) };
  if ('not' in cond) return { kind: 'not', item: compileCondition(cond.not, b) };
  if ('regex' in cond) {
    const { pattern, flags = '' } = cond.regex;
    const id = b.detector(`regex:${flags}:${pattern}`, () => {
      const re = re2(pattern, flags);
      b.regexSources.push({ pattern, flags });
      return { kind: 'regex', re };
    });
    return text(id, 'regex', cond.regex);
  }
  if ('keywords' in cond) {
    const k = cond.keywords;
    const ref = b.keywords.add(k.words, k.caseSensitive ?? false, k.wholeWord ?? true);
    const id = b.detector(`keywords:${JSON.stringify(ref)}`, () => ({ kind: 'keywords', ref }));
    return text(id, 'keywords', k);
  }
  if ('creditCardNumber' in cond) return text(b.detector('creditCardNumber', () => ({ kind: 'creditCardNumber' })), 'creditCardNumber', cond.creditCardNumber);
  if ('usSsn' in cond) return text(b.detector('usSsn', () => ({ kind: 'usSsn' })), 'usSsn', cond.usSsn);
  if ('iban' in cond) return text(b.detector('iban', () => ({ kind: 'iban' })), 'iban', cond.iban);
  if ('identifier' in cond || 'identifiers' in cond) {
    const c = compileIdentifierCondition(cond);
    return text(b.detector(c.key, () => c.detector), c.label, c.options);
  }
  if ('exactData' in cond) return compileExactData(cond.exactData, b);
  return compileMessageCondition(cond);
}

function compileMessageCondition(cond: Condition): CompiledCondition {
  if ('attachment' in cond) {
    const a = cond.attachment;
    const test = {
      extensions: a.extensions?.map((e) => (e.startsWith('.') ? e : `.${e}`).toLowerCase()),
      types: a.types?.map(compileGlob),
      names: a.names?.map(compileGlob),
      minBytes: a.minBytes,
      maxBytes: a.maxBytes,
    };
    return { kind: 'attachment', test, min: a.min ?? 1 };
  }
  if ('header' in cond) {
    const h = cond.header;
    return { kind: 'header', name: h.name.toLowerCase(), re: h.pattern === undefined ? undefined : re2(h.pattern, h.flags ?? ''), min: h.min ?? 1 };
  }
  if ('messageSize' in cond) return { kind: 'messageSize', minBytes: cond.messageSize.minBytes, maxBytes: cond.messageSize.maxBytes };
  if ('recipientCount' in cond) return { kind: 'recipientCount', min: cond.recipientCount.min, max: cond.recipientCount.max };
  if ('unscannable' in cond) return compileUnscannable(cond.unscannable);
  throw new Error(`RG_POL_INTERNAL: unknown condition ${Object.keys(cond).join(',')}`);
}

function text(detector: number, label: string, opts: { in?: Location[]; min?: number }): CompiledCondition {
  const locations = opts.in === undefined ? DEFAULT_LOCATIONS : new Set(opts.in);
  return { kind: 'text', detector, label, locations, min: opts.min ?? 1 };
}

function re2(pattern: string, flags: string): Extract<TextDetector, { kind: 'regex' }>['re'] {
  const compiled = compileRe2(pattern, flags);
  // check.ts already reported this pattern; the policy is skipped before we get here
  if (!compiled.ok) throw new Error(`RG_POL_REGEX: ${compiled.message}`);
  return compiled.re;
}

function compileAction(action: Action): CompiledAction {
  switch (action.type) {
    case 'pass':
      return { type: 'pass' };
    case 'block': {
      const parsed = action.reply === undefined ? undefined : parsePolicyReply(action.reply);
      return { type: 'block', reply: parsed?.ok === true ? parsed.reply : DEFAULT_BLOCK_REPLY };
    }
    case 'modify':
      return { type: 'modify', edits: edits(action.addHeaders, action.removeHeaders, action.subjectPrefix) };
    case 'redirect':
      return { type: 'redirect', to: [...action.to], edits: edits(action.addHeaders, undefined, undefined) };
    default: {
      const never: never = action;
      throw new Error(`RG_POL_INTERNAL: unknown action ${JSON.stringify(never)}`);
    }
  }
}

function edits(add: Record<string, string | undefined> | undefined, remove: string[] | undefined, subjectPrefix: string | undefined): HeaderEdits {
  return {
    add: Object.entries(add ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [{ name, value }])),
    remove: [...(remove ?? [])],
    subjectPrefix,
  };
}
