// The edge around mailparser: one streaming parse, attachment content kept only within the byte budget.
import { Readable } from 'node:stream';
import { MailParser } from 'mailparser';
import type { AttachmentStream, MessageText } from 'mailparser';

export interface ParsedPart {
  readonly name: string;
  readonly declaredType: string;
  /** Full decoded size, counted even when content was not kept. */
  readonly size: number;
  /** The kept prefix of the decoded content (all of it unless `truncated`). */
  readonly content: Buffer;
  readonly truncated: boolean;
  /** MIME nesting level from the part id ("2.1" → 2). */
  readonly depth: number;
}

export interface ParsedMime {
  readonly size: number;
  readonly headerLines: readonly string[];
  readonly text: string;
  readonly html: string;
  readonly parts: readonly ParsedPart[];
  /** Every MIME node, multipart containers included. */
  readonly nodeCount: number;
  readonly maxDepth: number;
}

/** Shared decoded-byte budget: take() grants at most what is left. */
export class ByteBudget {
  #left: number;
  #exceeded = false;
  constructor(limit: number) {
    this.#left = limit;
  }
  take(wanted: number): number {
    const granted = Math.min(wanted, this.#left);
    this.#left -= granted;
    if (granted < wanted) this.#exceeded = true;
    return granted;
  }
  /** Something was cut without asking take() (a caller that truncated on its own). */
  markExceeded(): void {
    this.#exceeded = true;
  }
  get left(): number {
    return this.#left;
  }
  get exceeded(): boolean {
    return this.#exceeded;
  }
}

// Enough to sniff a type even when the budget is spent.
const SNIFF_BYTES = 4096;

/** A structural limit the MIME splitter enforces itself (it stops parsing). */
export class MimeLimitError extends Error {
  readonly code = 'RG_POLICY_MIME_LIMIT';
}

export function parseMime(raw: Buffer | Readable, budget: ByteBudget, maxParts: number, signal?: AbortSignal): Promise<ParsedMime> {
  return new Promise((resolve, reject) => {
    // mailsplit counts nodes and refuses more than maxChildNodes: our part limit, enforced while splitting
    const options = { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, checksumAlgo: false, maxChildNodes: maxParts };
    const parser = new MailParser(options as object);
    const state = { size: 0, headerLines: [] as string[], text: '', html: '', parts: [] as Promise<ParsedPart>[] };
    const onAbort = (): void => {
      parser.destroy();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('inspection aborted'));
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    parser.on('headerLines', (lines: { line: string }[]) => state.headerLines.push(...lines.map((l) => l.line)));
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'attachment') state.parts.push(readPart(data, budget));
      else {
        state.text = typeof data.text === 'string' ? data.text : '';
        state.html = typeof data.html === 'string' ? data.html : '';
      }
    });
    parser.once('error', (err: Error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(/child nodes exceeded/i.test(err.message) ? new MimeLimitError(`more than ${maxParts} MIME parts`) : err);
    });
    parser.once('end', () => {
      signal?.removeEventListener('abort', onAbort);
      Promise.all(state.parts)
        .then((parts) => resolve({ ...state, parts, ...treeShape((parser as unknown as { tree?: unknown }).tree) }))
        .catch(reject);
    });
    feed(raw, parser, (n) => (state.size += n), reject);
  });
}

function feed(raw: Buffer | Readable, parser: MailParser, count: (n: number) => void, fail: (e: Error) => void): void {
  if (Buffer.isBuffer(raw)) {
    count(raw.length);
    parser.end(raw);
    return;
  }
  raw.on('data', (chunk: Buffer) => count(chunk.length));
  raw.once('error', (err: Error) => {
    parser.destroy();
    fail(err);
  });
  raw.pipe(parser);
}

function readPart(att: AttachmentStream, budget: ByteBudget): Promise<ParsedPart> {
  return new Promise((resolve, reject) => {
    const kept: Buffer[] = [];
    let keptBytes = 0;
    let size = 0;
    let truncated = false;
    att.content.on('data', (chunk: Buffer) => {
      size += chunk.length;
      const sniffRoom = Math.max(0, SNIFF_BYTES - keptBytes);
      const granted = Math.max(budget.take(chunk.length), Math.min(sniffRoom, chunk.length));
      if (granted < chunk.length) truncated = true;
      if (granted > 0) kept.push(granted === chunk.length ? chunk : chunk.subarray(0, granted));
      keptBytes += granted;
    });
    att.content.once('error', reject);
    att.content.once('end', () => {
      att.release?.();
      resolve({
        name: att.filename ?? '',
        declaredType: (att.contentType ?? 'application/octet-stream').toLowerCase(),
        size,
        content: Buffer.concat(kept),
        truncated,
        depth: (att.partId ?? '1').split('.').length,
      });
    });
  });
}

interface TreeNode {
  readonly children?: readonly TreeNode[];
}

// mailparser keeps the MIME tree it built; counting it is how part and depth limits see nested parts.
function treeShape(tree: unknown): { nodeCount: number; maxDepth: number } {
  let nodeCount = 0;
  let maxDepth = 0;
  const walk = (node: TreeNode, depth: number): void => {
    nodeCount++;
    maxDepth = Math.max(maxDepth, depth);
    for (const child of node.children ?? []) walk(child, depth + 1);
  };
  if (typeof tree === 'object' && tree !== null) walk(tree as TreeNode, 0);
  return { nodeCount, maxDepth };
}
