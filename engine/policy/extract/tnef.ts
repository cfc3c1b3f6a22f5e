// TNEF (winmail.dat, application/ms-tnef) per [MS-OXTNEF] (2.1.3: the stream syntax; 3.1: a sample message):
// signature 0x223E9F78 and a 16-bit key, then attributes: level (1 message, 2 attachment), id (type in the
// high word), length, data and a 16-bit checksum (sum of the data bytes). The message's body comes as
// attBody, or in attMsgProps as PR_BODY, PR_HTML or PR_RTF_COMPRESSED (LZFu, lzfu.ts); each attachment
// starts with attAttachRendData and brings its name (attAttachTitle, PR_ATTACH_LONG_FILENAME) and bytes
// (attAttachData, PR_ATTACH_DATA_BIN, or an attached message as PR_ATTACH_DATA_OBJ). What does not add
// up stops the reading there and is reported with its offset; what was read before it is kept.
import { decompressRtf } from './lzfu.js';
import { readProps, type MapiProp } from './mapi-props.js';
import { printableStrings } from './strings.js';
import { type ChunkDecoder, charsetDecoder } from './charset-decoder.js';

export interface TnefAttachment {
  readonly name: string;
  /** Its bytes, a file to extract (sniffed like any attachment), or an attached message's own TNEF stream. */
  readonly files: readonly Uint8Array[];
  /** Its other property strings (display name, MIME tag, transport name...). */
  readonly text: string;
}

export interface TnefProblem {
  readonly reason: 'corrupt' | 'unsupported' | 'limit';
  readonly detail: string;
}

export interface TnefContent {
  /** attBody and PR_BODY: the plain-text body. */
  readonly body: string;
  /** Every other string the message carries (subject, sender, recipients, named properties). */
  readonly properties: string;
  /** PR_RTF_COMPRESSED, decompressed. */
  readonly rtf: readonly Uint8Array[];
  readonly html: readonly Uint8Array[];
  readonly attachments: readonly TnefAttachment[];
  readonly problems: readonly TnefProblem[];
}

export const TNEF_SIGNATURE = 0x223e9f78;

// [MS-OXTNEF] 2.1.3 (attribute ids), their type (atp*) in the high word
const ATT_BODY = 0x0002800c;
const ATT_MSG_PROPS = 0x00069003;
const ATT_RECIP_TABLE = 0x00069004;
const ATT_OEM_CODEPAGE = 0x00069007;
const ATT_ATTACH_REND_DATA = 0x00069002;
const ATT_ATTACH_TITLE = 0x00018010;
const ATT_ATTACH_DATA = 0x0006800f;
const ATT_ATTACHMENT = 0x00069005;
const ATP_STRING = 0x0001;
const ATP_TEXT = 0x0002;

// MAPI property ids ([MS-OXPROPS])
const PR_BODY = 0x1000;
const PR_RTF_COMPRESSED = 0x1009;
const PR_HTML = 0x1013;
const PR_ATTACH_DATA = 0x3701;
const PR_ATTACH_FILENAME = 0x3704;
const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_DISPLAY_NAME = 0x3001;

const CODEPAGES: Readonly<Record<number, string>> = { 874: 'windows-874', 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 866: 'ibm866', 20866: 'koi8-r', 28591: 'iso-8859-1', 28592: 'iso-8859-2', 28605: 'iso-8859-15', 65001: 'utf-8' };

interface Attachment {
  title: string;
  longName: string;
  fileName: string;
  files: Uint8Array[];
  text: string[];
}

class Reader {
  readonly body: string[] = [];
  readonly properties: string[] = [];
  readonly rtf: Uint8Array[] = [];
  readonly html: Uint8Array[] = [];
  readonly attachments: Attachment[] = [];
  readonly problems: TnefProblem[] = [];
  #decoder: ChunkDecoder = charsetDecoder('windows-1252');
  constructor(readonly rtfCap: (compressed: number) => number) {}

  /** A string in the stream's code page: the whole value, as text behind a NUL is still text a reader may get. */
  string8(data: Uint8Array): string {
    return withoutNuls(this.#decoder.decode(data));
  }

  codepage(data: Uint8Array): void {
    if (data.length < 4) return;
    const cp = new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
    const label = cp >= 1250 && cp <= 1258 ? `windows-${cp}` : CODEPAGES[cp];
    if (label !== undefined) this.#decoder = charsetDecoder(label);
  }

  messageProps(props: readonly MapiProp[]): void {
    for (const p of props) {
      for (const v of p.values) {
        if (p.id === PR_RTF_COMPRESSED && typeof v !== 'string') this.addRtf(v);
        else if (p.id === PR_HTML) this.html.push(typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
        else if (p.id === PR_BODY && typeof v === 'string') this.body.push(v);
        else this.properties.push(typeof v === 'string' ? v : printableStrings(v));
      }
    }
  }

  addRtf(value: Uint8Array): void {
    const r = decompressRtf(value, this.rtfCap(value.length));
    if ('reason' in r) this.problems.push({ reason: r.reason, detail: `PR_RTF_COMPRESSED: ${r.detail}` });
    else this.rtf.push(r.ok);
  }

  attachmentProps(a: Attachment, props: readonly MapiProp[]): void {
    for (const p of props) {
      for (const v of p.values) {
        if (typeof v === 'string') {
          if (p.id === PR_ATTACH_LONG_FILENAME) a.longName = v;
          else if (p.id === PR_ATTACH_FILENAME) a.fileName = v;
          else if (p.id === PR_DISPLAY_NAME && a.title === '') a.title = v;
          a.text.push(v);
        } else if (p.id === PR_ATTACH_DATA) {
          // PR_ATTACH_DATA_OBJ (PT_OBJECT): an interface id leads the bytes; behind IID_IMessage an attached
          // message follows as a TNEF stream of its own, behind IID_IStorage an OLE file: both sniffed as files
          const data = p.object ? v.subarray(16) : v;
          if (!a.files.some((f) => Buffer.compare(f, data) === 0)) a.files.push(data);
        } else a.text.push(printableStrings(v));
      }
    }
  }
}

/** The contents of a TNEF stream; `rtfCap` bounds each decompressed RTF body by its compressed size. */
export function readTnef(data: Uint8Array, rtfCap: (compressed: number) => number): TnefContent {
  const r = new Reader(rtfCap);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  if (data.length < 6 || view.getUint32(0, true) !== TNEF_SIGNATURE) r.problems.push({ reason: 'corrupt', detail: 'TNEF stream without its signature and key' });
  else readAttributes(data, view, r);
  return {
    body: r.body.join('\n'),
    properties: r.properties.filter((s) => s !== '').join('\n'),
    rtf: r.rtf,
    html: r.html,
    attachments: r.attachments.map((a, i) => ({ name: baseName(a.longName || a.title || a.fileName) || `attachment ${i + 1}`, files: a.files, text: a.text.filter((s) => s !== '').join('\n') })),
    problems: r.problems,
  };
}

function readAttributes(data: Uint8Array, view: DataView, r: Reader): void {
  let attachment: Attachment | undefined;
  for (let pos = 6; pos < data.length; ) {
    if (pos + 9 > data.length) return void r.problems.push({ reason: 'corrupt', detail: `TNEF stream ends inside an attribute header at byte ${pos}` });
    const level = data[pos] as number;
    const id = view.getUint32(pos + 1, true);
    const length = view.getUint32(pos + 5, true);
    const name = `TNEF attribute 0x${id.toString(16).padStart(8, '0')} at byte ${pos}`;
    if (level !== 1 && level !== 2) return void r.problems.push({ reason: 'corrupt', detail: `${name}: level ${level} is neither message (1) nor attachment (2)` });
    if (length > data.length - pos - 11) return void r.problems.push({ reason: 'corrupt', detail: `${name} declares ${length} bytes, ${Math.max(0, data.length - pos - 11)} are left` });
    const value = data.subarray(pos + 9, pos + 9 + length);
    const sum = view.getUint16(pos + 9 + length, true);
    if (sum !== checksum(value)) return void r.problems.push({ reason: 'corrupt', detail: `${name}: checksum 0x${sum.toString(16)} does not match its data (0x${checksum(value).toString(16)})` });
    pos += 11 + length;
    if (level === 2 && (id === ATT_ATTACH_REND_DATA || attachment === undefined)) {
      attachment = { title: '', longName: '', fileName: '', files: [], text: [] };
      r.attachments.push(attachment);
    }
    const problem = level === 1 ? messageAttribute(r, id, value) : attachmentAttribute(r, attachment as Attachment, id, value);
    if (problem !== undefined) return void r.problems.push({ reason: problem.reason, detail: `${name}: ${problem.detail}` });
  }
}

function messageAttribute(r: Reader, id: number, value: Uint8Array): TnefProblem | undefined {
  switch (id) {
    case ATT_BODY:
      r.body.push(r.string8(value));
      return undefined;
    case ATT_OEM_CODEPAGE:
      r.codepage(value);
      return undefined;
    case ATT_MSG_PROPS: {
      const props = readProps(value, 0, (b) => r.string8(b));
      if ('reason' in props) return props;
      r.messageProps(props.props);
      return undefined;
    }
    case ATT_RECIP_TABLE:
      return recipients(r, value);
    default:
      if (id >>> 16 === ATP_STRING || id >>> 16 === ATP_TEXT) r.properties.push(r.string8(value));
      return undefined;
  }
}

/** attRecipTable: a row count, then each row a property list like attMsgProps. */
function recipients(r: Reader, value: Uint8Array): TnefProblem | undefined {
  if (value.length < 4) return { reason: 'corrupt', detail: 'recipient table without its row count' };
  const rows = new DataView(value.buffer, value.byteOffset, value.length).getUint32(0, true);
  let at = 4;
  for (let i = 0; i < rows; i++) {
    const row = readProps(value, at, (b) => r.string8(b));
    if ('reason' in row) return row;
    for (const p of row.props) for (const v of p.values) if (typeof v === 'string') r.properties.push(v);
    at = row.end;
  }
  return undefined;
}

function attachmentAttribute(r: Reader, a: Attachment, id: number, value: Uint8Array): TnefProblem | undefined {
  switch (id) {
    case ATT_ATTACH_TITLE:
      a.title = r.string8(value);
      return undefined;
    case ATT_ATTACH_DATA:
      a.files.push(value);
      return undefined;
    case ATT_ATTACHMENT: {
      const props = readProps(value, 0, (b) => r.string8(b));
      if ('reason' in props) return props;
      r.attachmentProps(a, props.props);
      return undefined;
    }
    default:
      if (id >>> 16 === ATP_STRING || id >>> 16 === ATP_TEXT) a.text.push(r.string8(value));
      return undefined;
  }
}

function withoutNuls(text: string): string {
  return text.replace(/\0+$/, '').replace(/\0+/g, '\n');
}

function checksum(data: Uint8Array): number {
  let sum = 0;
  for (const b of data) sum = (sum + b) & 0xffff;
  return sum;
}

/** A name as Outlook stores it may be a path, in either separator. */
function baseName(path: string): string {
  const p = path.replace(/\\/g, '/');
  return p.slice(p.lastIndexOf('/') + 1);
}
