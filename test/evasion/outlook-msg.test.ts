// Outlook .msg files ([MS-OXMSG]: an OLE compound file of MAPI properties), attached to a mail as Outlook
// attaches an item: the message's properties are streams `__substg1.0_<tag><type>` (strings in UTF-16LE or
// 8-bit), its body is PR_BODY, PR_HTML or PR_RTF_COMPRESSED (LZFu), and every attachment is a storage
// `__attach_version1.0_#n` holding its name and its bytes (PR_ATTACH_DATA_BIN) or, for an attached message,
// a storage of its own (PR_ATTACH_DATA_OBJ). Before, a .msg was read as a binary's printable strings: a body
// only in compressed RTF, and every file attached inside it (a zip, a Word document), passed unread.
import { deflateRawSync } from 'node:zlib';
import { zipSync, strToU8 } from 'fflate';
import { cfbTree, type CfbNode } from './cfb-fixtures.js';
import { lzfuCompress } from './tnef-fixtures.js';
import { analysisSuite, b64, inMultipart, smtpSuite, type Variant } from './variant-suite.js';

const CARD = '4111 1111 1111 1111';
const prop = (tag: number, type: number, data: Uint8Array): CfbNode => ({ name: `__substg1.0_${tag.toString(16).padStart(4, '0').toUpperCase()}${type.toString(16).padStart(4, '0').toUpperCase()}`, data });
const unicode = (tag: number, s: string): CfbNode => prop(tag, 0x001f, Buffer.from(s, 'utf16le'));
const string8 = (tag: number, s: string): CfbNode => prop(tag, 0x001e, Buffer.from(s, 'latin1'));
const binary = (tag: number, b: Uint8Array): CfbNode => prop(tag, 0x0102, b);
/** The fixed-length property stream every message storage has (its header; no values needed here). */
const properties = (top: boolean): CfbNode => ({ name: '__properties_version1.0', data: Buffer.alloc(top ? 32 : 24) });
const attachment = (n: number, name: string, content: readonly CfbNode[]): CfbNode => ({ name: `__attach_version1.0_#${n.toString(16).padStart(8, '0').toUpperCase()}`, children: [properties(false), unicode(0x3707, name), unicode(0x3704, name), ...content] });
const fileAttachment = (n: number, name: string, data: Uint8Array): CfbNode => attachment(n, name, [binary(0x3701, data)]);
const messageAttachment = (n: number, name: string, inner: readonly CfbNode[]): CfbNode => attachment(n, name, [{ name: '__substg1.0_3701000D', children: [properties(false), ...inner] }]);
const msg = (nodes: readonly CfbNode[]): Buffer => cfbTree([properties(true), unicode(0x0037, 'quarterly figures'), ...nodes]);
const attachMsg = (file: Buffer): Buffer => inMultipart('Content-Type: application/vnd.ms-outlook; name="figures.msg"\nContent-Disposition: attachment; filename="figures.msg"\nContent-Transfer-Encoding: base64', b64(file));
const zipOf = (text: string): Uint8Array => zipSync({ 'cards.txt': strToU8(text) });
const docxOf = (text: string): Uint8Array => zipSync({ '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'), 'word/document.xml': strToU8(`<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>${text}</w:t></w:r></w:p></w:body></w:document>`) });
const rtfBody = (text: string): Uint8Array => lzfuCompress(`{\\rtf1\\ansi\\deff0 {\\fonttbl{\\f0 Arial;}} ${text}\\par}`);

const VARIANTS: readonly Variant[] = [
  { name: 'the card in the body, PR_BODY in UTF-16LE', build: () => attachMsg(msg([unicode(0x1000, `see ${CARD}`)])), expect: 'card' },
  { name: 'the card only in the compressed RTF body (PR_RTF_COMPRESSED, LZFu)', build: () => attachMsg(msg([binary(0x1009, rtfBody(`card ${CARD}`))])), expect: 'card', smtp: true },
  { name: 'the card only in the HTML body (PR_HTML, binary)', build: () => attachMsg(msg([binary(0x1013, Buffer.from(`<html><body><p>card ${CARD.split(' ').join('<b></b> ')}</p></body></html>`))])), expect: 'card' },
  { name: 'the card in a zip attached inside the .msg', build: () => attachMsg(msg([unicode(0x1000, 'see the zip'), fileAttachment(0, 'cards.zip', zipOf(`card ${CARD}`))])), expect: 'card', smtp: true },
  { name: 'the card in a Word document attached inside the .msg', build: () => attachMsg(msg([unicode(0x1000, 'see the document'), fileAttachment(0, 'report.docx', docxOf(`card ${CARD}`))])), expect: 'card' },
  { name: 'two zips attached inside, the card in the first (a zip found by its end record is the last one)', build: () => attachMsg(msg([fileAttachment(0, 'cards.zip', zipOf(`card ${CARD}`)), fileAttachment(1, 'notes.zip', zipOf('nothing to see'))])), expect: 'card', smtp: true },
  { name: 'the card in the RTF body of a message attached inside the .msg (PR_ATTACH_DATA_OBJ)', build: () => attachMsg(msg([unicode(0x1000, 'forwarded'), messageAttachment(0, 'original', [unicode(0x0037, 'original'), binary(0x1009, rtfBody(`card ${CARD}`))])])), expect: 'card' },
  { name: 'the card in a zip attached to a message attached inside the .msg', build: () => attachMsg(msg([messageAttachment(0, 'original', [unicode(0x0037, 'original'), fileAttachment(0, 'cards.zip', zipOf(`card ${CARD}`))])])), expect: 'card' },
  { name: 'the card in the subject, 8-bit (PR_SUBJECT_A)', build: () => attachMsg(cfbTree([properties(true), string8(0x0037, `card ${CARD}`)])), expect: 'card' },
  { name: 'an encrypted zip attached inside the .msg', build: () => attachMsg(msg([fileAttachment(0, 'secret.zip', encryptedZip())])), expect: { unscannable: 'encrypted' } },
  { name: 'control: a .msg without a card, a zip inside', build: () => attachMsg(msg([unicode(0x1000, 'all fine'), fileAttachment(0, 'notes.zip', zipOf('nothing to see'))])), expect: 'clean', smtp: true },
];

/** A zip whose one entry has the encryption flag set (ZipCrypto): its bytes are not read. */
function encryptedZip(): Uint8Array {
  const data = deflateRawSync(Buffer.from(`card ${CARD}`));
  const name = Buffer.from('cards.txt');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(1, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(24, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(1, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(24, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(30 + name.length + data.length, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

analysisSuite('evasion: Outlook .msg files read by their properties and attachments (held and streamed)', VARIANTS);
smtpSuite('evasion over SMTP: Outlook .msg files read by their properties and attachments', 'outlook-msg', VARIANTS);
