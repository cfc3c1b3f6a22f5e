// A TNEF attachment (winmail.dat, application/ms-tnef): Outlook puts the message body as compressed RTF
// (LZFu) in MAPI properties and the attachments inside it. The LZFu flag bytes and back-references break
// the digits apart, so a strings pass misses the card; TNEF is read instead (extract/tnef.ts): its body
// in every form (attBody, PR_BODY, PR_HTML, PR_RTF_COMPRESSED), its properties, and the files attached
// inside it (sniffed and nested like zip entries). A stream that does not add up is unscannable (corrupt).
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANALYSIS_LIMITS } from '../../engine/policy/analysis.js';
import { analyzeMessage } from '../../engine/policy/extract/analyze.js';
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';
import { CARD, zip } from './extraction-fixtures.js';
import { ATT, attribute, IID_IMESSAGE, lzfuCompress, propBlock, PT, string8, tnefStream, u32, unicode } from './tnef-fixtures.js';
import { describeAnalysis } from './analysis-checks.js';

const RTF = `{\\rtf1\\ansi customer card ${CARD} exp 12/29\\par}`;
/** Outlook's usual winmail.dat: the body as PR_RTF_COMPRESSED in attMsgProps. */
const rtfTnef = (rtf: string, opts: Parameters<typeof lzfuCompress>[1] = { literalsOnly: true }): Buffer =>
  tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.binary, id: 0x1009, values: [lzfuCompress(rtf, opts)] }])));
const attach = (name: string, type: string, data: Buffer): Buffer => inMultipart(`Content-Type: ${type}; name=${name}\nContent-Disposition: attachment; filename=${name}\nContent-Transfer-Encoding: base64`, b64(data));
const winmail = (data: Buffer): Buffer => attach('winmail.dat', 'application/ms-tnef', data);
/** A file attached inside the TNEF, the way Outlook writes it: rendering data, title, data. */
const attachedFile = (name: string, data: Buffer): Buffer[] => [attribute(2, ATT.attachRendData, Buffer.alloc(14)), attribute(2, ATT.attachTitle, string8(name)), attribute(2, ATT.attachData, data)];
const clean = (): Buffer => tnefStream(attribute(1, ATT.subject, string8('lunch on friday')), attribute(1, ATT.body, Buffer.from('see you at noon\r\n')), ...attachedFile('menu.txt', Buffer.from('soup, bread, salad')));
// a repeated phrase and the card's repeated groups: the compressor writes back-references through the number
const REPEATS = `{\\rtf1\\ansi\\ansicpg1252 statement statement statement: card ${CARD}, again ${CARD}\\par}`;

const VARIANTS: readonly Variant[] = [
  { name: 'winmail.dat (application/ms-tnef), the card in its compressed RTF body', build: () => winmail(rtfTnef(RTF)), expect: 'card', smtp: true },
  { name: 'a TNEF file declared application/octet-stream, named data.bin', build: () => attach('data.bin', 'application/octet-stream', rtfTnef(RTF)), expect: 'card' },
  { name: 'the compressed RTF with real back-references (into the dictionary and through the card)', build: () => winmail(rtfTnef(REPEATS, {})), expect: 'card', smtp: true },
  { name: 'the card in attBody (plain text)', build: () => winmail(tnefStream(attribute(1, ATT.body, Buffer.from(`pay with ${CARD}\r\n`)))), expect: 'card', smtp: true },
  { name: 'the card behind a NUL in attBody (a reader stopping at the NUL shows only the greeting)', build: () => winmail(tnefStream(attribute(1, ATT.body, Buffer.from(`hello\0pay with ${CARD}\0`)))), expect: 'card' },
  { name: 'the card in PR_BODY (PT_UNICODE) in attMsgProps', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.unicode, id: 0x1000, values: [unicode(`card ${CARD}`)] }])))), expect: 'card', smtp: true },
  { name: 'the card in PR_HTML (PT_BINARY), in an attribute', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.binary, id: 0x1013, values: [Buffer.from(`<html><body><a title="${CARD}">x</a></body></html>`)] }])))), expect: 'card' },
  { name: 'the card in PR_SUBJECT (PT_STRING8)', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.string8, id: 0x0037, values: [string8(`re: ${CARD}`)] }])))), expect: 'card' },
  { name: 'the card in the second value of a multi-valued PT_MV_STRING8 property', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.mvString8, id: 0x6001, values: [string8('one'), string8(CARD)] }])))), expect: 'card' },
  { name: 'the card in a file attached inside the TNEF (attAttachData, named by attAttachTitle)', build: () => winmail(tnefStream(attribute(1, ATT.body, Buffer.from('see attached')), ...attachedFile('card.txt', Buffer.from(`card ${CARD}`)))), expect: 'card', smtp: true },
  { name: 'the card in a zip attached inside the TNEF', build: () => winmail(tnefStream(...attachedFile('cards.zip', zip([{ name: 'inner/card.txt', data: `card ${CARD}` }])))), expect: 'card', smtp: true },
  {
    name: 'the card in an attachment given only by attAttachment (PR_ATTACH_LONG_FILENAME, PR_ATTACH_DATA_BIN)',
    build: () => winmail(tnefStream(attribute(2, ATT.attachRendData, Buffer.alloc(14)), attribute(2, ATT.attachment, propBlock([{ type: PT.unicode, id: 0x3707, values: [unicode('a long name.csv')] }, { type: PT.binary, id: 0x3701, values: [Buffer.from(`name,card\nann,${CARD}\n`)] }])))),
    expect: 'card',
  },
  {
    name: 'the card in an attached message (PR_ATTACH_DATA_OBJ: IID_IMessage, then its own TNEF)',
    build: () => winmail(tnefStream(attribute(2, ATT.attachRendData, Buffer.alloc(14)), attribute(2, ATT.attachment, propBlock([{ type: PT.long, id: 0x3705, values: [u32(5)] }, { type: PT.object, id: 0x3701, values: [Buffer.concat([IID_IMESSAGE, rtfTnef(RTF, {})])] }])))),
    expect: 'card',
    smtp: true,
  },
  // over HOLD_CHARS (1 MiB) a binary part is streamed as printable strings unless its type is held whole
  { name: 'a 1.5 MiB winmail.dat (a big attached file), the card in its compressed RTF body', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.binary, id: 0x1009, values: [lzfuCompress(RTF, { literalsOnly: true })] }])), ...attachedFile('photo.bin', Buffer.alloc(1536 << 10, 0xa5)))), expect: 'card', smtp: true },
  { name: 'a truncated TNEF stream', build: () => winmail(clean().subarray(0, clean().length - 9)), expect: { unscannable: 'corrupt', detail: /TNEF/ }, smtp: true },
  { name: 'a TNEF attribute whose length runs past the stream', build: () => winmail(tnefStream(attribute(1, ATT.body, Buffer.from('hello'), { length: 5000 }))), expect: { unscannable: 'corrupt', detail: /TNEF attribute/ }, smtp: true },
  { name: 'a TNEF attribute whose checksum does not match', build: () => winmail(tnefStream(attribute(1, ATT.body, Buffer.from('hello'), { checksum: 7 }))), expect: { unscannable: 'corrupt', detail: /checksum/ } },
  { name: 'a compressed RTF body of an unknown compression type', build: () => winmail(rtfTnef('{\\rtf1 hello}', { type: 0x5a5a5a5a })), expect: { unscannable: 'unsupported', detail: /compressed RTF type/ }, smtp: true },
  { name: 'a compressed RTF body whose CRC does not match', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.binary, id: 0x1009, values: [Buffer.concat([lzfuCompress(RTF).subarray(0, 12), u32(1), lzfuCompress(RTF).subarray(16)])] }])))), expect: { unscannable: 'corrupt', detail: /CRC/ } },
  {
    name: 'a compressed RTF body declaring 200 MiB from a few bytes',
    build: () => {
      const packed = lzfuCompress('{\\rtf1 hello}');
      packed.writeUInt32LE(200 << 20, 4);
      return winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: PT.binary, id: 0x1009, values: [packed] }]))));
    },
    expect: { unscannable: 'limit', detail: /RTF body declares 209715200 bytes/ },
  },
  { name: 'a MAPI property of an unknown type', build: () => winmail(tnefStream(attribute(1, ATT.msgProps, propBlock([{ type: 0x0777, id: 0x1000, values: [Buffer.from('x')] }])))), expect: { unscannable: 'unsupported', detail: /MAPI property type 0x0777/ } },
  // controls: an ordinary winmail.dat passes; the declared type alone does not make a TNEF file
  { name: 'control: a clean winmail.dat (subject, body, an attached menu)', build: () => winmail(clean()), expect: 'clean', smtp: true },
  { name: 'control: a clean winmail.dat with a compressed RTF body', build: () => winmail(rtfTnef('{\\rtf1\\ansi hello hello hello\\par}', {})), expect: 'clean' },
  { name: 'control: a text file declared application/ms-tnef', build: () => winmail(Buffer.from('plain words, nothing else')), expect: 'clean', smtp: true },
];

analysisSuite('evasion: TNEF (winmail.dat) attachments are read (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: TNEF attachments', 'tnef', VARIANTS);

describe('TNEF contents are named like archive entries', () => {
  it("the back-reference fixture's compressed RTF does not hold the card as one run (so decompression must resolve references)", () => {
    const packed = lzfuCompress(REPEATS);
    expect(packed.includes(Buffer.from(CARD, 'latin1'))).toBe(false);
    expect(packed.length).toBeLessThan(REPEATS.length);
  });

  it('a file attached inside winmail.dat is an attachment in it, labelled winmail.dat/<title>', async () => {
    const a = await analyzeMessage(winmail(tnefStream(...attachedFile('card.txt', Buffer.from(`card ${CARD}`)))), DEFAULT_ANALYSIS_LIMITS);
    expect(a.attachments.find((x) => x.name === 'card.txt'), describeAnalysis(a)).toMatchObject({ container: 'winmail.dat', sniffedType: 'text/plain' });
    expect(a.segments.find((s) => s.text.includes(CARD))?.label).toBe('winmail.dat/card.txt');
  });

  it('a TNEF inside a TNEF deeper than maxDepth is unscannable (limit), not opened', async () => {
    let inner = rtfTnef(RTF, {});
    for (let i = 0; i < 4; i++) inner = tnefStream(...attachedFile(`level${i}.dat`, inner));
    const a = await analyzeMessage(winmail(inner), { ...DEFAULT_ANALYSIS_LIMITS, maxDepth: 3 });
    expect(a.unscannable.find((u) => u.reason === 'limit'), describeAnalysis(a)).toMatchObject({ detail: /maxDepth/ });
  });
});
