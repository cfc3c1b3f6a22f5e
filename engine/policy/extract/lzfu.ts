// Compressed RTF (PR_RTF_COMPRESSED, Outlook's body in TNEF and .msg files) per [MS-OXRTFCP] (section 2:
// the format; 3: decompression and CRC; 4: examples): a 16-byte header (COMPSIZE, RAWSIZE, COMPTYPE, CRC),
// then for LZFu a flag byte per 8 tokens, each a literal byte or a 16-bit big-endian reference (12-bit
// offset, 4-bit length + 2) into a 4096-byte ring primed with a 207-byte RTF prefix; a reference to the
// write position ends the stream. 'MELA' is the RTF stored as it is. What does not add up is refused.

export type LzfuResult = { readonly ok: Uint8Array } | { readonly reason: 'corrupt' | 'unsupported' | 'limit'; readonly detail: string };

/** [MS-OXRTFCP]: the dictionary's initial contents (207 bytes). */
const INITIAL = Buffer.from(
  '{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx',
  'latin1',
);
const RING = 4096;
const HEADER = 16;
const LZFU = 0x75465a4c;
const MELA = 0x414c454d;

/** [MS-OXRTFCP]'s CRC-32 (polynomial 0xEDB88320) with no pre- or post-inversion, over the bytes after the header. */
const CRC_TABLE = ((): Uint32Array => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function rtfCrc(data: Uint8Array): number {
  let crc = 0;
  for (const b of data) crc = ((CRC_TABLE[(crc ^ b) & 0xff] as number) ^ (crc >>> 8)) >>> 0;
  return crc;
}

export { INITIAL as LZFU_INITIAL_DICTIONARY };

/** The RTF a PR_RTF_COMPRESSED value holds, at most `cap` bytes of it. */
export function decompressRtf(data: Uint8Array, cap: number): LzfuResult {
  if (data.length < HEADER) return { reason: 'corrupt', detail: `compressed RTF of ${data.length} bytes is shorter than its 16-byte header` };
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const compSize = view.getUint32(0, true);
  const rawSize = view.getUint32(4, true);
  const type = view.getUint32(8, true);
  // COMPSIZE counts the bytes after itself
  if (compSize < HEADER - 4 || compSize + 4 > data.length) return { reason: 'corrupt', detail: `compressed RTF declares ${compSize + 4} bytes, the value holds ${data.length}` };
  const body = data.subarray(HEADER, compSize + 4);
  if (type === MELA) {
    if (rawSize > body.length) return { reason: 'corrupt', detail: `uncompressed RTF declares ${rawSize} bytes, holds ${body.length}` };
    if (rawSize > cap) return { reason: 'limit', detail: `RTF body of ${rawSize} bytes is over the ${cap}-byte limit` };
    return { ok: body.subarray(0, rawSize) };
  }
  if (type !== LZFU) return { reason: 'unsupported', detail: `compressed RTF type 0x${type.toString(16).padStart(8, '0')} (neither LZFu nor MELA)` };
  const crc = rtfCrc(body);
  if (crc !== view.getUint32(12, true)) return { reason: 'corrupt', detail: `compressed RTF CRC 0x${crc.toString(16)} does not match its header (0x${view.getUint32(12, true).toString(16)})` };
  if (rawSize > cap) return { reason: 'limit', detail: `RTF body declares ${rawSize} bytes: over the ${cap}-byte limit` };
  return inflateLzfu(body, rawSize, cap);
}

function inflateLzfu(body: Uint8Array, rawSize: number, cap: number): LzfuResult {
  const ring = new Uint8Array(RING);
  ring.set(INITIAL);
  let write = INITIAL.length;
  // the declared size is only a first guess: the real output count is what the cap checks
  let out = new Uint8Array(Math.max(rawSize, 64));
  let n = 0;
  const put = (b: number): boolean => {
    if (n >= cap) return false;
    if (n === out.length) {
      const grown = new Uint8Array(Math.min(cap, out.length * 2));
      grown.set(out);
      out = grown;
    }
    out[n++] = b;
    ring[write] = b;
    write = (write + 1) % RING;
    return true;
  };
  let i = 0;
  while (i < body.length) {
    const flags = body[i++] as number;
    for (let bit = 0; bit < 8 && i < body.length; bit++) {
      if ((flags & (1 << bit)) === 0) {
        if (!put(body[i++] as number)) return overCap(cap);
        continue;
      }
      if (i + 2 > body.length) return { reason: 'corrupt', detail: `compressed RTF ends inside a reference at byte ${HEADER + i}` };
      const ref = ((body[i] as number) << 8) | (body[i + 1] as number);
      i += 2;
      const offset = ref >> 4;
      // a reference to the write position is the end of the stream
      if (offset === write) return { ok: out.subarray(0, n) };
      const length = (ref & 0x0f) + 2;
      for (let k = 0; k < length; k++) if (!put(ring[(offset + k) % RING] as number)) return overCap(cap);
    }
  }
  // no end marker: whole only if every declared byte came out
  if (n < rawSize) return { reason: 'corrupt', detail: `compressed RTF ends after ${n} of ${rawSize} bytes, without its end marker` };
  return { ok: out.subarray(0, n) };
}

function overCap(cap: number): LzfuResult {
  return { reason: 'limit', detail: `RTF body inflates past the ${cap}-byte limit (maxRatio, maxOutputBytes or maxDecodedBytes)` };
}
