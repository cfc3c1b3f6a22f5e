// IPv4/IPv6 addresses and CIDR blocks as integer intervals, for validation and overlap detection.
import { isIPv4, isIPv6 } from 'node:net';

export interface AddressBlock {
  readonly family: 4 | 6;
  /** First and last address of the block, as integers. */
  readonly start: bigint;
  readonly end: bigint;
  readonly prefix: number;
  /** Canonical text: "10.0.0.0/24", "2001:db8::/32". */
  readonly text: string;
}

export type AddressBlockResult =
  | { readonly ok: true; readonly block: AddressBlock; readonly hostBitsSet: boolean }
  | { readonly ok: false; readonly reason: string };

export function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  if (isIPv4(text)) return { family: 4, value: text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n) };
  if (!isIPv6(text) || text.includes('%')) return undefined;
  return { family: 6, value: ipv6Value(text) };
}

function ipv6Value(text: string): bigint {
  // An embedded IPv4 tail ("::ffff:10.0.0.1") becomes two hex groups first.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  const n = v4 ? v4.slice(1, 5).map(Number) : [];
  const body = v4 ? `${text.slice(0, v4.index)}${(((n[0] ?? 0) << 8) | (n[1] ?? 0)).toString(16)}:${(((n[2] ?? 0) << 8) | (n[3] ?? 0)).toString(16)}` : text;
  const [head = '', rest] = body.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** "10.0.0.1" (a single host), "10.0.0.0/24", "2001:db8::/32". */
export function parseAddressBlock(text: string): AddressBlockResult {
  const [addr = '', prefixText, extra] = text.trim().split('/');
  if (extra !== undefined) return { ok: false, reason: 'more than one "/"' };
  const ip = parseIp(addr);
  if (!ip) return { ok: false, reason: `${JSON.stringify(addr)} is not an IPv4 or IPv6 address` };
  const bits = ip.family === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return { ok: false, reason: `prefix length ${JSON.stringify(prefixText)} is not a number` };
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (prefix > bits) return { ok: false, reason: `prefix length /${prefix} is longer than ${bits} bits` };
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  const start = ip.value & ~hostMask;
  const block: AddressBlock = { family: ip.family, start, end: start | hostMask, prefix, text: `${formatIp(ip.family, start)}/${prefix}` };
  return { ok: true, block, hostBitsSet: (ip.value & hostMask) !== 0n };
}

export function blockContains(block: AddressBlock, family: 4 | 6, value: bigint): boolean {
  return block.family === family && block.start <= value && value <= block.end;
}

export function isUnspecified(text: string): boolean {
  return text === '0.0.0.0' || text === '::' || text === '0:0:0:0:0:0:0:0';
}

export function isLoopback(text: string): boolean {
  const ip = parseIp(text);
  if (!ip) return text === 'localhost';
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}
