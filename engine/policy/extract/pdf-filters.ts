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
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#length);
  }
}

const LZW_CLEAR = 256;
const LZW_EOD = 257;
const LZW_TABLE = 4096;

/** LZW with 9- to 12-bit codes; `earlyChange` 1 (the default) widens the codes one entry early. */
export function lzwDecode(data: Uint8Array, earlyChange: number, cap: number): FilterOutput {
  const prefix = new Int16Array(LZW_TABLE);
  const last = new Uint8Array(LZW_TABLE);
  const first = new Uint8Array(LZW_TABLE);
  const length = new Uint16Array(LZW_TABLE);
  for (let i = 0; i < 256; i++) {
    last[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  const out = new CappedOutput(data.length * 4, cap);
  let next = 258;
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
      next = 258;
      width = 9;
      prev = -1;
      continue;
    }
    if (code === LZW_EOD) break;
    const known = code < 256 || (code >= 258 && code < next);
    // a code not yet in the table is the previous string plus its own first byte (KwKwK)
    if (!known && prev < 0) break;
    if (prev >= 0 && next < LZW_TABLE) {
      prefix[next] = prev;
      first[next] = first[prev] ?? 0;
      last[next] = known ? (first[code] ?? 0) : (first[prev] ?? 0);
      length[next] = (length[prev] ?? 0) + 1;
      next++;
      if (next + earlyChange >= 1 << width && width < 12) width++;
    }
    const n = length[code] ?? 0;
    if (!known && code !== next - 1) break;
    if (!out.reserve(n)) return 'limit';
    writeEntry(out, code, n, prefix, last);
    prev = code;
  }
  return out.bytes();
}

const scratch = new Uint8Array(LZW_TABLE);
function writeEntry(out: CappedOutput, code: number, n: number, prefix: Int16Array, last: Uint8Array): void {
  for (let j = n - 1, c = code; j >= 0; j--) {
    scratch[j] = last[c] ?? 0;
    c = prefix[c] ?? 0;
  }
  for (let j = 0; j < n; j++) out.push(scratch[j] ?? 0);
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
      for (let k = 0; k < count; k++) out.push(data[i + k] ?? 0);
      i += count;
    } else {
      if (i >= data.length) break;
      const byte = data[i++] ?? 0;
      if (!out.reserve(257 - n)) return 'limit';
      for (let k = 0; k < 257 - n; k++) out.push(byte);
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
