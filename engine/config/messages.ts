// ajv errors → one human finding per real problem (if/then noise dropped, anyOf/oneOf collapsed to the branch meant).
import type { ErrorObject } from 'ajv';
import { asSchema, explainOne, unknownKeyFinding } from './keyword-messages.js';
import type { SchemaFinding } from './schema-finding.js';
import { displayLabel, displayPath } from './pointer.js';
import { didYouMean, orList } from './suggest.js';
import { describeValue, formatValue, typeHint, typeName } from './value-text.js';

export type BranchValidator = (branch: unknown, data: unknown) => readonly ErrorObject[];

function errorKey(e: ErrorObject): string {
  return `${e.instancePath}\u0000${e.keyword}\u0000${JSON.stringify(e.params)}`;
}

function prefixed(errors: readonly ErrorObject[], base: string): ErrorObject[] {
  return errors.map((e) => ({ ...e, instancePath: base + e.instancePath }));
}

/** Turns one validation's errors into findings; `validateBranch` re-validates anyOf/oneOf branches one by one. */
export function explainErrors(errors: readonly ErrorObject[], validateBranch: BranchValidator): SchemaFinding[] {
  const conditions = new Map<string, ErrorObject[]>();
  for (const e of errors) if (e.keyword === 'if') conditions.set(e.instancePath, [...(conditions.get(e.instancePath) ?? []), e]);
  const absorbed = new Set<string>();
  const branchResults = new Map<ErrorObject, ErrorObject[][]>();
  for (const e of errors) {
    if ((e.keyword !== 'anyOf' && e.keyword !== 'oneOf') || !Array.isArray(e.schema)) continue;
    const results = (e.schema as unknown[]).map((branch) => prefixed(validateBranch(branch, e.data), e.instancePath));
    for (const list of results) for (const b of list) absorbed.add(errorKey(b));
    branchResults.set(e, results);
  }
  const findings: SchemaFinding[] = [];
  for (const e of errors) {
    if (e.keyword === 'if' || absorbed.has(errorKey(e))) continue;
    const branches = branchResults.get(e);
    if (branches) findings.push(...explainAlternatives(e, branches, validateBranch));
    else findings.push(explainOne(e, conditions));
  }
  return dedupe(findings);
}

function dedupe(findings: readonly SchemaFinding[]): SchemaFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.pointer}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SHALLOW = new Set(['type', 'const', 'enum', 'required', 'additionalProperties', 'false schema']);

type Score = readonly [number, number, number, number];

/** A const/enum mismatch on a direct child ("type: block" against the redirect form) marks a form the author did not mean. */
function isDiscriminatorMiss(e: ErrorObject, at: string): boolean {
  return (e.keyword === 'const' || e.keyword === 'enum') && e.instancePath.startsWith(`${at}/`) && !e.instancePath.slice(at.length + 1).includes('/');
}

function branchScore(errors: readonly ErrorObject[], at: string): Score {
  const misses = errors.filter((e) => isDiscriminatorMiss(e, at)).length;
  const shallow = errors.filter((e) => e.instancePath === at && SHALLOW.has(e.keyword)).length;
  const depth = Math.max(0, ...errors.map((e) => e.instancePath.split('/').length));
  return [misses, shallow, -depth, errors.length];
}

function better(a: Score, b: Score): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

function explainAlternatives(e: ErrorObject, branches: readonly ErrorObject[][], validateBranch: BranchValidator): SchemaFinding[] {
  if (e.keyword === 'oneOf' && branches.every((b) => b.length === 0)) {
    return [{ code: 'RG_CFG_SCHEMA', pointer: e.instancePath, at: 'value', message: `${displayLabel(e.instancePath)} matches more than one allowed form; make it unambiguous` }];
  }
  let best = 0;
  for (let i = 1; i < branches.length; i++) {
    if (better(branchScore(branches[i] ?? [], e.instancePath), branchScore(branches[best] ?? [], e.instancePath))) best = i;
  }
  const chosen = branches[best] ?? [];
  const score = branchScore(chosen, e.instancePath);
  const discriminated = branches.some((list) => branchScore(list, e.instancePath)[0] > 0);
  // The form whose discriminator matches ("type: redirect") is the one meant, even when it has problems of its own.
  if (score[0] === 0 && (score[1] === 0 || discriminated)) return explainErrors(chosen, validateBranch);
  if (score[0] > 0) {
    const merged = mergedDiscriminator(branches, e.instancePath);
    if (merged) return [merged];
  }
  return explainNoForm(e, branches, validateBranch, chosen);
}

/** Every form rejects the same child's value ("type: explode"): one message listing what each form accepts. */
function mergedDiscriminator(branches: readonly ErrorObject[][], at: string): SchemaFinding | undefined {
  const misses = branches.map((list) => list.find((b) => isDiscriminatorMiss(b, at)));
  const first = misses[0];
  if (!first || misses.some((m) => m?.instancePath !== first.instancePath)) return undefined;
  const allowed = [...new Set(misses.flatMap((m) => (m?.keyword === 'const' ? [m.params['allowedValue']] : ((m?.params['allowedValues'] as unknown[]) ?? []))))];
  const suggestion = typeof first.data === 'string' ? didYouMean(first.data, allowed.map(String)) : '';
  return { code: 'RG_CFG_SCHEMA', pointer: first.instancePath, at: 'value', message: `${displayLabel(first.instancePath)} must be ${orList(allowed.map(formatValue))}, got ${formatValue(first.data)}${suggestion}` };
}

/** No branch fits structurally: report wrong type, or unknown keys against every form's keys, or the closest form's problems. */
function explainNoForm(e: ErrorObject, branches: readonly ErrorObject[][], validateBranch: BranchValidator, chosen: ErrorObject[]): SchemaFinding[] {
  const at = e.instancePath;
  const types = new Set<string>();
  for (const list of branches) for (const b of list) if (b.instancePath === at && b.keyword === 'type') String(b.params['type']).split(',').forEach((t) => types.add(t));
  const typeFailures = branches.filter((list) => list.some((b) => b.instancePath === at && b.keyword === 'type')).length;
  if (typeFailures === branches.length && types.size > 0) {
    const expected = [...types];
    const hint = typeHint(expected, e.data);
    return [{ code: 'RG_CFG_SCHEMA', pointer: at, at: 'value', message: `${displayLabel(at)} must be ${orList(expected.map(typeName))}, got ${describeValue(e.data)}`, ...(hint ? { hint } : {}) }];
  }
  const allowed = new Set<string>();
  for (const list of branches) {
    for (const b of list) {
      if (b.instancePath !== at) continue;
      Object.keys(asSchema(asSchema(b.parentSchema)['properties'])).forEach((k) => allowed.add(k));
      if (b.keyword === 'required') allowed.add(String(b.params['missingProperty']));
    }
  }
  const data = asSchema(e.data);
  const unknown = Object.keys(data).filter((k) => !allowed.has(k));
  if (allowed.size > 0 && unknown.length > 0 && !Array.isArray(e.data)) {
    return unknown.map((key) => unknownKeyFinding(at, key, [...allowed]));
  }
  const needed = branches.map((list) => list.find((b) => b.instancePath === at && b.keyword === 'required'));
  if (needed.every((b) => b !== undefined) && typeof e.data === 'object' && e.data !== null) {
    const keys = [...new Set(needed.map((b) => JSON.stringify(String(b?.params['missingProperty']))))];
    return [{ code: 'RG_CFG_SCHEMA', pointer: at, at: 'key', message: `${displayPath(at) || 'the document'} needs one of the keys ${orList(keys)}` }];
  }
  return explainErrors(chosen, validateBranch);
}
