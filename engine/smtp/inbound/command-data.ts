// DATA, receiving half: the message streams from smtp-server into the spool, line endings normalised,
// the size limit enforced while streaming (bytes beyond it are drained, not kept), and the gateway-wide
// admission budget charged from the declared SIZE and then as bytes arrive (admission.ts).
import type { Reservation } from './admission.js';
import { LineEndingNormalizer } from './line-endings.js';
import { Spool } from '../transaction/spool.js';
import type { SMTPServerDataStream } from 'smtp-server';
import type { EngineContext } from './engine-context.js';

/** The gateway's own storage failed (not the upstream, not the receiving MTA): a 451 4.3.0. */
export class SpoolError extends Error {
  readonly code = 'RG_SPOOL_WRITE';
  constructor(cause: unknown) {
    super(`spool write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The admission budget is full: the message was drained, not kept; the upstream gets 451 4.3.2. */
export class AdmissionRefused extends Error {
  readonly code = 'RG_ADMISSION_FULL';
  constructor(readonly bytes: number) {
    super(`gateway busy: ${bytes} more bytes do not fit the concurrent message budget`);
  }
}

/**
 * `declared` (the client's SIZE) is reserved before the first byte, so a message that announced more
 * than fits is refused without holding anything; bytes beyond it are charged as they arrive.
 * `signal` is the transaction's: when the upstream goes away smtp-server unpipes the stream, and not
 * every version ends it, so the abort ends the read here rather than waiting on the library.
 */
export async function receiveMessage(
  ctx: EngineContext,
  stream: SMTPServerDataStream,
  admission: Reservation,
  declared: number | undefined,
  signal?: AbortSignal,
): Promise<Spool> {
  const spool = new Spool(ctx.spool);
  const onAbort = (): void => void stream.destroy(signal?.reason instanceof Error ? signal.reason : new Error('transaction aborted'));
  if (signal?.aborted === true) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const normalizer = new LineEndingNormalizer();
  let failure: SpoolError | AdmissionRefused | null = null;
  let received = 0;
  const admit = (total: number): void => {
    // never more than the spool keeps: bytes beyond maxMessageBytes are drained, not held
    const wanted = Math.min(total, ctx.spool.maxBytes + 1);
    if (failure === null && !admission.ensure(wanted)) failure = new AdmissionRefused(wanted - admission.bytes);
  };
  if (declared !== undefined) admit(declared);
  const write = async (chunk: Buffer): Promise<void> => {
    received += chunk.length;
    admit(received);
    if (failure !== null) return;
    try {
      await spool.write(chunk);
    } catch (err) {
      failure = new SpoolError(err);
    }
  };
  try {
    // After a spool failure or a refused admission the rest of the message is still read (and
    // dropped), so the session stays in step with the upstream and can answer 4xx and carry on.
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
