// A PDF's metadata as text: the XMP packets of its metadata streams (/Type /Metadata /Subtype /XML, the
// document's and any other object's) and the strings of its information dictionary as pdf.js reports
// them. A reader shows both in its document properties, so a number kept only there is still carried.
import { xmlAttributeText } from './markup-text.js';
import { decodeEntities } from './html-entities.js';
import type { PdfStream } from './pdf-streams.js';

const METADATA_STREAM = /\/Type\s*\/Metadata\b|\/Subtype\s*\/XML\b/;

export const isMetadataStream = (s: PdfStream): boolean => METADATA_STREAM.test(s.dict);

/** The text of every decoded metadata stream of the scan (an opaque one is left to pdf.js). */
export function metadataStreamsText(streams: readonly PdfStream[]): string {
  return streams
    .filter((s) => !s.opaque && isMetadataStream(s))
    .map((s) => xmpText(decodeXmp(s.data)))
    .filter((t) => t !== '')
    .join('\n');
}

// XMP packets are UTF-8, or UTF-16 with a byte order mark (XMP part 1, 7.3.2)
function decodeXmp(b: Uint8Array): string {
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b);
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b);
  return new TextDecoder('utf-8').decode(b);
}

/**
 * An XMP packet's text: element content (CDATA and comments too), each element on its own line so list
 * items do not run together, then every attribute value (RDF writes simple properties as attributes of
 * rdf:Description, `pdf:Keywords="…"`). One pass with indexOf.
 */
export function xmpText(xml: string): string {
  const out: string[] = [];
  let pos = 0;
  while (pos < xml.length) {
    const lt = xml.indexOf('<', pos);
    if (lt < 0) {
      out.push(decodeEntities(xml.slice(pos)));
      break;
    }
    out.push(decodeEntities(xml.slice(pos, lt)));
    const literal = xml.startsWith('<![CDATA[', lt) ? ['<![CDATA[', ']]>'] : xml.startsWith('<!--', lt) ? ['<!--', '-->'] : undefined;
    if (literal !== undefined) {
      const [open = '', close = ''] = literal;
      const end = xml.indexOf(close, lt + open.length);
      out.push('\n', xml.slice(lt + open.length, end < 0 ? xml.length : end), '\n');
      pos = end < 0 ? xml.length : end + close.length;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    out.push('\n');
    pos = gt < 0 ? xml.length : gt + 1;
  }
  const text = out.join('').replace(/[ \t\r\f\v]+/g, ' ').replace(/ ?\n\s*/g, '\n').trim();
  const attributes = xmlAttributeText(xml, true);
  return attributes === '' ? text : `${text}\n${attributes}`;
}

/** Every string of pdf.js's information dictionary (Title, Author, Creator, Producer… and custom keys). */
export function infoText(info: Readonly<Record<string, unknown>>): string {
  const out: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string' && v.trim() !== '') out.push(v);
  };
  for (const [key, value] of Object.entries(info)) {
    if (key === 'Custom' && typeof value === 'object' && value !== null) for (const v of Object.values(value)) add(typeof v === 'object' && v !== null && 'name' in v ? v.name : v);
    else add(value);
  }
  return out.join('\n');
}
