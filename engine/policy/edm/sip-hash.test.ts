import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../../test/helpers/tools.js';
import { halfSipHash, halfSipHashRange, halfSipHashString, halfSipKey } from './half-siphash.js';
import { sipHash, sipHashString, sipKey, sipOut } from './sip-hash.js';

const tagHex = (): string => {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(sipOut[1] ?? 0, 0);
  b.writeUInt32LE(sipOut[0] ?? 0, 4);
  return b.toString('hex');
};
const refKey = sipKey(Uint8Array.from({ length: 16 }, (_, i) => i));
const refMessage = (len: number) => Uint8Array.from({ length: len }, (_, i) => i);

describe('SipHash-2-4', () => {
  // reference vectors_sip64 (key 00..0f, message 00..len-1), tags as the little-endian bytes the table lists
  const vectors: [number, string][] = [
    [0, '310e0edd47db6f72'], [1, 'fd67dc93c539f874'], [2, '5a4fa9d909806c0d'], [3, '2d7efbd796666785'],
    [4, 'b7877127e09427cf'], [5, '8da699cd64557618'], [6, 'cee3fe586e46c9cb'], [7, '37d1018bf50002ab'],
    [8, '6224939a79f5f593'], [9, 'b0e4a90bdf82009e'], [15, 'e545be4961ca29a1'], [16, 'db9bc2577fcc2a3f'],
  ];
  it.each(vectors)('matches the reference vector for %i bytes', (len, hex) => {
    sipHash(refKey, refMessage(len));
    expect(tagHex()).toBe(hex);
  });

  it('hashes a string as its UTF-8 bytes, ASCII or not', () => {
    for (const s of ['alice@example.org', 'ёлка иванова', 'x'.repeat(300), 'née', '']) {
      sipHashString(refKey, s);
      const viaString = tagHex();
      sipHash(refKey, Buffer.from(s, 'utf8'));
      expect(viaString).toBe(tagHex());
    }
  });

  // an implementation nobody here wrote: OpenSSL 3's SIPHASH MAC over random messages of every length to 40
  const openssl = requireTool('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'rg-siphash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it.skipIf(openssl === undefined)('agrees with OpenSSL for random keys and messages', () => {
    for (let len = 0; len <= 40; len++) {
      const key = Uint8Array.from({ length: 16 }, () => Math.floor(Math.random() * 256));
      const msg = Uint8Array.from({ length: len }, () => Math.floor(Math.random() * 256));
      const file = join(dir, `m${len}`);
      writeFileSync(file, msg);
      const out = execFileSync(openssl ?? 'openssl', ['mac', '-macopt', `hexkey:${Buffer.from(key).toString('hex')}`, '-macopt', 'size:8', '-in', file, 'SIPHASH'], { encoding: 'utf8' });
      sipHash(sipKey(key), msg);
      expect(tagHex(), `length ${len}`).toBe(out.trim().toLowerCase());
    }
  });
});

describe('HalfSipHash-2-4 over strings', () => {
  const key = halfSipKey(Uint8Array.from({ length: 8 }, (_, i) => i * 7));
  it.each(['', 'a', 'smith', 'alice@example.org', 'de89370400440532013000', 'ёлка', 'o’brien', 'x'.repeat(257)])('hashes %j in place as its UTF-8 bytes', (s) => {
    const bytes = Buffer.from(s, 'utf8');
    const want = halfSipHash(key, bytes);
    expect(halfSipHashString(key, s)).toBe(want);
    expect(halfSipHashRange(key, `  ${s}  `, 2, 2 + s.length)).toBe(want);
  });
});
