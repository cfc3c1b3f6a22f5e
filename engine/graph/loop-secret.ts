// The HMAC key for the loop header. Deterministic (restarts and every instance of a cluster
// agree), never the raw material itself: always sha256 over a label and the source.
// There is no public fallback: a config with neither a secret file nor a gateway key is refused by
// the semantic checks (RG_CFG_LOOP_SECRET_MISSING) before compile runs.
import { createHash, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { report, resolvePath } from './compile-context.js';
import type { CompileContext } from './compile-context.js';

export type LoopSecretSource = 'file' | 'gateway-key';

const LABEL = 'relayguard loop header v1';

function derive(kind: LoopSecretSource, material: Buffer | string): Buffer {
  return createHash('sha256').update(`${LABEL}\0${kind}\0`).update(material).digest();
}

export function compileLoopSecret(ctx: CompileContext, secretFile: string | undefined, gatewayKey: KeyObject | undefined): { readonly secret: Buffer; readonly source: LoopSecretSource } {
  if (secretFile !== undefined) {
    const path = resolvePath(ctx, secretFile);
    ctx.readFiles.add(path);
    try {
      const content = readFileSync(path);
      if (content.toString('latin1').trim().length === 0) throw Object.assign(new Error('the file is empty'), { code: 'EMPTY' });
      return { secret: derive('file', content), source: 'file' };
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      report(ctx, '/gateway/loop/secretFile', 'RG_CFG_LOOP_SECRET', `cannot use ${path} as the loop secret: ${detail}`, 'put a long random string in it, e.g. openssl rand -hex 32 > FILE');
      return { secret: randomBytes(32), source: 'file' };
    }
  }
  if (gatewayKey) return { secret: derive('gateway-key', gatewayKey.export({ type: 'pkcs8', format: 'der' })), source: 'gateway-key' };
  report(ctx, '/gateway', 'RG_CFG_LOOP_SECRET_MISSING', 'the loop header has no secret to be signed with', 'set gateway.loop.secretFile, or give the gateway a key (gateway.tls.key)');
  return { secret: randomBytes(32), source: 'file' };
}
