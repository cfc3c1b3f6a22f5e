// A TNEF attachment (winmail.dat, application/ms-tnef): Outlook puts the message body as compressed RTF
// (LZFu) in MAPI properties and the attachments inside it. Nothing here reads TNEF, and LZFu breaks the
// digits apart (a flag byte every 8 bytes), so the printable strings pass missed the card and the file
// passed as read. Unread, it must at least be unscannable: found by its signature, whatever it is called.
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';
import { CARD } from './extraction-fixtures.js';

const u16 = (n: number): Buffer => Buffer.from([n & 255, (n >> 8) & 255]);
const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n >>> 0); return b; };
const checksum = (data: Buffer): Buffer => u16([...data].reduce((a, b) => (a + b) & 0xffff, 0));
/** One TNEF attribute: level, id (attribute | type << 16), length, data, checksum. */
const attribute = (level: number, id: number, data: Buffer): Buffer => Buffer.concat([Buffer.from([level]), u32(id), u32(data.length), data, checksum(data)]);
/** LZFu "compressed" RTF with literal runs only: a zero flag byte before every 8 bytes of text. */
const lzfu = (rtf: string): Buffer => {
  const raw = Buffer.from(rtf, 'latin1');
  const runs: Buffer[] = [];
  for (let i = 0; i < raw.length; i += 8) runs.push(Buffer.concat([Buffer.from([0]), raw.subarray(i, i + 8)]));
  const body = Buffer.concat(runs);
  return Buffer.concat([u32(body.length + 12), u32(raw.length), Buffer.from('LZFu', 'latin1'), u32(0), body]);
};
/** A MAPI property block with one PT_BINARY PR_RTF_COMPRESSED (0x1009) value. */
const mapiRtf = (rtf: string): Buffer => {
  const value = lzfu(rtf);
  const pad = Buffer.alloc((4 - (value.length % 4)) % 4);
  return Buffer.concat([u32(1), u16(0x0102), u16(0x1009), u32(1), u32(value.length), value, pad]);
};
const tnef = (rtf: string): Buffer => Buffer.concat([u32(0x223e9f78), u16(0x0001), attribute(1, 0x00089006, u32(0x00010000)), attribute(1, 0x00069003, mapiRtf(rtf))]);
const RTF = `{\\rtf1\\ansi customer card ${CARD} exp 12/29\\par}`;
const attach = (name: string, type: string, data: Buffer): Buffer => inMultipart(`Content-Type: ${type}; name=${name}\nContent-Disposition: attachment; filename=${name}\nContent-Transfer-Encoding: base64`, b64(data));

const VARIANTS: readonly Variant[] = [
  { name: 'winmail.dat (application/ms-tnef), the card in its compressed RTF body', build: () => attach('winmail.dat', 'application/ms-tnef', tnef(RTF)), expect: { unscannable: 'unsupported', detail: /TNEF/ }, smtp: true },
  { name: 'a TNEF file declared application/octet-stream, named data.bin', build: () => attach('data.bin', 'application/octet-stream', tnef(RTF)), expect: { unscannable: 'unsupported', detail: /TNEF/ } },
  { name: 'a TNEF file without a card (still unread: unscannable)', build: () => attach('winmail.dat', 'application/vnd.ms-tnef', tnef('{\\rtf1 hello\\par}')), expect: { unscannable: 'unsupported', detail: /TNEF/ } },
  // control: the declared type alone does not make a TNEF file
  { name: 'control: a text file declared application/ms-tnef', build: () => attach('winmail.dat', 'application/ms-tnef', Buffer.from('plain words, nothing else')), expect: 'clean', smtp: true },
];

analysisSuite('evasion: TNEF (winmail.dat) attachments are never passed as read (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: TNEF attachments', 'tnef', VARIANTS);
