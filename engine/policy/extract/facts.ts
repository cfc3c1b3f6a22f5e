// What extraction records about a file: a text for the detectors, or a part it could not read.
// Apart from extract-file.ts so the container readers (which recurse through it) import no cycle.
import type { UnscannableReason } from '../analysis.js';
import type { ExtractContext } from '../extract-file.js';
import { HOLD_CHARS } from '../text-collector.js';

export function addText(ctx: ExtractContext, label: string, text: string): void {
  if (text === '') return;
  // a long text (a PDF's, a document's) crosses threads and is scanned in windows as bytes
  if (text.length > HOLD_CHARS) ctx.facts.longTexts.push({ label, bytes: Buffer.from(text, 'utf8'), charset: 'utf-8' });
  else ctx.facts.segments.push({ location: 'attachments', label, text });
}

export function unscannable(ctx: ExtractContext, label: string, reason: UnscannableReason, detail: string): void {
  ctx.facts.unscannable.push({ label, reason, detail });
}
