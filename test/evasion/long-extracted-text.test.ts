// Texts over the 8 MiB an extracted text is held whole (EXTRACTED_HOLD_CHARS): they are kept as bytes and
// scanned in windows, and what a reader decodes inside them must not be lost on the way: files uuencoded or
// yEncoded at their end, and text/enriched formatting between the digits. Below 1 MiB these are in
// mime-encodings.test.ts; between 1 and 8 MiB the streamed part path reads them (PartStream).
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';
import { CARD, zip } from './extraction-fixtures.js';
import { uuencode } from '../fixtures/uuencode.js';

const CARD_TEXT = `customer card ${CARD} exp 12/29`;
const DIGITS = CARD.replace(/\D/g, '');
/** 9 MiB of pseudo-random letters in lines (random enough that a zip of it stays under the 100:1 ratio cap). */
const BIG = ((): string => {
  const out = Buffer.alloc(9 << 20);
  let x = 12345;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = i % 80 === 79 ? 0x0a : x % 7 === 0 ? 0x20 : 0x61 + ((x >> 8) % 26);
  }
  return `${out.toString('latin1')}\n`;
})();
const yenc = (data: Buffer): string => `=ybegin line=128 size=${data.length} name=card.txt\n${[...data].map((b) => String.fromCharCode((b + 42) & 255)).join('')}\n=yend size=${data.length}\n`;
const attached = (name: string, type: string, body: string): Buffer => inMultipart(`Content-Type: ${type}; name=${name}\nContent-Disposition: attachment; filename=${name}`, body);
const zipped = (name: string, text: string): Buffer => inMultipart('Content-Type: application/zip; name=a.zip\nContent-Disposition: attachment; filename=a.zip\nContent-Transfer-Encoding: base64', b64(zip([{ name, data: text }])));

const VARIANTS: readonly Variant[] = [
  { name: 'a 9 MiB text attachment, a uuencoded file at its end', build: () => attached('notes.txt', 'text/plain', `${BIG}${uuencode(Buffer.from(CARD_TEXT), 'inner.bin')}`), expect: 'card' },
  { name: 'a 9 MiB text attachment, a yEnc block at its end', build: () => attached('notes.txt', 'text/plain', `${BIG}${yenc(Buffer.from(CARD_TEXT))}`), expect: 'card' },
  { name: 'a 9 MiB text file in a zip, a uuencoded file at its end', build: () => zipped('big.txt', `${BIG}${uuencode(Buffer.from(CARD_TEXT), 'inner.bin')}`), expect: 'card', smtp: true },
  // held before the fix
  { name: 'a 9 MiB text/enriched attachment, the digits split by <bold> at its end', build: () => attached('e.txt', 'text/enriched', `${BIG}${DIGITS.slice(0, 8)}<bold>${DIGITS.slice(8)}</bold>`), expect: 'card' },
  // control
  { name: 'control: a 9 MiB text attachment with a clean uuencoded file at its end', build: () => attached('notes.txt', 'text/plain', `${BIG}${uuencode(Buffer.from('nothing here'), 'inner.bin')}`), expect: 'clean' },
];

analysisSuite('evasion: encoded files and formatting inside texts over 8 MiB (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: a uuencoded file at the end of a 9 MiB text in a zip', 'long-extracted', VARIANTS);
