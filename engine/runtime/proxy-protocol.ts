// HAProxy PROXY protocol v1 (text) and v2 (binary) header parser: pure, byte-exact, no sockets.
// Spec: haproxy.org/download/2.9/doc/proxy-protocol.txt. Input is whatever arrived so far; the
// answer says "need more", "invalid", or what the header carried and how many bytes it used.
import { isIPv4, isIPv6 } from 'node:net';
import { formatIp } from '../config/address-block.js';

export type ProxyErrorCode = 'RG_PROXY_NOT_PROXY' | 'RG_PROXY_V1_MALFORMED' | 'RG_PROXY_V2_MALFORMED' | 'RG_PROXY_V2_UNSUPPORTED';

export interface ProxyEndpoint {
  readonly address: string;
  readonly port: number;
}

export type ProxyHeader =
  /** The header names the real client; use it instead of the TCP peer. */
  | { readonly kind: 'proxy'; readonly version: 1 | 2; readonly source: ProxyEndpoint; readonly destination: ProxyEndpoint; readonly length: number }
  /** v1 UNKNOWN, v2 LOCAL or an unspecified family: the proxy speaks for itself (health checks); use the TCP peer. */
  | { readonly kind: 'local'; readonly version: 1 | 2; readonly length: number };

export type ProxyParse =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly code: ProxyErrorCode; readonly reason: string }
  | { readonly kind: 'header'; readonly header: ProxyHeader };

/** The longest v1 header, CRLF included (spec section 2.1). */
export const V1_MAX_LENGTH = 107;
export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_FIXED = 16;

const INCOMPLETE: ProxyParse = { kind: 'incomplete' };

function invalid(code: ProxyErrorCode, reason: string): ProxyParse {
  return { kind: 'invalid', code, reason };
}

/** true when the shorter of the two is a prefix of the other. */
function agreesWith(input: Buffer, expected: Buffer): boolean {
  const n = Math.min(input.length, expected.length);
  return input.subarray(0, n).equals(expected.subarray(0, n));
}

export function parseProxyHeader(input: Buffer): ProxyParse {
  if (input.length === 0) return INCOMPLETE;
  if (agreesWith(input, V1_PREFIX)) return input.length < V1_PREFIX.length ? INCOMPLETE : parseV1(input);
  if (agreesWith(input, V2_SIGNATURE)) return input.length < V2_FIXED ? INCOMPLETE : parseV2(input);
  return invalid('RG_PROXY_NOT_PROXY', 'the connection did not start with a PROXY protocol header');
}

// ---- v1 -----------------------------------------------------------------------------------------

function parseV1(input: Buffer): ProxyParse {
  const end = input.subarray(0, V1_MAX_LENGTH).indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    return input.length >= V1_MAX_LENGTH ? invalid('RG_PROXY_V1_MALFORMED', `no CRLF within ${V1_MAX_LENGTH} bytes`) : INCOMPLETE;
  }
  const line = input.subarray(0, end).toString('latin1');
  const length = end + 2;
  const fields = line.split(' ');
  const family = fields[1];
  if (family === 'UNKNOWN') return { kind: 'header', header: { kind: 'local', version: 1, length } };
  if (family !== 'TCP4' && family !== 'TCP6') return invalid('RG_PROXY_V1_MALFORMED', `unknown protocol family ${JSON.stringify(family ?? '')}`);
  if (fields.length !== 6) return invalid('RG_PROXY_V1_MALFORMED', `expected "PROXY ${family} SRC DST SPORT DPORT", got ${fields.length} fields`);
  const [, , src = '', dst = '', sport = '', dport = ''] = fields;
  const isFamily = family === 'TCP4' ? isIPv4 : isIPv6;
  if (!isFamily(src) || !isFamily(dst)) return invalid('RG_PROXY_V1_MALFORMED', `addresses ${JSON.stringify(src)} ${JSON.stringify(dst)} are not ${family} addresses`);
  const sourcePort = parsePort(sport);
  const destinationPort = parsePort(dport);
  if (sourcePort === undefined || destinationPort === undefined) return invalid('RG_PROXY_V1_MALFORMED', `ports ${JSON.stringify(sport)} ${JSON.stringify(dport)} are not 0-65535`);
  return {
    kind: 'header',
    header: { kind: 'proxy', version: 1, source: { address: src, port: sourcePort }, destination: { address: dst, port: destinationPort }, length },
  };
}

function parsePort(text: string): number | undefined {
  // The spec forbids leading zeros; "0" itself is allowed.
  if (!/^(0|[1-9][0-9]{0,4})$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

// ---- v2 -----------------------------------------------------------------------------------------

const ADDRESS_BYTES = { inet: 12, inet6: 36 } as const;

function parseV2(input: Buffer): ProxyParse {
  const versionCommand = input[12] ?? 0;
  const familyTransport = input[13] ?? 0;
  const bodyLength = input.readUInt16BE(14);
  const length = V2_FIXED + bodyLength;
  if (versionCommand >> 4 !== 2) return invalid('RG_PROXY_V2_MALFORMED', `version ${versionCommand >> 4}, expected 2`);
  const command = versionCommand & 0x0f;
  if (command > 1) return invalid('RG_PROXY_V2_MALFORMED', `unknown command ${command}`);
  if (input.length < length) return INCOMPLETE;
  if (command === 0) return { kind: 'header', header: { kind: 'local', version: 2, length } };
  const family = familyTransport >> 4;
  const transport = familyTransport & 0x0f;
  if (family === 0 || family === 3) return { kind: 'header', header: { kind: 'local', version: 2, length } };
  if (family > 3) return invalid('RG_PROXY_V2_MALFORMED', `unknown address family ${family}`);
  if (transport !== 1) return invalid('RG_PROXY_V2_UNSUPPORTED', `transport ${transport} is not a stream (SMTP runs over TCP)`);
  const body = input.subarray(V2_FIXED, length);
  return family === 1 ? v2Addresses(body, 'inet', length) : v2Addresses(body, 'inet6', length);
}

function v2Addresses(body: Buffer, family: 'inet' | 'inet6', length: number): ProxyParse {
  const need = ADDRESS_BYTES[family];
  if (body.length < need) return invalid('RG_PROXY_V2_MALFORMED', `address block of ${body.length} bytes, ${family} needs ${need}`);
  const size = family === 'inet' ? 4 : 16;
  const format = family === 'inet' ? formatIpv4 : formatIpv6;
  const source = { address: format(body.subarray(0, size)), port: body.readUInt16BE(2 * size) };
  const destination = { address: format(body.subarray(size, 2 * size)), port: body.readUInt16BE(2 * size + 2) };
  // Whatever follows the addresses is TLVs (ALPN, authority, CRC, SSL info): not needed for SMTP, skipped.
  return { kind: 'header', header: { kind: 'proxy', version: 2, source, destination, length } };
}

function formatIpv4(bytes: Buffer): string {
  return [...bytes].join('.');
}

/** RFC 5952 text: lowercase, the longest run (>= 2) of zero groups as "::". */
export function formatIpv6(bytes: Buffer): string {
  return formatIp(6, BigInt(`0x${bytes.toString('hex')}`));
}

// ---- encoding (tests, tools) ---------------------------------------------------------------------

export function encodeProxyV1(source: ProxyEndpoint, destination: ProxyEndpoint): Buffer {
  const family = isIPv4(source.address) ? 'TCP4' : 'TCP6';
  return Buffer.from(`PROXY ${family} ${source.address} ${destination.address} ${source.port} ${destination.port}\r\n`, 'latin1');
}

export function encodeProxyV2(header: { readonly command: 'proxy' | 'local'; readonly source?: ProxyEndpoint; readonly destination?: ProxyEndpoint; readonly tlvs?: Buffer }): Buffer {
  const tlvs = header.tlvs ?? Buffer.alloc(0);
  if (header.command === 'local' || header.source === undefined || header.destination === undefined) {
    return Buffer.concat([V2_SIGNATURE, Buffer.from([0x20, 0x00, 0, 0])]);
  }
  const v4 = isIPv4(header.source.address);
  const addrs = Buffer.concat([ipBytes(header.source.address), ipBytes(header.destination.address), portBytes(header.source.port), portBytes(header.destination.port), tlvs]);
  const fixed = Buffer.from([0x21, v4 ? 0x11 : 0x21, 0, 0]);
  fixed.writeUInt16BE(addrs.length, 2);
  return Buffer.concat([V2_SIGNATURE, fixed, addrs]);
}

function portBytes(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(port);
  return b;
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  const [head = '', tail] = address.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(g, i * 2));
  return b;
}
