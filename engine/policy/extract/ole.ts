// OLE compound files (MS-CFB): the container of legacy Office documents (.doc, .xls, .ppt) and of every
// password-protected Office document, OOXML included (an EncryptedPackage stream inside a compound
// file). Only what decides "can this be read" is parsed here: the directory, and the first bytes of the
// Word and Excel streams, where the encryption flags are. A file whose text is behind a password is
// refused as encrypted, never read for printable strings and passed.

const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;
const MAX_SECTORS = 1 << 22;

export interface CfbEntry {
  readonly name: string;
  /** 1 storage, 2 stream, 5 root. */
  readonly type: number;
  readonly start: number;
  readonly size: number;
  /** Its directory id, and the ids of its left and right siblings and first child (NOSTREAM: none). */
  readonly id: number;
  readonly left: number;
  readonly right: number;
  readonly child: number;
}

export interface Cfb {
  readonly entries: readonly CfbEntry[];
  /** Up to `max` bytes of a stream, through the FAT or, under the cutoff, the mini stream. */
  readonly read: (entry: CfbEntry, max: number) => Uint8Array;
  /** The streams and storages directly inside a storage (or the root), each once, whatever the tree's shape. */
  readonly children: (storage: CfbEntry) => readonly CfbEntry[];
}

const NOSTREAM = 0xffffffff;

/** The directory of a compound file, or undefined when the header or its chains are not sound. */
export function readCfb(data: Uint8Array): Cfb | undefined {
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (b.length < 512 || b.readUInt32LE(0) !== 0xe011cfd0 || b.readUInt32LE(4) !== 0xe11ab1a1) return undefined;
  const shift = b.readUInt16LE(0x1e);
  const miniShift = b.readUInt16LE(0x20);
  if ((shift !== 9 && shift !== 12) || miniShift !== 6) return undefined;
  const size = 1 << shift;
  const sectors = Math.min(MAX_SECTORS, Math.floor((b.length - size) / size) + 1);
  const at = (sector: number): number => (sector + 1) * size;
  // the FAT's own sectors: 109 in the header, then the DIFAT chain
  const fatSectors: number[] = [];
  for (let i = 0; i < 109; i++) fatSectors.push(b.readUInt32LE(0x4c + i * 4));
  let difat = b.readUInt32LE(0x44);
  for (let guard = 0; difat < sectors && guard < sectors; guard++) {
    const o = at(difat);
    if (o + size > b.length) break;
    for (let i = 0; i < size / 4 - 1; i++) fatSectors.push(b.readUInt32LE(o + i * 4));
    difat = b.readUInt32LE(o + size - 4);
  }
  const fat: number[] = [];
  for (const s of fatSectors) {
    if (s === FREESECT || s === ENDOFCHAIN || s >= sectors) continue;
    const o = at(s);
    if (o + size > b.length) continue;
    for (let i = 0; i < size / 4; i++) fat.push(b.readUInt32LE(o + i * 4));
  }
  const chain = (start: number, table: readonly number[], limit: number): number[] => {
    const out: number[] = [];
    for (let s = start; s !== ENDOFCHAIN && s < table.length && out.length < limit; s = table[s] ?? ENDOFCHAIN) out.push(s);
    return out;
  };
  const readChain = (start: number, max: number): Buffer => {
    const parts: Buffer[] = [];
    let got = 0;
    for (const s of chain(start, fat, sectors)) {
      if (got >= max || at(s) + size > b.length) break;
      parts.push(b.subarray(at(s), at(s) + size));
      got += size;
    }
    return Buffer.concat(parts).subarray(0, max);
  };
  const dir = readChain(b.readUInt32LE(0x30), 128 * 4096);
  const entries: CfbEntry[] = [];
  for (let o = 0; o + 128 <= dir.length; o += 128) {
    const type = dir[o + 0x42] ?? 0;
    if (type === 0) continue;
    const nameLength = Math.min(64, dir.readUInt16LE(o + 0x40));
    const name = dir.toString('utf16le', o, o + Math.max(0, nameLength - 2));
    entries.push({ name, type, start: dir.readUInt32LE(o + 0x74), size: dir.readUInt32LE(o + 0x78), id: o / 128, left: dir.readUInt32LE(o + 0x44), right: dir.readUInt32LE(o + 0x48), child: dir.readUInt32LE(o + 0x4c) });
  }
  const byId = new Map(entries.map((e) => [e.id, e]));
  // a storage's children are the red-black tree under its child id (left, right siblings); visited once each,
  // so a directory whose links loop is read without looping
  const children = (storage: CfbEntry): CfbEntry[] => {
    const out: CfbEntry[] = [];
    const seen = new Set<number>([storage.id]);
    const stack = [storage.child];
    while (stack.length > 0) {
      const id = stack.pop() as number;
      if (id === NOSTREAM || seen.has(id)) continue;
      seen.add(id);
      const e = byId.get(id);
      if (e === undefined) continue;
      out.push(e);
      stack.push(e.right, e.left);
    }
    return out;
  };
  const root = entries.find((e) => e.type === 5);
  if (root === undefined) return undefined;
  const cutoff = b.readUInt32LE(0x38);
  let mini: { stream: Buffer; fat: number[] } | undefined;
  const miniTables = (): { stream: Buffer; fat: number[] } => {
    if (mini !== undefined) return mini;
    const table = readChain(b.readUInt32LE(0x3c), b.readUInt32LE(0x40) * size);
    const miniFat: number[] = [];
    for (let i = 0; i + 4 <= table.length; i += 4) miniFat.push(table.readUInt32LE(i));
    mini = { stream: readChain(root.start, root.size), fat: miniFat };
    return mini;
  };
  const read = (entry: CfbEntry, max: number): Uint8Array => {
    const want = Math.min(max, entry.size);
    if (entry.size >= cutoff || entry.type === 5) return readChain(entry.start, want);
    const { stream, fat: miniFat } = miniTables();
    const parts: Buffer[] = [];
    let got = 0;
    for (const s of chain(entry.start, miniFat, miniFat.length)) {
      if (got >= want || (s + 1) * 64 > stream.length) break;
      parts.push(stream.subarray(s * 64, (s + 1) * 64));
      got += 64;
    }
    return Buffer.concat(parts).subarray(0, want);
  };
  return { entries, read, children };
}

/** Why a compound file cannot be read without its password, or undefined when nothing says so. */
export function oleEncryption(data: Uint8Array): string | undefined {
  const cfb = readCfb(data);
  if (cfb === undefined) return undefined;
  const names = new Set(cfb.entries.map((e) => e.name));
  // MS-OFFCRYPTO 2.3.4: agile and standard encryption of OOXML
  if (names.has('EncryptedPackage') || names.has('EncryptionInfo')) return 'Office document protected with a password (EncryptedPackage)';
  // MS-PPT 2.3.7: an encrypted presentation keeps its properties in EncryptedSummary
  if (names.has('EncryptedSummary')) return 'PowerPoint presentation protected with a password';
  const word = cfb.entries.find((e) => e.name === 'WordDocument' && e.type === 2);
  if (word !== undefined) {
    // MS-DOC 2.5.2 FibBase: wIdent 0xA5EC, then flags at offset 10, fEncrypted = 0x0100
    const fib = Buffer.from(cfb.read(word, 32));
    if (fib.length >= 12 && fib.readUInt16LE(0) === 0xa5ec && (fib.readUInt16LE(10) & 0x0100) !== 0) return 'Word document protected with a password (FIB fEncrypted)';
  }
  const book = cfb.entries.find((e) => (e.name === 'Workbook' || e.name === 'Book') && e.type === 2);
  if (book !== undefined && hasFilePass(Buffer.from(cfb.read(book, 64 * 1024)))) return 'Excel workbook protected with a password (FILEPASS record)';
  return undefined;
}

// MS-XLS 2.4.117: FILEPASS (0x002F) follows the first BOF of the workbook globals when it is encrypted.
function hasFilePass(stream: Buffer): boolean {
  for (let o = 0, n = 0; o + 4 <= stream.length && n < 256; n++) {
    const type = stream.readUInt16LE(o);
    const length = stream.readUInt16LE(o + 2);
    if (type === 0x002f) return true;
    // the globals end at their EOF record: a FILEPASS further on belongs to nothing
    if (type === 0x000a) return false;
    o += 4 + length;
  }
  return false;
}
