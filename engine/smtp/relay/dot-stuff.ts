// Outbound DATA framing: dot-stuffing plus CRLF normalisation, streaming across chunk boundaries.
// Defence in depth: whatever the body holds, no line of it can ever end the message early.
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';

const CR = 13;
const LF = 10;
const DOT = 46;
const CR_BYTE = Buffer.from('\r');
const LF_BYTE = Buffer.from('\n');
const DOT_BYTE = Buffer.from('.');
const END_AT_LINE_START = Buffer.from('.\r\n');
const END_AFTER_CR = Buffer.from('\n.\r\n');
const END_MID_LINE = Buffer.from('\r\n.\r\n');

type State = 'line-start' | 'mid-line' | 'after-cr';

/**
 * Stateful encoder. `push` returns the chunk itself when nothing needs inserting (the common,
 * already-normalised case), else one new Buffer; `end` returns the terminator that closes the body.
 */
export class DotStuffer {
  #state: State = 'line-start';
  #inserts: Array<number | Buffer> = [];

  push(chunk: Buffer): Buffer {
    const len = chunk.length;
    if (len === 0) return chunk;
    const ins = this.#inserts;
    ins.length = 0;
    let i = 0;
    if (this.#state === 'after-cr') {
      if (chunk[0] === LF) i = 1;
      else ins.push(0, LF_BYTE);
      this.#state = 'line-start';
    }
    let nextCr = chunk.indexOf(CR, i);
    let nextLf = chunk.indexOf(LF, i);
    while (i < len) {
      if (this.#state === 'line-start' && chunk[i] === DOT) ins.push(i, DOT_BYTE);
      if (nextCr >= 0 && nextCr < i) nextCr = chunk.indexOf(CR, i);
      if (nextLf >= 0 && nextLf < i) nextLf = chunk.indexOf(LF, i);
      const t = nextCr < 0 ? nextLf : nextLf < 0 ? nextCr : Math.min(nextCr, nextLf);
      if (t < 0) {
        this.#state = 'mid-line';
        break;
      }
      if (chunk[t] === LF) {
        ins.push(t, CR_BYTE); // bare LF
        i = t + 1;
      } else if (t + 1 >= len) {
        i = len;
        this.#state = 'after-cr';
        break;
      } else if (chunk[t + 1] === LF) {
        i = t + 2;
      } else {
        ins.push(t + 1, LF_BYTE); // lone CR
        i = t + 1;
      }
      this.#state = 'line-start';
    }
    return ins.length === 0 ? chunk : splice(chunk, ins);
  }

  /** The bytes that finish the body: a missing final CRLF, then `.` CRLF. */
  end(): Buffer {
    const state = this.#state;
    this.#state = 'line-start';
    switch (state) {
      case 'line-start':
        return END_AT_LINE_START;
      case 'after-cr':
        return END_AFTER_CR;
      case 'mid-line':
        return END_MID_LINE;
      default: {
        const never: never = state;
        return never;
      }
    }
  }
}

/** Copies `chunk` with the (position, bytes) insertions applied, into one allocation. */
function splice(chunk: Buffer, ins: ReadonlyArray<number | Buffer>): Buffer {
  let extra = 0;
  for (let k = 1; k < ins.length; k += 2) extra += (ins[k] as Buffer).length;
  const out = Buffer.allocUnsafe(chunk.length + extra);
  let from = 0;
  let at = 0;
  for (let k = 0; k < ins.length; k += 2) {
    const pos = ins[k] as number;
    const bytes = ins[k + 1] as Buffer;
    at += chunk.copy(out, at, from, pos);
    at += bytes.copy(out, at);
    from = pos;
  }
  chunk.copy(out, at, from);
  return out;
}

/** Transform stream form: body bytes in, wire bytes out, terminator (`.` CRLF) appended at the end. */
export function createDotStuffStream(): Transform {
  const stuffer = new DotStuffer();
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
      done(null, stuffer.push(chunk));
    },
    flush(done: TransformCallback): void {
      done(null, stuffer.end());
    },
  });
}

/** Whole-buffer convenience, for tests and small messages. */
export function dotStuff(body: Buffer): Buffer {
  const stuffer = new DotStuffer();
  return Buffer.concat([stuffer.push(body), stuffer.end()]);
}
