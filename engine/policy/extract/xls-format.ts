// A number as a custom Excel number format shows it (ECMA-376 §18.8.31, the same codes in .xls FORMAT
// records): a format can add literal text ("4111 1111 1111 "0 shows 1111 as the whole card) or cut a
// stored number into groups (0000 0000 0000 0000). Only what such formats do with text and digits is
// rendered: the first section, quoted and escaped literals, 0 # ? placeholders, a decimal point, thousands
// commas and percent; dates, times, exponents and fractions are left to the stored number (undefined).

const DATE_OR_EXPONENT = /[yYmMdDhHsSeE/]/;

export function formatNumber(value: number, format: string): string | undefined {
  if (!Number.isFinite(value) || format === '' || /^general$/i.test(format)) return undefined;
  const tokens = tokenize(firstSection(format, value));
  const codes = tokens.filter((t) => t.code).map((t) => t.text).join('');
  if (DATE_OR_EXPONENT.test(codes)) return undefined;
  const percent = codes.includes('%');
  const grouped = /[0#?],+[0#?]/.test(codes);
  const point = codes.indexOf('.');
  const decimals = point < 0 ? 0 : (codes.slice(point + 1).match(/[0#?]/g) ?? []).length;
  const intPlaces = (point < 0 ? codes : codes.slice(0, point)).match(/[0#?]/g)?.length ?? 0;
  const scaled = Math.abs(value) * (percent ? 100 : 1);
  const [intPart = '0', fracPart = ''] = scaled.toFixed(Math.min(decimals, 20)).split('.');
  let intDigits = intPart === '0' ? '' : intPart;
  if (grouped) intDigits = intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const out: string[] = value < 0 && !format.includes(';') ? ['-'] : [];
  // integer placeholders are filled from the right; the first one takes every digit left over
  const intChars = [...intDigits];
  let placeholder = 0;
  let inFraction = false;
  let fraction = 0;
  for (const t of tokens) {
    if (!t.code) {
      out.push(t.text);
      continue;
    }
    for (const c of t.text) {
      if (c === '.') {
        inFraction = true;
        out.push('.');
      } else if (c === '0' || c === '#' || c === '?') {
        if (inFraction) {
          const d = fracPart[fraction++];
          out.push(d ?? (c === '0' ? '0' : c === '?' ? ' ' : ''));
          continue;
        }
        const fromRight = intPlaces - 1 - placeholder++;
        const take = fromRight === intPlaces - 1 ? Math.max(0, intChars.length - fromRight) : 1;
        const start = intChars.length - fromRight - take;
        const digits = start >= 0 ? intChars.slice(start, start + take).join('') : '';
        out.push(digits !== '' ? digits : c === '0' ? '0' : c === '?' ? ' ' : '');
      } else if (c === '%') out.push('%');
      // ',' (grouping, done above, or scaling), '@' and the rest of the codes show nothing of their own
    }
  }
  return out.join('');
}

interface Token {
  readonly text: string;
  /** A format code (placeholders, point, comma, percent); otherwise literal text as shown. */
  readonly code: boolean;
}

// "…" literal, \x literal, _x a space as wide as x, *x fill (nothing here), [...] colour or condition
function tokenize(section: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < section.length; i++) {
    const c = section[i] ?? '';
    if (c === '"') {
      const end = section.indexOf('"', i + 1);
      out.push({ text: section.slice(i + 1, end < 0 ? section.length : end), code: false });
      i = end < 0 ? section.length : end;
    } else if (c === '\\') out.push({ text: section[++i] ?? '', code: false });
    else if (c === '_') {
      out.push({ text: ' ', code: false });
      i++;
    } else if (c === '*') i++;
    else if (c === '[') {
      const end = section.indexOf(']', i);
      i = end < 0 ? section.length : end;
    } else if ('0#?.,%'.includes(c) || DATE_OR_EXPONENT.test(c)) out.push({ text: c, code: true });
    else if (c === '@') out.push({ text: '', code: true });
    else out.push({ text: c, code: false });
  }
  return out;
}

/** The section a value is shown with: positive;negative;zero;text (only the first when there is one). */
function firstSection(format: string, value: number): string {
  const sections: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\') i++;
    else if (c === ';' && !quoted) {
      sections.push(format.slice(start, i));
      start = i + 1;
    }
  }
  sections.push(format.slice(start));
  if (value < 0 && sections.length > 1) return sections[1] ?? '';
  if (value === 0 && sections.length > 2) return sections[2] ?? '';
  return sections[0] ?? '';
}
