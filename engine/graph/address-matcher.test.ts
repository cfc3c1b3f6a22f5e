import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddressMatcherError, compileAddressMatcher } from './address-matcher.js';
import { parseCidr, parseIp } from './ip-address.js';

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', 4],
    ['0.0.0.0', 4],
    ['255.255.255.255', 4],
    ['::1', 6],
    ['::', 6],
    ['2001:db8::1', 6],
    ['2001:DB8:0:0:0:0:0:1', 6],
    ['fe80::1%eth0', 6],
    ['::ffff:127.0.0.1', 4],
    ['::ffff:7f00:1', 4],
    ['64:ff9b::192.0.2.1', 6],
  ])('accepts %s as IPv%i', (text, family) => {
    expect(parseIp(text)?.family).toBe(family);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1..2.3', 'a.b.c.d', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1.2.3.4 ', 'example.test'])(
    'rejects %j',
    (text) => {
      expect(parseIp(text)).toBeUndefined();
    },
  );

  it('maps ::ffff:a.b.c.d to the same bits as a.b.c.d', () => {
    expect(parseIp('::ffff:10.1.2.3')).toEqual(parseIp('10.1.2.3'));
  });

  it('accepts every address fast-check generates', () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (text) => parseIp(text) !== undefined));
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 4, 8],
    ['10.0.0.1', 4, 32],
    ['2001:db8::/32', 6, 32],
    ['::1', 6, 128],
    ['::ffff:10.0.0.0/104', 4, 8],
    ['0.0.0.0/0', 4, 0],
  ])('%s is IPv%i /%i', (text, family, length) => {
    expect(parseCidr(text)).toMatchObject({ family, length });
  });

  it.each(['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/-1', 'example.test/24'])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });
});

describe('compileAddressMatcher', () => {
  const matcher = compileAddressMatcher([
    { cidr: '10.0.0.0/8', value: 'ten' },
    { cidr: '10.1.0.0/16', value: 'ten-one' },
    { cidr: '10.1.2.3', value: 'host' },
    { cidr: '2001:db8::/32', value: 'doc6' },
    { cidr: '2001:db8:1::/48', value: 'doc6-1' },
    { cidr: '::1/128', value: 'loopback6' },
    { cidr: '127.0.0.0/8', value: 'loopback4' },
    { cidr: '10.1.2.3/32', value: 'duplicate-loses' },
  ]);

  it.each([
    ['10.9.9.9', 'ten'],
    ['10.1.9.9', 'ten-one'],
    ['10.1.2.3', 'host'],
    ['10.1.2.4', 'ten-one'],
    ['::ffff:10.1.2.3', 'host'],
    ['::FFFF:127.0.0.5', 'loopback4'],
    ['2001:db8:2::1', 'doc6'],
    ['2001:db8:1:ffff::1', 'doc6-1'],
    ['::1', 'loopback6'],
    ['11.0.0.1', undefined],
    ['2001:db9::1', undefined],
    ['not an address', undefined],
  ])('%s → %s', (address, expected) => {
    expect(matcher.lookup(address)).toBe(expected);
  });

  it('matches everything under a /0 and nothing of the other family', () => {
    const all4 = compileAddressMatcher([{ cidr: '0.0.0.0/0', value: 1 }]);
    expect(all4.lookup('203.0.113.9')).toBe(1);
    expect(all4.lookup('2001:db8::1')).toBeUndefined();
  });

  it('throws a coded error on a malformed block', () => {
    expect(() => compileAddressMatcher([{ cidr: '10.0.0.0/40', value: 1 }])).toThrow(AddressMatcherError);
    try {
      compileAddressMatcher([{ cidr: 'nope', value: 1 }]);
    } catch (err) {
      expect((err as AddressMatcherError).code).toBe('RG_GRAPH_CIDR_INVALID');
    }
  });
});

// Property: the trie agrees with a naive linear longest-prefix scan over BigInt values.
// Addresses are generated as numbers and formatted independently of the parser under test.
interface Block {
  readonly family: 4 | 6;
  readonly bits: bigint;
  readonly length: number;
}

function formatV4(bits: bigint): string {
  const n = Number(bits);
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function formatV6(bits: bigint, compress: boolean): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bits >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  const full = groups.join(':');
  // The WHATWG URL parser prints the canonical compressed form, independently of our parser.
  return compress ? new URL(`http://[${full}]/`).hostname.slice(1, -1) : full;
}

function covers(block: Block, family: 4 | 6, address: bigint): boolean {
  if (block.family !== family) return false;
  const width = family === 4 ? 32 : 128;
  const shift = BigInt(width - block.length);
  return address >> shift === block.bits >> shift;
}

function naiveLookup(blocks: readonly Block[], family: 4 | 6, address: bigint): number | undefined {
  let best: number | undefined;
  let bestLength = -1;
  blocks.forEach((block, index) => {
    if (covers(block, family, address) && block.length > bestLength) {
      best = index;
      bestLength = block.length;
    }
  });
  return best;
}

const v4Bits = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
const v6Bits = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
// A few fixed high bits make random blocks overlap often enough to exercise nesting.
const v4Block = fc.record({ family: fc.constant(4 as const), bits: v4Bits.map((b) => (b & 0x00ffffffn) | 0x0a000000n), length: fc.integer({ min: 0, max: 32 }) });
const v6Block = fc.record({ family: fc.constant(6 as const), bits: v6Bits.map((b) => (b & ((1n << 100n) - 1n)) | (0x20010db8n << 96n)), length: fc.integer({ min: 0, max: 128 }) });

describe('compileAddressMatcher property', () => {
  it('agrees with a naive longest-prefix scan on random block sets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(v4Block, v6Block), { minLength: 0, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(), v4Bits, v6Bits, fc.boolean()), { minLength: 1, maxLength: 20 }),
        (blocks, queries) => {
          const matcher = compileAddressMatcher(
            blocks.map((b, index) => ({ cidr: `${b.family === 4 ? formatV4(b.bits) : formatV6(b.bits, index % 2 === 0)}/${b.length}`, value: index })),
          );
          for (const [pick, r4, r6, compress] of queries) {
            // Half the queries land inside a generated block (randomised host bits), half anywhere.
            const anchor = blocks.length > 0 && pick % 2 === 0 ? blocks[pick % blocks.length] : undefined;
            const family: 4 | 6 = anchor ? anchor.family : pick % 3 === 0 ? 6 : 4;
            const width = family === 4 ? 32 : 128;
            const random = family === 4 ? r4 : r6;
            const hostMask = anchor ? (1n << BigInt(width - anchor.length)) - 1n : (1n << BigInt(width)) - 1n;
            const address = anchor ? ((anchor.bits & ~hostMask) | (random & hostMask)) : random;
            const text = family === 4 ? (compress ? `::ffff:${formatV4(address)}` : formatV4(address)) : formatV6(address, compress);
            expect(matcher.lookup(text)).toBe(naiveLookup(blocks, family, address));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
