// PDF text: every stream is first decoded here under the byte caps (pdf-streams.ts), so a Flate bomb is
// refused before pdf.js could inflate it; a PDF whose glyphs can only mean their bytes is read from its
// content streams directly (pdf-text.ts); any other goes through pdf.js (Mozilla): fonts' ToUnicode maps,
// embedded fonts, encryption, text in annotations and form fields. Runs in a worker thread (pool.ts); a
// PDF that needs a password is reported encrypted. Files attached inside the PDF come back with its text
// (pdf-attachments.ts; from pdf.js for an encrypted file, whose streams only pdf.js can decrypt) and are
// extracted by the caller one level deeper, like archive members.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { type EmbeddedFile, embeddedFiles } from './pdf-attachments.js';
import { infoText, metadataStreamsText, xmpText } from './pdf-metadata.js';
import { type PdfCaps, scanPdfStreams } from './pdf-streams.js';
import { fastPdfText } from './pdf-text.js';

export type { EmbeddedFile } from './pdf-attachments.js';

export type PdfResult = { readonly text: string; readonly files: readonly EmbeddedFile[] } | { readonly reason: 'encrypted' | 'corrupt' | 'limit'; readonly detail: string };

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let loading: Promise<PdfJs> | undefined;

const STANDARD_FONTS = (() => {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return `${pathToFileURL(join(root, 'standard_fonts')).href}/`;
})();

export async function readPdf(data: Uint8Array, maxChars: number, caps: PdfCaps): Promise<PdfResult> {
  const scan = scanPdfStreams(data, caps);
  if ('reason' in scan) return scan;
  // an encrypted file's streams are ciphertext here: pdf.js decrypts and hands over its attachments
  const encrypted = /\/Encrypt\b/.test(scan.objects);
  if (encrypted) return readWithPdfJs(data, maxChars, caps, [], undefined);
  const embedded = embeddedFiles(scan, caps);
  if ('reason' in embedded) return embedded;
  // an attached file's bytes are no page content, even in a stream without /Type /EmbeddedFile
  const fast = fastPdfText({ ...scan, streams: scan.streams.filter((s) => !embedded.streams.has(s)) }, maxChars);
  if (fast !== undefined) return { text: fast, files: embedded.files };
  return readWithPdfJs(data, maxChars, caps, embedded.files, metadataStreamsText(scan.streams));
}

/** An attachment as pdf.js reports it (name tree and FileAttachment annotations). */
type PdfJsFile = { readonly filename?: string; readonly content?: Uint8Array | null; readonly description?: string };

/**
 * The scan's attachments and those pdf.js found besides (all of an encrypted file's; in another, one whose
 * keys the scan could not read, such as a name spelled with #xx escapes), bounded after the fact by `caps`.
 */
function withPdfJsFiles(scanned: readonly EmbeddedFile[], found: readonly PdfJsFile[], caps: PdfCaps, size: number): EmbeddedFile[] | { readonly reason: 'limit'; readonly detail: string } {
  const out: EmbeddedFile[] = [...scanned];
  const known = (content: Uint8Array): boolean => out.some((f) => 'content' in f && Buffer.from(f.content.buffer, f.content.byteOffset, f.content.length).equals(content));
  let total = 0;
  for (const f of found) {
    if (f.content === undefined || f.content === null || known(f.content)) continue;
    const name = f.filename ?? '';
    total += f.content.length;
    // pdf.js decoded these without a cap: the worker's memory limit bounded that, these bound what is kept
    if (f.content.length > caps.perStream(size) || total > caps.total) return { reason: 'limit', detail: `PDF attachment ${name} decodes beyond the ratio or extraction output limit` };
    out.push({ name, description: f.description ?? '', content: f.content });
  }
  return out;
}

/**
 * `xmp`: the text of the metadata streams as the scan decoded them (every one, referenced or not), or
 * undefined for an encrypted file, whose metadata only pdf.js can decrypt (the catalog's packet, raw).
 */
async function readWithPdfJs(data: Uint8Array, maxChars: number, caps: PdfCaps, scanned: readonly EmbeddedFile[], xmp: string | undefined): Promise<PdfResult> {
  loading ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await loading;
  // pdf.js takes ownership of (detaches) the buffer it is given
  const task = pdfjs.getDocument({ data: new Uint8Array(data), verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, standardFontDataUrl: STANDARD_FONTS, stopAtErrors: false });
  try {
    const doc = await task.promise;
    const parts: string[] = [];
    const attached = Object.values(((await doc.getAttachments()) ?? {}) as Record<string, PdfJsFile>);
    let length = 0;
    for (let n = 1; n <= doc.numPages && length < maxChars; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let line = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        line += item.str + (item.hasEOL ? '\n' : '');
      }
      for (const a of await page.getAnnotations()) {
        if (a.file !== undefined) attached.push(a.file as PdfJsFile);
        for (const v of [a.contents, a.fieldValue, a.alternativeText, a.title, a.url, a.unsafeUrl]) if (typeof v === 'string' && v !== '') line += `\n${v}`;
      }
      parts.push(line);
      length += line.length;
      page.cleanup();
    }
    const meta = await doc.getMetadata().catch(() => undefined);
    parts.push(infoText((meta?.info ?? {}) as Record<string, unknown>));
    const raw = meta?.metadata?.getRaw();
    parts.push(xmp ?? (typeof raw === 'string' ? xmpText(raw) : ''));
    const files = withPdfJsFiles(scanned, attached, caps, data.length);
    if ('reason' in files) return files;
    return { text: parts.join('\n'), files };
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'PasswordException') return { reason: 'encrypted', detail: 'PDF needs a password' };
    return { reason: 'corrupt', detail: `PDF cannot be read: ${(err as Error).message}` };
  } finally {
    await task.destroy();
  }
}
