import { describe, expect, it } from 'vitest';
import { keccak256 } from './keccak.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('keccak256', () => {
  // Keccak team's KeccakKAT (pre-FIPS padding), as used by Ethereum
  it.each([
    ['', 'c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470'],
    ['abc', '4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45'],
    ['The quick brown fox jumps over the lazy dog', '4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15'],
  ])('hashes %j', (input, digest) => {
    expect(hex(keccak256(new TextEncoder().encode(input)))).toBe(digest);
  });

});
