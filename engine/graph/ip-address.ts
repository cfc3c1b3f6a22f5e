// Parsing IPv4/IPv6 text into bits, without regexes or allocation-heavy splitting:
// the upstream matcher runs this once per inbound connection.

/** An address as bits: IPv4 in words[0] (bits 31..0), IPv6 in words[0..3] (most significant first). */
export interface IpBits {
  readonly family: 4 | 6;
  readonly words: readonly [number, number, number, number];
}

export interface IpPrefix extends IpBits {
  readonly length: number;
}

/** Parses "a.b.c.d" strictly (no leading zeros beyond "0", no shorthand); NaN-free uint32 or -1. */
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

/** Parses the groups of one side of "::" into 16-bit values; undefined when malformed. */
function parseGroups(text: string, start: number, end: number, allowIpv4Tail: boolean): number[] | undefined {
  const groups: number[] = [];
  if (start === end) return groups;
  let i = start;
  while (i <= end) {
    let j = i;
    while (j < end && text.charCodeAt(j) !== 58) j++;
    if (j === i) return undefined;
    if (j === end && allowIpv4Tail && text.indexOf('.', i) >= 0 && text.indexOf('.', i) < end) {
      const v4 = parseIpv4(text, i, end);
      if (v4 < 0) return undefined;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      return groups;
    }
    if (j - i > 4) return undefined;
    let group = 0;
    for (let k = i; k < j; k++) {
      const h = hexValue(text.charCodeAt(k));
      if (h < 0) return undefined;
      group = group * 16 + h;
    }
    groups.push(group);
    i = j + 1;
  }
  return groups;
}

/** Parses an IPv6 address (with "::", an IPv4 tail, and an ignored "%zone"); 8 groups or undefined. */
export function parseIpv6Groups(text: string): number[] | undefined {
  const zone = text.indexOf('%');
  const end = zone >= 0 ? zone : text.length;
  const gap = text.indexOf('::');
  if (gap < 0 || gap >= end) {
    const groups = parseGroups(text, 0, end, true);
    return groups?.length === 8 ? groups : undefined;
  }
  if (text.indexOf('::', gap + 1) >= 0 && text.indexOf('::', gap + 1) < end) return undefined;
  const head = parseGroups(text, 0, gap, false);
  const tail = parseGroups(text, gap + 2, end, true);
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  const fill = new Array<number>(8 - head.length - tail.length).fill(0);
  return [...head, ...fill, ...tail];
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  return groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff;
}

/** Parses an address; IPv4-mapped IPv6 ("::ffff:127.0.0.1") comes back as IPv4. */
export function parseIp(text: string): IpBits | undefined {
  if (text.indexOf(':') < 0) {
    const v4 = parseIpv4(text);
    return v4 < 0 ? undefined : { family: 4, words: [v4, 0, 0, 0] };
  }
  const g = parseIpv6Groups(text);
  if (!g) return undefined;
  if (isIpv4Mapped(g)) return { family: 4, words: [(g[6] ?? 0) * 65536 + (g[7] ?? 0), 0, 0, 0] };
  const word = (k: number): number => ((g[k] ?? 0) * 65536 + (g[k + 1] ?? 0)) >>> 0;
  return { family: 6, words: [word(0), word(2), word(4), word(6)] };
}

/**
 * Parses "addr" or "addr/len". A plain address is /32 or /128; an IPv4-mapped IPv6 prefix of
 * /96 or longer becomes the equivalent IPv4 prefix. Host bits beyond the prefix are ignored.
 */
export function parseCidr(text: string): IpPrefix | undefined {
  const slash = text.indexOf('/');
  const addressText = slash >= 0 ? text.slice(0, slash) : text;
  const ip = parseIp(addressText.trim());
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
export function bitAt(words: IpBits['words'], index: number): number {
  const word = words[index >>> 5] ?? 0;
  return (word >>> (31 - (index & 31))) & 1;
}
