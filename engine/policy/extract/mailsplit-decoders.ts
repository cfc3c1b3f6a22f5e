// What the streaming transfer decoders (qp-stream.ts, base64-stream.ts) share: a Transform over a decoder
// that takes bytes and gives decoded bytes, and the module instance of mailsplit's own decoder library,
// whose Decoder export they replace.
import { createRequire } from 'node:module';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

/** A transfer decoder without the stream: bytes in, decoded bytes out; end() gives what it still holds. */
export interface ChunkDecoding {
  write(bytes: Buffer): Buffer;
  end(): Buffer;
}

/** A Transform stream class whose instances each decode through a fresh `make()`. */
export function decoderStream(make: () => ChunkDecoding): new () => Transform {
  return class extends Transform {
    readonly #chunks = make();

    override _transform(chunk: Buffer | string, encoding: BufferEncoding, done: TransformCallback): void {
      const out = this.#chunks.write(typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk);
      if (out.length > 0) this.push(out);
      done();
    }

    override _flush(done: TransformCallback): void {
      const out = this.#chunks.end();
      if (out.length > 0) this.push(out);
      done();
    }
  };
}

/** `name` (libqp, libbase64) resolved the way mailparser → mailsplit resolve it: their module instance. */
export function mailsplitDependency<T>(name: string): T {
  const fromMailparser = createRequire(createRequire(import.meta.url).resolve('mailparser'));
  const fromMailsplit = createRequire(fromMailparser.resolve('@zone-eu/mailsplit/lib/mime-node.js'));
  return fromMailsplit(name) as T;
}
