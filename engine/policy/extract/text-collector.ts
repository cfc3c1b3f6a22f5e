// Decoded text as it streams out of the MIME parser. Up to HOLD_CHARS it is held and becomes an
// ordinary segment; beyond that (with a window scanner) it is cut into windows of at most
// WINDOW_CHARS at line ends, each scanned by every detector and dropped, so a 50 MB body costs a
// window of memory.
// Cuts fall on a line end (or, in a line longer than half a window, on a blank; in one without blanks,
// anywhere), and each window is scanned with the last OVERLAP_CHARS of the one before (from a blank
// on), so a value across a cut is still found; WindowedScan does not count the overlap's own hits twice.
import { TextDecoder } from 'node:util';
import { bidiReading } from './bidi-text.js';
import type { ByteBudget } from './byte-budget.js';
import type { Hits } from '../detectors/hits.js';
import type { PolicySet } from '../policy-set.js';
import { WindowedScan } from '../detectors/text-scan.js';
import { asciiLabelDecoder, type ChunkDecoder, charsetDecoder } from './charset-decoder.js';
import { wideCharsetDecoder } from './encoded-words.js';

/** Text kept whole up to this length. */
export const HOLD_CHARS = 1 << 20;
/**
 * Window size once a text is longer. Small, so that the scanners' temporaries stay small too, and so
 * that a window of one-byte text (with the overlap and one decoded piece) stays under V8's large-object
 * size (128 KiB): a large object alive at one young collection is promoted at once, and one window's
 * strings promoted per collection piled up to 20-30 MB in a 50 MB message before the old generation was
 * collected (256 Ki characters: +33 MB RSS; 64 Ki: +11-15 MB; docs/benchmarks.md, "The 50 MB
 * regression: cause"). A regular object is promoted only when it survives two, which a window rarely does.
 */
export const WINDOW_CHARS = 64 << 10;
/** Text of the previous window scanned again before the next: longer than any value a detector matches. */
export const OVERLAP_CHARS = 4 << 10;

export interface CollectedText {
  /** The whole text, or '' when it was scanned in windows. */
  readonly text: string;
  readonly prescanned?: readonly Hits[];
  /** Markup: why the text as shown of a window was not computed (the part is reported unscannable). */
  readonly notLaidOut?: string;
  /** A window held an OpenPGP message in ASCII armour (PGP_ARMOUR): encrypted text, reported unscannable. */
  readonly encryptedBlock?: true;
}

/** The first line of an OpenPGP message in ASCII armour (RFC 9580 §6.2): what follows is encrypted or compressed binary. */
export const PGP_ARMOUR = '-----BEGIN PGP MESSAGE-----';

export interface TextCollectorOptions {
  readonly budget: ByteBudget;
  /** The policy set whose text detectors scan long texts window by window; undefined: hold every text whole. */
  readonly scans: PolicySet | undefined;
  /** Markup: windows are cut after a tag and reduced to text before scanning. */
  readonly markup?: (window: string) => { readonly text: string; readonly notLaidOut?: string };
  /** Stops scanning further windows (the caller fails the analysis on abort). */
  readonly signal?: AbortSignal;
}

export class TextCollector {
  readonly #opts: TextCollectorOptions;
  #chunks: string[] = [];
  #length = 0;
  #scan: WindowedScan | undefined;
  #overlap = '';
  #full = false;
  #notLaidOut: string | undefined;
  #encryptedBlock = false;

  constructor(opts: TextCollectorOptions) {
    this.#opts = opts;
  }

  push(text: string): void {
    if (this.#full || text === '') return;
    const granted = this.#opts.budget.take(text.length);
    if (granted < text.length) {
      // the budget is spent: the analysis reports maxDecodedBytes, the rest is not inspected
      this.#full = true;
      text = text.slice(0, granted);
    }
    this.#chunks.push(text);
    this.#length += text.length;
    if (this.#opts.scans === undefined) return;
    while (this.#length > (this.#scan === undefined ? HOLD_CHARS : WINDOW_CHARS)) this.#flush(false);
  }

  /** The budget ran out: the end of the text was not inspected. */
  get cut(): boolean {
    return this.#full;
  }

  end(): CollectedText {
    if (this.#scan === undefined) return { text: this.#chunks.join('') };
    this.#flush(true);
    return { text: '', prescanned: this.#scan.result(), ...(this.#notLaidOut === undefined ? {} : { notLaidOut: this.#notLaidOut }), ...(this.#encryptedBlock ? { encryptedBlock: true as const } : {}) };
  }

  #flush(final: boolean): void {
    // only the window's own characters are joined (one copy each): joining everything held and slicing
    // the rest off copied the held megabyte again for each of its windows. The cut is found in the pieces
    // first, so the window is the join itself: a slice of a longer join is a sliced string, whose
    // characters every detector that reads them (cards, the candidate pass) reads more slowly
    const cut = final ? this.#length : piecesCut(this.#chunks, Math.min(WINDOW_CHARS, this.#length), this.#opts.markup !== undefined);
    const window = this.#take(cut);
    const set = this.#opts.scans;
    if (set === undefined) return;
    this.#scan ??= new WindowedScan(set);
    if (this.#opts.signal?.aborted === true) return;
    // (the window starts with the previous one's overlap: an armour line cut between two windows is whole in one)
    if (!this.#encryptedBlock && window.includes(PGP_ARMOUR)) this.#encryptedBlock = true;
    if (this.#opts.markup === undefined) {
      // the overlap is joined in front of the next chunks (one copy, the join's); the scan is told its length
      this.#scan.scan(window, this.#overlap.length);
      // lines a reader sees reordered (bidi controls, Hebrew or Arabic), in display order: an extra text,
      // from the window's own lines (the overlap's were read with the window before)
      const shown = bidiReading(this.#overlap.length === 0 ? window : window.slice(this.#overlap.length));
      if (shown !== '') this.#scan.scan(shown);
      this.#overlap = overlapOf(window);
      if (!final && this.#overlap !== '') {
        this.#chunks.unshift(this.#overlap);
        this.#length += this.#overlap.length;
      }
    } else {
      const reading = this.#opts.markup(window);
      this.#notLaidOut ??= reading.notLaidOut;
      const text = this.#overlap + reading.text;
      this.#scan.scan(text, this.#overlap.length);
      this.#overlap = overlapOf(text);
    }
  }

  /** The first `n` characters held (at most all of them), removed from the chunks. */
  #take(n: number): string {
    const chunks = this.#chunks;
    let used = 0;
    let got = 0;
    while (used < chunks.length && got + (chunks[used]?.length ?? 0) <= n) got += chunks[used++]?.length ?? 0;
    const parts = chunks.splice(0, used);
    const next = chunks[0];
    if (got < n && next !== undefined) {
      parts.push(next.slice(0, n - got));
      chunks[0] = next.slice(n - got);
      got = n;
    }
    this.#length -= got;
    return parts.length === 1 ? (parts[0] ?? '') : parts.join('');
  }
}

/** The end of what was scanned, from its first blank or line end on (a value is not cut at its front). */
export function overlapOf(scanned: string): string {
  if (scanned.length <= OVERLAP_CHARS) return scanned;
  const from = scanned.length - OVERLAP_CHARS;
  for (let i = from; i < from + (OVERLAP_CHARS >> 1); i++) {
    const c = scanned.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x09) return scanned.slice(i + 1);
  }
  return scanned.slice(from);
}

/** cutPoint(pieces.join('').slice(0, n), markup), read from the pieces without joining them. */
export function piecesCut(pieces: readonly string[], n: number, markup: boolean): number {
  const half = n >> 1;
  const lineEnd = markup ? Math.max(lastIn(pieces, n, half, '>'), lastIn(pieces, n, half, '\n')) : lastIn(pieces, n, half, '\n');
  if (lineEnd >= 0) return lineEnd + 1;
  const blank = Math.max(lastIn(pieces, n, half, ' '), lastIn(pieces, n, half, '\t'));
  return blank >= 0 ? blank + 1 : n;
}

/** The last index of `ch` in the first `n` characters of the pieces, if it is `from` or later; else -1. */
function lastIn(pieces: readonly string[], n: number, from: number, ch: string): number {
  let end = 0;
  let k = 0;
  // the piece holding character n - 1, then back piece by piece while they reach `from`
  for (; k < pieces.length && end + (pieces[k]?.length ?? 0) < n; k++) end += pieces[k]?.length ?? 0;
  for (; k >= 0; k--) {
    const piece = pieces[k] ?? '';
    const at = piece.lastIndexOf(ch, n - end - 1);
    if (at >= 0) return end + at >= from ? end + at : -1;
    if (end <= from) return -1;
    end -= pieces[k - 1]?.length ?? 0;
  }
  return -1;
}

/** Where to end a window: after the last line end (markup: the last tag end) in its second half. */
export function cutPoint(text: string, markup: boolean): number {
  const half = text.length >> 1;
  const at = (i: number): number => (i >= half ? i + 1 : -1);
  const lineEnd = markup ? Math.max(at(text.lastIndexOf('>')), at(text.lastIndexOf('\n'))) : at(text.lastIndexOf('\n'));
  if (lineEnd > 0) return lineEnd;
  const blank = Math.max(at(text.lastIndexOf(' ')), at(text.lastIndexOf('\t')));
  return blank > 0 ? blank : text.length;
}

/** Bytes → text in a charset across chunk boundaries, CRLF as LF, optionally RFC 3676 format=flowed. */
export class TextDecodeStream {
  readonly #decoder: ChunkDecoder;
  readonly #flowed: FlowedText | undefined;
  /** The label, when neither decoder set knows it (the bytes are then read as UTF-8). */
  readonly #unknown: string | undefined;
  #bytes = 0;
  #high = 0;
  #cr = false;

  /** `charset`: a label, or a decoder of its own (BYTE_CHARS: each byte one character, for uu and yEnc lines). */
  constructor(charset: string | ChunkDecoder, flowed?: { delSp: boolean }) {
    const known = typeof charset === 'string' ? knownDecoder(charset) : charset;
    this.#decoder = known ?? new TextDecoder('utf-8');
    this.#unknown = known === undefined && typeof charset === 'string' ? charset : undefined;
    this.#flowed = flowed === undefined ? undefined : new FlowedText(flowed.delSp);
  }

  write(chunk: Uint8Array): string {
    if (this.#unknown !== undefined) this.#count(chunk);
    return this.#out(this.#decoder.decode(chunk, { stream: true }), false);
  }

  /**
   * The charset label when nothing here decodes it and the bytes are not mostly ASCII (over 30% high
   * bytes: EBCDIC, say): read as UTF-8 they are no text a reader sees, so the part cannot be inspected.
   * A mislabelled Latin-1 letter or two in ASCII text stays readable and is not reported.
   */
  get undecodable(): string | undefined {
    return this.#unknown !== undefined && this.#high * 10 > this.#bytes * 3 ? this.#unknown : undefined;
  }

  #count(chunk: Uint8Array): void {
    this.#bytes += chunk.length;
    for (const b of chunk) if (b >= 0x80) this.#high++;
  }

  end(): string {
    return this.#out(this.#decoder.decode(), true);
  }

  #out(piece: string, final: boolean): string {
    let text = this.#cr ? `\r${piece}` : piece;
    this.#cr = !final && text.endsWith('\r');
    if (this.#cr) text = text.slice(0, -1);
    if (text.includes('\r\n')) text = text.replace(/\r\n/g, '\n');
    return this.#flowed === undefined ? text : this.#flowed.write(text, final);
  }
}

/** Each byte as the character of its value (latin1 as Buffer reads it, not the WHATWG label's windows-1252). */
export const BYTE_CHARS: ChunkDecoder = { decode: (chunk) => (chunk === undefined ? '' : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).toString('latin1')) };

// The WHATWG set first, then iconv-lite's (UTF-7, IBM and DOS code pages), as for encoded-words.
function knownDecoder(charset: string): ChunkDecoder | undefined {
  const name = (charset.split('*')[0] ?? '').trim().toLowerCase();
  if (name === '' || name === 'us-ascii' || name === 'ascii') return asciiLabelDecoder();
  try {
    return charsetDecoder(name);
  } catch {
    return wideCharsetDecoder(name);
  }
}

/** RFC 3676: a line ending in a space continues on the next; a leading space is stuffing. */
class FlowedText {
  readonly #delSp: boolean;
  #pending = '';

  constructor(delSp: boolean) {
    this.#delSp = delSp;
  }

  write(text: string, final: boolean): string {
    const lines = (this.#pending + text).split('\n');
    this.#pending = final ? '' : (lines.pop() ?? '');
    let out = '';
    lines.forEach((raw, i) => {
      const line = raw.startsWith(' ') ? raw.slice(1) : raw;
      const last = final && i === lines.length - 1;
      if (line.endsWith(' ') && line !== '-- ') out += this.#delSp ? line.slice(0, -1) : line;
      else out += last ? line : `${line}\n`;
    });
    return out;
  }
}
