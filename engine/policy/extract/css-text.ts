// What CSS shows or carries as text: its escapes decoded (CSS Syntax Level 3 §4.3.7) and the strings
// of its `content` declarations (the generated text of ::before and ::after) joined in order, so a
// number split over the rules of one element reads as one. Selectors are not matched to elements:
// every `content` string of a style sheet goes into one line. Linear: one pass, no backtracking.

// A backslash and 1-6 hex digits with one optional whitespace (CRLF counts as one), a backslash before a
// newline (a line continuation inside a string), a backslash and any other character, a backslash at the end.
const ESCAPE = /\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\r\n\f])|([\s\S])|$)/g;

export function decodeCssEscapes(css: string): string {
  if (!css.includes('\\')) return css;
  return css.replace(ESCAPE, (_all: string, hex: string | undefined, newline: string | undefined, other: string | undefined) => {
    if (hex !== undefined) {
      const cp = parseInt(hex, 16);
      return cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? '\ufffd' : String.fromCodePoint(cp);
    }
    if (newline !== undefined) return '';
    return other ?? '\ufffd';
  });
}

/** The decoded strings of every `content` declaration, in order, joined with nothing between them. */
export function cssContentText(css: string): string {
  const out: string[] = [];
  let ident = '';
  let inContent = false;
  const n = css.length;
  let i = 0;
  while (i < n) {
    const c = css[i] ?? '';
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'") {
      const end = stringEnd(css, i);
      if (inContent) out.push(decodeCssEscapes(css.slice(i + 1, end)));
      i = end + 1;
      ident = '';
    } else if (c === '\\' || isNameChar(css.charCodeAt(i))) {
      let j = i;
      while (j < n && (isNameChar(css.charCodeAt(j)) || (css[j] === '\\' && j + 1 < n))) j += css[j] === '\\' ? 2 : 1;
      ident = decodeCssEscapes(css.slice(i, j)).toLowerCase();
      i = j;
    } else if (c === ':') {
      // `content:` opens the value; `::before` or `a:hover` open nothing (no ident "content" before them)
      if (ident === 'content') inContent = true;
      ident = '';
      i++;
    } else {
      if (c === ';' || c === '{' || c === '}') inContent = false;
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r' && c !== '\f') ident = '';
      i++;
    }
  }
  return out.join('');
}

// ASCII letters, digits, '-', '_' (an ident's characters here; non-ASCII ones never spell "content")
const isNameChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;

// The index of the closing quote of the string opened at `start` (escaped quotes skipped), or the end.
function stringEnd(css: string, start: number): number {
  const quote = css[start];
  for (let i = start + 1; i < css.length; i++) {
    const c = css[i];
    if (c === '\\') i++;
    else if (c === quote) return i;
    // an unescaped newline ends a string (a bad-string token)
    else if (c === '\n') return i;
  }
  return css.length;
}

/** Lines a style sheet or a style attribute adds to the hidden text: the decoded sheet, the generated content. */
export function cssHiddenText(css: string): string[] {
  const out: string[] = [];
  if (css.includes('\\')) out.push(decodeCssEscapes(css));
  if (/content|\\/i.test(css)) {
    const content = cssContentText(css);
    if (content.trim() !== '') out.push(content);
  }
  return out;
}
