// A text file read as its format reads, beside the text as written: markup (XML, SVG) without its tags and with
// its character references decoded; JSON with its string escapes decoded; iCalendar and vCard unfolded (RFC 5545
// §3.1, RFC 6350 §3.2), their TEXT escapes read and vCard 2.1's quoted-printable values decoded; percent-encoded
// text (URLs) decoded. A number that only one of these readings shows whole is found in it. Each reading is made
// only where its format's marks are in the text, with one linear pass.
import { decodeQuotedPrintable } from './simple-message.js';
import { percentDecode } from './percent-decode.js';
import { xmlFileText } from './markup-text.js';

const XML_NAME = /\.(xml|svg|xsd|xsl|xslt|rss|atom|kml|gpx|plist|xaml|resx|config|dtd)$/i;
const XML_TYPE = /(^|\+|\/)xml$|^image\/svg\+xml$/;
const XML_HEAD = /^\s*(<\?xml\b|<svg\b|<!DOCTYPE\s+svg)/i;
const CALENDAR = /^\s*BEGIN:(VCALENDAR|VCARD)\b/i;
const JSON_ESCAPE = /\\u[0-9a-fA-F]{4}/;
const PERCENT = /%[0-9A-Fa-f]{2}/;

/** The extra readings of a text file (none when its format writes it as it reads). */
export function textReadings(text: string, name: string, declaredType: string): string[] {
  const out: string[] = [];
  const add = (reading: string): void => {
    if (reading !== text && reading !== '' && !out.includes(reading)) out.push(reading);
  };
  const head = text.slice(0, 512);
  if (XML_HEAD.test(head) || XML_NAME.test(name) || XML_TYPE.test(declaredType)) add(xmlFileText(text, /<svg\b/i.test(head) || /\.svg$/i.test(name) || declaredType === 'image/svg+xml'));
  if (CALENDAR.test(head) || /\.(ics|vcs|vcf|ifb)$/i.test(name) || /^text\/(calendar|x?-?vcard|directory)$/.test(declaredType)) add(calendarText(text));
  if (JSON_ESCAPE.test(text)) add(jsonUnescaped(text));
  if (PERCENT.test(text)) add(percentDecode(text));
  return out;
}

/** JSON's string escapes decoded wherever they stand (\u0034, surrogate pairs, \n, \/ …). */
export function jsonUnescaped(text: string): string {
  return text.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_, e: string) => {
    if (e.startsWith('u')) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' } as Record<string, string>)[e] ?? e;
  });
}

/**
 * iCalendar or vCard content lines unfolded (a line break followed by a space or tab is nothing), quoted-printable
 * values (vCard 2.1: `ENCODING=QUOTED-PRINTABLE`, `=` ending a line continues it) decoded, TEXT escapes read
 * (`\n` a line break, `\,` `\;` `\\` the character).
 */
export function calendarText(text: string): string {
  const unfolded = text.replace(/\r?\n[ \t]/g, '');
  const lines: string[] = [];
  const raw = unfolded.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i] as string;
    const colon = line.indexOf(':');
    if (colon > 0 && /;\s*ENCODING=QUOTED-PRINTABLE/i.test(line.slice(0, colon))) {
      // soft line breaks: the value goes on past each line that ends with '=' (pieces joined once: linear)
      const pieces = [line];
      for (let last = line; last.endsWith('=') && i + 1 < raw.length; ) {
        pieces[pieces.length - 1] = last.slice(0, -1);
        last = raw[++i] as string;
        pieces.push(last);
      }
      line = pieces.join('');
      line = line.slice(0, colon + 1) + decodeQuotedPrintable(Buffer.from(line.slice(colon + 1), 'latin1')).toString('utf8');
    }
    lines.push(line.replace(/\\([nN,;\\])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c)));
  }
  return lines.join('\n');
}
