// DATA, receiving half: the message streams from smtp-server into the spool, line endings normalised,
// the size limit enforced while streaming (bytes beyond it are drained, not kept).
import { LineEndingNormalizer } from './line-endings.js';
import { Spool } from './spool.js';
import type { SMTPServerDataStream } from 'smtp-server';
import type { EngineContext } from './engine-context.js';

export async function receiveMessage(ctx: EngineContext, stream: SMTPServerDataStream): Promise<Spool> {
  const spool = new Spool(ctx.spool);
  const normalizer = new LineEndingNormalizer();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      await spool.write(normalizer.push(chunk));
    }
    await spool.write(normalizer.end());
    await spool.finish();
    return spool;
  } catch (err) {
    await spool.dispose();
    throw err;
  }
}
