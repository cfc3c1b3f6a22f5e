// One message as received: in memory up to a threshold, then in a 0600 temp file that is deleted with
// the transaction. The file is opened once: writes, inspection and the relay all go through that one
// descriptor (positioned reads), so what is relayed is what was inspected even if the path is swapped. Counts the size, enforces the limit (bytes over it are counted but not kept), finds
// the end of the header block and hashes the body on the way in, so nothing is read twice for that.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { noteBufferChurn } from './buffer-churn.js';
import { HeaderBoundary } from './header-boundary.js';

export interface SpoolOptions {
  readonly dir: string;
  readonly memoryThresholdBytes: number;
  readonly maxBytes: number;
}

// Reads of a spooled message: 16 KiB measured better than 64 KiB for a 50 MB message (gateway RSS
// growth 25 MiB against 33 MiB: smaller garbage buffers are reclaimed sooner); the relay client still
// gathers them into 64 KiB writes.
const READ_CHUNK = 16 * 1024;

export class Spool {
  readonly #opts: SpoolOptions;
  readonly #boundary = new HeaderBoundary();
  readonly #bodyHash: Hash = createHash('sha256');
  #chunks: Buffer[] = [];
  #memory: Buffer | null = null;
  #file: { readonly path: string; readonly handle: FileHandle } | null = null;
  #size = 0;
  #finished = false;
  #digest: string | undefined;

  constructor(opts: SpoolOptions) {
    this.#opts = opts;
  }

  /** Bytes received, including any beyond the limit. */
  get size(): number {
    return this.#size;
  }
  get exceeded(): boolean {
    return this.#size > this.#opts.maxBytes;
  }
  get inMemory(): boolean {
    return this.#file === null;
  }
  /** Offset of the empty line that ends the header block (the message length when there is none). */
  get headerEnd(): number {
    const body = this.#boundary.bodyStart;
    return body < 0 ? this.#size : body - 2;
  }

  /** Offset of the first body byte after the empty line (the message length when there is none). */
  get bodyStart(): number {
    const body = this.#boundary.bodyStart;
    return body < 0 ? this.#size : body;
  }

  async write(chunk: Buffer): Promise<void> {
    if (chunk.length === 0 || this.#finished) return;
    const offset = this.#size;
    this.#size += chunk.length;
    if (this.#size > this.#opts.maxBytes) return;
    const bodyAt = this.#boundary.feed(chunk, offset);
    if (bodyAt >= 0) this.#bodyHash.update(chunk.subarray(bodyAt));
    else if (this.#boundary.bodyStart >= 0) this.#bodyHash.update(chunk);
    if (this.#file !== null) {
      // a message this large arrives as fresh socket buffers that are dead once written (see buffer-churn.ts)
      noteBufferChurn(chunk.length);
      return this.#append(chunk);
    }
    this.#chunks.push(chunk);
    if (this.#size > this.#opts.memoryThresholdBytes) await this.#spill();
  }

  /** Ends the input; from here on the spool is read-only. */
  async finish(): Promise<void> {
    this.#finished = true;
    if (this.#file === null) {
      this.#memory = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
      this.#chunks = [];
      return;
    }
    // The descriptor stays open for the readers (positioned reads need no flush); dispose closes it.
  }

  /** SHA-256 of the body (everything after the empty line); empty body when there is none. */
  bodyDigest(): string {
    // once finished nothing more is hashed: digest the hash itself, once, instead of a copy per call
    if (!this.#finished) return this.#bodyHash.copy().digest('hex');
    this.#digest ??= this.#bodyHash.digest('hex');
    return this.#digest;
  }

  /** The whole message when it is held in memory (after finish), else null. */
  buffer(): Buffer | null {
    return this.#memory;
  }

  /** Bytes [start, end) as one Buffer; used for the header block. */
  async slice(start: number, end: number): Promise<Buffer> {
    if (this.#memory !== null) return this.#memory.subarray(start, end);
    const parts: Buffer[] = [];
    for await (const c of this.read(start, end)) parts.push(c);
    return Buffer.concat(parts);
  }

  /** Streams bytes [start, end) of the finished message. */
  async *read(start = 0, end = this.#size): AsyncGenerator<Buffer> {
    if (end <= start) return;
    if (this.#memory !== null) {
      yield this.#memory.subarray(start, end);
      return;
    }
    if (this.#file === null || !this.#finished) throw new Error('RG_SPOOL_NOT_FINISHED: spool read before finish');
    const handle = this.#file.handle;
    for (let at = start; at < end; ) {
      // A fresh buffer per chunk: the relay client holds on to what it was given.
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, end - at));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, at);
      if (bytesRead === 0) throw new Error(`RG_SPOOL_SHORT_READ: spool file ended at ${at} of ${end} bytes`);
      at += bytesRead;
      noteBufferChurn(bytesRead);
      yield bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead);
    }
  }

  /** Deletes the temp file; safe to call more than once. */
  async dispose(): Promise<void> {
    this.#chunks = [];
    this.#memory = null;
    const file = this.#file;
    if (file === null) return;
    this.#file = null;
    await file.handle.close().catch(() => undefined);
    await unlink(file.path).catch(() => undefined);
  }

  async #spill(): Promise<void> {
    await mkdir(this.#opts.dir, { recursive: true, mode: 0o700 });
    const path = join(this.#opts.dir, `rg-${process.pid}-${randomBytes(8).toString('hex')}.eml`);
    const handle = await open(path, 'wx+', 0o600);
    this.#file = { path, handle };
    const pending = this.#chunks;
    this.#chunks = [];
    await handle.writev(pending);
  }

  async #append(chunk: Buffer): Promise<void> {
    await this.#file?.handle.write(chunk);
  }
}
