// The JSON Schemas under schemas/, each compiled once per process (ajv compilation costs far more than validation).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchemaObject, Options, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

export type SchemaName = 'topology' | 'policy' | 'policy-test';

export interface CompiledSchema {
  readonly name: SchemaName;
  readonly root: AnySchemaObject;
  readonly validate: ValidateFunction;
  /** Compiles a subschema of this root (an anyOf/oneOf branch) that may $ref the root's definitions. */
  readonly compileBranch: (branch: unknown) => ValidateFunction;
}

export type SchemaLookup =
  | { readonly ok: true; readonly schema: CompiledSchema }
  | { readonly ok: false; readonly missing: true }
  | { readonly ok: false; readonly missing: false; readonly message: string };

// Both the source tree (engine/config) and the build (dist/config) sit two levels below the package root.
export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

// strictRequired is off: `required` inside oneOf branches naming properties declared one level up is a normal pattern.
const OPTIONS: Options = { allErrors: true, strict: true, strictRequired: false, verbose: true, allowUnionTypes: true };
// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

type Draft = 'draft-07' | '2019-09' | '2020-12';
const instances = new Map<Draft, Ajv>();
const compiled = new Map<SchemaName, SchemaLookup>();

function draftOf(schema: AnySchemaObject): Draft {
  const uri = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  return 'draft-07';
}

function ajvFor(draft: Draft): Ajv {
  let ajv = instances.get(draft);
  if (!ajv) {
    ajv = draft === '2020-12' ? new Ajv2020(OPTIONS) : draft === '2019-09' ? (new Ajv2019(OPTIONS) as unknown as Ajv) : new Ajv(OPTIONS);
    addFormats(ajv);
    instances.set(draft, ajv);
  }
  return ajv;
}

export function schemaPath(name: SchemaName): string {
  return join(SCHEMA_DIR, `${name}.schema.json`);
}

/** The compiled schema for a file kind; `missing` while a schema has not been written yet. */
export function lookupSchema(name: SchemaName): SchemaLookup {
  let lookup = compiled.get(name);
  if (!lookup) {
    lookup = compileSchema(name);
    compiled.set(name, lookup);
  }
  return lookup;
}

function compileSchema(name: SchemaName): SchemaLookup {
  const path = schemaPath(name);
  if (!existsSync(path)) return { ok: false, missing: true };
  try {
    const root = JSON.parse(readFileSync(path, 'utf8')) as AnySchemaObject;
    const ajv = ajvFor(draftOf(root));
    const validate = ajv.getSchema(keyOf(name)) ?? (ajv.addSchema(root, keyOf(name)), ajv.getSchema(keyOf(name)));
    if (!validate) throw new Error('ajv returned no validator');
    return { ok: true, schema: { name, root, validate, compileBranch: branchCompiler(ajv, root) } };
  } catch (err) {
    return { ok: false, missing: false, message: `schemas/${name}.schema.json cannot be compiled: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function keyOf(name: SchemaName): string {
  return `relayguard:${name}`;
}

function branchCompiler(ajv: Ajv, root: AnySchemaObject): (branch: unknown) => ValidateFunction {
  const cache = new WeakMap<object, ValidateFunction>();
  return (branch) => {
    const key = typeof branch === 'object' && branch !== null ? branch : { const: branch };
    let fn = cache.get(key);
    if (!fn) {
      // Local refs ("#/definitions/x", "#/$defs/x") resolve against the wrapper, so the wrapper carries the root's definitions.
      const wrapper: AnySchemaObject = typeof branch === 'boolean' ? { allOf: [branch] } : { ...(branch as object) };
      if (root.definitions) wrapper.definitions = root.definitions;
      if (root.$defs) wrapper.$defs = root.$defs;
      if (root.$schema) wrapper.$schema = root.$schema;
      delete wrapper.$id;
      fn = ajv.compile(wrapper);
      cache.set(key, fn);
    }
    return fn;
  };
}
