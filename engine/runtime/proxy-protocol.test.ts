import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeProxyV1, encodeProxyV2, formatIpv6, parseProxyHeader, V2_SIGNATURE } from './proxy-protocol.js';

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');

describe('PROXY v1', () => {
  it.each([
    ['TCP4', 'PROXY TCP4 192.0.2.10 198.51.100.1 56324 25\r\n', '192.0.2.10', 56324, '198.51.100.1', 25],
    ['TCP6', 'PROXY TCP6 2001:db8::1 2001:db8::2 4000 10025\r\n', '2001:db8::1', 4000, '2001:db8::2', 10025],
  ])('reads the client address of a %s header', (_name, text, src, sport, dst, dport) => {
    const r = parseProxyHeader(latin1(text));
    expect(r).toEqual({ kind: 'header', header: { kind: 'proxy', version: 1, source: { address: src, port: sport }, destination: { address: dst, port: dport }, length: text.length } });
  });

  it('treats UNKNOWN as the proxy speaking for itself', () => {
    const text = 'PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n';
    expect(parseProxyHeader(latin1(text))).toEqual({ kind: 'header', header: { kind: 'local', version: 1, length: text.length } });
    expect(parseProxyHeader(latin1('PROXY UNKNOWN\r\n'))).toEqual({ kind: 'header', header: { kind: 'local', version: 1, length: 15 } });
  });

  it('reports the header length so following SMTP bytes stay with the session', () => {
    const r = parseProxyHeader(latin1('PROXY TCP4 10.0.0.1 10.0.0.2 1000 25\r\nEHLO client.example.test\r\n'));
    expect(r.kind === 'header' && r.header.length).toBe('PROXY TCP4 10.0.0.1 10.0.0.2 1000 25\r\n'.length);
  });

  it('waits for more bytes while the input is a prefix of a header', () => {
    const text = 'PROXY TCP4 10.0.0.1 10.0.0.2 1000 25\r\n';
    for (let n = 1; n < text.length; n++) expect(parseProxyHeader(latin1(text.slice(0, n))).kind, text.slice(0, n)).toBe('incomplete');
  });

  it.each([
    ['wrong family', 'PROXY UDP4 10.0.0.1 10.0.0.2 1000 25\r\n'],
    ['v6 address under TCP4', 'PROXY TCP4 ::1 ::1 1000 25\r\n'],
    ['v4 address under TCP6', 'PROXY TCP6 10.0.0.1 10.0.0.2 1000 25\r\n'],
    ['port out of range', 'PROXY TCP4 10.0.0.1 10.0.0.2 70000 25\r\n'],
    ['port with leading zero', 'PROXY TCP4 10.0.0.1 10.0.0.2 01000 25\r\n'],
    ['missing field', 'PROXY TCP4 10.0.0.1 10.0.0.2 1000\r\n'],
    ['double space', 'PROXY TCP4  10.0.0.1 10.0.0.2 1000 25\r\n'],
    ['bad address', 'PROXY TCP4 10.0.0.300 10.0.0.2 1000 25\r\n'],
  ])('rejects %s', (_name, text) => {
    const r = parseProxyHeader(latin1(text));
    expect(r).toMatchObject({ kind: 'invalid', code: 'RG_PROXY_V1_MALFORMED' });
  });

  it('rejects a line without CRLF within 107 bytes', () => {
    expect(parseProxyHeader(latin1(`PROXY TCP4 ${'1'.repeat(120)}`))).toMatchObject({ kind: 'invalid', code: 'RG_PROXY_V1_MALFORMED' });
  });

  it('round-trips encodeProxyV1', () => {
    const h = encodeProxyV1({ address: '203.0.113.7', port: 40000 }, { address: '127.0.0.1', port: 25 });
    expect(parseProxyHeader(h)).toMatchObject({ kind: 'header', header: { kind: 'proxy', source: { address: '203.0.113.7', port: 40000 } } });
  });
});

describe('PROXY v2', () => {
  it('reads an IPv4 PROXY header', () => {
    const h = encodeProxyV2({ command: 'proxy', source: { address: '203.0.113.7', port: 40000 }, destination: { address: '127.0.0.1', port: 25 } });
    expect(parseProxyHeader(h)).toEqual({
      kind: 'header',
      header: { kind: 'proxy', version: 2, source: { address: '203.0.113.7', port: 40000 }, destination: { address: '127.0.0.1', port: 25 }, length: 28 },
    });
  });

  it('reads an IPv6 PROXY header and skips TLVs', () => {
    const tlvs = Buffer.from([0x02, 0x00, 0x05, ...Buffer.from('hello')]);
    const h = encodeProxyV2({ command: 'proxy', source: { address: '2001:db8::7', port: 1 }, destination: { address: '::1', port: 2 }, tlvs });
    const r = parseProxyHeader(Buffer.concat([h, latin1('EHLO x\r\n')]));
    expect(r).toEqual({
      kind: 'header',
      header: { kind: 'proxy', version: 2, source: { address: '2001:db8::7', port: 1 }, destination: { address: '::1', port: 2 }, length: 16 + 36 + tlvs.length },
    });
  });

  it('treats LOCAL as the proxy speaking for itself', () => {
    expect(parseProxyHeader(encodeProxyV2({ command: 'local' }))).toEqual({ kind: 'header', header: { kind: 'local', version: 2, length: 16 } });
  });

  it('treats an unspecified family as local', () => {
    const h = Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x00, 0, 0])]);
    expect(parseProxyHeader(h)).toMatchObject({ kind: 'header', header: { kind: 'local' } });
  });

  it('waits for the whole address block', () => {
    const h = encodeProxyV2({ command: 'proxy', source: { address: '10.1.2.3', port: 5 }, destination: { address: '10.1.2.4', port: 6 } });
    for (let n = 1; n < h.length; n++) expect(parseProxyHeader(h.subarray(0, n)).kind).toBe('incomplete');
  });

  it.each([
    ['version 1 in the binary header', 0x11, 0x11, 12],
    ['an unknown command', 0x22, 0x11, 12],
    ['an unknown family', 0x21, 0x41, 12],
    ['an address block too short for IPv4', 0x21, 0x11, 8],
    ['an address block too short for IPv6', 0x21, 0x21, 12],
  ])('rejects %s', (_name, vc, ft, len) => {
    const fixed = Buffer.from([vc, ft, 0, len]);
    const r = parseProxyHeader(Buffer.concat([V2_SIGNATURE, fixed, Buffer.alloc(len)]));
    expect(r).toMatchObject({ kind: 'invalid', code: 'RG_PROXY_V2_MALFORMED' });
  });

  it('rejects datagram transport', () => {
    const r = parseProxyHeader(Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x12, 0, 12]), Buffer.alloc(12)]));
    expect(r).toMatchObject({ kind: 'invalid', code: 'RG_PROXY_V2_UNSUPPORTED' });
  });
});

describe('anything else', () => {
  it.each([['an SMTP command', 'EHLO client.example.test\r\n'], ['a TLS ClientHello', '\x16\x03\x01\x02\x00'], ['lowercase proxy', 'proxy TCP4 ']])(
    'rejects %s at once',
    (_name, text) => {
      expect(parseProxyHeader(latin1(text))).toMatchObject({ kind: 'invalid', code: 'RG_PROXY_NOT_PROXY' });
    },
  );

  it('never throws on arbitrary bytes and never claims more bytes than it got', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.concat([V2_SIGNATURE, b])), fc.string().map((s) => latin1(`PROXY ${s}`))), (bytes) => {
        const input = Buffer.from(bytes);
        const r = parseProxyHeader(input);
        if (r.kind === 'header') expect(r.header.length).toBeLessThanOrEqual(input.length);
      }),
    );
  });
});

describe('formatIpv6', () => {
  it.each([
    ['2001:db8::1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1]],
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['1:0:2::', [1, 0, 2, 0, 0, 0, 0, 0]],
    ['2001:db8:0:1:1:1:1:1', [0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]],
    ['::ffff:c000:201', [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201]],
  ])('prints %s', (text, groups) => {
    const b = Buffer.alloc(16);
    groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
    expect(formatIpv6(b)).toBe(text);
  });
});
