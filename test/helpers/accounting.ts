// Message accounting for reliability tests: every test message carries a unique id (X-Test-Id header
// and body), a recording sender keeps the final reply it saw per message, the receiving MTA's messages
// are read back by id, and assertAccounting checks the one promise of an in-line gateway: a message the
// sender saw accepted was delivered exactly once, and a permanently refused one was never delivered.
import { randomBytes } from 'node:crypto';
import { RelayConnection, RelayError } from '../../engine/smtp/relay-client.js';
import type { RelayConnectOptions } from '../../engine/smtp/relay-client.js';

/** What the sender concluded about one message. */
export type SendOutcome =
  /** 2xx to the end of DATA. */
  | 'accepted'
  /** 4xx at some step: the sender keeps the message and retries. */
  | 'tempfail'
  /** 5xx at some step: the sender bounces the message. */
  | 'permfail'
  /** The connection failed with no final reply: the sender retries, like a 4xx. */
  | 'no-reply';

export type SendStep = 'connect' | 'mail' | 'rcpt' | 'data' | 'end-of-data';

export interface SentMessage {
  readonly id: string;
  readonly outcome: SendOutcome;
  readonly step: SendStep;
  /** The reply line that decided the outcome, or the transport error. */
  readonly detail: string;
}

export interface DeliveredMessage {
  readonly raw: Buffer;
}

export interface AccountingReport {
  readonly sent: number;
  readonly accepted: number;
  readonly delivered: number;
  /** Accepted (the sender saw 250) but never delivered: a lost message. */
  readonly lost: readonly string[];
  /** Delivered more than once (any outcome). */
  readonly duplicated: readonly string[];
  /** Delivered although the sender saw a 4xx or no reply: it will retry, so a possible duplicate. Allowed, counted. */
  readonly afterTempfail: readonly string[];
  /** Delivered although the sender saw a 5xx: a bug (the sender bounced a message that went through). */
  readonly afterPermfail: readonly string[];
  /** Delivered with an id nobody sent, or with no id: the gateway made up or split a message. */
  readonly unknown: readonly string[];
  readonly byOutcome: Readonly<Record<SendOutcome, number>>;
}

const ID_HEADER = 'X-Test-Id';
const ID_PATTERN = /^X-Test-Id:[ \t]*(\S+)\r?$/im;

let counter = 0;

/** A unique, grep-friendly message id. */
export function newTestId(prefix = 'm'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(4).toString('hex')}`;
}

export interface TestMessageOptions {
  readonly from?: string;
  readonly to?: string;
  readonly subject?: string;
  /** Body text after the id line (CRLF line endings expected; the relay client normalises anyway). */
  readonly body?: string;
  /** Pad the body to about this many bytes (large-message and spool tests). */
  readonly padTo?: number;
}

/** A complete RFC 5322 message carrying `id` in the X-Test-Id header and in the first body line. */
export function testMessage(id: string, opts: TestMessageOptions = {}): Buffer {
  const head =
    `From: <${opts.from ?? 'alice@corp.example'}>\r\n` +
    `To: <${opts.to ?? 'bob@example.org'}>\r\n` +
    `Subject: ${opts.subject ?? `accounting ${id}`}\r\n` +
    `Message-ID: <${id}@test.example.test>\r\n` +
    `${ID_HEADER}: ${id}\r\n\r\n`;
  let body = `test-id ${id}\r\n${opts.body ?? 'hello\r\n'}`;
  if (opts.padTo !== undefined && body.length < opts.padTo) {
    const line = `${'x'.repeat(76)}\r\n`;
    body += line.repeat(Math.ceil((opts.padTo - body.length) / line.length));
  }
  return Buffer.from(head + body, 'latin1');
}

/** The X-Test-Id of a delivered message (first occurrence in its header block), or undefined. */
export function testIdOf(raw: Buffer): string | undefined {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  const head = headEnd < 0 ? text : text.slice(0, headEnd + 2);
  return ID_PATTERN.exec(head)?.[1];
}

function classify(code: number): SendOutcome {
  if (code >= 200 && code < 400) return 'accepted';
  return code >= 500 ? 'permfail' : 'tempfail';
}

export function accountFor(sent: readonly SentMessage[], delivered: readonly DeliveredMessage[]): AccountingReport {
  const outcomes = new Map(sent.map((s) => [s.id, s.outcome] as const));
  const seen = new Map<string, number>();
  const unknown: string[] = [];
  for (const m of delivered) {
    const id = testIdOf(m.raw);
    if (id === undefined || !outcomes.has(id)) {
      unknown.push(id ?? `(no id) ${JSON.stringify(m.raw.subarray(0, 120).toString('latin1'))}`);
      continue;
    }
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const byOutcome: Record<SendOutcome, number> = { accepted: 0, tempfail: 0, permfail: 0, 'no-reply': 0 };
  const lost: string[] = [];
  const afterTempfail: string[] = [];
  const afterPermfail: string[] = [];
  for (const s of sent) {
    byOutcome[s.outcome] += 1;
    const n = seen.get(s.id) ?? 0;
    if (s.outcome === 'accepted' && n === 0) lost.push(s.id);
    if ((s.outcome === 'tempfail' || s.outcome === 'no-reply') && n > 0) afterTempfail.push(s.id);
    if (s.outcome === 'permfail' && n > 0) afterPermfail.push(s.id);
  }
  const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  return { sent: sent.length, accepted: byOutcome.accepted, delivered: delivered.length, lost, duplicated, afterTempfail, afterPermfail, unknown, byOutcome };
}

export function formatAccounting(r: AccountingReport, sent: readonly SentMessage[] = []): string {
  const detail = new Map(sent.map((s) => [s.id, `${s.outcome} at ${s.step}: ${s.detail}`] as const));
  const list = (ids: readonly string[]): string => (ids.length === 0 ? 'none' : ids.map((id) => `${id} (${detail.get(id) ?? '?'})`).join(', '));
  return [
    `sent ${r.sent}: accepted ${r.byOutcome.accepted}, tempfail ${r.byOutcome.tempfail}, permfail ${r.byOutcome.permfail}, no reply ${r.byOutcome['no-reply']}; delivered ${r.delivered}`,
    `lost (accepted, not delivered): ${list(r.lost)}`,
    `duplicated: ${list(r.duplicated)}`,
    `delivered after a temporary failure (possible duplicate, allowed): ${list(r.afterTempfail)}`,
    `delivered after a permanent failure (bug): ${list(r.afterPermfail)}`,
    `delivered but never sent / without id: ${r.unknown.length === 0 ? 'none' : r.unknown.join(', ')}`,
  ].join('\n');
}

/**
 * Throws unless every accepted message was delivered exactly once, nothing was delivered after a 5xx
 * and nothing unknown was delivered. Possible duplicates (delivered after a 4xx / no reply) are allowed,
 * printed when there are any, and returned for the test to bound if it wants.
 */
export function assertAccounting(sent: readonly SentMessage[], delivered: readonly DeliveredMessage[]): AccountingReport {
  const r = accountFor(sent, delivered);
  const text = formatAccounting(r, sent);
  if (r.lost.length > 0 || r.duplicated.length > 0 || r.afterPermfail.length > 0 || r.unknown.length > 0) {
    throw new Error(`RG_TEST_ACCOUNTING: message accounting failed\n${text}`);
  }
  if (r.afterTempfail.length > 0) process.stderr.write(`accounting: ${r.afterTempfail.length} possible duplicate(s)\n${text}\n`);
  return r;
}

// ---- the recording sender ---------------------------------------------------------------------

export interface Envelope {
  readonly from: string;
  readonly to: readonly string[];
}

export interface RecordingSenderOptions {
  readonly port: number;
  readonly host?: string;
  /** Messages per connection before the sender reconnects (default 1). */
  readonly messagesPerConnection?: number;
  readonly timeouts?: RelayConnectOptions['timeouts'];
}

/**
 * An upstream MTA for tests, built on the gateway's own relay client (fast, pipelining, strict reply
 * parsing). Records the final reply of every message it tries; never retries (the test sees each try).
 */
export class RecordingSender {
  readonly sent: SentMessage[] = [];
  readonly #opts: RecordingSenderOptions;
  #conn: RelayConnection | null = null;
  #onConn = 0;

  constructor(opts: RecordingSenderOptions) {
    this.#opts = opts;
  }

  /** Sends one message and records what the sender concluded. Never throws for SMTP or transport failures. */
  async send(envelope: Envelope, message: Buffer, id = testIdOf(message) ?? newTestId()): Promise<SentMessage> {
    const result = await this.#attempt(envelope, message, id);
    this.sent.push(result);
    if (result.outcome !== 'accepted') this.#drop();
    return result;
  }

  async close(): Promise<void> {
    const c = this.#conn;
    this.#conn = null;
    if (c !== null) await c.quit();
  }

  async #attempt(envelope: Envelope, message: Buffer, id: string): Promise<SentMessage> {
    let step: SendStep = 'connect';
    try {
      const conn = await this.#connection();
      step = 'mail';
      // MAIL on its own: a 421 to MAIL followed by a close must be seen as that 421, not as a lost connection.
      const mail = await conn.mail(envelope.from);
      if (classify(mail.code) !== 'accepted') return done(id, classify(mail.code), step, mail);
      step = 'rcpt';
      const rcpts = [];
      for (const to of envelope.to) rcpts.push(await conn.rcpt(to));
      const firstOk = rcpts.find((r) => r.code >= 200 && r.code < 300);
      if (firstOk === undefined) {
        const worst = rcpts.find((r) => r.code >= 500) ?? rcpts[0] ?? { code: 421, lines: ['no recipient reply'] };
        return done(id, classify(worst.code), step, worst);
      }
      step = 'data';
      const final = await conn.data([message]);
      this.#onConn += 1;
      // The gateway reads the whole message before it answers DATA's outcome, so this is the end-of-data reply.
      return done(id, classify(final.code), 'end-of-data', final);
    } catch (err) {
      const text = err instanceof RelayError ? `[${err.code}] ${err.message}` : String(err);
      return { id, outcome: 'no-reply', step, detail: text };
    }
  }

  async #connection(): Promise<RelayConnection> {
    const limit = this.#opts.messagesPerConnection ?? 1;
    if (this.#conn !== null && (this.#onConn >= limit || !this.#conn.usable)) await this.close();
    if (this.#conn === null) {
      this.#onConn = 0;
      this.#conn = await RelayConnection.open({
        host: this.#opts.host ?? '127.0.0.1',
        port: this.#opts.port,
        ehloName: 'upstream.example.test',
        timeouts: { connectMs: 5_000, greetingMs: 10_000, commandMs: 10_000, dataMs: 20_000, ...this.#opts.timeouts },
        tls: { starttls: 'disabled', options: {} },
      });
    }
    return this.#conn;
  }

  #drop(): void {
    const c = this.#conn;
    this.#conn = null;
    c?.close();
  }
}

function done(id: string, outcome: SendOutcome, step: SendStep, r: { readonly code: number; readonly enhanced?: string; readonly lines: readonly string[] }): SentMessage {
  return { id, outcome, step, detail: `${r.code}${r.enhanced === undefined ? '' : ` ${r.enhanced}`} ${r.lines.join(' / ')}` };
}
