// The built-in data identifiers, by name and by set. The policy schema's enums must equal these lists
// (a unit test compares them), so editors complete exactly what the engine knows.
import { AU_IDENTIFIERS } from './au.js';
import { BANKING_IDENTIFIERS } from './banking.js';
import { CA_IDENTIFIERS } from './ca.js';
import { CARD_IDENTIFIERS } from './cards.js';
import { CRYPTO_IDENTIFIERS } from './crypto.js';
import { DE_IDENTIFIERS } from './de.js';
import { ES_IDENTIFIERS } from './es.js';
import { FI_IDENTIFIERS } from './fi.js';
import type { Identifier } from './identifier.js';
import { IN_IDENTIFIERS } from './in.js';
import { IT_IDENTIFIERS } from './it.js';
import { KR_IDENTIFIERS } from './kr.js';
import { NETWORK_IDENTIFIERS } from './network.js';
import { NG_IDENTIFIERS } from './ng.js';
import { PHONE_IDENTIFIERS } from './phone.js';
import { PL_IDENTIFIERS } from './pl.js';
import { SECRET_IDENTIFIERS } from './secrets.js';
import { SE_IDENTIFIERS } from './se.js';
import { SG_IDENTIFIERS } from './sg.js';
import { TH_IDENTIFIERS } from './th.js';
import { TR_IDENTIFIERS } from './tr.js';
import { UK_IDENTIFIERS } from './uk.js';
import { US_IDENTIFIERS } from './us.js';

export type { Confidence, Identifier } from './identifier.js';

export const IDENTIFIERS: readonly Identifier[] = Object.freeze([
  ...CARD_IDENTIFIERS,
  ...BANKING_IDENTIFIERS,
  ...US_IDENTIFIERS,
  ...CA_IDENTIFIERS,
  ...UK_IDENTIFIERS,
  ...ES_IDENTIFIERS,
  ...IT_IDENTIFIERS,
  ...PL_IDENTIFIERS,
  ...FI_IDENTIFIERS,
  ...SE_IDENTIFIERS,
  ...DE_IDENTIFIERS,
  ...TR_IDENTIFIERS,
  ...AU_IDENTIFIERS,
  ...IN_IDENTIFIERS,
  ...SG_IDENTIFIERS,
  ...KR_IDENTIFIERS,
  ...TH_IDENTIFIERS,
  ...NG_IDENTIFIERS,
  ...NETWORK_IDENTIFIERS,
  ...PHONE_IDENTIFIERS,
  ...CRYPTO_IDENTIFIERS,
  ...SECRET_IDENTIFIERS,
]);

const BY_NAME: ReadonlyMap<string, Identifier> = new Map(IDENTIFIERS.map((i) => [i.name, i]));

export function lookupIdentifier(name: string): Identifier | undefined {
  return BY_NAME.get(name);
}

/** Set name → member names, in catalogue order; sets are sorted by name. */
export const IDENTIFIER_SETS: ReadonlyMap<string, readonly string[]> = (() => {
  const sets = new Map<string, string[]>();
  for (const id of IDENTIFIERS) for (const s of id.sets) sets.set(s, [...(sets.get(s) ?? []), id.name]);
  return new Map([...sets.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, Object.freeze(v)]));
})();

/** The v1 conditions and the catalogue entry each corresponds to (same validators). */
export const V1_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  creditCardNumber: 'credit-card',
  usSsn: 'us-ssn',
  iban: 'iban',
});
