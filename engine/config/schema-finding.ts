// One schema error explained for a person: what the keyword messages and the explainer produce, and
// what schema-check turns into a Diagnostic with a position.

export interface SchemaFinding {
  readonly code: 'RG_CFG_SCHEMA' | 'RG_CFG_UNKNOWN_KEY';
  readonly pointer: string;
  /** Point at the key of the entry (unknown or misplaced keys, missing keys of an object) or at its value. */
  readonly at: 'key' | 'value';
  readonly message: string;
  readonly hint?: string;
}
