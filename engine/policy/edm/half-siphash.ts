// HalfSipHash-2-4 with a 64-bit key and a 32-bit tag: the keyed prefilter in front of the HMAC
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

const scratch = new Uint8Array(256);

/** HalfSipHash-2-4 over the UTF-8 bytes of s[start, end), without making the substring when it is ASCII. */
export function halfSipHashRange(key: HalfSipKey, s: string, start: number, end: number): number {
  const length = end - start;
  if (length <= scratch.length) {
    let ascii = true;
    for (let i = 0; i < length; i++) {
      const c = s.charCodeAt(start + i);
      if (c > 0x7f) {
        ascii = false;
        break;
      }
      scratch[i] = c;
    }
    if (ascii) return halfSipHash(key, scratch, length);
  }
  const bytes = Buffer.from(s.slice(start, end), 'utf8');
  return halfSipHash(key, bytes, bytes.length);
}

/** HalfSipHash-2-4 over the UTF-8 bytes of `s` (ASCII is read straight from the string). */
export function halfSipHashString(key: HalfSipKey, s: string): number {
  let ascii = true;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii && s.length <= scratch.length) {
    for (let i = 0; i < s.length; i++) scratch[i] = s.charCodeAt(i);
    return halfSipHash(key, scratch, s.length);
  }
  const bytes = Buffer.from(s, 'utf8');
  return halfSipHash(key, bytes, bytes.length);
}

// Module state instead of closures: this runs for every candidate of every message.
let v0 = 0;
let v1 = 0;
let v2 = 0;
let v3 = 0;

function sipRound(): void {
  v0 = (v0 + v1) | 0;
  v1 = (v1 << 5) | (v1 >>> 27);
  v1 ^= v0;
  v0 = (v0 << 16) | (v0 >>> 16);
  v2 = (v2 + v3) | 0;
  v3 = (v3 << 8) | (v3 >>> 24);
  v3 ^= v2;
  v0 = (v0 + v3) | 0;
  v3 = (v3 << 7) | (v3 >>> 25);
  v3 ^= v0;
  v2 = (v2 + v1) | 0;
  v1 = (v1 << 13) | (v1 >>> 19);
  v1 ^= v2;
  v2 = (v2 << 16) | (v2 >>> 16);
}

function absorb(w: number): void {
  v3 ^= w;
  sipRound();
  sipRound();
  v0 ^= w;
}

/** The reference algorithm over the first `length` bytes of `m`; the tag as an unsigned 32-bit number (little-endian bytes). */
export function halfSipHash(key: HalfSipKey, m: Uint8Array, length: number = m.length): number {
  v0 = key.k0 | 0;
  v1 = key.k1 | 0;
  v2 = (0x6c796765 ^ key.k0) | 0;
  v3 = (0x74656462 ^ key.k1) | 0;
  const end = length - (length & 3);
  let i = 0;
  for (; i < end; i += 4) absorb((m[i] ?? 0) | ((m[i + 1] ?? 0) << 8) | ((m[i + 2] ?? 0) << 16) | ((m[i + 3] ?? 0) << 24));
  let b = (length & 0xff) << 24;
  const left = length & 3;
  if (left >= 3) b |= (m[i + 2] ?? 0) << 16;
  if (left >= 2) b |= (m[i + 1] ?? 0) << 8;
  if (left >= 1) b |= m[i] ?? 0;
  absorb(b);
  v2 ^= 0xff;
  sipRound();
  sipRound();
  sipRound();
  sipRound();
  return (v1 ^ v3) >>> 0;
}
