// Percent-encoded values (URL query strings in links and attributes) as a server reads them, for markup-text.ts.

const PLUS = /\+/g;
const SURROGATE = /[\ud800-\udfff]/;

/** URL query strings as a server reads them: %XX bytes as UTF-8, '+' as a space. */
export function percentDecode(value: string): string {
  const ascii = asciiPercentDecode(value);
  if (ascii !== undefined) return ascii;
  // the native decoder reads the same where it reads at all: it throws on a stray "%" or bytes that are
  // not UTF-8 (read below with U+FFFD), and only a surrogate, which is kept there, is U+FFFD here
  if (!SURROGATE.test(value)) {
    try {
      return decodeURIComponent(value.replace(PLUS, ' '));
    } catch {
      // read byte by byte below
    }
  }
  // a UTF-16 unit is at most 3 bytes of UTF-8; each is encoded by itself (a surrogate, even of a pair, as U+FFFD)
  const bytes = Buffer.allocUnsafe(value.length * 3);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25) {
      const h = hexDigit(value.charCodeAt(i + 1));
      const l = hexDigit(value.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes[n++] = (h << 4) | l;
        i += 2;
        continue;
      }
    }
    if (c === 0x2b) bytes[n++] = 0x20;
    else if (c < 0x80) bytes[n++] = c;
    else if (c < 0x800) {
      bytes[n++] = 0xc0 | (c >> 6);
      bytes[n++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdfff) {
      bytes[n++] = 0xef;
      bytes[n++] = 0xbf;
      bytes[n++] = 0xbd;
    } else {
      bytes[n++] = 0xe0 | (c >> 12);
      bytes[n++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[n++] = 0x80 | (c & 0x3f);
    }
  }
  return bytes.toString('utf8', 0, n);
}

/**
 * A value whose escapes are all of ASCII bytes and that has no surrogate, decoded in one pass (undefined for
 * any other). Both readings below agree on it: each %XX is its character, '+' a space, a '%' without two hex
 * digits stays (the native decoder throws on it, the byte-by-byte reading keeps it), the rest as it is.
 */
function asciiPercentDecode(value: string): string | undefined {
  if (SURROGATE.test(value)) return undefined;
  let out = '';
  let copied = 0;
  // from escape to escape and plus to plus (an escape holds no '+')
  let pct = value.indexOf('%');
  let plus = value.indexOf('+');
  while (pct >= 0 || plus >= 0) {
    if (plus >= 0 && (pct < 0 || plus < pct)) {
      out += `${value.slice(copied, plus)} `;
      copied = plus + 1;
      plus = value.indexOf('+', copied);
      continue;
    }
    const h = hexDigit(value.charCodeAt(pct + 1));
    const l = hexDigit(value.charCodeAt(pct + 2));
    if (h < 0 || l < 0) {
      pct = value.indexOf('%', pct + 1);
      continue;
    }
    if (h >= 8) return undefined;
    out += value.slice(copied, pct) + String.fromCharCode((h << 4) | l);
    copied = pct + 3;
    pct = value.indexOf('%', copied);
  }
  return copied === 0 ? value : out + value.slice(copied);
}

/** The value of a hex digit's code, -1 for any other (NaN past the end of a string included). */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// Paragraph, row and cell ends of WordprocessingML, SpreadsheetML, DrawingML and OpenDocument: what a
// tag turns into, keyed by "/name" for an end tag and "name" for an empty one.
