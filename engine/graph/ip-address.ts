// Parsing IPv4/IPv6 text into bits in one pass, without regexes, splitting or substrings:
// the upstream matcher runs this once per inbound connection.

/** An address as bits: IPv4 in words[0] (bits 31..0), IPv6 in words[0..3] (most significant first). */
export interface IpBits {
  readonly family: 4 | 6;
  readonly words: readonly [number, number, number, number];
}

export interface IpPrefix extends IpBits {
  readonly length: number;
}

/** Reusable buffers for parseIpInto; one per matcher keeps lookups allocation-free. */
export interface IpScratch {
  readonly groups: Uint16Array;
  readonly words: Uint32Array;
}

export function newIpScratch(): IpScratch {
  return { groups: new Uint16Array(8), words: new Uint32Array(4) };
}

/** Parses "a.b.c.d" in text[start, end) strictly (no leading zeros, no shorthand): uint32, or -1. */
export function parseIpv4(text: string, start = 0, end = text.length): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1;
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return -1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Moves the groups after a "::" to the end and zero-fills the gap. */
function expandGap(groups: Uint16Array, count: number, gap: number): void {
  const tail = count - gap;
  for (let k = 0; k < tail; k++) groups[7 - k] = groups[count - 1 - k] ?? 0;
  for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
}

/**
 * Parses IPv6 text (with "::", an IPv4 tail and an ignored "%zone") into 8 groups.
 * Returns false when malformed.
 */
export function parseIpv6Into(text: string, groups: Uint16Array): boolean {
  const zone = text.indexOf('%');
  const end = zone >= 0 ? zone : text.length;
  let i = 0;
  let count = 0;
  let gap = -1;
  if (end >= 2 && text.charCodeAt(0) === 58 && text.charCodeAt(1) === 58) {
    gap = 0;
    i = 2;
  } else if (end === 0 || text.charCodeAt(0) === 58) return false;
  while (i < end) {
    const start = i;
    let value = 0;
    while (i < end) {
      const h = hexValue(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      const v4 = count <= 6 ? parseIpv4(text, start, end) : -1;
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      break;
    }
    if (i === start || i - start > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58 || ++i === end) return false;
    if (text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  expandGap(groups, count, gap);
  return true;
}

/**
 * Parses an address into scratch.words. Returns 4 (IPv4, also for IPv4-mapped IPv6 such as
 * "::ffff:127.0.0.1"), 6, or 0 when the text is not an address.
 */
export function parseIpInto(text: string, scratch: IpScratch): 0 | 4 | 6 {
  const w = scratch.words;
  if (text.indexOf(':') < 0) {
    const v4 = parseIpv4(text);
    if (v4 < 0) return 0;
    w[0] = v4;
    return 4;
  }
  const g = scratch.groups;
  if (!parseIpv6Into(text, g)) return 0;
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    w[0] = ((g[6] ?? 0) << 16) | (g[7] ?? 0);
    return 4;
  }
  for (let k = 0; k < 4; k++) w[k] = ((g[2 * k] ?? 0) << 16) | (g[2 * k + 1] ?? 0);
  return 6;
}

/** Parses an address; IPv4-mapped IPv6 ("::ffff:127.0.0.1") comes back as IPv4. */
export function parseIp(text: string): IpBits | undefined {
  const scratch = newIpScratch();
  const family = parseIpInto(text, scratch);
  if (family === 0) return undefined;
  const w = scratch.words;
  return family === 4 ? { family, words: [w[0] ?? 0, 0, 0, 0] } : { family, words: [w[0] ?? 0, w[1] ?? 0, w[2] ?? 0, w[3] ?? 0] };
}

/**
 * Parses "addr" or "addr/len". A plain address is /32 or /128; an IPv4-mapped IPv6 prefix of
 * /96 or longer becomes the equivalent IPv4 prefix. Host bits beyond the prefix are ignored.
 */
export function parseCidr(text: string): IpPrefix | undefined {
  const slash = text.indexOf('/');
  const addressText = (slash >= 0 ? text.slice(0, slash) : text).trim();
  const ip = parseIp(addressText);
  if (!ip) return undefined;
  const wasV6Text = addressText.includes(':');
  const max = wasV6Text ? 128 : 32;
  let length = max;
  if (slash >= 0) {
    const lengthText = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(lengthText)) return undefined;
    length = Number(lengthText);
    if (length > max) return undefined;
  }
  if (ip.family === 4 && wasV6Text) {
    // A mapped prefix shorter than /96 covers more than IPv4 space: keep it IPv6.
    if (length < 96) return { family: 6, words: [0, 0, 0xffff, ip.words[0]], length };
    length -= 96;
  }
  return { ...ip, length };
}

/** Bit `index` (0 = most significant) of an address. */
export function bitAt(words: ArrayLike<number>, index: number): number {
  const word = words[index >>> 5] ?? 0;
  return (word >>> (31 - (index & 31))) & 1;
}
