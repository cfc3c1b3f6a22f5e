// HTML and XML reduced to text: tags go, entities decode, block ends become line breaks.

const NAMED: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', shy: '', ndash: '–', mdash: '—',
  hellip: '…', euro: '€', copy: '©', reg: '®', laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’',
  ldquo: '“', rdquo: '”', middot: '·', times: '×', auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä',
  Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß', eacute: 'é', egrave: 'è', agrave: 'à', ccedil: 'ç',
};

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z]{2,8});/g, (all, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
    }
    return NAMED[ref] ?? all;
  });
}

// Every pattern here is linear: [^<>] stops at the next '<', hidden sections are cut with indexOf.
const HTML_BLOCK_END = /<\/?(p|div|br|li|tr|h[1-6]|table|ul|ol|blockquote|pre|section|article)\b[^<>]*>/gi;
const HTML_CELL_END = /<\/(td|th)\s*>/gi;
const TAG = /<[^<>]*>/g;
const HIDDEN_START = /<!--|<(script|style|head|template)\b/gi;

export function htmlToText(html: string): string {
  const text = stripHidden(html)
    .replace(HTML_BLOCK_END, '\n')
    .replace(HTML_CELL_END, ' ')
    .replace(TAG, '');
  return collapse(decodeEntities(text));
}

/** Drops comments and script/style/head/template sections. */
function stripHidden(html: string): string {
  let out = '';
  let pos = 0;
  // ASCII-only lower-casing keeps every index aligned with html
  const lower = html.replace(/[A-Z]+/g, (s) => s.toLowerCase());
  HIDDEN_START.lastIndex = 0;
  for (let m = HIDDEN_START.exec(html); m !== null; m = HIDDEN_START.exec(html)) {
    if (m.index < pos) continue;
    out += html.slice(pos, m.index);
    const close = m[1] === undefined ? '-->' : `</${m[1].toLowerCase()}`;
    const end = lower.indexOf(close, m.index + m[0].length);
    // Unclosed: keep the rest; inspecting too much is safer than too little.
    if (end < 0) return out + html.slice(m.index);
    pos = m[1] === undefined ? end + 3 : Math.max(html.indexOf('>', end), end) + 1;
    HIDDEN_START.lastIndex = pos;
  }
  return out + html.slice(pos);
}

// Paragraph, row and cell ends of WordprocessingML, SpreadsheetML and DrawingML.
const XML_BLOCK_END = /<\/(w:p|a:p|si|row|x:row)>|<(w:br|w:cr|a:br)\b[^<>]*\/>/g;
const XML_CELL_END = /<\/(c|w:tc|x:c|is)>|<w:tab\/>/g;

export function xmlToText(xml: string): string {
  const text = xml.replace(XML_BLOCK_END, '\n').replace(XML_CELL_END, ' ').replace(TAG, '');
  return collapse(decodeEntities(text));
}

function collapse(text: string): string {
  return text.replace(/[ \t\r\f\v]+/g, ' ').replace(/ ?\n[\s]*/g, '\n').trim();
}
