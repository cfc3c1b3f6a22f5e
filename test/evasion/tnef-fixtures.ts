// TNEF streams ([MS-OXTNEF]) and compressed RTF ([MS-OXRTFCP]) built byte by byte for the tests: an
// attribute is level, id, length, data, checksum; a MAPI property block is a count, then tag, value
// count and length-prefixed values padded to 4 bytes (2.1.3). The LZFu compressor is a plain
// greedy one (longest match in the 4096-byte ring), so decompression with real references is exercised.
import { LZFU_INITIAL_DICTIONARY, rtfCrc } from '../../engine/policy/extract/lzfu.js';

export const u16 = (n: number): Buffer => Buffer.from([n & 255, (n >> 8) & 255]);
export const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const sum16 = (data: Buffer): number => [...data].reduce((a, b) => (a + b) & 0xffff, 0);

/** Attribute ids with their type in the high word ([MS-OXTNEF] 2.1.3). */
export const ATT = {
  tnefVersion: 0x00089006,
  oemCodepage: 0x00069007,
  messageClass: 0x00078008,
  subject: 0x00018004,
  body: 0x0002800c,
  msgProps: 0x00069003,
  attachRendData: 0x00069002,
  attachTitle: 0x00018010,
  attachData: 0x0006800f,
  attachment: 0x00069005,
} as const;

export const PT = { long: 0x0003, object: 0x000d, string8: 0x001e, unicode: 0x001f, binary: 0x0102, mvString8: 0x101e } as const;

/** One TNEF attribute; `checksum` and `length` may lie when a test wants them to. */
export function attribute(level: 1 | 2, id: number, data: Buffer, lie: { readonly checksum?: number; readonly length?: number } = {}): Buffer {
  return Buffer.concat([Buffer.from([level]), u32(id), u32(lie.length ?? data.length), data, u16(lie.checksum ?? sum16(data))]);
}

export const tnefStream = (...attributes: readonly Buffer[]): Buffer => Buffer.concat([u32(0x223e9f78), u16(0x0001), attribute(1, ATT.tnefVersion, u32(0x00010000)), ...attributes]);

export interface Prop {
  readonly type: number;
  readonly id: number;
  /** Variable-length values (strings, binaries, objects), or one fixed value's bytes for PT_LONG. */
  readonly values: readonly Buffer[];
}

const pad4 = (b: Buffer): Buffer => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

export function propBlock(props: readonly Prop[]): Buffer {
  const out: Buffer[] = [u32(props.length)];
  for (const p of props) {
    out.push(u16(p.type), u16(p.id));
    if (p.type === PT.long) {
      out.push(p.values[0] ?? u32(0));
      continue;
    }
    out.push(u32(p.values.length));
    for (const v of p.values) out.push(u32(v.length), pad4(v));
  }
  return Buffer.concat(out);
}

export const string8 = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');
export const unicode = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf16le');

/** IID_IMessage: PR_ATTACH_DATA_OBJ of an attached message starts with it, the message follows as a TNEF stream. */
export const IID_IMESSAGE = Buffer.from('0703020000000000c000000000000046', 'hex');

/** Compressed RTF, LZFu with greedy back-references (or only literals), with [MS-OXRTFCP]'s CRC. */
export function lzfuCompress(rtf: string | Buffer, opts: { readonly literalsOnly?: boolean; readonly type?: number } = {}): Buffer {
  const input = typeof rtf === 'string' ? Buffer.from(rtf, 'latin1') : rtf;
  const ring = Buffer.alloc(4096);
  LZFU_INITIAL_DICTIONARY.copy(ring);
  let write = LZFU_INITIAL_DICTIONARY.length;
  const tokens: Buffer[] = [];
  const refs: boolean[] = [];
  const emit = (b: number): void => {
    ring[write] = b;
    write = (write + 1) % 4096;
  };
  let pos = 0;
  while (pos < input.length) {
    const [offset, length] = opts.literalsOnly === true ? [0, 0] : longestMatch(ring, write, input, pos);
    if (length >= 2) {
      tokens.push(Buffer.from([offset >> 4, ((offset & 0x0f) << 4) | (length - 2)]));
      refs.push(true);
      for (let k = 0; k < length; k++) emit(input[pos + k] as number);
      pos += length;
    } else {
      tokens.push(Buffer.from([input[pos] as number]));
      refs.push(false);
      emit(input[pos++] as number);
    }
  }
  // the end marker: a reference to the write position
  tokens.push(Buffer.from([write >> 4, (write & 0x0f) << 4]));
  refs.push(true);
  const body: Buffer[] = [];
  for (let i = 0; i < tokens.length; i += 8) {
    let flags = 0;
    for (let k = 0; k < 8 && i + k < tokens.length; k++) if (refs[i + k] === true) flags |= 1 << k;
    body.push(Buffer.from([flags]), ...tokens.slice(i, i + 8));
  }
  const data = Buffer.concat(body);
  return Buffer.concat([u32(data.length + 12), u32(input.length), u32(opts.type ?? 0x75465a4c), u32(rtfCrc(data)), data]);
}

function longestMatch(ring: Buffer, write: number, input: Buffer, pos: number): readonly [number, number] {
  let best: readonly [number, number] = [0, 0];
  const most = Math.min(17, input.length - pos);
  for (let o = 0; o < 4096; o++) {
    if (o === write) continue;
    let k = 0;
    for (; k < most; k++) {
      const idx = (o + k) % 4096;
      const d = (idx - write + 4096) % 4096;
      // a byte this very copy wrote earlier: a run that repeats itself
      const b = d < k ? input[pos + d] : ring[idx];
      if (b !== input[pos + k]) break;
    }
    if (k > best[1]) best = [o, k];
  }
  return best;
}
