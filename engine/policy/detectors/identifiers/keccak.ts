// Keccak-256 (the pre-FIPS-202 padding Ethereum uses; node:crypto's sha3-256 pads differently).
// Keccak team, "The Keccak reference" 3.0 (2011): rate 1088 bits, padding 0x01 … 0x80. Lanes are
// pairs of 32-bit words (lo, hi), so an EIP-55 check costs microseconds, not BigInt milliseconds.
const RC = [
  [0x00000001, 0x00000000], [0x00008082, 0x00000000], [0x0000808a, 0x80000000], [0x80008000, 0x80000000],
  [0x0000808b, 0x00000000], [0x80000001, 0x00000000], [0x80008081, 0x80000000], [0x00008009, 0x80000000],
  [0x0000008a, 0x00000000], [0x00000088, 0x00000000], [0x80008009, 0x00000000], [0x8000000a, 0x00000000],
  [0x8000808b, 0x00000000], [0x0000008b, 0x80000000], [0x00008089, 0x80000000], [0x00008003, 0x80000000],
  [0x00008002, 0x80000000], [0x00000080, 0x80000000], [0x0000800a, 0x00000000], [0x8000000a, 0x80000000],
  [0x80008081, 0x80000000], [0x00008080, 0x80000000], [0x80000001, 0x00000000], [0x80008008, 0x80000000],
] as const;
// rotation offsets r[x + 5y]
const ROT = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

/** Writes lane `src` of `a` rotated left by n into lane `dst` of `b`. */
function rotInto(a: Uint32Array, src: number, n: number, b: Uint32Array, dst: number): void {
  const lo = a[2 * src]!;
  const hi = a[2 * src + 1]!;
  if (n === 0) {
    b[2 * dst] = lo;
    b[2 * dst + 1] = hi;
  } else if (n < 32) {
    b[2 * dst] = (lo << n) | (hi >>> (32 - n));
    b[2 * dst + 1] = (hi << n) | (lo >>> (32 - n));
  } else if (n === 32) {
    b[2 * dst] = hi;
    b[2 * dst + 1] = lo;
  } else {
    const m = n - 32;
    b[2 * dst] = (hi << m) | (lo >>> (32 - m));
    b[2 * dst + 1] = (lo << m) | (hi >>> (32 - m));
  }
}

function permute(a: Uint32Array): void {
  const c = new Uint32Array(10);
  const d = new Uint32Array(10);
  const b = new Uint32Array(50);
  for (let round = 0; round < 24; round++) {
    for (let x = 0; x < 5; x++) {
      for (let h = 0; h < 2; h++) c[2 * x + h] = a[2 * x + h]! ^ a[2 * (x + 5) + h]! ^ a[2 * (x + 10) + h]! ^ a[2 * (x + 15) + h]! ^ a[2 * (x + 20) + h]!;
    }
    for (let x = 0; x < 5; x++) {
      rotInto(c, (x + 1) % 5, 1, d, x);
      d[2 * x] = d[2 * x]! ^ c[2 * ((x + 4) % 5)]!;
      d[2 * x + 1] = d[2 * x + 1]! ^ c[2 * ((x + 4) % 5) + 1]!;
    }
    for (let i = 0; i < 25; i++) {
      a[2 * i] = a[2 * i]! ^ d[2 * (i % 5)]!;
      a[2 * i + 1] = a[2 * i + 1]! ^ d[2 * (i % 5) + 1]!;
    }
    for (let x = 0; x < 5; x++) for (let y = 0; y < 5; y++) rotInto(a, x + 5 * y, ROT[x + 5 * y]!, b, y + 5 * ((2 * x + 3 * y) % 5));
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        for (let h = 0; h < 2; h++) a[2 * (x + y) + h] = b[2 * (x + y) + h]! ^ (~b[2 * (((x + 1) % 5) + y) + h]! & b[2 * (((x + 2) % 5) + y) + h]!);
      }
    }
    a[0] = a[0]! ^ RC[round]![0];
    a[1] = a[1]! ^ RC[round]![1];
  }
}

export function keccak256(input: Uint8Array): Uint8Array {
  const rate = 136;
  const padded = new Uint8Array(Math.floor(input.length / rate) * rate + rate);
  padded.set(input);
  padded[input.length] = padded[input.length]! ^ 0x01;
  padded[padded.length - 1] = padded[padded.length - 1]! ^ 0x80;
  const state = new Uint32Array(50);
  const view = new DataView(padded.buffer);
  for (let off = 0; off < padded.length; off += rate) {
    for (let i = 0; i < rate / 4; i++) state[i] = state[i]! ^ view.getUint32(off + 4 * i, true);
    permute(state);
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) outView.setUint32(4 * i, state[i]!, true);
  return out;
}
