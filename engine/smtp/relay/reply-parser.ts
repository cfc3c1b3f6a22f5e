// Streaming reply parser for the relay client: bytes in (any chunking, pipelined replies), replies out.
import { parseReplyLine, replyFromParsed } from '../reply.js';
import type { ParsedReplyLine, SmtpReply } from '../reply.js';

/** RFC 5321 allows 512 octets per reply line; real servers exceed it, so be generous but bounded. */
const MAX_LINE_BYTES = 16 * 1024;
const MAX_REPLY_LINES = 256;

export class ReplySyntaxError extends Error {
  readonly code = 'RG_SMTP_REPLY_SYNTAX';
  constructor(message: string) {
    super(message);
    this.name = 'ReplySyntaxError';
  }
}

export class ReplyParser {
  #rest: Buffer | null = null;
  #lines: ParsedReplyLine[] = [];

  /** True when bytes of an incomplete reply are buffered. */
  get hasPartial(): boolean {
    return this.#rest !== null || this.#lines.length > 0;
  }

  /** Feeds one chunk; returns the replies it completed, in order. Throws ReplySyntaxError on garbage. */
  push(chunk: Buffer): SmtpReply[] {
    const buf = this.#rest === null ? chunk : Buffer.concat([this.#rest, chunk]);
    this.#rest = null;
    const out: SmtpReply[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      const done = this.#line(buf.toString('utf8', start, end));
      if (done !== undefined) out.push(done);
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > MAX_LINE_BYTES) throw new ReplySyntaxError(`reply line longer than ${MAX_LINE_BYTES} bytes`);
      this.#rest = buf.subarray(start);
    }
    return out;
  }

  /** Drops buffered state, e.g. before handing the socket to TLS. */
  reset(): void {
    this.#rest = null;
    this.#lines = [];
  }

  #line(text: string): SmtpReply | undefined {
    const parsed = parseReplyLine(text);
    if (parsed === undefined) throw new ReplySyntaxError(`not an SMTP reply line: ${JSON.stringify(text.slice(0, 80))}`);
    const first = this.#lines[0];
    if (first !== undefined && first.code !== parsed.code) {
      throw new ReplySyntaxError(`reply code changed inside a multi-line reply (${first.code} then ${parsed.code})`);
    }
    this.#lines.push(parsed);
    if (!parsed.last) {
      if (this.#lines.length > MAX_REPLY_LINES) throw new ReplySyntaxError(`reply longer than ${MAX_REPLY_LINES} lines`);
      return undefined;
    }
    const done = replyFromParsed(this.#lines);
    this.#lines = [];
    return done;
  }
}
