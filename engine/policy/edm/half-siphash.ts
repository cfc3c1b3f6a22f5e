// HalfSipHash-2-4 with a 64-bit key and a 32-bit tag: the keyed prefilter in front of the entry
// lookup (a PRF cheap enough to run on every candidate of a message). Algorithm and test vectors:
// J.-P. Aumasson and D. J. Bernstein, "SipHash: a fast short-input PRF" (INDOCRYPT 2012), HalfSipHash
// as published in the authors' reference implementation (github.com/veorq/SipHash, halfsiphash.c,
// vectors.h `vectors_hsip32`).

export interface HalfSipKey {
  readonly k0: number;
  readonly k1: number;
}

export function halfSipKey(bytes: Uint8Array): HalfSipKey {
  if (bytes.length < 8) throw new Error('RG_EDM_INTERNAL: HalfSipHash needs an 8-byte key');
  const word = (i: number) => ((bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8) | ((bytes[i + 2] ?? 0) << 16) | ((bytes[i + 3] ?? 0) << 24)) >>> 0;
  return Object.freeze({ k0: word(0), k1: word(4) });
}

/** HalfSipHash-2-4 over the UTF-8 bytes of s[start, end), read straight from the string when it is ASCII. */
export function halfSipHashRange(key: HalfSipKey, s: string, start: number, end: number): number {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) return halfSipAscii(key, s, start, end);
  const bytes = Buffer.from(s.slice(start, end), 'utf8');
  return halfSipHash(key, bytes, bytes.length);
}

/** HalfSipHash-2-4 over the UTF-8 bytes of `s`. */
export function halfSipHashString(key: HalfSipKey, s: string): number {
  return halfSipHashRange(key, s, 0, s.length);
}

/** The reference algorithm over the first `length` bytes of `m`; the tag as an unsigned 32-bit number (little-endian bytes). */
export function halfSipHash(key: HalfSipKey, m: Uint8Array, length: number = m.length): number {
  // latin1 maps each byte to one char code of the same value
  return halfSipAscii(key, Buffer.from(m.buffer, m.byteOffset, length).toString('latin1'), 0, length);
}

/** The algorithm over bytes m[from, from + length): the same tag as halfSipHash, without a string (identifier candidates). */
export function halfSipBytes(key: HalfSipKey, m: Uint8Array, length: number, from = 0): number {
  let v0 = key.k0 | 0;
  let v1 = key.k1 | 0;
  let v2 = (0x6c796765 ^ key.k0) | 0;
  let v3 = (0x74656462 ^ key.k1) | 0;
  const full = from + length - (length & 3);
  for (let i = from; i <= full; i += 4) {
    let w: number;
    if (i < full) w = (m[i] ?? 0) | ((m[i + 1] ?? 0) << 8) | ((m[i + 2] ?? 0) << 16) | ((m[i + 3] ?? 0) << 24);
    else {
      const left = length & 3;
      w = (length & 0xff) << 24;
      if (left >= 3) w |= (m[i + 2] ?? 0) << 16;
      if (left >= 2) w |= (m[i + 1] ?? 0) << 8;
      if (left >= 1) w |= m[i] ?? 0;
    }
    v3 ^= w;
    for (let r = 0; r < 2; r++) {
      v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
      v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
      v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    }
    v0 ^= w;
  }
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  }
  return (v1 ^ v3) >>> 0;
}

/**
 * The algorithm over the char codes of s[start, end), each taken as one byte (ASCII, or latin1 from
 * halfSipHash): halfSipHashRange for a text known to be ASCII. State in locals, rounds written out:
 * this runs for every word of every message.
 */
export function halfSipAscii(key: HalfSipKey, s: string, start: number, end: number): number {
  let v0 = key.k0 | 0;
  let v1 = key.k1 | 0;
  let v2 = (0x6c796765 ^ key.k0) | 0;
  let v3 = (0x74656462 ^ key.k1) | 0;
  const length = end - start;
  const full = start + length - (length & 3);
  for (let i = start; i <= full; i += 4) {
    let w: number;
    if (i < full) w = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    else {
      // the last block: the remaining bytes and the length in the top byte
      const left = length & 3;
      w = (length & 0xff) << 24;
      if (left >= 3) w |= s.charCodeAt(i + 2) << 16;
      if (left >= 2) w |= s.charCodeAt(i + 1) << 8;
      if (left >= 1) w |= s.charCodeAt(i);
    }
    v3 ^= w;
    for (let r = 0; r < 2; r++) {
      v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
      v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
      v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
      v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
    }
    v0 ^= w;
  }
  v2 ^= 0xff;
  for (let r = 0; r < 4; r++) {
    v0 = (v0 + v1) | 0; v1 = (v1 << 5) | (v1 >>> 27); v1 ^= v0; v0 = (v0 << 16) | (v0 >>> 16);
    v2 = (v2 + v3) | 0; v3 = (v3 << 8) | (v3 >>> 24); v3 ^= v2;
    v0 = (v0 + v3) | 0; v3 = (v3 << 7) | (v3 >>> 25); v3 ^= v0;
    v2 = (v2 + v1) | 0; v1 = (v1 << 13) | (v1 >>> 19); v1 ^= v2; v2 = (v2 << 16) | (v2 >>> 16);
  }
  return (v1 ^ v3) >>> 0;
}
