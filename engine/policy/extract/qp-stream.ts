// A streaming quoted-printable decoder for the MIME parser. libqp 3's Decoder (which mailsplit, under
// mailparser, uses for every quoted-printable part) keeps the whole part as strings until its end, so a
// 50 MB quoted-printable body would sit in memory twice; this one decodes line by line as bytes arrive.
// installStreamingQpDecoder() puts it in place of libqp.Decoder in the module instance mailsplit loads;
// long-text.test.ts checks that a quoted-printable part now reaches inspection in many chunks.
import { decoderStream, mailsplitDependency } from './mailsplit-decoders.js';
import { decodeQuotedPrintable, decodeQuotedPrintableInto } from './simple-message.js';

/** Without a line end for this long (malformed input), decoding goes on anyway, keeping a possible escape whole. */
const MAX_PENDING = 64 * 1024;
/** An "=" this close to the end may start an escape or a soft break ("=", blanks, line end) still arriving. */
const ESCAPE_REACH = 80;

/** The decoder's state without the stream: bytes in, decoded bytes out (streamed-text.ts calls it directly). */
export class QpChunks {
  #pending: Buffer = Buffer.alloc(0);

  write(bytes: Buffer): Buffer {
    const pending = this.#pending;
    // the remainder holds no line end, so the chunk's last one is the cut; no escape crosses a line end, so
    // the line begun in the remainder decodes on its own and the chunk's further lines from the chunk itself
    const last = pending.length > 0 ? bytes.lastIndexOf(0x0a) : -1;
    if (last >= 0) {
      const first = bytes.indexOf(0x0a);
      const line = Buffer.concat([pending, bytes.subarray(0, first + 1)]);
      const out = Buffer.allocUnsafe(pending.length + last + 1);
      const o = decodeQuotedPrintableInto(line, out, 0);
      this.#pending = Buffer.from(bytes.subarray(last + 1));
      return out.subarray(0, decodeQuotedPrintableInto(bytes.subarray(first + 1, last + 1), out, o));
    }
    const buf = pending.length > 0 ? Buffer.concat([pending, bytes]) : bytes;
    const cut = safeCut(buf);
    // a copy: the remainder is at most a line, and must not keep the whole chunk alive
    this.#pending = Buffer.from(buf.subarray(cut));
    return cut > 0 ? decodeQuotedPrintable(buf.subarray(0, cut)) : EMPTY;
  }

  end(): Buffer {
    const rest = this.#pending;
    this.#pending = Buffer.alloc(0);
    return rest.length > 0 ? decodeQuotedPrintable(rest) : EMPTY;
  }
}

const EMPTY = Buffer.alloc(0);

/** Bytes [0, cut) decode on their own: everything up to the last line end (escapes never cross one). */
export function safeCut(buf: Buffer): number {
  const lf = buf.lastIndexOf(0x0a);
  if (lf >= 0) return lf + 1;
  if (buf.length < MAX_PENDING) return 0;
  const eq = buf.lastIndexOf(0x3d);
  return eq >= 0 && eq >= buf.length - ESCAPE_REACH ? eq : buf.length;
}

/** libqp's Decoder interface over QpChunks. */
export const QuotedPrintableDecoder = decoderStream(() => new QpChunks());

let installed = false;

/** Makes mailsplit's quoted-printable parts stream (see the top of this file). Idempotent. */
export function installStreamingQpDecoder(): void {
  if (installed) return;
  installed = true;
  const libqp = mailsplitDependency<{ Decoder: unknown }>('libqp');
  libqp.Decoder = QuotedPrintableDecoder;
}
