// uuencoded files ("begin 644 name" … "end", and uuencode -m's "begin-base64 644 name" … "====") and yEnc
// blocks ("=ybegin … name=x" … "=yend", which newsreaders and Thunderbird decode) inside a text, decoded as
// the text streams by: older mailers and Usenet gateways still send attachments so, and mail clients
// (Thunderbird, Outlook) show them as attachments. Each decoded file becomes a part that
// extract-file.ts sniffs like any attachment (a uuencoded zip is opened). Between blocks only the start
// of a chunk's last line is kept, so the cost of a text without a block is one search per chunk.
import type { ByteBudget } from './byte-budget.js';

export interface UuFile {
  readonly name: string;
  readonly content: Buffer;
  /** Its full decoded size, counted even where the budget kept only a prefix. */
  readonly size: number;
  readonly truncated: boolean;
  /** A yEnc part ("=ybegin part=N", "=ypart begin=B"): where its bytes start in the whole file (1-based). */
  readonly yencPart?: { readonly part: number; readonly begin: number };
}

const BEGIN = /^(?:begin(-base64)?[ \t]+[0-7]{1,4}[ \t]+(\S.*?)|=ybegin[ \t](?:.*?[ \t])?name=(.*?))[ \t]*$/m;
/** The longest line start kept between chunks while no block is open ("begin-base64 0644 " and a name). */
const PENDING_CHARS = 1024;

interface OpenFile {
  readonly name: string;
  readonly kind: 'uu' | 'base64' | 'yenc';
  /** yEnc multi-part: the part number of the begin line, then the offset of its =ypart line. */
  part?: { readonly part: number; begin: number };
  readonly chunks: Buffer[];
  size: number;
  kept: number;
  truncated: boolean;
}

export class UuDecoder {
  readonly #budget: ByteBudget;
  readonly #files: UuFile[] = [];
  #pending = '';
  // the text so far ends inside a line that cannot begin a block: the next text starts mid-line
  #midLine = false;
  #open: OpenFile | undefined;

  constructor(budget: ByteBudget) {
    this.#budget = budget;
  }

  push(text: string): void {
    if (text === '') return;
    let all = this.#pending + text;
    this.#pending = '';
    if (this.#midLine) {
      const nl = all.search(LINE_END);
      if (nl < 0) return;
      all = all.slice(nl + 1);
      this.#midLine = false;
    }
    while (all !== '') {
      if (this.#open === undefined) {
        // a native search first: almost every text has no block at all
        const m = all.includes('begin') ? BEGIN.exec(all) : null;
        if (m === null) {
          this.#pending = beginStart(all);
          this.#midLine = this.#pending === '' && lineStart(all) < all.length;
          return;
        }
        if (all.indexOf('\n', m.index) < 0) {
          // a begin line whose end has not arrived
          const rest = all.slice(m.index);
          this.#pending = rest.length > PENDING_CHARS ? '' : rest;
          this.#midLine = this.#pending === '';
          return;
        }
        const kind = m[3] !== undefined ? 'yenc' : m[1] !== undefined ? 'base64' : 'uu';
        this.#open = { name: m[2] ?? m[3] ?? '', kind, chunks: [], size: 0, kept: 0, truncated: false };
        const part = kind === 'yenc' ? /[ \t]part=(\d{1,9})/.exec(m[0]) : null;
        if (part !== null) this.#open.part = { part: Number(part[1]), begin: 0 };
        all = all.slice(all.indexOf('\n', m.index) + 1);
        continue;
      }
      const nl = all.indexOf('\n');
      if (nl < 0) {
        this.#pending = all;
        return;
      }
      this.#line(all.slice(0, nl));
      all = all.slice(nl + 1);
    }
  }

  /** The files decoded (one still open at the end is kept as far as it came). */
  end(): readonly UuFile[] {
    if (this.#open !== undefined && this.#pending !== '') this.#line(this.#pending);
    this.#pending = '';
    this.#close();
    return joinYencParts(this.#files, (joined) => joined);
  }

  #line(raw: string): void {
    const file = this.#open;
    if (file === undefined) return;
    if (file.kind === 'yenc') {
      const line = raw.replace(/\r$/, '');
      if (line.startsWith('=yend')) return this.#close();
      if (!line.startsWith('=ypart')) return this.#keep(decodeYencLine(line));
      const begin = /[ \t]begin=(\d{1,12})/.exec(line);
      if (file.part !== undefined && begin !== null) file.part.begin = Number(begin[1]);
      return;
    }
    const line = raw.replace(/[ \t\r]+$/, '');
    if (file.kind === 'base64' ? line === '====' : line === 'end') return this.#close();
    this.#keep(file.kind === 'base64' ? Buffer.from(line, 'base64') : decodeUuLine(line));
  }

  #keep(bytes: Buffer): void {
    const file = this.#open;
    if (file === undefined) return;
    if (bytes.length === 0) return;
    file.size += bytes.length;
    const granted = this.#budget.take(bytes.length);
    if (granted < bytes.length) file.truncated = true;
    if (granted > 0) file.chunks.push(granted === bytes.length ? bytes : bytes.subarray(0, granted));
    file.kept += granted;
  }

  #close(): void {
    const file = this.#open;
    if (file === undefined) return;
    this.#open = undefined;
    const part = file.part === undefined ? {} : { yencPart: { part: file.part.part, begin: file.part.begin } };
    this.#files.push({ name: file.name, content: Buffer.concat(file.chunks, file.kept), size: file.size, truncated: file.truncated, ...part });
  }
}

/**
 * The parts of a yEnc multi-part file joined into the file a newsreader assembles: by name, in the order of
 * their =ypart begin offsets (then part numbers), whatever order they came in; a card split over two parts
 * is then one number. Files that are not parts pass as they are; the joined file takes the first part's place.
 */
export function joinYencParts<T extends UuFile>(files: readonly T[], make: (joined: UuFile, first: T) => T): T[] {
  const groups = new Map<string, T[]>();
  for (const f of files) {
    if (f.yencPart === undefined) continue;
    const g = groups.get(f.name);
    if (g === undefined) groups.set(f.name, [f]);
    else g.push(f);
  }
  if ([...groups.values()].every((g) => g.length < 2)) return [...files];
  const out: T[] = [];
  for (const f of files) {
    const g = f.yencPart === undefined ? undefined : groups.get(f.name);
    if (g === undefined || g.length < 2) out.push(f);
    else if (g[0] === f) out.push(make(joinedFile(g), f));
  }
  return out;
}

function joinedFile(parts: readonly UuFile[]): UuFile {
  const sorted = [...parts].sort((a, b) => (a.yencPart?.begin ?? 0) - (b.yencPart?.begin ?? 0) || (a.yencPart?.part ?? 0) - (b.yencPart?.part ?? 0));
  return {
    name: sorted[0]?.name ?? '',
    content: Buffer.concat(sorted.map((p) => p.content)),
    size: sorted.reduce((n, p) => n + p.size, 0),
    truncated: sorted.some((p) => p.truncated),
  };
}

// where BEGIN's multiline "^" may match: after any line terminator of JavaScript, not only LF
const LINE_END = /[\n\r\u2028\u2029]/;

/** Where the text's last line starts (after its last line terminator). */
function lineStart(text: string): number {
  // backwards from the end: the last line is short, four lastIndexOf calls would read the whole text
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return i + 1;
  }
  return 0;
}

/** The text's last line when it may be the start of a begin line still arriving, else ''. */
function beginStart(text: string): string {
  const last = text.slice(lineStart(text));
  if (last.length > PENDING_CHARS) return '';
  for (const start of ['begin', '=ybegin']) if (last.length < start.length ? start.startsWith(last) : last.startsWith(start)) return last;
  return '';
}

/** One yEnc line (yEnc 1.3): each byte is written as byte + 42 mod 256, "=" escapes the next (+ 64 more). */
export function decodeYencLine(line: string): Buffer {
  const out = Buffer.alloc(line.length);
  let o = 0;
  for (let i = 0; i < line.length; i++) {
    let c = line.charCodeAt(i) & 0xff;
    if (c === 0x3d && i + 1 < line.length) c = (line.charCodeAt(++i) - 64) & 0xff;
    out[o++] = (c - 42) & 0xff;
  }
  return out.subarray(0, o);
}

/** One uuencoded line: a length character, then 4 characters per 3 bytes (each 32 + a 6-bit value; "`" for 0). */
export function decodeUuLine(line: string): Buffer {
  if (line === '') return Buffer.alloc(0);
  const n = (line.charCodeAt(0) - 32) & 63;
  const out = Buffer.alloc(n);
  let o = 0;
  for (let i = 1; o < n; i += 4) {
    const c = [0, 1, 2, 3].map((k) => ((line.charCodeAt(i + k) || 32) - 32) & 63);
    const v = ((c[0] ?? 0) << 18) | ((c[1] ?? 0) << 12) | ((c[2] ?? 0) << 6) | (c[3] ?? 0);
    for (const s of [16, 8, 0]) if (o < n) out[o++] = (v >> s) & 0xff;
  }
  return out;
}

/** Every uuencoded file in a whole text (the fast path's single body). */
export function uudecodeText(text: string, budget: ByteBudget): readonly UuFile[] {
  if (!text.includes('begin')) return [];
  const d = new UuDecoder(budget);
  d.push(text);
  return d.end();
}

/** Transfer encodings whose body is such a block (Thunderbird decodes these names, x-yencode included). */
export const UU_TRANSFER_ENCODINGS: ReadonlySet<string> = new Set(['x-uuencode', 'uuencode', 'x-uue', 'uue', 'x-uuencoded', 'x-yencode', 'yencode', 'x-yenc', 'yenc']);

/** What yEncPieces holds of one message at most; parts beyond it are read only on their own. */
export const YENC_HOLD_BYTES = 8 << 20;

/**
 * yEnc parts met in separate texts of one message (one part in a.txt, the next in b.txt), held by name
 * so the file a newsreader assembles from them is read once every text is: parts joined inside one text
 * already are not held. `add` is false when the part would take the held bytes over `maxBytes`.
 */
export class YencPieces<T> {
  readonly #byName = new Map<string, { file: UuFile; where: T }[]>();
  #held = 0;

  constructor(readonly maxBytes = YENC_HOLD_BYTES) {}

  add(file: UuFile, where: T): boolean {
    if (file.yencPart === undefined) return true;
    if (this.#held + file.content.length > this.maxBytes) return false;
    this.#held += file.content.length;
    const g = this.#byName.get(file.name);
    if (g === undefined) this.#byName.set(file.name, [{ file, where }]);
    else g.push({ file, where });
    return true;
  }

  /** Each name with two or more parts held: the joined file, and where its first-met part was. */
  joined(): { file: UuFile; where: T }[] {
    const out: { file: UuFile; where: T }[] = [];
    for (const g of this.#byName.values()) {
      const first = g[0];
      if (first === undefined || g.length < 2) continue;
      const [file] = joinYencParts(g.map((p) => p.file), (j) => j);
      if (file !== undefined) out.push({ file, where: first.where });
    }
    this.#byName.clear();
    this.#held = 0;
    return out;
  }
}
