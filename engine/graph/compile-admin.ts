// gateway.admin → the admin listener's settings; the bearer token is read here so a missing or short
// token file fails the reload, and only its SHA-256 stays in the graph (never printed, compared in constant time).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AdminSection } from '../config/generated/topology.js';
import { report, resolvePath } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import type { AdminEndpoint, AdminSettings } from './admin-settings.js';

const MIN_TOKEN_CHARS = 16;
const DEFAULT_OPEN: readonly AdminEndpoint[] = ['/healthz', '/readyz'];

export function compileAdmin(ctx: CompileContext, admin: AdminSection | undefined): AdminSettings | undefined {
  if (admin === undefined) return undefined;
  const base = { address: admin.address, port: admin.port };
  if (admin.auth === undefined) return base;
  const pointer = '/gateway/admin/auth/bearerTokenFile';
  const tokenFile = resolvePath(ctx, admin.auth.bearerTokenFile);
  ctx.readFiles.add(tokenFile);
  let token: string;
  try {
    token = readFileSync(tokenFile, 'utf8').trim();
  } catch (err) {
    report(ctx, pointer, 'RG_GRAPH_ADMIN_TOKEN_UNREADABLE', `cannot read the admin token file ${tokenFile}: ${(err as Error).message}`, 'create it, e.g. `head -c 32 /dev/urandom | base64 > FILE`, or mount the Secret there');
    return base;
  }
  if (token.length < MIN_TOKEN_CHARS || /\s/.test(token)) {
    report(ctx, pointer, 'RG_GRAPH_ADMIN_TOKEN_WEAK', `the admin token in ${tokenFile} must be at least ${MIN_TOKEN_CHARS} characters without whitespace`, 'generate one with `head -c 32 /dev/urandom | base64`');
    return base;
  }
  return { ...base, auth: { tokenSha256: createHash('sha256').update(token).digest(), tokenFile, open: admin.auth.open ?? DEFAULT_OPEN } };
}
