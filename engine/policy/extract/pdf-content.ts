// The text one content stream shows, for the fast path (pdf-text.ts): its text-showing operators read
// from the stream as latin1 text, one string slice per shown string, and the check that sends a stream
// laid out by absolute positions to pdf.js instead.
import { isAscii } from 'node:buffer';
import { type Judged, type PageBox, TextVisibility, VISIBILITY_OPERATORS } from './pdf-hidden.js';
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

/** The strings shown, laid out in lines: a new line where the origin's y changed, a space for a wide jump. */
class TextLayout {
  out: string[] = [];
  // runs of line breaks end as one: a break is not pushed after a break, and a shown text with a line
  // feed of its own has the runs collapsed at the end
  atBreak = true;
  ownBreaks = false;
  lastChars = 0;
  // where the last shown string started; a new line only where the origin's y really changed
  shownX: number | undefined;
  shownY: number | undefined;

  lineBreak(): void {
    if (!this.atBreak) this.out.push('\n');
    this.atBreak = true;
  }

  show(text: string, lineX: number, lineY: number, fontSize: number): void {
    if (this.shownY !== undefined && lineY !== this.shownY) this.lineBreak();
    else if (this.shownX !== undefined && lineX !== this.shownX && lineX - this.shownX > (this.lastChars * 0.6 + 0.3) * fontSize) {
      this.out.push(' ');
      this.atBreak = false;
    }
    if (text !== '') {
      this.out.push(text);
      this.atBreak = false;
      this.ownBreaks ||= text.includes('\n');
    }
    this.lastChars = text.length;
    this.shownX = lineX;
    this.shownY = lineY;
  }

  endText(): void {
    this.lineBreak();
    this.shownX = this.shownY = undefined;
  }

  copy(): TextLayout {
    return Object.assign(new TextLayout(), this, { out: [...this.out] });
  }

  text(): string {
    const text = this.out.join('');
    return (this.ownBreaks ? text.replace(/\n{2,}/g, '\n') : text).trim();
  }
}

/** One content stream's text, and the text as shown where some of it is not seen (pdf-hidden.ts). */
export interface ContentReadings {
  readonly text: string;
  readonly shown?: string;
}

/**
 * Text-showing operators of one content stream (latin1 text; `ascii`: no byte over 0x7f): Tj, TJ, ' and "
 * strings; a new line at T*, ', ", a vertical Td/TD and ET; a space for a wide TJ gap or a horizontal Td
 * jump past the last string.
 */
export function contentStreamText(s: string, ascii: boolean): string {
  return contentStreamReadings(s, ascii, undefined, Infinity, 'page').text;
}

/**
 * As contentStreamText, and beside it the text without the strings a viewer does not show, laid out on
 * its own (a filler off the page breaks no line there); `box` and `widest` bound where strings can be
 * (mediaBoxUnion, widestGlyph); `judge` says what of a string's look is judged (pdf-hidden.ts).
 */
export function contentStreamReadings(s: string, ascii: boolean, box: PageBox | undefined, widest: number, judge: Judged): ContentReadings {
  const literal = literalStrings(s, ascii);
  const full = new TextLayout();
  // the shown reading, from the first string not seen on (until then it is the full one)
  let seen: TextLayout | undefined;
  const visibility = new TextVisibility(box, widest, judge);
  let shown = ''; // the strings (and TJ gaps) since the last operator
  let pieces = 0;
  // the last four numeric operands since the last operator (n1 the newest), and the last name
  let operands = 0;
  let n4 = 0;
  let n3 = 0;
  let before = 0;
  let last = 0;
  let nameStart = 0;
  let nameEnd = 0;
  // a TJ array's gaps: thousandths of an em to the left (positive numbers) and to the right
  let inArray = false;
  let gapLeft = 0;
  let gapRight = 0;
  let fontSize = 12;
  // the text line's origin relative to BT (Td/TD/T* only: placesAbsolutely sends the rest to pdf.js); for
  // the layout, T* with no leading moves it by one; `y` is where a viewer puts it
  let lineX = 0;
  let lineY = 0;
  let y = 0;
  let leading = 0;
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
      if (c === 0x5b) inArray = true;
      else if (c === 0x5d) inArray = false;
      i++;
    } else {
      let j = i + 1;
      while (j < n && DELIM[s.charCodeAt(j)] !== 1) j++;
      if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x2b) {
        const v = numberAt(s, i, j);
        n4 = n3;
        n3 = before;
        before = last;
        last = v;
        operands++;
        if (inArray) {
          if (v > 0) gapLeft += v;
          else gapRight -= v;
        }
        // a TJ gap: numbers between strings of an array (thousandths of an em, negative = move right)
        if (pieces > 0 && v < -250) {
          shown += ' ';
          pieces++;
        }
      } else if (c === 0x2f) {
        nameStart = i;
        nameEnd = j;
      } else {
        const op = j - i <= 3 ? s.slice(i, j) : '';
        if (op === 'Tj' || op === 'TJ' || op === "'" || op === '"') {
          if (op !== 'Tj' && op !== 'TJ') {
            lineY -= nextLine(leading);
            y -= leading;
            visibility.newLine();
            if (op === '"') visibility.spacing(operands >= 2 ? before : 0, operands >= 1 ? last : 0);
          }
          // inline, not a closure: the loop's positions stay plain locals
          if (visibility.hides(shown.length, lineX, y, gapLeft, gapRight)) seen ??= full.copy();
          else seen?.show(shown, lineX, lineY, fontSize);
          full.show(shown, lineX, lineY, fontSize);
        } else if (op === 'Td' || op === 'TD') {
          const tx = operands >= 2 ? before : operands === 1 ? last : 0;
          const ty = operands >= 2 ? last : 0;
          lineX += tx;
          lineY += ty;
          y += ty;
          visibility.newLine();
          if (op === 'TD') leading = -ty;
        } else if (op === 'TL') {
          leading = operands > 0 ? last : 0;
        } else if (op === 'T*') {
          lineY -= nextLine(leading);
          y -= leading;
          visibility.newLine();
        } else if (op === 'ET') {
          full.endText();
          seen?.endText();
          lineX = lineY = y = 0;
          visibility.newLine();
        } else if (op === 'Tf') {
          fontSize = operands > 0 ? Math.abs(last) || 12 : 12;
          visibility.font(operands > 0 ? last : 12);
        } else if (op === 'BI') {
          visibility.operator(op, [], '');
          j = inlineImageEnd(s, j);
        } else if (VISIBILITY_OPERATORS.has(op)) {
          const k = Math.min(operands, 4);
          visibility.operator(op, [n4, n3, before, last].slice(4 - k), s.slice(nameStart, nameEnd));
        }
        shown = '';
        pieces = 0;
        operands = 0;
        inArray = false;
        gapLeft = gapRight = 0;
      }
      i = j;
    }
  }
  const text = full.text();
  const asShown = seen?.text();
  return asShown === undefined || asShown === text ? { text } : { text, shown: asShown };
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
