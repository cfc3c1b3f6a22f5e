// The text one content stream shows, for the fast path (pdf-text.ts): its text-showing operators read
// from the stream as latin1 text, one string slice per shown string, and the check that sends a stream
// laid out by absolute positions to pdf.js instead.
import { isAscii } from 'node:buffer';
import { hexString, literalStrings } from './pdf-strings.js';

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

/** Chars that end a token (PDF whitespace and delimiters). */
const DELIM = new Uint8Array(256);
for (const c of ' \t\r\n\f\0()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

// What may stand before and after an operator name for the layout check: JavaScript's \s in latin1 and the
// delimiters of the expressions it replaces, /(?:^|[\s\])>])(?:Tm|cm|Do)(?=[\s[(<\/%]|$)/ and the same for BT.
const SPACE = ' \t\n\v\f\r\xa0';
const BEFORE_OP = new Uint8Array(256);
for (const c of `${SPACE}])>`) BEFORE_OP[c.charCodeAt(0)] = 1;
const AFTER_OP = new Uint8Array(256);
for (const c of `${SPACE}[(</%`) AFTER_OP[c.charCodeAt(0)] = 1;

/**
 * Whether a stream places text by absolute position (Tm, cm, Do) or holds more than one text object (BT):
 * pieces of one visual line would be cut into lines here, pdf.js lays them out by position. Any bounded
 * occurrence counts, inside a string or image data too (a stream is refused rather than misread).
 */
export function placesAbsolutely(s: string): boolean {
  const bounded = (at: number): boolean => (at === 0 || BEFORE_OP[s.charCodeAt(at - 1)] === 1) && (at + 2 === s.length || AFTER_OP[s.charCodeAt(at + 2)] === 1);
  for (const op of ['Tm', 'cm', 'Do']) for (let at = s.indexOf(op); at >= 0; at = s.indexOf(op, at + 1)) if (bounded(at)) return true;
  let textObjects = 0;
  for (let at = s.indexOf('BT'); at >= 0; at = s.indexOf('BT', at + 1)) if (bounded(at) && ++textObjects > 1) return true;
  return false;
}

/** T*, ' and " start a new line; with no leading set (TL 0) it starts over the last one, still another line. */
const nextLine = (leading: number): number => (leading === 0 ? 1 : leading);

export const contentText = (bytes: Uint8Array): string => contentStreamText(latin1(bytes), isAscii(bytes));

/**
 * Text-showing operators of one content stream (latin1 text; `ascii`: no byte over 0x7f): Tj, TJ, ' and "
 * strings; a new line at T*, ', ", a vertical Td/TD and ET; a space for a wide TJ gap or a horizontal Td
 * jump past the last string.
 */
export function contentStreamText(s: string, ascii: boolean): string {
  const out: string[] = [];
  const literal = literalStrings(s, ascii);
  let shown = ''; // the strings (and TJ gaps) since the last operator
  let pieces = 0;
  // the last two operands since the last operator
  let operands = 0;
  let before = 0;
  let last = 0;
  let fontSize = 12;
  let lastChars = 0;
  // the text line's origin relative to BT (Td/TD/T* only: placesAbsolutely sends the rest to pdf.js), and
  // where the last shown string started; a new line only where the origin's y really changed
  let lineX = 0;
  let lineY = 0;
  let leading = 0;
  let shownX: number | undefined;
  let shownY: number | undefined;
  // runs of line breaks end as one: a break is not pushed after a break, and a shown text with a line
  // feed of its own has the runs collapsed at the end
  let atBreak = true;
  let ownBreaks = false;
  const lineBreak = (): void => {
    if (!atBreak) out.push('\n');
    atBreak = true;
  };
  const show = (text: string): void => {
    if (shownY !== undefined && lineY !== shownY) lineBreak();
    else if (shownX !== undefined && lineX !== shownX && lineX - shownX > (lastChars * 0.6 + 0.3) * fontSize) {
      out.push(' ');
      atBreak = false;
    }
    if (text !== '') {
      out.push(text);
      atBreak = false;
      ownBreaks ||= text.includes('\n');
    }
    lastChars = text.length;
    shownX = lineX;
    shownY = lineY;
  };
  const n = s.length;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c === 0x28) {
      const r = literal(i);
      shown += r.text;
      pieces++;
      i = r.end;
    } else if (c === 0x3c && s.charCodeAt(i + 1) === 0x3c) {
      i += 2;
    } else if (c === 0x3c) {
      const close = s.indexOf('>', i);
      const end = close < 0 ? n : close;
      shown += hexString(s, i + 1, end);
      pieces++;
      i = end + 1;
    } else if (c === 0x25) {
      while (i < n && s.charCodeAt(i) !== 0x0a && s.charCodeAt(i) !== 0x0d) i++;
    } else if (DELIM[c] === 1 && c !== 0x2f) {
      i++;
    } else {
      let j = i + 1;
      while (j < n && DELIM[s.charCodeAt(j)] !== 1) j++;
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x2b) {
        const v = numberAt(s, i, j);
        before = last;
        last = v;
        operands++;
        // a TJ gap: numbers between strings of an array (thousandths of an em, negative = move right)
        if (pieces > 0 && v < -250) {
          shown += ' ';
          pieces++;
        }
      } else if (c !== 0x2f) {
        const op = j - i <= 2 ? s.slice(i, j) : '';
        if (op === 'Tj' || op === 'TJ' || op === "'" || op === '"') {
          if (op !== 'Tj' && op !== 'TJ') lineY -= nextLine(leading);
          show(shown);
        } else if (op === 'Td' || op === 'TD') {
          const tx = operands >= 2 ? before : operands === 1 ? last : 0;
          const ty = operands >= 2 ? last : 0;
          lineX += tx;
          lineY += ty;
          if (op === 'TD') leading = -ty;
        } else if (op === 'TL') {
          leading = operands > 0 ? last : 0;
        } else if (op === 'T*') {
          lineY -= nextLine(leading);
        } else if (op === 'ET') {
          lineBreak();
          lineX = lineY = 0;
          shownX = shownY = undefined;
        } else if (op === 'Tf') {
          fontSize = operands > 0 ? Math.abs(last) || 12 : 12;
        } else if (op === 'BI') {
          j = inlineImageEnd(s, j);
        }
        shown = '';
        pieces = 0;
        operands = 0;
      }
      i = j;
    }
  }
  const text = out.join('');
  return (ownBreaks ? text.replace(/\n{2,}/g, '\n') : text).trim();
}

/**
 * The number in s[from, to), as Number() reads it. Digits with a sign and a point (nearly every operand)
 * are read here: an integer of up to 15 digits and a power of ten are exact doubles, so their quotient is
 * the correctly rounded value, Number's own. Anything else (more digits, a second point, "1e3") goes to Number.
 */
function numberAt(s: string, from: number, to: number): number {
  let i = from;
  const sign = s.charCodeAt(i);
  if (sign === 0x2d || sign === 0x2b) i++;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 0x2e && decimals < 0) decimals = 0;
    else return Number(s.slice(from, to));
  }
  if (digits === 0 || digits > 15) return Number(s.slice(from, to));
  const v = decimals > 0 ? mantissa / (POWERS_OF_TEN[decimals] ?? 1) : mantissa;
  return sign === 0x2d ? -v : v;
}

const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

// Inline image data after ID runs to whitespace + EI + whitespace; it is bytes, not operators.
function inlineImageEnd(s: string, from: number): number {
  const id = s.indexOf('ID', from);
  if (id < 0) return s.length;
  for (let i = id + 3; i + 2 < s.length; i++) {
    if (s.charCodeAt(i) === 0x45 && s.charCodeAt(i + 1) === 0x49 && DELIM[s.charCodeAt(i - 1)] === 1 && (i + 2 === s.length || DELIM[s.charCodeAt(i + 2)] === 1)) return i + 2;
  }
  return s.length;
}
