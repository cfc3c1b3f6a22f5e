// RTF to text: groups and control words go, \'hh bytes decode in the document's code page, \uN is a
// character (its \ucN fallback skipped). Binary destinations (pictures, fonts, theme data) are dropped;
// embedded objects ({\*\objdata}, hex or \binN bytes) are decoded and handed back as files, their OLE1
// header (MS-OLEDS 2.2.4) taken off, so an Excel sheet or a packaged file inside a letter is read too.
// Where the document has text a reader does not show (hidden, deleted, white, tiny: rtf-shown.ts), the
// text as shown follows the full text.
import { decodeAs, windows1252 } from './charset-decoder.js';
import { type Format, formatAfter, NOT_SHOWN, PLAIN, ShownText } from './rtf-shown.js';

const SKIP_DESTINATIONS = new Set(['fonttbl', 'colortbl', 'stylesheet', 'pict', 'themedata', 'colorschememapping', 'datastore', 'latentstyles', 'listtable', 'listoverridetable', 'rsidtbl']);

export interface RtfObject {
  /** The OLE class (Excel.Sheet.12, Package...), when the header names one. */
  readonly className: string | undefined;
  readonly data: Uint8Array;
}

export interface RtfDocument {
  readonly text: string;
  readonly objects: readonly RtfObject[];
}
const BREAKS: Readonly<Record<string, string>> = { par: '\n', line: '\n', sect: '\n', page: '\n', row: '\n', cell: ' ', tab: '\t', emdash: '—', endash: '–', bullet: '•', lquote: '‘', rquote: '’', ldblquote: '“', rdblquote: '”' };

interface Group {
  readonly skip: boolean;
  readonly uc: number;
  /** The character and paragraph properties that decide whether the group's text is shown. */
  readonly format: Format;
  /** In a destination no reader lays out (a field instruction, a bookmark name…). */
  readonly notShown: boolean;
  readonly colourTable?: boolean;
  /** Inside {\*\objdata}: the chunks of that object (hex text and \bin bytes), in order. */
  readonly object?: ObjectChunks;
  /** This group opened the object: it ends with the group. */
  readonly opensObject?: boolean;
}

type ObjectChunks = (string | Buffer)[];

export function readRtf(rtf: string): RtfDocument {
  const out: string[] = [];
  const objects: RtfObject[] = [];
  const stack: Group[] = [];
  const TOP: Group = { skip: false, uc: 1, format: PLAIN, notShown: false };
  let group: Group = TOP;
  const shown = new ShownText();
  let codepage = 'windows-1252';
  let pendingBytes: number[] = [];
  let skipChars = 0;
  const put = (s: string): void => {
    out.push(s);
    shown.add(s, group.format, group.notShown);
  };
  const flush = (): void => {
    if (pendingBytes.length === 0) return;
    if (!group.skip && group.object === undefined) put(decodeBytes(pendingBytes, codepage));
    pendingBytes = [];
  };
  const emit = (s: string): void => {
    if (skipChars > 0) {
      const n = Math.min(skipChars, s.length);
      skipChars -= n;
      s = s.slice(n);
    }
    if (group.object !== undefined) group.object.push(s);
    else if (group.colourTable === true) shown.tableText(s);
    else if (!group.skip && s !== '') put(s);
  };
  const n = rtf.length;
  for (let i = 0; i < n; ) {
    const c = rtf[i] ?? '';
    if (c === '{') {
      flush();
      stack.push(group);
      i++;
      const ignorable = rtf.startsWith('\\*', i);
      const word = /^\\\*?\\?([a-z]+)/.exec(rtf.slice(i, i + 40))?.[1] ?? '';
      // {\*\dest ...} is an optional destination: keep its text unless it is known binary
      const skip = group.skip || SKIP_DESTINATIONS.has(word) || (ignorable && SKIP_DESTINATIONS.has(word));
      const inherited = { skip, uc: group.uc, format: group.format, notShown: group.notShown || NOT_SHOWN.has(word), ...(word === 'colortbl' ? { colourTable: true } : {}) };
      if (word === 'objdata' && group.object === undefined) group = { ...inherited, object: [], opensObject: true };
      else group = { ...inherited, ...(group.object === undefined ? {} : { object: group.object }) };
    } else if (c === '}') {
      flush();
      if (group.opensObject === true && group.object !== undefined) objects.push(objectOf(group.object));
      group = stack.pop() ?? TOP;
      i++;
    } else if (c === '\\') {
      const m = /^\\([a-z]{1,32})(-?\d{1,10})? ?/.exec(rtf.slice(i, i + 45));
      if (m !== null) {
        const [all, word = '', arg] = m;
        i += all.length;
        if (word === 'bin') {
          const length = Math.max(0, Number(arg ?? 0));
          group.object?.push(Buffer.from(rtf.slice(i, i + length), 'latin1'));
          i += length;
          continue;
        }
        flush();
        shown.control(word, arg, group.colourTable === true);
        const format = formatAfter(group.format, word, arg);
        if (format !== undefined) group = { ...group, format };
        if (word === 'u' && arg !== undefined) {
          const cp = Number(arg) < 0 ? Number(arg) + 65536 : Number(arg);
          emit(String.fromCharCode(cp));
          skipChars = group.uc;
        } else if (word === 'uc' && arg !== undefined) group = { ...group, uc: Number(arg) };
        else if (word === 'ansicpg' && arg !== undefined) codepage = `windows-${arg}`;
        else if (BREAKS[word] !== undefined) emit(BREAKS[word]);
        continue;
      }
      const next = rtf[i + 1] ?? '';
      if (next === "'" && /^[0-9a-fA-F]{2}$/.test(rtf.slice(i + 2, i + 4))) {
        if (skipChars > 0) skipChars--;
        else pendingBytes.push(parseInt(rtf.slice(i + 2, i + 4), 16));
        i += 4;
        continue;
      }
      flush();
      if (next === '\\' || next === '{' || next === '}') emit(next);
      else if (next === '~') emit(' ');
      else if (next === '_') emit('-');
      else if (next === '\n' || next === '\r') emit('\n');
      i += 2;
    } else {
      flush();
      let j = i;
      while (j < n && rtf[j] !== '\\' && rtf[j] !== '{' && rtf[j] !== '}') j++;
      // line ends in RTF source are not text
      emit(rtf.slice(i, j).replace(/[\r\n]+/g, ''));
      i = j;
    }
  }
  flush();
  // an object still open at the end of a cut-off document is read as far as it goes
  const unclosed = new Set([...stack, group].flatMap((g) => (g.opensObject === true && g.object !== undefined ? [g.object] : [])));
  for (const chunks of unclosed) objects.push(objectOf(chunks));
  const text = out.join('');
  const asShown = shown.text();
  return { text: asShown === undefined ? text : `${text}\n${asShown}`, objects };
}

function objectOf(chunks: ObjectChunks): RtfObject {
  const bytes = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? hexBytes(c) : c)));
  return ole1Native(bytes) ?? { className: undefined, data: bytes };
}

// Hex digits only; an odd one out at the end of a run is dropped, as Word does.
function hexBytes(text: string): Buffer {
  const hex = text.replace(/[^0-9a-fA-F]/g, '');
  return Buffer.from(hex.length % 2 === 1 ? hex.slice(0, -1) : hex, 'hex');
}

// ObjectHeader: OLEVersion (4), FormatID (4: 2 embedded), ClassName, TopicName, ItemName (each a 4-byte
// length and that many bytes), NativeDataSize (4), NativeData. Anything else is returned as it is.
function ole1Native(b: Buffer): RtfObject | undefined {
  if (b.length < 24 || b.readUInt32LE(4) !== 2) return undefined;
  let o = 8;
  const names: string[] = [];
  for (let k = 0; k < 3; k++) {
    const n = b.readUInt32LE(o);
    if (n > 4096 || o + 4 + n + 4 > b.length) return undefined;
    names.push(b.toString('latin1', o + 4, o + 4 + n).replace(/\0+$/, ''));
    o += 4 + n;
  }
  const size = b.readUInt32LE(o);
  const data = b.subarray(o + 4, Math.min(b.length, o + 4 + size));
  return { className: names[0] === '' ? undefined : names[0], data };
}

function decodeBytes(bytes: number[], codepage: string): string {
  try {
    return decodeAs(codepage, Uint8Array.from(bytes));
  } catch {
    return windows1252(Uint8Array.from(bytes));
  }
}
