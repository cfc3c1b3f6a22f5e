// `identifier:` and `identifiers:` conditions → one shared text detector each. The key names the
// members and the confidence, so equal conditions in any number of policies share one detector; the
// per-text IdentifierScan shares each identifier's scan between detectors of different confidence.
import type { IdentifierCondition, IdentifiersCondition } from '../../../config/generated/policy.js';
import { IDENTIFIER_SETS, lookupIdentifier } from './catalogue.js';
import type { Confidence, Identifier } from './identifier.js';
import { phoneNumberIn } from './phone.js';

export const DEFAULT_CONFIDENCE: Confidence = 'medium';

export interface IdentifierDetector {
  readonly kind: 'identifier';
  readonly identifiers: readonly Identifier[];
  readonly confidence: Confidence;
}

export interface CompiledIdentifierCondition {
  /** Detector sharing key. */
  readonly key: string;
  readonly detector: IdentifierDetector;
  /** The evidence label in incidents: identifier:NAME or identifiers:SET. */
  readonly label: string;
  readonly options: IdentifierCondition['identifier'] | IdentifiersCondition['identifiers'];
}

export function compileIdentifierCondition(cond: IdentifierCondition | IdentifiersCondition): CompiledIdentifierCondition {
  if ('identifier' in cond) {
    const o = cond.identifier;
    const id = lookupIdentifier(o.name);
    // the schema's enum is the catalogue (a unit test holds them equal), so this cannot happen after validation
    if (id === undefined) throw new Error(`RG_POL_INTERNAL: unknown identifier ${o.name}`);
    return build(withRegions([id], o.regions), o.confidence ?? DEFAULT_CONFIDENCE, `identifier:${o.name}`, o);
  }
  const o = cond.identifiers;
  const names = IDENTIFIER_SETS.get(o.set);
  if (names === undefined) throw new Error(`RG_POL_INTERNAL: unknown identifier set ${o.set}`);
  const ids = names.map((n) => lookupIdentifier(n)).filter((i): i is Identifier => i !== undefined);
  return build(withRegions(ids, o.regions), o.confidence ?? DEFAULT_CONFIDENCE, `identifiers:${o.set}`, o);
}

/** Whether `regions` means anything for these members: only phone-number reads national numbers. */
export function takesRegions(names: readonly string[]): boolean {
  return names.includes(PHONE);
}

const PHONE = 'phone-number';

/**
 * `regions` swaps the catalogue's phone-number (international numbers only) for the one that also
 * reads national numbers of those regions; its name carries the regions, so its scan is not shared
 * with the catalogue one. check.ts refuses regions where no member is phone-number.
 */
function withRegions(identifiers: readonly Identifier[], regions: readonly string[] | undefined): readonly Identifier[] {
  if (regions === undefined) return identifiers;
  if (!takesRegions(identifiers.map((i) => i.name))) throw new Error('RG_POL_INTERNAL: regions without phone-number');
  return identifiers.map((i) => (i.name === PHONE ? phoneNumberIn(regions) : i));
}

function build(identifiers: readonly Identifier[], confidence: Confidence, label: string, options: CompiledIdentifierCondition['options']): CompiledIdentifierCondition {
  const key = `identifier:${confidence}:${identifiers.map((i) => i.name).join(',')}`;
  return { key, label, options, detector: Object.freeze({ kind: 'identifier', identifiers: Object.freeze([...identifiers]), confidence }) };
}
