// Text an image carries for no reader: PNG's tEXt, zTXt and iTXt chunks (PNG 3rd edition, 11.3.3). zTXt and
// compressed iTXt are deflated, so a printable-strings pass over the file never sees them; each chunk is
// read exactly here, its inflate capped like every other decompression.
import { inflateSync } from 'node:zlib';

export type ImageText = { readonly text: string } | { readonly reason: 'limit'; readonly detail: string };

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngText(data: Uint8Array, cap: (compressed: number) => number): ImageText {
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (!SIGNATURE.every((v, i) => b[i] === v)) return { text: '' };
  const out: string[] = [];
  let left = cap(b.length);
  for (let o = 8; o + 12 <= b.length; ) {
    const length = b.readUInt32BE(o);
    const type = b.toString('latin1', o + 4, o + 8);
    const body = b.subarray(o + 8, Math.min(b.length, o + 8 + length));
    o += 12 + length;
    if (type === 'IEND') break;
    if (type !== 'tEXt' && type !== 'zTXt' && type !== 'iTXt') continue;
    const keywordEnd = body.indexOf(0);
    if (keywordEnd < 0) continue;
    const keyword = body.toString('latin1', 0, keywordEnd);
    let text: string | undefined;
    if (type === 'tEXt') text = body.toString('latin1', keywordEnd + 1);
    else if (type === 'zTXt') {
      const r = inflateCapped(body.subarray(keywordEnd + 2), left);
      if (r === 'limit') return { reason: 'limit', detail: `PNG zTXt chunk "${keyword}" inflates beyond ${left} bytes (ratio or extraction output limit)` };
      left -= r?.length ?? 0;
      text = r?.toString('latin1');
    } else {
      // keyword \0 compression flag, method, language tag \0 translated keyword \0 text (UTF-8)
      const compressed = body[keywordEnd + 1] === 1;
      const langEnd = body.indexOf(0, keywordEnd + 3);
      const transEnd = langEnd < 0 ? -1 : body.indexOf(0, langEnd + 1);
      if (transEnd < 0) continue;
      const translated = body.toString('utf8', langEnd + 1, transEnd);
      if (translated !== '') out.push(translated);
      const raw = body.subarray(transEnd + 1);
      if (compressed) {
        const r = inflateCapped(raw, left);
        if (r === 'limit') return { reason: 'limit', detail: `PNG iTXt chunk "${keyword}" inflates beyond ${left} bytes (ratio or extraction output limit)` };
        left -= r?.length ?? 0;
        text = r?.toString('utf8');
      } else text = raw.toString('utf8');
    }
    out.push(keyword);
    if (text !== undefined && text !== '') out.push(text);
  }
  return { text: out.join('\n') };
}

// A damaged stream keeps what inflated before the damage out of reach: it is simply not text.
function inflateCapped(data: Uint8Array, cap: number): Buffer | 'limit' | undefined {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(1, cap) });
  } catch (err) {
    return (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'limit' : undefined;
  }
}
