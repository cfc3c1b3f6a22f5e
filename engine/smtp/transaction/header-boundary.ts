// Finds where the header block ends in a CRLF-normalised message, streaming across chunk boundaries.
const BLANK_LINE = Buffer.from('\r\n\r\n');

export class HeaderBoundary {
  // Virtual CRLF before the first byte: a message that starts with an empty line has no headers.
  #tail: Buffer = Buffer.from('\r\n');
  #bodyStart = -1;

  /** Offset of the first body byte (after the empty line), or -1 while not seen. */
  get bodyStart(): number {
    return this.#bodyStart;
  }

  /**
   * Feeds the chunk that starts at message offset `offset`. Returns the index inside this chunk
   * where the body begins when the empty line completes in it, else -1.
   */
  feed(chunk: Buffer, offset: number): number {
    if (this.#bodyStart >= 0 || chunk.length === 0) return -1;
    const tail = this.#tail;
    const joined = Buffer.concat([tail, chunk.subarray(0, 3)]);
    let at = joined.indexOf(BLANK_LINE);
    let local = at >= 0 ? at + 4 - tail.length : -1;
    if (local < 0) {
      at = chunk.indexOf(BLANK_LINE);
      local = at >= 0 ? at + 4 : -1;
    }
    if (local >= 0) {
      this.#bodyStart = offset + local;
      return local;
    }
    const keep = chunk.length >= 3 ? chunk : Buffer.concat([tail, chunk]);
    this.#tail = Buffer.from(keep.subarray(keep.length - Math.min(3, keep.length)));
    return -1;
  }
}
