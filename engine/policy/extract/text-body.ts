// One inline text part's decoded bytes → its text (charset, CRLF, format=flowed), collected or scanned in
// windows, with the files uuencoded in it. The same reader serves mailparser's leaves (mime-parse.ts) and
// the streamed single-part path (streamed-text.ts), so the two cannot drift apart.
import type { ByteBudget } from './byte-budget.js';
import { htmlReading } from './markup-text.js';
import type { BodyText, ParsedPart } from './parsed-mime.js';
import { TextCollector, TextDecodeStream } from './text-collector.js';
import { UuDecoder, type UuFile } from './uuencode.js';
import { isUtf16Label, UTF16_SNIFF_BYTES, utf16Order } from './utf16-text.js';
import type { PolicySet } from '../policy-set.js';

/** How a text leaf is read, from its headers as mailparser parsed them. */
export interface TextLeafPlan {
  readonly html: boolean;
  readonly charset: string;
  readonly flowed: { readonly delSp: boolean } | undefined;
  /** MIME nesting level from the part id. */
  readonly depth: number;
}

export interface TextBodyContext {
  readonly budget: ByteBudget;
  readonly scans: PolicySet | undefined;
  readonly signal?: AbortSignal;
}

export class TextBodyReader {
  readonly #plan: TextLeafPlan;
  // a UTF-16 part's decoder waits for its first bytes, which tell its byte order (utf16-text.ts)
  #decoder: TextDecodeStream | undefined;
  #head: Uint8Array[] | undefined;
  #headBytes = 0;
  readonly #text: TextCollector;
  readonly #uu: UuDecoder | undefined;

  constructor(plan: TextLeafPlan, ctx: TextBodyContext) {
    this.#plan = plan;
    if (isUtf16Label(plan.charset)) this.#head = [];
    else this.#decoder = new TextDecodeStream(plan.charset, plan.flowed);
    this.#text = textCollector(ctx, plan.html);
    this.#uu = plan.html ? undefined : new UuDecoder(ctx.budget);
  }

  write(chunk: Uint8Array): void {
    if (this.#head === undefined) return this.#push((this.#decoder ?? this.#start(chunk)).write(chunk));
    this.#head.push(chunk);
    this.#headBytes += chunk.length;
    if (this.#headBytes >= UTF16_SNIFF_BYTES) this.#flushHead();
  }

  end(): BodyText {
    if (this.#head !== undefined) this.#flushHead();
    const decoder = this.#decoder ?? this.#start(new Uint8Array(0));
    this.#push(decoder.end());
    const files = uuParts(this.#uu?.end() ?? [], this.#plan.depth + 1);
    const undecodable = decoder.undecodable;
    return { html: this.#plan.html, ...this.#text.end(), ...(files.length > 0 ? { files } : {}), ...(undecodable === undefined ? {} : { undecodable }) };
  }

  #flushHead(): void {
    const head = Buffer.concat(this.#head ?? []);
    this.#head = undefined;
    this.#push(this.#start(head).write(head));
  }

  #start(head: Uint8Array): TextDecodeStream {
    this.#decoder = new TextDecodeStream(utf16Order(head, this.#plan.charset), this.#plan.flowed);
    return this.#decoder;
  }

  #push(piece: string): void {
    this.#text.push(piece);
    this.#uu?.push(piece);
  }
}

export function textCollector(ctx: TextBodyContext, html: boolean): TextCollector {
  return new TextCollector({ budget: ctx.budget, scans: ctx.scans, signal: ctx.signal, ...(html ? { markup: htmlReading } : {}) });
}

/** Decoded uuencoded files as parts (extract-file.ts sniffs each). */
export function uuParts(files: readonly UuFile[], depth: number): ParsedPart[] {
  return files.map((f) => ({ name: f.name, declaredType: 'application/octet-stream', size: f.size, content: f.content, truncated: f.truncated, depth, ...(f.yencPart === undefined ? {} : { yencPart: f.yencPart }) }));
}
