// The semantic checks of a schema-valid topology, in one list so validate and serve run exactly the same ones.
import type { Diagnostic } from './diagnostic.js';
import { checkAddresses } from './semantic-addresses.js';
import { checkListeners } from './semantic-listeners.js';
import { checkLoopSecret } from './semantic-loop.js';
import { checkMxReceivers } from './semantic-mx.js';
import { checkDuplicateNames } from './semantic-names.js';
import { checkRoutes } from './semantic-routes.js';
import { checkTlsSettings } from './semantic-tls.js';
import { checkTlsFiles } from './tls-files.js';
import type { TopologyContext } from './topology-context.js';

export interface TopologyCheck {
  readonly diagnostics: readonly Diagnostic[];
  readonly referenced: ReadonlyMap<string, Buffer | undefined>;
}

const PURE_CHECKS: readonly ((ctx: TopologyContext) => Diagnostic[])[] = [checkDuplicateNames, checkAddresses, checkListeners, checkRoutes, checkTlsSettings, checkLoopSecret, checkMxReceivers];

export function checkTopology(ctx: TopologyContext, now: Date): TopologyCheck {
  const files = checkTlsFiles(ctx, now);
  return { diagnostics: [...PURE_CHECKS.flatMap((check) => check(ctx)), ...files.diagnostics], referenced: files.referenced };
}
