// OLE compound files (MS-CFB version 3, 512-byte sectors) written byte by byte: streams under 4096 bytes
// go to the mini stream, as real writers put them, so both of a reader's paths are exercised.
const ENDOFCHAIN = 0xfffffffe;
const FREESECT = 0xffffffff;
const FATSECT = 0xfffffffd;
const NOSTREAM = 0xffffffff;

export interface CfbStream {
  readonly name: string;
  readonly data: Uint8Array;
}

export function cfb(streams: readonly CfbStream[]): Buffer {
  const small = streams.filter((s) => s.data.length < 4096);
  const big = streams.filter((s) => s.data.length >= 4096);
  const miniStart = new Map<CfbStream, number>();
  const miniFat: number[] = [];
  const miniParts: Buffer[] = [];
  for (const s of small) {
    const n = Math.max(1, Math.ceil(s.data.length / 64));
    miniStart.set(s, miniFat.length);
    for (let i = 0; i < n; i++) miniFat.push(i === n - 1 ? ENDOFCHAIN : miniFat.length + 1);
    const padded = Buffer.alloc(n * 64);
    Buffer.from(s.data).copy(padded);
    miniParts.push(padded);
  }
  const miniStream = Buffer.concat(miniParts);
  const secs = (bytes: number): number => Math.ceil(bytes / 512);
  const dirSecs = secs((streams.length + 1) * 128);
  const miniFatSecs = secs(miniFat.length * 4);
  const miniStreamSecs = secs(miniStream.length);
  const bigSecs = big.map((s) => secs(s.data.length));
  const other = dirSecs + miniFatSecs + miniStreamSecs + bigSecs.reduce((a, b) => a + b, 0);
  const fatSecs = Math.ceil(other / 127);
  const fat: number[] = [];
  for (let i = 0; i < fatSecs; i++) fat.push(FATSECT);
  const run = (n: number): number => {
    const start = fat.length;
    for (let i = 0; i < n; i++) fat.push(i === n - 1 ? ENDOFCHAIN : fat.length + 1);
    return n === 0 ? ENDOFCHAIN : start;
  };
  const dirStart = run(dirSecs);
  const miniFatStart = run(miniFatSecs);
  const miniStreamStart = run(miniStreamSecs);
  const bigStart = bigSecs.map((n) => run(n));
  while (fat.length < fatSecs * 128) fat.push(FREESECT);

  const entry = (name: string, type: number, start: number, size: number, child: number, right: number): Buffer => {
    const e = Buffer.alloc(128);
    e.write(name, 0, 'utf16le');
    e.writeUInt16LE((name.length + 1) * 2, 0x40);
    e[0x42] = type;
    e[0x43] = 1;
    e.writeUInt32LE(NOSTREAM, 0x44);
    e.writeUInt32LE(right, 0x48);
    e.writeUInt32LE(child, 0x4c);
    e.writeUInt32LE(start, 0x74);
    e.writeUInt32LE(size, 0x78);
    return e;
  };
  const entries = [entry('Root Entry', 5, miniStream.length === 0 ? ENDOFCHAIN : miniStreamStart, miniStream.length, streams.length === 0 ? NOSTREAM : 1, NOSTREAM)];
  streams.forEach((s, i) => {
    const start = s.data.length < 4096 ? (miniStart.get(s) ?? 0) : (bigStart[big.indexOf(s)] ?? ENDOFCHAIN);
    entries.push(entry(s.name, 2, start, s.data.length, NOSTREAM, i + 1 < streams.length ? i + 2 : NOSTREAM));
  });

  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header);
  header.writeUInt16LE(0x3e, 0x18);
  header.writeUInt16LE(3, 0x1a);
  header.writeUInt16LE(0xfffe, 0x1c);
  header.writeUInt16LE(9, 0x1e);
  header.writeUInt16LE(6, 0x20);
  header.writeUInt32LE(fatSecs, 0x2c);
  header.writeUInt32LE(dirStart, 0x30);
  header.writeUInt32LE(4096, 0x38);
  header.writeUInt32LE(miniFatSecs === 0 ? ENDOFCHAIN : miniFatStart, 0x3c);
  header.writeUInt32LE(miniFatSecs, 0x40);
  header.writeUInt32LE(ENDOFCHAIN, 0x44);
  for (let i = 0; i < 109; i++) header.writeUInt32LE(i < fatSecs ? i : FREESECT, 0x4c + i * 4);

  const sectorBytes = (data: Buffer, n: number): Buffer => {
    const out = Buffer.alloc(n * 512);
    data.copy(out);
    return out;
  };
  const fatBytes = Buffer.alloc(fat.length * 4);
  fat.forEach((v, i) => fatBytes.writeUInt32LE(v, i * 4));
  const miniFatBytes = Buffer.alloc(miniFat.length * 4);
  miniFat.forEach((v, i) => miniFatBytes.writeUInt32LE(v, i * 4));
  return Buffer.concat([
    header,
    fatBytes,
    sectorBytes(Buffer.concat(entries), dirSecs),
    sectorBytes(miniFatBytes, miniFatSecs),
    sectorBytes(miniStream, miniStreamSecs),
    ...big.map((s, i) => sectorBytes(Buffer.from(s.data), bigSecs[i] ?? 0)),
  ]);
}

/** A Word stream: a FibBase (wIdent 0xA5EC, flags with fEncrypted when asked), then text as Word 97 stores it (8-bit). */
export function wordStream(text: string, encrypted: boolean): Buffer {
  const b = Buffer.alloc(8192, 0);
  b.writeUInt16LE(0xa5ec, 0);
  b.writeUInt16LE(0x00c1, 2);
  b.writeUInt16LE(encrypted ? 0x0100 | 0x0200 : 0x0200, 10);
  b.write(text, 1024, 'latin1');
  return b;
}

/** An Excel workbook stream: BOF, FILEPASS when asked, a LABEL-ish record with text, EOF. */
export function workbookStream(text: string, encrypted: boolean): Buffer {
  const record = (type: number, body: Buffer): Buffer => {
    const h = Buffer.alloc(4);
    h.writeUInt16LE(type, 0);
    h.writeUInt16LE(body.length, 2);
    return Buffer.concat([h, body]);
  };
  const bof = Buffer.alloc(16);
  bof.writeUInt16LE(0x0600, 0);
  bof.writeUInt16LE(0x0005, 2);
  return Buffer.concat([
    record(0x0809, bof),
    ...(encrypted ? [record(0x002f, Buffer.from([1, 0, 1, 0, 1, 0, ...new Array(48).fill(0x5a)]))] : []),
    record(0x00fc, Buffer.concat([Buffer.from([1, 0, 0, 0, 1, 0, 0, 0, text.length, 0, 0]), Buffer.from(text, 'latin1')])),
    record(0x000a, Buffer.alloc(0)),
  ]);
}

/** One BIFF record: type, length, body. */
export function biffRecord(type: number, body: Uint8Array): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(type, 0);
  h.writeUInt16LE(body.length, 2);
  return Buffer.concat([h, body]);
}

const bof = (dt: number): Buffer => {
  const b = Buffer.alloc(16);
  b.writeUInt16LE(0x0600, 0);
  b.writeUInt16LE(dt, 2);
  return biffRecord(0x0809, b);
};

/** A BIFF8 workbook stream: globals (BOF, then `globals`, e.g. an SST, EOF), one worksheet (BOF, `cells`, EOF). */
export function xlsWorkbook(cells: readonly Buffer[], globals: readonly Buffer[] = []): Buffer {
  return Buffer.concat([bof(0x0005), ...globals, biffRecord(0x000a, Buffer.alloc(0)), bof(0x0010), ...cells, biffRecord(0x000a, Buffer.alloc(0))]);
}

const cellHead = (row: number, col: number, extra: number): Buffer => {
  const b = Buffer.alloc(6 + extra);
  b.writeUInt16LE(row, 0);
  b.writeUInt16LE(col, 2);
  b.writeUInt16LE(15, 4);
  return b;
};

/** NUMBER (0x0203): an IEEE double. */
export function numberCell(row: number, col: number, value: number): Buffer {
  const b = cellHead(row, col, 8);
  b.writeDoubleLE(value, 6);
  return biffRecord(0x0203, b);
}

/** An RK value (MS-XLS 2.5.217): a 30-bit integer, or the upper 30 bits of a double; `times100` divides by 100. */
export function rkValue(value: number, form: 'int' | 'float', times100 = false): number {
  const stored = times100 ? value * 100 : value;
  if (form === 'int') return ((stored << 2) | 2 | (times100 ? 1 : 0)) >>> 0;
  const d = Buffer.alloc(8);
  d.writeDoubleLE(stored);
  return ((d.readUInt32LE(4) & 0xfffffffc) | (times100 ? 1 : 0)) >>> 0;
}

/** RK (0x027E). */
export function rkCell(row: number, col: number, rk: number): Buffer {
  const b = cellHead(row, col, 4);
  b.writeUInt32LE(rk, 6);
  return biffRecord(0x027e, b);
}

/** MULRK (0x00BD): RK values in consecutive columns from `col`. */
export function mulRkCell(row: number, col: number, rks: readonly number[]): Buffer {
  const b = Buffer.alloc(4 + rks.length * 6 + 2);
  b.writeUInt16LE(row, 0);
  b.writeUInt16LE(col, 2);
  rks.forEach((rk, i) => {
    b.writeUInt16LE(15, 4 + i * 6);
    b.writeUInt32LE(rk, 6 + i * 6);
  });
  b.writeUInt16LE(col + rks.length - 1, 4 + rks.length * 6);
  return biffRecord(0x00bd, b);
}

/** FORMULA (0x0006) whose cached result is the number `value` (the formula itself: a number token). */
export function formulaCell(row: number, col: number, value: number): Buffer {
  const b = cellHead(row, col, 8 + 2 + 4 + 2 + 9);
  b.writeDoubleLE(value, 6);
  b.writeUInt16LE(11, 20);
  b[22] = 0x1f;
  b.writeDoubleLE(value, 23);
  return biffRecord(0x0006, b);
}

/** LABELSST (0x00FD): the cell shows shared string `index`. */
export function labelSstCell(row: number, col: number, index: number): Buffer {
  const b = cellHead(row, col, 4);
  b.writeUInt32LE(index, 6);
  return biffRecord(0x00fd, b);
}

/**
 * An SST (0x00FC) of 8-bit strings; with `splitAt`, its body is cut there into a CONTINUE (0x003C) record,
 * as Excel writes past 8224 bytes. The cut must fall inside a string's characters: the continued part
 * then starts with a new flags byte (0: 8-bit characters).
 */
export function sharedStrings(strings: readonly string[], splitAt?: number): Buffer[] {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(strings.length, 0);
  head.writeUInt32LE(strings.length, 4);
  const body = Buffer.concat([head, ...strings.map((s) => Buffer.concat([Buffer.from([s.length & 0xff, s.length >> 8, 0]), Buffer.from(s, 'latin1')]))]);
  if (splitAt === undefined) return [biffRecord(0x00fc, body)];
  return [biffRecord(0x00fc, body.subarray(0, splitAt)), biffRecord(0x003c, Buffer.concat([Buffer.from([0]), body.subarray(splitAt)]))];
}

/** A storage or stream of a compound file with storages (cfbTree). */
export type CfbNode = { readonly name: string; readonly data: Uint8Array } | { readonly name: string; readonly children: readonly CfbNode[] };

/**
 * A compound file with storages (an Outlook .msg: attachment and recipient storages, an attached message's
 * storage): the tree is written in the directory as each storage's first child plus right siblings. Streams
 * go to the mini stream or sectors by size, as in cfb().
 */
export function cfbTree(nodes: readonly CfbNode[]): Buffer {
  // lay the tree out flat: streams by path, then patch the directory with storages and links
  const streams: CfbStream[] = [];
  const order: { node: CfbNode; id: number }[] = [];
  const walk = (list: readonly CfbNode[]): void => {
    for (const n of list) {
      order.push({ node: n, id: order.length + 1 });
      if ('data' in n) streams.push({ name: n.name, data: n.data });
      else walk(n.children);
    }
  };
  walk(nodes);
  // write a flat file with a placeholder stream per storage, so every directory entry has its slot
  const flat = cfb(order.map(({ node }) => ('data' in node ? { name: node.name, data: node.data } : { name: node.name, data: new Uint8Array(0) })));
  const dirStart = flat.readUInt32LE(0x30);
  const dirAt = (id: number): number => (dirStart + 1) * 512 + id * 128;
  const idOf = new Map(order.map(({ node, id }) => [node, id]));
  const link = (list: readonly CfbNode[]): void => {
    list.forEach((n, i) => {
      const id = idOf.get(n) ?? 0;
      const next = list[i + 1];
      flat.writeUInt32LE(next === undefined ? NOSTREAM : (idOf.get(next) ?? 0), dirAt(id) + 0x48);
      if (!('data' in n)) {
        flat[dirAt(id) + 0x42] = 1;
        flat.writeUInt32LE(0, dirAt(id) + 0x74);
        flat.writeUInt32LE(0, dirAt(id) + 0x78);
        const first = n.children[0];
        flat.writeUInt32LE(first === undefined ? NOSTREAM : (idOf.get(first) ?? 0), dirAt(id) + 0x4c);
        link(n.children);
      }
    });
  };
  link(nodes);
  flat.writeUInt32LE(nodes[0] === undefined ? NOSTREAM : (idOf.get(nodes[0]) ?? 0), dirAt(0) + 0x4c);
  return flat;
}
