// The messages of bench:inspect, shared with bench/inspect-profile.mjs so that a profile runs on the
// same bytes the benchmark measures.
import { deflateSync } from 'node:zlib';
import { strToU8, zipSync } from 'fflate';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

// Realistic-looking text: words from a small vocabulary in pseudo-random order (it compresses about 5:1 with
// gzip, real prose 3-4:1), numbers that are not cards, one line per ~90 characters.
export function prose(bytes) {
  const words = ['quarterly', 'report', 'customer', 'invoice', '2024-10-31', 'total', 'EUR', '1,234.56', 'shipment', 'order', '#883412', 'please', 'review', 'attached', 'figures', 'regards', 'the', 'of', 'and', 'delivery', 'contract', 'renewal', 'account', 'manager', 'meeting', 'Tuesday', 'agenda', 'budget', 'forecast', 'region', 'north', 'south'];
  let seed = 42;
  // Math.imul: a float product loses its low bits (after a few hundred steps every word was the first one);
  // the high bits: the low bits of a power-of-two LCG cycle (mod 32 they repeat every 32 words)
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) >>> 12;
  const lines = [];
  let n = 0;
  while (n < bytes) {
    let line = `${next() % 100000} `;
    while (line.length < 88) line += `${words[next() % words.length]} `;
    lines.push(line.trimEnd());
    n += line.length;
  }
  return lines;
}

export const message = (opts) => new MailComposer({ from: 'alice@corp.example', to: 'bob@partner.example', subject: 'bench', ...opts }).compile().build();

export function docx(lines) {
  const body = lines.map((l) => `<w:p><w:r><w:t>${l}</w:t></w:r></w:p>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
    'word/document.xml': strToU8(`<?xml version="1.0"?><w:document xmlns:w="w"><w:body>${body}</w:body></w:document>`),
  });
}

export function xlsx(lines) {
  const shared = lines.map((l) => `<si><t>${l}</t></si>`).join('');
  const rows = lines.map((_, i) => `<row r="${i + 1}"><c r="A${i + 1}" t="s"><v>${i}</v></c><c r="B${i + 1}"><v>${i * 3}</v></c></row>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
    'xl/sharedStrings.xml': strToU8(`<?xml version="1.0"?><sst>${shared}</sst>`),
    'xl/worksheets/sheet1.xml': strToU8(`<?xml version="1.0"?><worksheet><sheetData>${rows}</sheetData></worksheet>`),
  });
}

// The identity ToUnicode map most producers write for a simple font (printable ASCII to itself): any
// ToUnicode map sends a PDF to pdf.js, since a map can make a glyph mean other characters than its byte.
const IDENTITY_TO_UNICODE = Buffer.from('/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<00> <FF>\nendcodespacerange\n1 beginbfrange\n<20> <7E> <0020>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend');

// A PDF of pages of 50 lines each, Flate content streams, xref computed; `toUnicode`: its font carries
// the identity map above (read by pdf.js, not the content-stream fast path).
export function pdf(lines, { toUnicode = false } = {}) {
  const pages = [];
  for (let i = 0; i < lines.length; i += 50) pages.push(lines.slice(i, i + 50));
  const font = toUnicode ? '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 4 0 R >>' : '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const objs = ['<< /Type /Catalog /Pages 2 0 R >>', null, font];
  if (toUnicode) objs.push(Buffer.concat([Buffer.from(`<< /Length ${IDENTITY_TO_UNICODE.length} >>\nstream\n`), IDENTITY_TO_UNICODE, Buffer.from('\nendstream')]));
  const kids = [];
  for (const page of pages) {
    const content = deflateSync(Buffer.from(`BT /F1 10 Tf 12 TL 40 780 Td ${page.map((l) => `(${l}) '`).join(' ')} ET`));
    objs.push(Buffer.concat([Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`), content, Buffer.from('\nendstream')]));
    const contentRef = objs.length;
    objs.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${contentRef} 0 R >>`);
    kids.push(`${objs.length} 0 R`);
  }
  objs[1] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${kids.length} >>`;
  const parts = [Buffer.from('%PDF-1.4\n')];
  const offsets = [];
  let pos = parts[0].length;
  objs.forEach((o, i) => {
    const b = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.isBuffer(o) ? o : Buffer.from(o), Buffer.from('\nendobj\n')]);
    offsets.push(pos);
    parts.push(b);
    pos += b.length;
  });
  parts.push(Buffer.from(`xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${pos}\n%%EOF\n`));
  return Buffer.concat(parts);
}

