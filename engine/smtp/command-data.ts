// DATA, receiving half: the message streams from smtp-server into the spool, line endings normalised,
// the size limit enforced while streaming (bytes beyond it are drained, not kept).
import { LineEndingNormalizer } from './line-endings.js';
import { Spool } from './spool.js';
import type { SMTPServerDataStream } from 'smtp-server';
import type { EngineContext } from './engine-context.js';

/** The gateway's own storage failed (not the upstream, not the receiving MTA): a 451 4.3.0. */
export class SpoolError extends Error {
  readonly code = 'RG_SPOOL_WRITE';
  constructor(cause: unknown) {
    super(`spool write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * `signal` is the transaction's: when the upstream goes away smtp-server unpipes the stream, and not
 * every version ends it, so the abort ends the read here rather than waiting on the library.
 */
export async function receiveMessage(ctx: EngineContext, stream: SMTPServerDataStream, signal?: AbortSignal): Promise<Spool> {
  const spool = new Spool(ctx.spool);
  const onAbort = (): void => void stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('transaction aborted'));
  if (signal?.aborted === true) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const normalizer = new LineEndingNormalizer();
  let failure: SpoolError | null = null;
  const write = async (chunk: Buffer): Promise<void> => {
    if (failure !== null) return;
    try {
      await spool.write(chunk);
    } catch (err) {
      failure = new SpoolError(err);
    }
  };
  try {
    // After a spool failure the rest of the message is still read (and dropped), so the session
    // stays in step with the upstream and can answer 451 and carry on.
    for await (const chunk of stream as AsyncIterable<Buffer>) await write(normalizer.push(chunk));
    await write(normalizer.end());
    if (failure === null) await spool.finish().catch((err: unknown) => void (failure = new SpoolError(err)));
    if (failure !== null) throw failure;
    return spool;
  } catch (err) {
    await spool.dispose().catch(() => undefined);
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
