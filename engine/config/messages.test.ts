import { Ajv } from 'ajv';
import type { AnySchemaObject, ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { explainErrors } from './messages.js';

const definitions = {
  pass: { type: 'object', additionalProperties: false, required: ['type'], properties: { type: { const: 'pass' } } },
  redirect: { type: 'object', additionalProperties: false, required: ['type', 'to'], properties: { type: { const: 'redirect' }, to: { type: 'array', items: { type: 'string' } } } },
  regex: { type: 'object', additionalProperties: false, required: ['regex'], properties: { regex: { type: 'string' } } },
  words: { type: 'object', additionalProperties: false, required: ['words'], properties: { words: { type: 'array' } } },
};

const schema: AnySchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    action: { oneOf: [{ $ref: '#/definitions/pass' }, { $ref: '#/definitions/redirect' }] },
    condition: { anyOf: [{ $ref: '#/definitions/regex' }, { $ref: '#/definitions/words' }] },
    size: { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^[0-9]+[km]$' }] },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    mode: { enum: ['reflect', 'forward'] },
    upstream: {
      type: 'object',
      additionalProperties: false,
      required: ['mode'],
      properties: { mode: { enum: ['reflect', 'forward'] }, reflect: { type: 'object' } },
      if: { type: 'object', required: ['mode'], properties: { mode: { const: 'reflect' } } },
      then: { type: 'object', required: ['reflect'], properties: { reflect: true } },
      else: { if: { type: 'object', required: ['mode'], properties: { mode: { const: 'forward' } } }, then: { type: 'object', properties: { reflect: false } } },
    },
  },
  definitions,
};

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, verbose: true });
const validate = ajv.compile(schema);

function explain(data: unknown): string[] {
  if (validate(data)) return [];
  const errors = [...(validate.errors ?? [])];
  const branch = (b: unknown, value: unknown): readonly ErrorObject[] => {
    const fn = ajv.compile({ ...(b as object), definitions });
    return fn(value) ? [] : [...(fn.errors ?? [])];
  };
  return explainErrors(errors, branch).map((f) => `${f.code} ${f.pointer} ${f.at}: ${f.message}`);
}

describe('explainErrors', () => {
  it('picks the form whose discriminator matches and reports only its problem', () => {
    expect(explain({ action: { type: 'redirect' } })).toEqual(['RG_CFG_SCHEMA /action key: missing required key "to" in action']);
  });

  it('lists every allowed discriminator value when no form matches', () => {
    expect(explain({ action: { type: 'bounce' } })).toEqual(['RG_CFG_SCHEMA /action/type value: type must be "pass" or "redirect", got "bounce"']);
  });

  it('suggests a key known to any of the forms', () => {
    expect(explain({ condition: { regx: 'a' } })).toEqual(['RG_CFG_UNKNOWN_KEY /condition/regx key: unknown key "regx" in condition (did you mean "regex"?)']);
  });

  it('says which keys a form needs when the mapping is empty', () => {
    expect(explain({ condition: {} })).toEqual(['RG_CFG_SCHEMA /condition key: condition needs one of the keys "regex" or "words"']);
  });

  it('names every accepted type when the value has none of them', () => {
    expect(explain({ size: true })).toEqual(['RG_CFG_SCHEMA /size value: size must be an integer or a string, got a boolean (true)']);
  });

  it('reports the problem inside the form the value does have', () => {
    expect(explain({ size: '10q' })).toEqual(['RG_CFG_SCHEMA /size value: size "10q" does not match ^[0-9]+[km]$']);
  });

  it('says why a conditional key is required, and why one is forbidden', () => {
    expect(explain({ upstream: { mode: 'reflect' } })).toEqual(['RG_CFG_SCHEMA /upstream key: missing required key "reflect" in upstream (required when mode is "reflect")']);
    expect(explain({ upstream: { mode: 'forward', reflect: {} } })).toEqual(['RG_CFG_SCHEMA /upstream/reflect key: key "reflect" is not allowed in upstream when mode is "forward"']);
  });

  it('does not blame a conditional key when the condition itself is wrong', () => {
    expect(explain({ upstream: { mode: 'bounce', reflect: {} } })).toEqual(['RG_CFG_SCHEMA /upstream/mode value: mode must be "reflect" or "forward", got "bounce"']);
  });

  it('reads ranges, enums and unknown keys like a person would', () => {
    expect(explain({ port: 0, mode: 'foward', prot: 1 })).toEqual([
      'RG_CFG_UNKNOWN_KEY /prot key: unknown key "prot" at the top level (did you mean "port"?)',
      'RG_CFG_SCHEMA /port value: port must be an integer between 1 and 65535, got 0',
      'RG_CFG_SCHEMA /mode value: mode must be "reflect" or "forward", got "foward" (did you mean "forward"?)',
    ]);
  });
});
