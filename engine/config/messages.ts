// ajv errors → one human finding per real problem (if/then noise dropped, anyOf/oneOf collapsed to the branch meant).
import type { ErrorObject } from 'ajv';
import { displayContainer, displayLabel, displayPath, joinPointer, parentPointer } from './pointer.js';
import { didYouMean, orList } from './suggest.js';
import { describeValue, formatValue, typeHint, typeName } from './value-text.js';

export interface SchemaFinding {
  readonly code: 'RG_CFG_SCHEMA' | 'RG_CFG_UNKNOWN_KEY';
  readonly pointer: string;
  /** Point at the key of the entry (unknown or misplaced keys, missing keys of an object) or at its value. */
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly hint?: string;
}

export type BranchValidator = (branch: unknown, data: unknown) => readonly ErrorObject[];

type Schema = Record<string, unknown>;
type Conditions = ReadonlyMap<string, readonly ErrorObject[]>;

function asSchema(value: unknown): Schema {
  return typeof value === 'object' && value !== null ? (value as Schema) : {};
}

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

function branchScore(errors: readonly ErrorObject[], at: string): readonly [number, number, number] {
  const shallow = errors.filter((e) => e.instancePath === at && SHALLOW.has(e.keyword)).length;
  const depth = Math.max(0, ...errors.map((e) => e.instancePath.split('/').length));
  return [shallow, -depth, errors.length];
}

function better(a: readonly [number, number, number], b: readonly [number, number, number]): boolean {
  return a[0] !== b[0] ? a[0] < b[0] : a[1] !== b[1] ? a[1] < b[1] : a[2] < b[2];
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
  if (branchScore(chosen, e.instancePath)[0] === 0) return explainErrors(chosen, validateBranch);
  return explainNoForm(e, branches, validateBranch, chosen);
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
      if (b.keyword === 'additionalProperties') Object.keys(asSchema(asSchema(b.parentSchema)['properties'])).forEach((k) => allowed.add(k));
      if (b.keyword === 'required') allowed.add(String(b.params['missingProperty']));
    }
  }
  const data = asSchema(e.data);
  const unknown = Object.keys(data).filter((k) => !allowed.has(k));
  if (allowed.size > 0 && unknown.length > 0 && !Array.isArray(e.data)) {
    return unknown.map((key) => unknownKeyFinding(at, key, [...allowed]));
  }
  return explainErrors(chosen, validateBranch);
}

function unknownKeyFinding(at: string, key: string, allowed: readonly string[]): SchemaFinding {
  return {
    code: 'RG_CFG_UNKNOWN_KEY',
    pointer: joinPointer(at, key),
    at: 'key',
    message: `unknown key ${JSON.stringify(key)} ${displayContainer(at)}${didYouMean(key, allowed)}`,
    hint: `allowed keys: ${allowed.join(', ')}`,
  };
}

/** "mode is \"reflect\"" from an if-schema's const properties. */
function describeCondition(ifSchema: unknown): string {
  const props = asSchema(asSchema(ifSchema)['properties']);
  const parts = Object.entries(props)
    .map(([k, v]) => ('const' in asSchema(v) ? `${k} is ${formatValue(asSchema(v)['const'])}` : ''))
    .filter((s) => s !== '');
  return parts.join(' and ');
}

interface Condition {
  readonly branch: 'then' | 'else';
  readonly condition: string;
  readonly ifSchema: unknown;
  readonly data: unknown;
}

/** The innermost if/then/else at `at` whose branch the error came from (its schemaPath continues the if's path). */
function conditionFor(e: ErrorObject, at: string, conditions: Conditions): Condition | undefined {
  let found: Condition | undefined;
  let longest = -1;
  for (const ifError of conditions.get(at) ?? []) {
    const base = ifError.schemaPath.replace(/\/if$/, '');
    const match = /^\/(then|else)\//.exec(e.schemaPath.slice(base.length));
    if (!e.schemaPath.startsWith(base) || !match || base.length <= longest) continue;
    const ifSchema = asSchema(ifError.parentSchema)['if'];
    longest = base.length;
    found = { branch: match[1] as 'then' | 'else', condition: describeCondition(ifSchema), ifSchema, data: ifError.data };
  }
  return found?.condition ? found : undefined;
}

function explainOne(e: ErrorObject, conditions: Conditions): SchemaFinding {
  const at = e.instancePath;
  const label = displayLabel(at);
  const base = { code: 'RG_CFG_SCHEMA' as const, pointer: at, at: 'value' as const };
  const parent = asSchema(e.parentSchema);
  switch (e.keyword) {
    case 'required':
      return explainRequired(e, conditions);
    case 'additionalProperties':
      return unknownKeyFinding(at, String(e.params['additionalProperty']), Object.keys(asSchema(parent['properties'])));
    case 'false schema':
      return explainForbidden(e, conditions);
    case 'enum': {
      const allowed = (e.params['allowedValues'] as unknown[]).map(formatValue);
      const suggestion = typeof e.data === 'string' ? didYouMean(e.data, (e.params['allowedValues'] as unknown[]).map(String)) : '';
      return { ...base, message: `${label} must be ${orList(allowed)}, got ${formatValue(e.data)}${suggestion}` };
    }
    case 'const':
      return { ...base, message: `${label} must be ${formatValue(e.params['allowedValue'])}, got ${formatValue(e.data)}` };
    case 'type': {
      const expected = String(e.params['type']).split(',');
      const hint = typeHint(expected, e.data);
      return { ...base, message: `${label} must be ${orList(expected.map(typeName))}, got ${describeValue(e.data)}`, ...(hint ? { hint } : {}) };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { ...base, message: rangeMessage(label, parent, e.data) };
    default:
      return { ...base, message: lengthOrFormatMessage(e, label) };
  }
}

function explainRequired(e: ErrorObject, conditions: Conditions): SchemaFinding {
  const at = e.instancePath;
  const key = String(e.params['missingProperty']);
  const when = conditionFor(e, at, conditions);
  const reason = when?.branch === 'then' ? ` (required when ${when.condition})` : '';
  return { code: 'RG_CFG_SCHEMA', pointer: at, at: 'key', message: `missing required key ${JSON.stringify(key)} ${displayContainer(at)}${reason}` };
}

function explainForbidden(e: ErrorObject, conditions: Conditions): SchemaFinding {
  const at = e.instancePath;
  const key = displayLabel(at);
  const owner = parentPointer(at);
  const when = conditionFor(e, owner, conditions);
  if (when?.branch === 'then') {
    return { code: 'RG_CFG_SCHEMA', pointer: at, at: 'key', message: `key ${JSON.stringify(key)} is not allowed ${displayContainer(owner)} when ${when.condition}`, hint: `remove ${key}` };
  }
  if (when?.branch === 'else') {
    const actual = Object.keys(asSchema(asSchema(when.ifSchema)['properties']))
      .map((k) => `${k} is ${formatValue(asSchema(when.data)[k])}`)
      .join(' and ');
    return { code: 'RG_CFG_SCHEMA', pointer: at, at: 'key', message: `key ${JSON.stringify(key)} is only allowed when ${when.condition}, but ${actual} ${displayContainer(owner)}`, hint: `remove ${key}, or change the condition` };
  }
  return { code: 'RG_CFG_SCHEMA', pointer: at, at: 'key', message: `key ${JSON.stringify(key)} is not allowed ${displayContainer(owner)}` };
}

function rangeMessage(label: string, parent: Schema, value: unknown): string {
  const min = typeof parent['minimum'] === 'number' ? parent['minimum'] : undefined;
  const max = typeof parent['maximum'] === 'number' ? parent['maximum'] : undefined;
  const kind = parent['type'] === 'integer' ? 'an integer' : 'a number';
  const got = formatValue(value);
  if (min !== undefined && max !== undefined) return `${label} must be ${kind} between ${min} and ${max}, got ${got}`;
  if (min !== undefined) return `${label} must be at least ${min}, got ${got}`;
  if (max !== undefined) return `${label} must be at most ${max}, got ${got}`;
  if (typeof parent['exclusiveMinimum'] === 'number') return `${label} must be greater than ${parent['exclusiveMinimum']}, got ${got}`;
  return `${label} must be less than ${String(parent['exclusiveMaximum'])}, got ${got}`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

function lengthOrFormatMessage(e: ErrorObject, label: string): string {
  const limit = Number(e.params['limit']);
  const parent = asSchema(e.parentSchema);
  switch (e.keyword) {
    case 'minItems':
      return `${label} must have at least ${plural(limit, 'entry', 'entries')}`;
    case 'maxItems':
      return `${label} must have at most ${plural(limit, 'entry', 'entries')}`;
    case 'minLength':
      return limit === 1 ? `${label} must not be empty` : `${label} must be at least ${plural(limit, 'character', 'characters')} long`;
    case 'maxLength':
      return `${label} must be at most ${plural(limit, 'character', 'characters')} long, got ${String(e.data).length}`;
    case 'minProperties':
      return `${label} must have at least ${plural(limit, 'key', 'keys')}`;
    case 'pattern': {
      const what = typeof parent['description'] === 'string' ? parent['description'] : `text matching ${String(e.params['pattern'])}`;
      return `${label} must be ${what}, got ${formatValue(e.data)}`;
    }
    case 'format':
      return `${label} must be a valid ${String(e.params['format'])}, got ${formatValue(e.data)}`;
    case 'uniqueItems':
      return `${label} has the same entry twice (items ${String(e.params['j'])} and ${String(e.params['i'])})`;
    case 'dependencies':
    case 'dependentRequired':
      return `${displayPath(e.instancePath) || 'the document'} has ${JSON.stringify(e.params['property'])} but not ${JSON.stringify(e.params['missingProperty'])}; set both or neither`;
    case 'multipleOf':
      return `${label} must be a multiple of ${String(e.params['multipleOf'])}, got ${formatValue(e.data)}`;
    default:
      return `${label} ${e.message ?? 'is invalid'}`;
  }
}
