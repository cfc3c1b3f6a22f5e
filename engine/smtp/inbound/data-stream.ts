// smtp-server's DATA parser keeps the last 4 bytes of every chunk in case "\r\n.\r\n" straddles two
// reads, and joins them to the next chunk with Buffer.concat: a full copy of every socket read, 64 KiB
// of garbage each, that waits for a collection while a big message streams in (docs/benchmarks.md,
// session 7). When the held bytes and the first two of the next chunk carry no dot at a line start,
// neither a terminator nor an escape dot can straddle the boundary: the held bytes are plain content,
// written out on their own, and the chunk is parsed in place. Every other case takes the library's
// own path, so the framing rules (terminator, escape dots, the start-of-DATA checks) stay its code.
import { SMTPStream } from 'smtp-server/lib/smtp-stream.js';

const DOT = 0x2e;
const LF = 0x0a;
// Below this a copy costs less than the extra write of the held bytes.
const MIN_IN_PLACE = 1024;
const INSTALLED = Symbol.for('relayguard.smtp-stream.in-place');

type Done = (err?: Error | null) => void;
type Feed = (this: SMTPStream, chunk: Buffer, done: Done) => void;

/**
 * True when `held ++ chunk` has no dot at a line start (or at its very start) among the positions the
 * library would scan with bytes from both sides: `held` and the first two bytes of `chunk`.
 */
export function boundaryIsPlain(held: Buffer, chunk: Buffer): boolean {
  const n = held.length;
  let prev = -1;
  for (let j = 0; j < n + 2 && j < n + chunk.length; j++) {
    const b = (j < n ? held[j] : chunk[j - n]) as number;
    if (b === DOT && (j === 0 || prev === LF)) return false;
    prev = b;
  }
  return true;
}

/** Replaces SMTPStream.prototype._feedDataStream once per process; returns the library's own. */
export function installInPlaceDataFeed(): Feed {
  const proto = SMTPStream.prototype as SMTPStream & { [INSTALLED]?: Feed };
  const existing = proto[INSTALLED];
  if (existing !== undefined) return existing;
  const original: Feed = proto._feedDataStream;
  proto._feedDataStream = function feedInPlace(this: SMTPStream, chunk: Buffer, done: Done): void {
    const held = this._lastBytes;
    if (held === false || held.length === 0 || chunk.length < MIN_IN_PLACE || !boundaryIsPlain(held, chunk)) {
      return original.call(this, chunk, done);
    }
    this._lastBytes = false;
    this._countDataBytes(held.length);
    const out = this._dataStream;
    if (out !== null && out.writable) out.write(held);
    original.call(this, chunk, done);
  };
  proto[INSTALLED] = original;
  return original;
}
