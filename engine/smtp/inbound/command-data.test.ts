// The receiving half must not depend on smtp-server ending the DATA stream when the upstream goes
// away: some versions only unpipe it. The transaction's abort signal ends the read and the spool.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AdmissionBudget } from './admission.js';
import { receiveMessage } from './command-data.js';
import type { SMTPServerDataStream } from 'smtp-server';
import type { EngineContext } from './engine-context.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function context(): { ctx: EngineContext; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rg-data-'));
  dirs.push(dir);
  return { ctx: { spool: { dir: join(dir, 'spool'), memoryThresholdBytes: 64, maxBytes: 1_000_000 } } as unknown as EngineContext, dir };
}

describe('receiveMessage', () => {
  for (const size of [10, 5_000]) {
    it(`a stream that is unpiped but never ended (${size} bytes in): the abort ends the read and leaves no spool file`, async () => {
      const { ctx, dir } = context();
      const stream = new PassThrough();
      const abort = new AbortController();
      const receiving = receiveMessage(ctx, stream as unknown as SMTPServerDataStream, new AdmissionBudget(1 << 30).reserve(), undefined, abort.signal);
      stream.write(Buffer.alloc(size, 0x61));
      await new Promise((r) => setTimeout(r, 20));
      abort.abort(new Error('upstream connection closed'));
      const outcome = await Promise.race([receiving.then(() => 'resolved', (e: Error) => e.message), new Promise((r) => setTimeout(() => r('hung'), 1_000))]);
      expect(outcome).toMatch(/upstream connection closed/);
      const spool = join(dir, 'spool');
      expect(readdirSync(dir).includes('spool') ? readdirSync(spool) : []).toEqual([]);
    });
  }
});
