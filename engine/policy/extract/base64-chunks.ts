// libbase64's streaming Decoder (which mailsplit uses for a base64 part) without the stream, step for step,
// so that the streamed single-part path (streamed-text.ts) decodes exactly the bytes mailparser's path does:
// characters outside the base64 alphabet dropped, everything up to the last "=" decoded segment by segment
// (a padded segment ends where it ends, as Buffer stops at padding), the rest in whole quartets.
const NOT_BASE64 = /[^a-zA-Z0-9+/=]/;
const NOT_BASE64_ALL = /[^a-zA-Z0-9+/=]/g;
const DATA_AFTER_PAD = /[a-zA-Z0-9+/\-_]/;

export class Base64Chunks {
  #line = '';

  write(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    let b64 = this.#line + chunk.toString('latin1');
    this.#line = '';
    if (NOT_BASE64.test(b64)) b64 = b64.replace(NOT_BASE64_ALL, '');
    let padded = '';
    const lastPad = b64.lastIndexOf('=');
    if (lastPad >= 0) {
      padded = b64.slice(0, lastPad + 1);
      b64 = b64.slice(lastPad + 1);
    }
    if (b64.length < 4) {
      this.#line = b64;
      b64 = '';
    } else if (b64.length % 4 !== 0) {
      this.#line = b64.slice(-(b64.length % 4));
      b64 = b64.slice(0, b64.length - this.#line.length);
    }
    b64 = padded + b64;
    return b64 === '' ? EMPTY : decodeBase64(b64);
  }

  end(): Buffer {
    const rest = this.#line;
    this.#line = '';
    return rest === '' ? EMPTY : decodeBase64(rest);
  }
}

const EMPTY = Buffer.alloc(0);

/** libbase64.decode for a string of base64 characters only (what write() hands it). */
export function decodeBase64(str: string): Buffer {
  const padPos = str.indexOf('=');
  if (padPos < 0 || !DATA_AFTER_PAD.test(str.slice(padPos))) return Buffer.from(str, 'base64');
  const output = Buffer.alloc(Math.floor((str.length * 3) / 4));
  let length = 0;
  for (let start = 0; start <= str.length; ) {
    let end = str.indexOf('=', start);
    if (end < 0) end = str.length;
    if (end > start) length += output.write(str.substring(start, end), length, 'base64');
    start = end + 1;
  }
  return Buffer.from(output.subarray(0, length));
}
