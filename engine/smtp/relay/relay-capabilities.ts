// ESMTP capabilities of a receiving MTA, read from its EHLO reply.
import type { SmtpReply } from '../reply.js';

export type RelayCapabilities = {
  /** false after a HELO fallback: no extension may be used. */
  readonly esmtp: boolean;
  readonly pipelining: boolean;
  /** SIZE limit in bytes; 0 when SIZE is offered without a limit, null when not offered. */
  readonly size: number | null;
  readonly eightBitMime: boolean;
  readonly smtpUtf8: boolean;
  readonly dsn: boolean;
  readonly starttls: boolean;
  readonly enhancedStatusCodes: boolean;
  /** Every keyword as offered, upper-cased (CHUNKING is recorded but never used). */
  readonly keywords: ReadonlySet<string>;
};

export const HELO_CAPABILITIES: RelayCapabilities = Object.freeze({
  esmtp: false,
  pipelining: false,
  size: null,
  eightBitMime: false,
  smtpUtf8: false,
  dsn: false,
  starttls: false,
  enhancedStatusCodes: false,
  keywords: new Set<string>(),
});

/** The first line of an EHLO reply is the server's greeting; each later line is `KEYWORD [params]`. */
export function parseCapabilities(ehlo: SmtpReply): RelayCapabilities {
  const keywords = new Set<string>();
  let size: number | null = null;
  for (const line of ehlo.lines.slice(1)) {
    const [keyword = '', ...params] = line.trim().split(/\s+/);
    const key = keyword.toUpperCase();
    if (key === '') continue;
    keywords.add(key);
    if (key === 'SIZE') {
      const n = Number(params[0] ?? '0');
      size = Number.isSafeInteger(n) && n >= 0 ? n : 0;
    }
  }
  return Object.freeze({
    esmtp: true,
    pipelining: keywords.has('PIPELINING'),
    size,
    eightBitMime: keywords.has('8BITMIME'),
    smtpUtf8: keywords.has('SMTPUTF8'),
    dsn: keywords.has('DSN'),
    starttls: keywords.has('STARTTLS'),
    enhancedStatusCodes: keywords.has('ENHANCEDSTATUSCODES'),
    keywords,
  });
}
