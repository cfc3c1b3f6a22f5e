// tar (ustar, with pax and GNU long-name headers): members are listed from their 512-byte headers.

export interface TarMember {
  readonly name: string;
  readonly content: Uint8Array;
}

export type TarResult = { readonly members: readonly TarMember[]; readonly total: number } | { readonly reason: 'corrupt'; readonly detail: string };

const BLOCK = 512;

export function readTar(data: Uint8Array, maxMembers: number): TarResult {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  const members: TarMember[] = [];
  let total = 0;
  let longName: string | undefined;
  for (let p = 0; p + BLOCK <= buf.length; ) {
    const h = buf.subarray(p, p + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (!checksumOk(h)) return { reason: 'corrupt', detail: `tar header at byte ${p} has a bad checksum` };
    const size = octal(h.subarray(124, 136));
    if (size < 0 || p + BLOCK + size > buf.length) return { reason: 'corrupt', detail: `tar member at byte ${p} is cut off` };
    const type = String.fromCharCode(h[156] ?? 0x30);
    const body = buf.subarray(p + BLOCK, p + BLOCK + size);
    p += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') longName = paxPath(body.toString('utf8')) ?? longName;
    else if (type === 'L') longName = cString(body);
    else if (type === 'g') continue;
    else {
      const prefix = cString(h.subarray(345, 500));
      const name = longName ?? (prefix === '' ? cString(h.subarray(0, 100)) : `${prefix}/${cString(h.subarray(0, 100))}`);
      longName = undefined;
      if (type !== '0' && type !== '\0' && type !== '7') continue;
      total++;
      if (members.length < maxMembers) members.push({ name, content: body });
    }
  }
  return { members, total };
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] ?? 0);
  return sum === octal(h.subarray(148, 156));
}

function octal(field: Buffer): number {
  const s = cString(field).trim();
  return /^[0-7]+$/.test(s) ? parseInt(s, 8) : -1;
}

function cString(b: Buffer): string {
  const nul = b.indexOf(0);
  return b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
}

// pax records: "LEN key=value\n"
function paxPath(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m?.[1] !== undefined) return m[1];
  }
  return undefined;
}
