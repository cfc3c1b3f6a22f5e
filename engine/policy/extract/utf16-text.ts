// A text part labelled UTF-16 is read in the byte order its bytes have. The label says little: "utf-16"
// without a byte order mark is big-endian by RFC 2781 §4.3 but little-endian to the WHATWG decoders
// (Thunderbird), and a BOM overrides any label in the WHATWG decode algorithm (a "utf-16be" part that
// starts FF FE is read little-endian by a browser-based reader). So: the BOM when there is one, else the
// order in which the zero high bytes of Latin text fall; text in either order must reach a detector.

const LABELS: ReadonlySet<string> = new Set(['utf-16', 'utf16', 'utf-16le', 'utf-16be', 'ucs-2', 'ucs2', 'unicode', 'unicodefffe', 'csunicode', 'iso-10646-ucs-2']);

/** Bytes enough to tell the order of a text (a BOM, or 128 code units). */
export const UTF16_SNIFF_BYTES = 256;

export function isUtf16Label(charset: string): boolean {
  return LABELS.has(charset.trim().toLowerCase());
}

/** The byte order of UTF-16 text from its first bytes: a BOM, else where the zero bytes are. */
export function utf16Order(head: Uint8Array, label: string): 'utf-16le' | 'utf-16be' {
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  let even = 0;
  let odd = 0;
  const end = Math.min(head.length, UTF16_SNIFF_BYTES) & ~1;
  for (let i = 0; i < end; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (even !== odd) return even > odd ? 'utf-16be' : 'utf-16le';
  return label.trim().toLowerCase() === 'utf-16be' ? 'utf-16be' : 'utf-16le';
}
