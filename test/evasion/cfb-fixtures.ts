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
