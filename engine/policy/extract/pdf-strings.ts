// PDF string objects read from latin1 text (each char one byte of the file or stream): literal `(…)`
// strings with their escapes and balanced parentheses, hex `<…>` strings, and their bytes as text in
// WinAnsi (a simple font's standard encoding in the fast path) or UTF-16BE after a byte-order mark.
// Strings are sliced from the text rather than copied byte by byte: a content stream is mostly strings.

/**
 * WinAnsiEncoding (PDF 32000-1 D.2) is latin1 but for 0x80-0x9f: quotes, dashes, the euro sign, and the
 * bullet for its unused codes. Written out: Node 20's TextDecoder('windows-1252') decodes these as latin1.
 */
const WINANSI_80_9F = '\u20ac\u2022\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u2022\u017d\u2022\u2022\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u2022\u017e\u0178';
const HIGH = /[\x80-\x9f]/;
const HIGH_ALL = /[\x80-\x9f]/g;
const winAnsi = (bytes: string): string => (HIGH.test(bytes) ? bytes.replace(HIGH_ALL, (c) => WINANSI_80_9F[c.charCodeAt(0) - 0x80] ?? c) : bytes);

/** A string's bytes (latin1 chars) as text: UTF-16BE after a BOM, else WinAnsi. */
export function winAnsiText(bytes: string): string {
  if (bytes.charCodeAt(0) === 0xfe && bytes.charCodeAt(1) === 0xff) return decodeBytes(Buffer.from(bytes, 'latin1'));
  return winAnsi(bytes);
}

export function decodeBytes(b: Uint8Array): string {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b.subarray(2));
  return winAnsi(Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1'));
}

/** A literal string's text and the index after its closing parenthesis. */
export interface StringAt {
  readonly text: string;
  readonly end: number;
}

/**
 * Reads the literal strings of one text, in the order they stand. A string without a backslash or a nested
 * parenthesis (nearly all) is one slice, as it is when `ascii` says the text has no byte over 0x7f; where
 * the next backslash and the next '(' are is remembered between strings, so finding them costs one pass
 * over the text however many strings it holds.
 */
export function literalStrings(s: string, ascii: boolean): (start: number) => StringAt {
  let nextEscape = 0;
  let nextOpen = 0;
  return (start) => {
    const close = s.indexOf(')', start + 1);
    if (nextEscape !== -1 && nextEscape <= start) nextEscape = s.indexOf('\\', start + 1);
    if (nextOpen !== -1 && nextOpen <= start) nextOpen = s.indexOf('(', start + 1);
    const plain = close >= 0 && (nextEscape === -1 || nextEscape > close) && (nextOpen === -1 || nextOpen > close);
    if (!plain) return escapedString(s, start);
    const bytes = s.slice(start + 1, close);
    return { text: ascii ? bytes : winAnsiText(bytes), end: close + 1 };
  };
}

const ESCAPES: Readonly<Record<number, number>> = { 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x62: 0x08, 0x66: 0x0c };

// Balanced parentheses and backslash escapes (\n, \ddd, line continuation), byte by byte.
function escapedString(s: string, start: number): StringAt {
  const bytes: number[] = [];
  let depth = 1;
  let i = start + 1;
  const at = (k: number): number => (k < s.length ? s.charCodeAt(k) : 0);
  while (i < s.length) {
    const c = at(i++);
    if (c === 0x5c) {
      const e = at(i++);
      if (e >= 0x30 && e <= 0x37) {
        let v = e - 0x30;
        for (let k = 0; k < 2 && at(i) >= 0x30 && at(i) <= 0x37; k++) v = v * 8 + at(i++) - 0x30;
        bytes.push(v & 0xff);
      } else if (e === 0x0d) {
        if (at(i) === 0x0a) i++;
      } else if (e !== 0x0a) bytes.push(ESCAPES[e] ?? e);
    } else if (c === 0x28) {
      depth++;
      bytes.push(c);
    } else if (c === 0x29) {
      if (--depth === 0) break;
      bytes.push(c);
    } else bytes.push(c);
  }
  return { text: decodeBytes(Uint8Array.from(bytes)), end: i };
}

/** The hex string whose digits lie between `from` and `to` (the '<' and '>' excluded). */
export function hexString(s: string, from: number, to: number): string {
  const hex = s.slice(from, to).replace(/[^0-9A-Fa-f]/g, '');
  return decodeBytes(Buffer.from(hex.length % 2 === 1 ? `${hex}0` : hex, 'hex'));
}
