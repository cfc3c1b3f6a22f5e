// SipHash-2-4 (64-bit tag, 128-bit key): the keyed hash of index entries since format 2. It replaces
// HMAC-SHA-256 truncated to 64 bits: both are PRFs under a secret key, and SipHash costs a few hundred
// nanoseconds in JavaScript where one createHmac call costs microseconds. Algorithm and test vectors:
// J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast short-input PRF" (INDOCRYPT 2012), and the
// authors' reference implementation (github.com/veorq/SipHash, siphash.c, vectors.h `vectors_sip64`).
// 64-bit words are (hi, lo) pairs of unsigned 32-bit numbers; everything stays in locals because this
// runs for every candidate a message's filter pass lets through.

export interface SipKey {
  /** k0 = key bytes 0-7 little-endian, k1 = bytes 8-15, as 32-bit halves. */
  readonly k0h: number;
  readonly k0l: number;
  readonly k1h: number;
  readonly k1l: number;
}

export function sipKey(bytes: Uint8Array): SipKey {
  if (bytes.length < 16) throw new Error('RG_EDM_INTERNAL: SipHash needs a 16-byte key');
  const w = (i: number) => ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0;
  return Object.freeze({ k0l: w(0), k0h: w(4), k1l: w(8), k1h: w(12) });
}

/** The tag of the last call: [hi, lo]. One result buffer instead of an object per call. */
export const sipOut = new Uint32Array(2);

const scratch = new Uint8Array(256);

/** SipHash-2-4 over the UTF-8 bytes of `s` (ASCII read straight from the string); the tag lands in sipOut. */
export function sipHashString(key: SipKey, s: string): void {
  const n = s.length;
  if (n <= scratch.length) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        ascii = false;
        break;
      }
      scratch[i] = c;
    }
    if (ascii) {
      sipHash(key, scratch, n);
      return;
    }
  }
  const bytes = Buffer.from(s, 'utf8');
  sipHash(key, bytes, bytes.length);
}

/** The reference algorithm over the first `length` bytes of `m`; the tag lands in sipOut as [hi, lo]. */
export function sipHash(key: SipKey, m: Uint8Array, length: number = m.length): void {
  // v0 = k0 ^ "somepseu", v1 = k1 ^ "dorandom", v2 = k0 ^ "lygenera", v3 = k1 ^ "tedbytes"
  let v0h = (key.k0h ^ 0x736f6d65) >>> 0;
  let v0l = (key.k0l ^ 0x70736575) >>> 0;
  let v1h = (key.k1h ^ 0x646f7261) >>> 0;
  let v1l = (key.k1l ^ 0x6e646f6d) >>> 0;
  let v2h = (key.k0h ^ 0x6c796765) >>> 0;
  let v2l = (key.k0l ^ 0x6e657261) >>> 0;
  let v3h = (key.k1h ^ 0x74656462) >>> 0;
  let v3l = (key.k1l ^ 0x79746573) >>> 0;
  const blocks = length - (length & 7);
  // one loop for the full blocks and the final block (remaining bytes, length byte on top)
  for (let i = 0; i <= blocks; i += 8) {
    let mh: number;
    let ml: number;
    if (i < blocks) {
      ml = ((m[i] ?? 0) | ((m[i + 1] ?? 0) << 8) | ((m[i + 2] ?? 0) << 16) | ((m[i + 3] ?? 0) << 24)) >>> 0;
      mh = ((m[i + 4] ?? 0) | ((m[i + 5] ?? 0) << 8) | ((m[i + 6] ?? 0) << 16) | ((m[i + 7] ?? 0) << 24)) >>> 0;
    } else {
      const left = length & 7;
      ml = 0;
      mh = (length & 0xff) << 24;
      for (let j = 0; j < left; j++) {
        const b = m[i + j] ?? 0;
        if (j < 4) ml |= b << (8 * j);
        else mh |= b << (8 * (j - 4));
      }
      ml >>>= 0;
      mh >>>= 0;
    }
    v3h = (v3h ^ mh) >>> 0;
    v3l = (v3l ^ ml) >>> 0;
    for (let r = 0; r < 2; r++) {
      // SipRound, 64-bit adds with carry and rotations on (hi, lo)
      let t = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
      t = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0; v1h = t;
      v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
      t = v0h; v0h = v0l; v0l = t;
      t = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
      t = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0; v3h = t;
      v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;
      t = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
      t = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0; v3h = t;
      v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;
      t = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
      t = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0; v1h = t;
      v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
      t = v2h; v2h = v2l; v2l = t;
    }
    v0h = (v0h ^ mh) >>> 0;
    v0l = (v0l ^ ml) >>> 0;
  }
  v2l = (v2l ^ 0xff) >>> 0;
  for (let r = 0; r < 4; r++) {
    let t = (v0l + v1l) >>> 0; v0h = (v0h + v1h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
    t = ((v1h << 13) | (v1l >>> 19)) >>> 0; v1l = ((v1l << 13) | (v1h >>> 19)) >>> 0; v1h = t;
    v1h = (v1h ^ v0h) >>> 0; v1l = (v1l ^ v0l) >>> 0;
    t = v0h; v0h = v0l; v0l = t;
    t = (v2l + v3l) >>> 0; v2h = (v2h + v3h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
    t = ((v3h << 16) | (v3l >>> 16)) >>> 0; v3l = ((v3l << 16) | (v3h >>> 16)) >>> 0; v3h = t;
    v3h = (v3h ^ v2h) >>> 0; v3l = (v3l ^ v2l) >>> 0;
    t = (v0l + v3l) >>> 0; v0h = (v0h + v3h + (t < v0l ? 1 : 0)) >>> 0; v0l = t;
    t = ((v3h << 21) | (v3l >>> 11)) >>> 0; v3l = ((v3l << 21) | (v3h >>> 11)) >>> 0; v3h = t;
    v3h = (v3h ^ v0h) >>> 0; v3l = (v3l ^ v0l) >>> 0;
    t = (v2l + v1l) >>> 0; v2h = (v2h + v1h + (t < v2l ? 1 : 0)) >>> 0; v2l = t;
    t = ((v1h << 17) | (v1l >>> 15)) >>> 0; v1l = ((v1l << 17) | (v1h >>> 15)) >>> 0; v1h = t;
    v1h = (v1h ^ v2h) >>> 0; v1l = (v1l ^ v2l) >>> 0;
    t = v2h; v2h = v2l; v2l = t;
  }
  sipOut[0] = v0h ^ v1h ^ v2h ^ v3h;
  sipOut[1] = v0l ^ v1l ^ v2l ^ v3l;
}
