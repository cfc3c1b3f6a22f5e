// PDF text: every stream is first decoded here under the byte caps (pdf-streams.ts), so a Flate bomb is
// refused before pdf.js could inflate it; a PDF whose glyphs can only mean their bytes is read from its
// content streams directly (pdf-text.ts); any other goes through pdf.js (Mozilla): fonts' ToUnicode maps,
// embedded fonts, encryption, text in annotations and form fields. Runs in a worker thread (pool.ts); a
// PDF that needs a password is reported encrypted.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { type PdfCaps, scanPdfStreams } from './pdf-streams.js';
import { fastPdfText } from './pdf-text.js';

export type PdfResult = { readonly text: string } | { readonly reason: 'encrypted' | 'corrupt' | 'limit'; readonly detail: string };

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
let loading: Promise<PdfJs> | undefined;

const STANDARD_FONTS = (() => {
  const root = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
  return `${pathToFileURL(join(root, 'standard_fonts')).href}/`;
})();

export async function readPdf(data: Uint8Array, maxChars: number, caps: PdfCaps): Promise<PdfResult> {
  const scan = scanPdfStreams(data, caps);
  if ('reason' in scan) return scan;
  const fast = fastPdfText(scan, maxChars);
  if (fast !== undefined) return { text: fast };
  return readWithPdfJs(data, maxChars);
}

async function readWithPdfJs(data: Uint8Array, maxChars: number): Promise<PdfResult> {
  loading ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdfjs = await loading;
  // pdf.js takes ownership of (detaches) the buffer it is given
  const task = pdfjs.getDocument({ data: new Uint8Array(data), verbosity: 0, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, standardFontDataUrl: STANDARD_FONTS, stopAtErrors: false });
  try {
    const doc = await task.promise;
    const parts: string[] = [];
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
        for (const v of [a.contents, a.fieldValue, a.alternativeText, a.title, a.url, a.unsafeUrl]) if (typeof v === 'string' && v !== '') line += `\n${v}`;
      }
      parts.push(line);
      length += line.length;
      page.cleanup();
    }
    const meta = await doc.getMetadata().catch(() => undefined);
    const info = (meta?.info ?? {}) as Record<string, unknown>;
    for (const k of ['Title', 'Subject', 'Keywords', 'Author']) if (typeof info[k] === 'string') parts.push(info[k]);
    return { text: parts.join('\n') };
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name === 'PasswordException') return { reason: 'encrypted', detail: 'PDF needs a password' };
    return { reason: 'corrupt', detail: `PDF cannot be read: ${(err as Error).message}` };
  } finally {
    await task.destroy();
  }
}
