// Semantic checks of policy files, each finding located (file, line, column, JSON pointer).
import type { Diagnostic } from '../../config/diagnostic.js';
import { locate } from '../../config/locate.js';
import { joinPointer } from '../../config/pointer.js';
import type { SourceFile } from '../../config/source-file.js';
import { didYouMean, shortList } from '../../config/suggest.js';
import type { Condition, Policy, PolicyFile } from '../../config/generated/policy.js';
import { compileRe2 } from '../detectors/re2.js';
import { unknownRegions } from '../detectors/identifiers/phone.js';
import { takesRegions } from '../detectors/identifiers/condition.js';
import { IDENTIFIER_SETS } from '../detectors/identifiers/catalogue.js';
import { parsePolicyReply } from '../decide/policy-reply.js';
import { checkExactData } from '../edm/check-exact-data.js';
import type { ExactDataFiles } from '../edm/exact-data.js';

export interface PolicyFileInput {
  readonly source: SourceFile;
  readonly data: PolicyFile;
}

export interface CheckContext {
  readonly upstreamNames: readonly string[];
  /** The index files exactData conditions name, read by the caller (compilePolicies). */
  readonly exactData?: ExactDataFiles;
}

type Report = (pointer: string, code: string, message: string, hint?: string) => void;

export function checkPolicyFiles(files: readonly PolicyFileInput[], ctx: CheckContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  // the first use of each name; located only when a duplicate needs to point at it
  const seen = new Map<string, { source: SourceFile; pointer: string }>();
  for (const { source, data } of files) {
    const report: Report = (pointer, code, message, hint) => out.push(diagnostic(source, pointer, code, message, hint));
    data.policies.forEach((policy, i) => {
      const at = joinPointer('', 'policies', i);
      checkDuplicate(policy, at, source, seen, report);
      checkPolicy(policy, at, ctx, report);
    });
  }
  if (ctx.exactData !== undefined) out.push(...checkExactData(files, ctx.exactData));
  return out;
}

function diagnostic(source: SourceFile, pointer: string, code: string, message: string, hint?: string): Diagnostic {
  const { line, column } = locate(source, pointer);
  return { code, severity: 'error', file: source.displayPath, line, column, pointer, message, ...(hint ? { hint } : {}) };
}

function checkDuplicate(policy: Policy, at: string, source: SourceFile, seen: Map<string, { source: SourceFile; pointer: string }>, report: Report): void {
  const first = seen.get(policy.name);
  if (first !== undefined) {
    const where = `${first.source.displayPath}:${locate(first.source, first.pointer).line}`;
    report(joinPointer(at, 'name'), 'RG_POL_DUPLICATE_NAME', `policy name "${policy.name}" is already used at ${where}`, 'policy names must be unique across all policy files');
    return;
  }
  seen.set(policy.name, { source, pointer: joinPointer(at, 'name') });
}

function checkPolicy(policy: Policy, at: string, ctx: CheckContext, report: Report): void {
  checkScope(policy, at, ctx, report);
  checkCondition(policy.match, joinPointer(at, 'match'), report);
  const action = policy.action;
  const actionAt = joinPointer(at, 'action');
  if (action.type === 'block' && action.reply !== undefined) {
    const parsed = parsePolicyReply(action.reply);
    if (!parsed.ok) report(joinPointer(actionAt, 'reply'), 'RG_POL_REPLY', parsed.message, 'write e.g. "550 5.7.1 Message blocked by data loss prevention policy"');
  }
  if (action.type === 'modify' || action.type === 'redirect') checkHeaderMap(action.addHeaders, joinPointer(actionAt, 'addHeaders'), report);
  if (action.type === 'modify' && action.addHeaders === undefined && action.removeHeaders === undefined && action.subjectPrefix === undefined) {
    report(actionAt, 'RG_POL_MODIFY_EMPTY', 'modify action changes nothing', 'add addHeaders, removeHeaders or subjectPrefix');
  }
  if (action.type === 'modify' && action.subjectPrefix !== undefined && /[\r\n]/.test(action.subjectPrefix)) {
    report(joinPointer(actionAt, 'subjectPrefix'), 'RG_POL_HEADER_VALUE', 'subjectPrefix must be one line');
  }
}

function checkScope(policy: Policy, at: string, ctx: CheckContext, report: Report): void {
  const scope = policy.scope;
  if (scope === undefined) return;
  const scopeAt = joinPointer(at, 'scope');
  for (const key of ['upstreams', 'senders', 'recipients'] as const) {
    if (scope[key]?.length === 0) report(joinPointer(scopeAt, key), 'RG_POL_NEVER_MATCHES', `scope ${key} is empty, so the policy can never match`, `remove ${key} to apply to all, or list at least one pattern`);
  }
  scope.upstreams?.forEach((name, i) => {
    if (ctx.upstreamNames.includes(name)) return;
    const known = ctx.upstreamNames.length > 0 ? ` (known: ${shortList([...ctx.upstreamNames])})` : ' (topology declares none)';
    report(joinPointer(scopeAt, 'upstreams', i), 'RG_POL_UPSTREAM_UNKNOWN', `no upstream named "${name}"${didYouMean(name, ctx.upstreamNames)}${known}`);
  });
}

function checkHeaderMap(headers: Record<string, string | undefined> | undefined, at: string, report: Report): void {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && /[\r\n]/.test(value)) report(joinPointer(at, name), 'RG_POL_HEADER_VALUE', `header ${name} value must be one line`);
  }
}

// RFC 5322 §3.6: fields that occur at most once, so `min` above 1 can never be met.
const SINGLE_HEADERS = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'message-id', 'in-reply-to', 'references', 'subject', 'date']);

function checkCondition(cond: Condition, at: string, report: Report): void {
  if ('any' in cond) return cond.any.forEach((c, i) => checkCondition(c, joinPointer(at, 'any', i), report));
  if ('all' in cond) {
    cond.all.forEach((c, i) => checkCondition(c, joinPointer(at, 'all', i), report));
    return checkAllBounds(cond.all, joinPointer(at, 'all'), report);
  }
  if ('not' in cond) return checkCondition(cond.not, joinPointer(at, 'not'), report);
  const [key, params] = Object.entries(cond)[0] ?? [];
  const detectorAt = joinPointer(at, key ?? '');
  if (params !== undefined && typeof params === 'object' && 'in' in params && Array.isArray(params.in) && params.in.length === 0) {
    report(joinPointer(detectorAt, 'in'), 'RG_POL_NEVER_MATCHES', `${key} looks nowhere (in: []), so it can never match`, 'omit in: for subject, body and attachments');
  }
  if ('regex' in cond) checkPattern(cond.regex.pattern, cond.regex.flags, joinPointer(detectorAt, 'pattern'), report);
  if ('header' in cond) checkHeaderCondition(cond.header, detectorAt, report);
  if ('attachment' in cond) checkAttachment(cond.attachment, detectorAt, report);
  if ('messageSize' in cond) checkRange(cond.messageSize.minBytes, cond.messageSize.maxBytes, detectorAt, 'message size', report);
  if ('recipientCount' in cond) checkRange(cond.recipientCount.min, cond.recipientCount.max, detectorAt, 'recipient count', report);
  if ('identifier' in cond) checkRegions(cond.identifier, detectorAt, report);
  if ('identifiers' in cond) checkRegions(cond.identifiers, detectorAt, report);
}

function checkRegions(o: { name?: string; set?: string; regions?: string[] }, at: string, report: Report): void {
  if (o.regions === undefined) return;
  if (o.set !== undefined ? !takesRegions(IDENTIFIER_SETS.get(o.set) ?? []) : o.name !== 'phone-number') {
    const what = o.set !== undefined ? `set ${o.set}, which has no phone-number` : o.name;
    const sets = [...IDENTIFIER_SETS].filter(([, names]) => takesRegions(names)).map(([set]) => set);
    report(joinPointer(at, 'regions'), 'RG_POL_IDENTIFIER_OPTION', `regions applies to phone-number and the sets that have it (${sets.join(', ')}), not ${what}`, 'remove regions:');
    return;
  }
  const unknown = new Set(unknownRegions(o.regions));
  o.regions.forEach((r, i) => {
    if (unknown.has(r)) report(joinPointer(at, 'regions', i), 'RG_POL_PHONE_REGION', `${r} is not a region with a phone numbering plan (ISO 3166-1 alpha-2, per libphonenumber metadata)`, 'write e.g. US, GB, DE, FR');
  });
}

function checkPattern(pattern: string, flags: string | undefined, at: string, report: Report): void {
  const compiled = compileRe2(pattern, flags);
  if (!compiled.ok) report(at, 'RG_POL_REGEX', compiled.message, compiled.hint);
}

function checkHeaderCondition(h: { name: string; pattern?: string; flags?: string; min?: number }, at: string, report: Report): void {
  if (h.pattern !== undefined) checkPattern(h.pattern, h.flags, joinPointer(at, 'pattern'), report);
  if ((h.min ?? 1) > 1 && SINGLE_HEADERS.has(h.name.toLowerCase())) {
    report(joinPointer(at, 'min'), 'RG_POL_NEVER_MATCHES', `${h.name} occurs at most once in a message, so min ${h.min} can never be met`);
  }
}

function checkAttachment(a: { extensions?: string[]; types?: string[]; names?: string[]; minBytes?: number; maxBytes?: number }, at: string, report: Report): void {
  const criteria = [a.extensions, a.types, a.names, a.minBytes, a.maxBytes].filter((v) => v !== undefined);
  if (criteria.length === 0) {
    report(at, 'RG_POL_ATTACHMENT_EMPTY', 'attachment condition names no extensions, types, names or size, so it says nothing', 'add extensions, types, names, minBytes or maxBytes');
  }
  checkRange(a.minBytes, a.maxBytes, at, 'attachment size', report);
}

function checkRange(min: number | undefined, max: number | undefined, at: string, what: string, report: Report): void {
  if (min !== undefined && max !== undefined && min > max) {
    report(at, 'RG_POL_NEVER_MATCHES', `${what} must be at least ${min} and at most ${max}, so it can never match`);
  }
}

/** `all` of size conditions whose bounds contradict each other (e.g. an attachment larger than the message may be). */
function checkAllBounds(items: readonly Condition[], at: string, report: Report): void {
  let msgMin = 0;
  let msgMax = Infinity;
  let rcptMin = 0;
  let rcptMax = Infinity;
  let attMin = 0;
  for (const c of items) {
    if ('messageSize' in c) {
      msgMin = Math.max(msgMin, c.messageSize.minBytes ?? 0);
      msgMax = Math.min(msgMax, c.messageSize.maxBytes ?? Infinity);
    }
    if ('recipientCount' in c) {
      rcptMin = Math.max(rcptMin, c.recipientCount.min ?? 0);
      rcptMax = Math.min(rcptMax, c.recipientCount.max ?? Infinity);
    }
    if ('attachment' in c) attMin = Math.max(attMin, c.attachment.minBytes ?? 0);
  }
  if (msgMin > msgMax || attMin > msgMax) {
    report(at, 'RG_POL_NEVER_MATCHES', `these conditions need a message (or attachment) of at least ${Math.max(msgMin, attMin)} bytes and at most ${msgMax}, so they can never all match`);
  }
  if (rcptMin > rcptMax) report(at, 'RG_POL_NEVER_MATCHES', `recipient count must be at least ${rcptMin} and at most ${rcptMax}, so these conditions can never all match`);
}
