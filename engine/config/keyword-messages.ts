// One ajv error → one sentence: what is wrong, where, what was expected and what was found.
import type { ErrorObject } from 'ajv';
import type { SchemaFinding } from './schema-finding.js';
import { displayContainer, displayLabel, displayPath, joinPointer, parentPointer } from './pointer.js';
import { didYouMean, orList } from './suggest.js';
import { describeValue, formatValue, typeHint, typeName } from './value-text.js';

type Schema = Record<string, unknown>;
export type Conditions = ReadonlyMap<string, readonly ErrorObject[]>;

export function asSchema(value: unknown): Schema {
  return typeof value === 'object' && value !== null ? (value as Schema) : {};
}

export function unknownKeyFinding(at: string, key: string, allowed: readonly string[]): SchemaFinding {
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

export function explainOne(e: ErrorObject, conditions: Conditions): SchemaFinding {
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
      // Short descriptions read as a noun phrase ("a domain, ..."); longer ones are quoted after the pattern.
      const what = typeof parent['description'] === 'string' ? parent['description'] : '';
      if (what !== '' && !/[.:]/.test(what)) return `${label} must be ${what}, got ${formatValue(e.data)}`;
      return `${label} ${formatValue(e.data)} does not match ${String(e.params['pattern'])}${what ? ` (${what.replace(/\.$/, '')})` : ''}`;
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
