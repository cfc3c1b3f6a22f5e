// What a file is, from its bytes: the extractor is chosen by content, never by the declared type alone.
// Archives are also found behind leading bytes (self-extractors, polyglots) by their end record.
import { oleEncryption } from './ole.js';
import { findZipEnd } from './zip.js';

/** How a file is read. `refuse` kinds are known formats nothing here can open. */
export type ContentKind =
  | { readonly kind: 'zip'; readonly type: string }
  | { readonly kind: 'gzip' | 'tar' | 'pdf' | 'rtf' | 'tnef' | 'smime' | 'text' | 'binary'; readonly type: string | undefined }
  | { readonly kind: 'refuse'; readonly type: string; readonly reason: 'encrypted' | 'unsupported'; readonly detail: string };

interface Magic {
  readonly type: string;
  readonly offset: number;
  readonly bytes: readonly number[];
}

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

const MAGICS: readonly Magic[] = [
  { type: 'application/x-keepass2', offset: 0, bytes: [0x03, 0xd9, 0xa2, 0x9a, 0x67, 0xfb, 0x4b, 0xb5] },
  { type: 'application/x-keepass', offset: 0, bytes: [0x03, 0xd9, 0xa2, 0x9a, 0x65, 0xfb, 0x4b, 0xb5] },
  { type: 'application/pdf', offset: 0, bytes: ascii('%PDF-') },
  // TNEF (winmail.dat, application/ms-tnef): signature 0x223E9F78, little-endian
  { type: 'application/vnd.ms-tnef', offset: 0, bytes: [0x78, 0x9f, 0x3e, 0x22] },
  { type: 'application/zip', offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04] },
  { type: 'application/zip', offset: 0, bytes: [0x50, 0x4b, 0x05, 0x06] },
  { type: 'application/gzip', offset: 0, bytes: [0x1f, 0x8b] },
  { type: 'application/x-tar', offset: 257, bytes: ascii('ustar') },
  { type: 'application/x-7z-compressed', offset: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { type: 'application/vnd.rar', offset: 0, bytes: ascii('Rar!\x1a\x07') },
  { type: 'application/x-bzip2', offset: 0, bytes: ascii('BZh') },
  { type: 'application/x-xz', offset: 0, bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { type: 'application/zstd', offset: 0, bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { type: 'application/vnd.ms-cab-compressed', offset: 0, bytes: ascii('MSCF\0\0\0\0') },
  { type: 'application/x-arj', offset: 0, bytes: [0x60, 0xea] },
  { type: 'application/x-compress', offset: 0, bytes: [0x1f, 0x9d] },
  { type: 'application/x-lz4', offset: 0, bytes: [0x04, 0x22, 0x4d, 0x18] },
  { type: 'application/x-lzip', offset: 0, bytes: ascii('LZIP') },
  { type: 'application/x-ace-compressed', offset: 7, bytes: ascii('**ACE**') },
  { type: 'application/x-stuffit', offset: 0, bytes: ascii('StuffIt ') },
  { type: 'application/x-stuffit', offset: 0, bytes: ascii('SIT!') },
  { type: 'application/x-ms-wim', offset: 0, bytes: ascii('MSWIM\0\0\0') },
  { type: 'application/x-xar', offset: 0, bytes: ascii('xar!') },
  { type: 'application/x-ole-storage', offset: 0, bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { type: 'application/x-msdownload', offset: 0, bytes: ascii('MZ') },
  { type: 'application/x-elf', offset: 0, bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { type: 'application/rtf', offset: 0, bytes: ascii('{\\rtf') },
  { type: 'image/png', offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'image/jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { type: 'image/gif', offset: 0, bytes: ascii('GIF8') },
  { type: 'application/pgp-encrypted', offset: 0, bytes: ascii('-----BEGIN PGP MESSAGE-----') },
  { type: 'application/x-pem-file', offset: 0, bytes: ascii('-----BEGIN ') },
];

// Formats recognised but not readable here: the part is reported, never passed as if read.
const REFUSED: Readonly<Record<string, { reason: 'encrypted' | 'unsupported'; detail: string }>> = {
  'application/x-keepass2': { reason: 'encrypted', detail: 'KeePass 2 database' },
  'application/x-keepass': { reason: 'encrypted', detail: 'KeePass database' },
  'application/pgp-encrypted': { reason: 'encrypted', detail: 'OpenPGP encrypted message' },
  'application/x-7z-compressed': { reason: 'unsupported', detail: '7-Zip archive' },
  'application/vnd.rar': { reason: 'unsupported', detail: 'RAR archive' },
  'application/x-bzip2': { reason: 'unsupported', detail: 'bzip2 stream' },
  'application/x-xz': { reason: 'unsupported', detail: 'xz stream' },
  'application/zstd': { reason: 'unsupported', detail: 'zstd stream' },
  'application/vnd.ms-cab-compressed': { reason: 'unsupported', detail: 'Microsoft cabinet archive' },
  'application/x-lzh-compressed': { reason: 'unsupported', detail: 'LHA archive' },
  'application/x-arj': { reason: 'unsupported', detail: 'ARJ archive' },
  'application/x-compress': { reason: 'unsupported', detail: 'unix compress (.Z) stream' },
  'application/x-lz4': { reason: 'unsupported', detail: 'LZ4 frame' },
  'application/x-lzip': { reason: 'unsupported', detail: 'lzip stream' },
  'application/x-ace-compressed': { reason: 'unsupported', detail: 'ACE archive' },
  'application/x-stuffit': { reason: 'unsupported', detail: 'StuffIt archive' },
  'application/x-ms-wim': { reason: 'unsupported', detail: 'Windows imaging (WIM) archive' },
  'application/x-xar': { reason: 'unsupported', detail: 'xar archive' },
};

// LHA's method id sits at offset 2: "-lh5-"; -lh0-, -lz4- and -lhd- are stored or directories, and
// their bytes are read as strings like any binary.
const LHA_COMPRESSED = /^-(lh[1-7]|lzs|lz5)-$/;

/** A zlib stream (RFC 1950): deflate, 32 KiB window or less, header check multiple of 31. */
export function isZlibStream(head: Uint8Array): boolean {
  const cmf = head[0] ?? 0;
  const flg = head[1] ?? 0;
  return head.length >= 6 && (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0 && (flg & 0x20) === 0;
}

const OOXML: readonly (readonly [string, string])[] = [
  ['word/', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
  ['xl/', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
  ['ppt/', 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
];

/** Sniffed MIME type, or undefined when the bytes say nothing certain (first bytes only). */
export function sniffType(head: Uint8Array): string | undefined {
  for (const m of MAGICS) {
    if (startsWith(head, m.offset, m.bytes)) return m.type === 'application/zip' ? refineZip(head) : m.type;
  }
  if (pdfHeaderAt(head) >= 0) return 'application/pdf';
  if (head.length >= 7 && LHA_COMPRESSED.test(Buffer.from(head.buffer, head.byteOffset + 2, 5).toString('latin1'))) return 'application/x-lzh-compressed';
  if (utf16Charset(head) !== undefined || looksLikeText(head)) return 'text/plain';
  // after the text check: "x^", "HK" or "XG" begin text files as well as pass the zlib header check
  return isZlibStream(head) ? 'application/zlib' : undefined;
}

/**
 * 'utf-16le' or 'utf-16be' for a file that starts with that byte order mark and reads as UTF-16 of a
 * mostly Latin-script text after it (a quarter of its code units below U+0100). A BOM in front of
 * anything else is not believed: ASCII behind "FE FF" would decode to CJK and hide a number, so such a
 * file stays binary and its printable strings (both byte orders) are read instead.
 */
export function utf16Charset(head: Uint8Array): 'utf-16le' | 'utf-16be' | undefined {
  const le = head[0] === 0xff && head[1] === 0xfe;
  if (!le && !(head[0] === 0xfe && head[1] === 0xff)) return undefined;
  // FF FE 00 00 is UTF-32LE, which nothing here decodes
  if (le && head[2] === 0 && head[3] === 0) return undefined;
  const end = Math.min(head.length, 1026) & ~1;
  let latin = 0;
  for (let i = 2; i < end; i += 2) if (head[le ? i + 1 : i] === 0) latin++;
  const units = (end - 2) / 2;
  return units > 0 && latin * 4 >= units ? (le ? 'utf-16le' : 'utf-16be') : undefined;
}

const PKCS7_TYPES: ReadonlySet<string> = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime', 'application/pkcs7-signature', 'application/x-pkcs7-signature']);

// A ContentInfo starts SEQUENCE, a length, then the OID of its type: 1.2.840.113549.1.7.x (PKCS #7) or
// 1.2.840.113549.1.9.16.1.x (the S/MIME content types).
const PKCS7_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07];
const SMIME_OID = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01];

/** Whether the bytes are a PKCS #7 / CMS ContentInfo (DER or BER), whatever the part is declared as. */
export function isContentInfo(data: Uint8Array): boolean {
  if (data[0] !== 0x30 || data.length < 16) return false;
  const l = data[1] as number;
  const at = l <= 0x80 ? 2 : l <= 0x84 ? 2 + (l & 0x7f) : -1;
  if (at < 0) return false;
  const starts = (oid: readonly number[]): boolean => oid.every((b, i) => data[at + i] === b);
  return starts(PKCS7_OID) || starts(SMIME_OID);
}

/** The whole file's kind: first bytes, then an archive end record anywhere in the tail. */
export function sniffKind(data: Uint8Array, declaredType: string): ContentKind {
  const type = sniffType(data);
  if (type === 'application/zip' || type?.includes('openxmlformats') === true) return { kind: 'zip', type };
  if (type === 'application/pdf') return { kind: 'pdf', type };
  if (type === 'application/gzip' || type === 'application/zlib') return { kind: 'gzip', type };
  if (type === 'application/x-tar') return { kind: 'tar', type };
  if (type === 'application/rtf') return { kind: 'rtf', type };
  // Outlook's winmail.dat, whatever it is called: read by extract/tnef.ts
  if (type === 'application/vnd.ms-tnef') return { kind: 'tnef', type };
  const refused = type === undefined ? undefined : REFUSED[type];
  if (type !== undefined && refused !== undefined) return { kind: 'refuse', type, ...refused };
  // S/MIME (smime.ts): signed and compressed data are read, enveloped data is refused as encrypted
  if (isContentInfo(data)) return { kind: 'smime', type: 'application/pkcs7-mime' };
  if (PKCS7_TYPES.has(declaredType)) return { kind: 'smime', type: declaredType };
  if (type === 'application/x-ole-storage') {
    // a password-protected Office document (any version) or a legacy one: only the first is refused
    const encrypted = oleEncryption(data);
    if (encrypted !== undefined) return { kind: 'refuse', type, reason: 'encrypted', detail: encrypted };
  }
  if (type === 'text/plain') return { kind: 'text', type };
  // a zip behind a stub (self-extractor) or appended to another file
  if (findZipEnd(data) !== undefined) return { kind: 'zip', type: 'application/zip' };
  return { kind: 'binary', type };
}

function startsWith(head: Uint8Array, offset: number, bytes: readonly number[]): boolean {
  if (head.length < offset + bytes.length) return false;
  return bytes.every((b, i) => head[offset + i] === b);
}

// Readers accept %PDF- anywhere in the first KB.
function pdfHeaderAt(head: Uint8Array): number {
  return Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 1024)).indexOf('%PDF-');
}

// An OOXML package names its parts in local file headers; the first entries usually reveal the kind.
function refineZip(head: Uint8Array): string {
  const text = Buffer.from(head.buffer, head.byteOffset, Math.min(head.length, 4096)).toString('latin1');
  if (!text.includes('[Content_Types].xml')) return 'application/zip';
  for (const [prefix, t] of OOXML) if (text.includes(prefix)) return t;
  return 'application/zip';
}

export function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  const n = Math.min(head.length, 1024);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = head[i] ?? 0;
    if (b === 0) return false;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control * 20 < n;
}
