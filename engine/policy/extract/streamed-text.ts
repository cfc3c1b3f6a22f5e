// A streamed (spooled) message whose whole structure is one inline text part, read without mailparser's
// line-by-line split of the body: its header block is parsed by mailparser alone (mime-parse.ts probeMime,
// so every header-derived field is exactly what the full parse gives), then the body bytes go through the
// transfer decoder mailsplit would choose (the same code: qp-stream.ts, base64-stream.ts) into the same
// text reader mailparser's leaves use (text-body.ts). Anything else — multipart, an attached message, an
// attachment as the whole message, uuencode or another transfer encoding mailsplit does not decode,
// conflicting headers, a header block over HEAD_LIMIT — is given
// back to the full parse with the bytes read so far put back in front of the stream.
import type { Readable } from 'node:stream';
import { Base64Stream } from './base64-stream.js';
import { ByteBudget } from './byte-budget.js';
import { type MimeParseContext, parseMime, type ParseProbe, probeMime } from './mime-parse.js';
import type { ParsedMime } from './parsed-mime.js';
import { QpChunks } from './qp-stream.js';
import { type TextLeafPlan, TextBodyReader } from './text-body.js';
import { isNonstandardEncoding } from './transfer-encoding.js';

/** Header blocks longer than this take the full parse (mailsplit's own limit is 1 MiB). */
export const HEAD_LIMIT = 64 << 10;

interface Head {
  readonly bytes: Buffer;
  /** Where the body starts (after the empty line that ends the header block), if it was found. */
  readonly bodyStart: number | undefined;
  readonly ended: boolean;
}

interface SingleText {
  readonly parsed: ParsedMime;
  readonly plan: TextLeafPlan;
  readonly encoding: string | false | undefined;
}

interface ChunkDecoder {
  write(chunk: Buffer): Buffer;
  end(): Buffer;
}

export async function parseStreamedMessage(raw: Readable, ctx: MimeParseContext): Promise<ParsedMime> {
  // a stream error while the header is probed (no reader listens then) fails the parse, not the process
  let failed: Error | undefined;
  const hold = (err: Error): void => void (failed ??= err);
  raw.on('error', hold);
  let head: Head;
  let single: SingleText | undefined;
  try {
    head = await readHead(raw, ctx.signal);
    if (head.ended) return await parseMime(head.bytes, ctx);
    single = head.bodyStart === undefined ? undefined : await probeSingleText(head.bytes.subarray(0, head.bodyStart), ctx);
  } finally {
    raw.off('error', hold);
  }
  if (failed !== undefined) throw failed;
  // a stream that held no more than the head ends while it is paused: nothing is left to read
  if (single === undefined || head.bodyStart === undefined) {
    if (raw.readableEnded) return parseMime(head.bytes, ctx);
    raw.unshift(head.bytes);
    return parseMime(raw, ctx);
  }
  return readBody(raw, head.bytes, head.bodyStart, single, ctx);
}

/** mailsplit's end of a header block: the first line (lines end at LF) that is "\n" or "\r\n". */
export function headerEnd(bytes: Buffer): number | undefined {
  if (bytes[0] === 0x0a) return 1;
  if (bytes[0] === 0x0d && bytes[1] === 0x0a) return 2;
  const lf = bytes.indexOf('\n\n');
  const crlf = bytes.indexOf('\n\r\n');
  if (lf < 0 && crlf < 0) return undefined;
  return lf >= 0 && (crlf < 0 || lf < crlf) ? lf + 2 : crlf + 3;
}

function readHead(raw: Readable, signal: AbortSignal | undefined): Promise<Head> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const done = (ended: boolean): void => {
      raw.off('data', onData).off('end', onEnd).off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (!ended) raw.pause();
      const bytes = Buffer.concat(chunks);
      resolve({ bytes, bodyStart: headerEnd(bytes), ended });
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      if (headerEnd(bytes) !== undefined || bytes.length > HEAD_LIMIT) done(false);
    };
    const onEnd = (): void => done(true);
    const onError = (err: Error): void => {
      raw.off('data', onData).off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    };
    const onAbort = (): void => {
      raw.off('data', onData).off('end', onEnd).off('error', onError);
      raw.destroy();
      reject(signal?.reason instanceof Error ? signal.reason : new Error('inspection aborted'));
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    raw.on('data', onData).once('end', onEnd).once('error', onError);
  });
}

/** The header block parsed by mailparser; undefined unless it describes exactly one inline text leaf and nothing else. */
async function probeSingleText(header: Buffer, ctx: MimeParseContext): Promise<SingleText | undefined> {
  const probe: ParseProbe = { textLeaves: [], rootEncoding: undefined };
  let parsed: ParsedMime;
  try {
    parsed = await probeMime(header, { budget: new ByteBudget(Number.POSITIVE_INFINITY), maxParts: ctx.maxParts, maxDepth: ctx.maxDepth, scans: undefined, ...(ctx.ratio ? { ratio: ctx.ratio } : {}) }, probe);
  } catch {
    // the full parse meets the same header and reports it
    return undefined;
  }
  const plan = probe.textLeaves[0];
  const body = parsed.bodies[0];
  const single =
    plan !== undefined &&
    probe.textLeaves.length === 1 &&
    parsed.bodies.length === 1 &&
    body?.text === '' &&
    body.prescanned === undefined &&
    body.files === undefined &&
    parsed.parts.length === 0 &&
    parsed.nodeCount === 1 &&
    parsed.maxDepth === 0 &&
    (parsed.issues ?? []).length === 0 &&
    (parsed.structureTexts ?? []).length === 0;
  // a transfer encoding mailsplit does not decode gets its lenient readings beside the raw text (mime-parse.ts
  // readLeaf), which only the full parse makes
  const encoding = probe.rootEncoding;
  const standard = !isNonstandardEncoding(typeof encoding === 'string' ? encoding.trim().toLowerCase() : '');
  return single && standard ? { parsed, plan, encoding } : undefined;
}

// mailsplit's MimeNode#getDecoder: base64, quoted-printable, or the bytes as they are
function transferDecoder(encoding: string | false | undefined): ChunkDecoder {
  if (encoding === 'base64') return new Base64Stream();
  if (encoding === 'quoted-printable') return new QpChunks();
  return { write: (chunk) => chunk, end: () => Buffer.alloc(0) };
}

function readBody(raw: Readable, head: Buffer, bodyStart: number, single: SingleText, ctx: MimeParseContext): Promise<ParsedMime> {
  const { signal } = ctx;
  const reader = new TextBodyReader(single.plan, ctx);
  const transfer = transferDecoder(single.encoding);
  let size = head.length;
  return new Promise((resolve, reject) => {
    const fail = (err: unknown): void => {
      raw.off('data', onData).off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
      raw.destroy();
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onAbort = (): void => fail(signal?.reason instanceof Error ? signal.reason : new Error('inspection aborted'));
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      try {
        reader.write(transfer.write(chunk));
      } catch (err) {
        fail(err);
      }
    };
    const onEnd = (): void => {
      signal?.removeEventListener('abort', onAbort);
      try {
        reader.write(transfer.end());
        const body = reader.end();
        const { parsed } = single;
        resolve({ ...parsed, size, bodies: [body], parts: [...(body.files ?? [])] });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    if (signal?.aborted === true) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      reader.write(transfer.write(head.subarray(bodyStart)));
    } catch (err) {
      return fail(err);
    }
    if (raw.readableEnded) return onEnd();
    raw.on('data', onData).once('end', onEnd).once('error', fail);
    raw.resume();
  });
}
