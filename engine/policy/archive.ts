// Zip archives and Office Open XML packages (docx, xlsx, pptx are zips of XML parts).
import { unzipSync } from 'fflate';
import { xmlToText } from './markup-text.js';

export interface ArchiveEntry {
  readonly name: string;
  readonly size: number;
  /** Decompressed content; undefined for directories and entries not extracted (budget). */
  readonly content: Uint8Array | undefined;
}

export interface ArchiveListing {
  readonly entries: readonly ArchiveEntry[];
  /** True when some entries were listed but not decompressed because of the byte budget. */
  readonly truncated: boolean;
  /** Entries beyond maxEntries, neither listed nor decompressed. */
  readonly skipped: number;
}

/**
 * Lists a zip and decompresses entries while their declared sizes fit in `budget` bytes
 * (a zip bomb is refused by its declared size before any inflating). Throws on a corrupt zip.
 */
export function readZip(data: Uint8Array, budget: number, maxEntries: number): ArchiveListing {
  const listed: { name: string; size: number; take: boolean }[] = [];
  let remaining = budget;
  let skipped = 0;
  const files = unzipSync(data, {
    filter: (f) => {
      if (listed.length >= maxEntries) {
        skipped++;
        return false;
      }
      const take = !f.name.endsWith('/') && f.originalSize <= remaining;
      if (take) remaining -= f.originalSize;
      listed.push({ name: f.name, size: f.originalSize, take });
      return take;
    },
  });
  return {
    entries: listed.map((e) => ({ name: e.name, size: e.size, content: files[e.name] })),
    truncated: listed.some((e) => !e.take && !e.name.endsWith('/')),
    skipped,
  };
}

export type OfficeKind = 'docx' | 'xlsx' | 'pptx';

const OFFICE_TYPES: Readonly<Record<OfficeKind, string>> = {
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export function officeType(kind: OfficeKind): string {
  return OFFICE_TYPES[kind];
}

export function officeKind(entries: readonly ArchiveEntry[]): OfficeKind | undefined {
  if (!entries.some((e) => e.name === '[Content_Types].xml')) return undefined;
  if (entries.some((e) => e.name.startsWith('word/'))) return 'docx';
  if (entries.some((e) => e.name.startsWith('xl/'))) return 'xlsx';
  if (entries.some((e) => e.name.startsWith('ppt/'))) return 'pptx';
  return undefined;
}

// The parts that hold user text; styles, themes and relationships are skipped.
const TEXT_PARTS: Readonly<Record<OfficeKind, RegExp>> = {
  docx: /^word\/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$/,
  xlsx: /^xl\/(sharedStrings|worksheets\/sheet\d+|comments\d*)\.xml$/,
  pptx: /^ppt\/(slides\/slide\d+|notesSlides\/notesSlide\d+)\.xml$/,
};

/** Text of an Office Open XML package, parts in archive order. */
export function officeText(kind: OfficeKind, entries: readonly ArchiveEntry[]): string {
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  for (const e of entries) {
    if (e.content !== undefined && TEXT_PARTS[kind].test(e.name)) parts.push(xmlToText(decoder.decode(e.content)));
  }
  return parts.join('\n');
}
