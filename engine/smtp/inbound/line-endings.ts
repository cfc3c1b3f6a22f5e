// Inbound line-ending normalisation: bare CR and bare LF become CRLF, streaming across chunk boundaries.
// smtp-server ends DATA only on CRLF.CRLF, so "\n.\n", "\r.\r" and friends arrive here as content; after
// this pass they are ordinary CRLF lines, and the relay client dot-stuffs them on the way out, so no
// input can ever be re-framed into two messages downstream (DESIGN.md, relay semantics).

const CR = 13;
const LF = 10;
const CR_BYTE = Buffer.from('\r');
const LF_BYTE = Buffer.from('\n');

export class LineEndingNormalizer {
  #afterCr = false;

  /** Returns the chunk itself when it needs no change (the common case), else one new Buffer. */
  push(chunk: Buffer): Buffer {
    const len = chunk.length;
    if (len === 0) return chunk;
    const parts: Buffer[] = [];
    let start = 0;
    let i = 0;
    if (this.#afterCr) {
      this.#afterCr = false;
      // The previous chunk ended in CR, already emitted; complete it unless this chunk brings the LF.
      if (chunk[0] === LF) i = 1;
      else parts.push(LF_BYTE);
    }
    while (i < len) {
      const pos = nextBreak(chunk, i);
      if (pos < 0) break;
      if (chunk[pos] === LF) {
        parts.push(chunk.subarray(start, pos), CR_BYTE);
        start = pos;
        i = pos + 1;
      } else if (pos + 1 === len) {
        this.#afterCr = true;
        i = len;
      } else if (chunk[pos + 1] === LF) {
        i = pos + 2;
      } else {
        parts.push(chunk.subarray(start, pos + 1), LF_BYTE);
        start = pos + 1;
        i = pos + 1;
      }
    }
    if (parts.length === 0) return chunk;
    parts.push(chunk.subarray(start));
    return Buffer.concat(parts);
  }

  /** What must follow the last chunk: the LF of a trailing bare CR, else nothing. */
  end(): Buffer {
    if (!this.#afterCr) return Buffer.alloc(0);
    this.#afterCr = false;
    return LF_BYTE;
  }
}

function nextBreak(chunk: Buffer, from: number): number {
  const cr = chunk.indexOf(CR, from);
  const lf = chunk.indexOf(LF, from);
  if (cr < 0) return lf;
  if (lf < 0) return cr;
  return cr < lf ? cr : lf;
}
