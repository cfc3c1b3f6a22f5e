// What extraction records about a file: a text for the detectors, or a part it could not read.
// Apart from extract-file.ts so the container readers (which recurse through it) import no cycle.
import type { UnscannableReason } from '../analysis.js';
import type { ExtractContext } from './extract-context.js';

/**
 * Extracted texts up to this length are held whole; longer ones are scanned in windows (LongText). Higher
 * than a body's HOLD_CHARS: a windowed scan runs every detector on every window, which cost 1.8x the CPU of
 * a held 4 MB text in bench:inspect's nested zip, while 8 MiB still bounds what one text may hold.
 */
export const EXTRACTED_HOLD_CHARS = 8 << 20;

export function addText(ctx: ExtractContext, label: string, text: string): void {
  if (text === '') return;
  // a long text (a PDF's, a document's) crosses threads and is scanned in windows as bytes
  if (text.length > EXTRACTED_HOLD_CHARS) ctx.facts.longTexts.push({ label, bytes: Buffer.from(text, 'utf8'), charset: 'utf-8' });
  else ctx.facts.segments.push({ location: 'attachments', label, text });
}

export function unscannable(ctx: ExtractContext, label: string, reason: UnscannableReason, detail: string): void {
  ctx.facts.unscannable.push({ label, reason, detail });
}
