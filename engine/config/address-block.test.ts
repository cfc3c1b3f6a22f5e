import { describe, expect, it } from 'vitest';
import { formatIp, parseAddressBlock, parseIp } from './address-block.js';

describe('parseAddressBlock', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1/32'],
    ['10.1.2.0/24', '10.1.2.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['::1', '::1/128'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8:0:0:1::/80', '2001:db8:0:0:1::/80'],
    ['::ffff:192.0.2.1', '::ffff:c000:201/128'],
    ['fe80::/10', 'fe80::/10'],
  ])('reads %s as %s', (text, canonical) => {
    const parsed = parseAddressBlock(text);
    expect(parsed.ok && parsed.block.text).toBe(canonical);
  });

  it('treats a block with host bits as its network and says so', () => {
    const parsed = parseAddressBlock('10.0.0.1/8');
    expect(parsed).toMatchObject({ ok: true, hostBitsSet: true, block: { text: '10.0.0.0/8', start: 0x0a000000n, end: 0x0affffffn } });
  });

  it.each([
    ['300.1.2.3', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.0/33', 'longer than 32 bits'],
    ['::/129', 'longer than 128 bits'],
    ['10.0.0.0/x', 'is not a number'],
    ['10.0.0.0/8/8', 'more than one'],
    ['mail.example.test', 'is not an IPv4 or IPv6 address'],
    ['fe80::1%eth0', 'is not an IPv4 or IPv6 address'],
  ])('rejects %s', (text, reason) => {
    const parsed = parseAddressBlock(text);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.reason).toContain(reason);
  });

  it('round-trips IPv6 addresses through integers', () => {
    for (const text of ['::', '::1', '1::', '2001:db8::8:800:200c:417a', '1:2:3:4:5:6:7:8', '1:0:0:2::3']) {
      const ip = parseIp(text);
      expect(ip && formatIp(ip.family, ip.value)).toBe(text);
    }
  });
});
