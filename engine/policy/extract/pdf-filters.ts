// The PDF stream filters decoded here besides Flate and the ASCII ones: LZW (PDF 32000-1 7.4.4),
// RunLength (7.4.5) and the predictors of LZW and Flate (7.4.4.4, PNG and TIFF 2). pdf.js decodes LZW
// and RunLength without any cap, so each decoder here stops at the cap it is given and reports 'limit'
// instead of growing a buffer: a bomb is refused before pdf.js ever sees the file.

/** Decoded bytes, 'limit' past the cap. A damaged stream yields what decoded before the damage, as in pdf.js. */
export type FilterOutput = Uint8Array | 'limit';

/** A growing output buffer that refuses to pass `cap` bytes. */
class CappedOutput {
  #buf: Uint8Array;
  #length = 0;
  readonly #cap: number;
  constructor(expected: number, cap: number) {
    this.#cap = cap;
    this.#buf = new Uint8Array(Math.max(64, Math.min(cap, expected)));
  }
  /** Room for `n` more bytes; false when they would pass the cap. */
  reserve(n: number): boolean {
    const want = this.#length + n;
    if (want > this.#cap) return false;
    if (want > this.#buf.length) {
      const grown = new Uint8Array(Math.min(this.#cap, Math.max(want, this.#buf.length * 2)));
      grown.set(this.#buf.subarray(0, this.#length));
      this.#buf = grown;
    }
    return true;
  }
  push(byte: number): void {
    this.#buf[this.#length++] = byte;
  }
  fill(byte: number, n: number): void {
    this.#buf.fill(byte, this.#length, this.#length + n);
    this.#length += n;
  }
  copy(bytes: Uint8Array): void {
    this.#buf.set(bytes, this.#length);
    this.#length += bytes.length;
  }
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }
}

const LZW_CLEAR = 256;
const LZW_EOD = 257;
const LZW_TABLE = 4096;

/** The LZW string table: each entry is a previous entry plus one byte, written out backwards. */
class LzwTable {
  readonly #prefix = new Int16Array(LZW_TABLE);
  readonly #last = new Uint8Array(LZW_TABLE);
  readonly #first = new Uint8Array(LZW_TABLE);
  readonly #length = new Uint16Array(LZW_TABLE);
  readonly #scratch = new Uint8Array(LZW_TABLE);
  next = 258;
  constructor() {
    for (let i = 0; i < 256; i++) {
      this.#last[i] = i;
      this.#first[i] = i;
      this.#length[i] = 1;
    }
  }
  has(code: number): boolean {
    return code < 256 || (code >= 258 && code < this.next);
  }
  /** Adds `prev` + the first byte of `code` (or of `prev` itself, for the code being defined: KwKwK). */
  add(prev: number, code: number): void {
    if (this.next >= LZW_TABLE) return;
    const n = this.next++;
    this.#prefix[n] = prev;
    this.#first[n] = this.#first[prev] ?? 0;
    this.#last[n] = this.#first[this.has(code) && code !== n ? code : prev] ?? 0;
    this.#length[n] = (this.#length[prev] ?? 0) + 1;
  }
  /** Writes entry `code`; false when it does not fit under the cap. */
  write(code: number, out: CappedOutput): boolean {
    const n = this.#length[code] ?? 0;
    if (!out.reserve(n)) return false;
    for (let j = n - 1, c = code; j >= 0; j--) {
      this.#scratch[j] = this.#last[c] ?? 0;
      c = this.#prefix[c] ?? 0;
    }
    for (let j = 0; j < n; j++) out.push(this.#scratch[j] ?? 0);
    return true;
  }
}

/** LZW with 9- to 12-bit codes; `earlyChange` 1 (the default) widens the codes one entry early. */
export function lzwDecode(data: Uint8Array, earlyChange: number, cap: number): FilterOutput {
  const out = new CappedOutput(data.length * 4, cap);
  const table = new LzwTable();
  let width = 9;
  let prev = -1;
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (;;) {
    while (bits < width && at < data.length) {
      acc = ((acc << 8) | (data[at++] ?? 0)) & 0xffffff;
      bits += 8;
    }
    if (bits < width) break;
    bits -= width;
    const code = (acc >>> bits) & ((1 << width) - 1);
    if (code === LZW_CLEAR) {
      // entries 0-255 never change: a clear only forgets the rest (no new table for a stream of clears)
      table.next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    // a code not in the table may only be the one defined right now (the previous string plus its first byte)
    if (code === LZW_EOD || (!table.has(code) && (prev < 0 || code !== table.next))) break;
    if (prev >= 0) {
      table.add(prev, code);
      if (table.next + earlyChange >= 1 << width && width < 12) width++;
    }
    if (!table.write(code, out)) return 'limit';
    prev = code;
  }
  return out.bytes();
}

/** RunLength: a length byte 0-127 copies the next n+1 bytes, 129-255 repeats the next byte 257-n times, 128 ends. */
export function runLengthDecode(data: Uint8Array, cap: number): FilterOutput {
  const out = new CappedOutput(data.length * 2, cap);
  let i = 0;
  while (i < data.length) {
    const n = data[i++] ?? 128;
    if (n === 128) break;
    if (n < 128) {
      const count = Math.min(n + 1, data.length - i);
      if (!out.reserve(count)) return 'limit';
      out.copy(data.subarray(i, i + count));
      i += count;
    } else {
      if (i >= data.length) break;
      const byte = data[i++] ?? 0;
      if (!out.reserve(257 - n)) return 'limit';
      out.fill(byte, 257 - n);
    }
  }
  return out.bytes();
}

export interface PredictorParms {
  readonly predictor: number;
  readonly colors: number;
  readonly bitsPerComponent: number;
  readonly columns: number;
}

/**
 * Undoes a predictor (the output is never longer than the input). PNG predictors (10-15) take each row's
 * own filter byte; TIFF predictor 2 is undone for 8 bits per component. undefined: a combination not
 * undone here, which only pdf.js can read.
 */
export function unpredict(data: Uint8Array, p: PredictorParms): Uint8Array | undefined {
  if (p.predictor <= 1) return data;
  const bpp = Math.max(1, Math.ceil((p.colors * p.bitsPerComponent) / 8));
  const rowBytes = Math.ceil((p.colors * p.bitsPerComponent * p.columns) / 8);
  if (rowBytes <= 0) return undefined;
  if (p.predictor === 2) return p.bitsPerComponent === 8 ? tiffUnpredict(data, rowBytes, bpp) : undefined;
  if (p.predictor < 10) return undefined;
  const rows = Math.floor(data.length / (rowBytes + 1));
  const out = new Uint8Array(rows * rowBytes);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowBytes + 1)] ?? 0;
    const src = r * (rowBytes + 1) + 1;
    const dst = r * rowBytes;
    for (let c = 0; c < rowBytes; c++) {
      const raw = data[src + c] ?? 0;
      const left = c >= bpp ? (out[dst + c - bpp] ?? 0) : 0;
      const up = r > 0 ? (out[dst - rowBytes + c] ?? 0) : 0;
      const upLeft = r > 0 && c >= bpp ? (out[dst - rowBytes + c - bpp] ?? 0) : 0;
      out[dst + c] = (raw + pngPredict(type, left, up, upLeft)) & 0xff;
    }
  }
  return out;
}

function pngPredict(type: number, left: number, up: number, upLeft: number): number {
  switch (type) {
    case 1:
      return left;
    case 2:
      return up;
    case 3:
      return (left + up) >> 1;
    case 4: {
      const p = left + up - upLeft;
      const pa = Math.abs(p - left);
      const pb = Math.abs(p - up);
      const pc = Math.abs(p - upLeft);
      return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }
    default:
      return 0;
  }
}

function tiffUnpredict(data: Uint8Array, rowBytes: number, bpp: number): Uint8Array {
  const out = new Uint8Array(data);
  for (let r = 0; r + rowBytes <= out.length; r += rowBytes) {
    for (let c = bpp; c < rowBytes; c++) out[r + c] = ((out[r + c] ?? 0) + (out[r + c - bpp] ?? 0)) & 0xff;
  }
  return out;
}
