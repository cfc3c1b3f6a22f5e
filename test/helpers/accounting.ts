// Message accounting for reliability tests: every test message carries a unique id (X-Test-Id header
// and body), a recording sender keeps the final reply it saw per message, the receiving MTA's messages
// are read back by id, and assertAccounting checks the one promise of an in-line gateway: a message the
// sender saw accepted was delivered exactly once, and a permanently refused one was never delivered.
import { randomBytes } from 'node:crypto';
import { RawSmtp } from './raw-smtp-client.js';
import type { RawReply } from './raw-smtp-client.js';

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
    `delivered after a temporary failure (the upstream retries it: a duplicate): ${list(r.afterTempfail)}`,
    `delivered after a permanent failure (bug): ${list(r.afterPermfail)}`,
    `delivered but never sent / without id: ${r.unknown.length === 0 ? 'none' : r.unknown.join(', ')}`,
  ].join('\n');
}

export interface AccountingOptions {
  /**
   * Why this test may see a message delivered after a 4xx or no reply (the receiving MTA or the upstream
   * dropped the connection right after the final dot: the window of RFC 1047 that no hop can close).
   * Without it such a delivery fails the test: the gateway itself must never cause one (drain, expiry).
   */
  readonly allowPossibleDuplicates?: string;
}

/**
 * Throws unless every accepted message was delivered exactly once, nothing was delivered after a 5xx,
 * nothing unknown was delivered and — unless the test names the reason it is inherent — nothing was
 * delivered after a 4xx or no reply (the upstream retries it: a duplicate).
 */
export function assertAccounting(sent: readonly SentMessage[], delivered: readonly DeliveredMessage[], opts: AccountingOptions = {}): AccountingReport {
  const r = accountFor(sent, delivered);
  const text = formatAccounting(r, sent);
  const duplicateAfterRetry = r.afterTempfail.length > 0 && opts.allowPossibleDuplicates === undefined;
  if (r.lost.length > 0 || r.duplicated.length > 0 || r.afterPermfail.length > 0 || r.unknown.length > 0 || duplicateAfterRetry) {
    throw new Error(`RG_TEST_ACCOUNTING: message accounting failed\n${text}`);
  }
  if (r.afterTempfail.length > 0) process.stderr.write(`accounting: ${r.afterTempfail.length} possible duplicate(s) (allowed: ${opts.allowPossibleDuplicates ?? ''})\n${text}\n`);
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
  /** How long any one reply may take, the final one included (default 20 s). */
  readonly replyTimeoutMs?: number;
}

/**
 * An upstream MTA for tests on the test's own raw SMTP client (test/helpers/raw-smtp-client.ts) — not
 * on the gateway's relay client, so a bug in that client cannot hide itself here. One command at a time
 * (no pipelining), so the step that decided a message is exact; the body is dot-stuffed here. Records
 * the final reply of every message it tries; never retries (the test sees each try).
 */
export class RecordingSender {
  readonly sent: SentMessage[] = [];
  readonly #opts: RecordingSenderOptions;
  #conn: RawSmtp | null = null;
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
    // Before DATA: the gateway's DATA time budget starts with its 354, not with our own preparation.
    const wire = dotStuffed(message);
    let step: SendStep = 'connect';
    try {
      const conn = await this.#connection();
      if (conn === null) return { id, outcome: 'no-reply', step, detail: 'connection refused or closed at the banner' };
      if ('code' in conn) return done(id, classify(conn.code), step, conn);
      step = 'mail';
      const mail = await conn.command(`MAIL FROM:<${envelope.from}>`);
      if (classify(mail.code) !== 'accepted') return done(id, classify(mail.code), step, mail);
      step = 'rcpt';
      const rcpts: RawReply[] = [];
      for (const to of envelope.to) rcpts.push(await conn.command(`RCPT TO:<${to}>`));
      if (!rcpts.some((r) => r.code >= 200 && r.code < 300)) {
        const worst = rcpts.find((r) => r.code >= 500) ?? rcpts[0] ?? { code: 421, lines: ['no recipient reply'], text: '' };
        return done(id, classify(worst.code), step, worst);
      }
      step = 'data';
      const go = await conn.command('DATA');
      if (go.code !== 354) return done(id, go.code >= 200 && go.code < 400 ? 'tempfail' : classify(go.code), step, go);
      step = 'end-of-data';
      conn.write(wire);
      const final = await conn.reply();
      this.#onConn += 1;
      return done(id, classify(final.code), step, final);
    } catch (err) {
      return { id, outcome: 'no-reply', step, detail: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The kept connection, a new one (null if it closed at once, the banner reply when it is not 2xx). */
  async #connection(): Promise<RawSmtp | RawReply | null> {
    const limit = this.#opts.messagesPerConnection ?? 1;
    if (this.#conn !== null && (this.#onConn >= limit || this.#conn.closed)) await this.close();
    if (this.#conn !== null) {
      // A kept connection starts each message from a clean state.
      const r = await this.#conn.command('RSET');
      if (r.code !== 250) return r;
      return this.#conn;
    }
    this.#onConn = 0;
    const { client, banner } = await RawSmtp.open(this.#opts.port, { host: this.#opts.host ?? '127.0.0.1', replyTimeoutMs: this.#opts.replyTimeoutMs ?? 20_000 });
    this.#conn = client;
    if (banner.code !== 220) return banner;
    const ehlo = await client.command('EHLO upstream.example.test');
    if (ehlo.code !== 250) return ehlo;
    return client;
  }

  #drop(): void {
    const c = this.#conn;
    this.#conn = null;
    c?.destroy();
  }
}

/** RFC 5321 §4.5.2 transparency, done here and not by the code under test; then the terminator. */
export function dotStuffed(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  if (message[0] === 0x2e) parts.push(Buffer.from('.'));
  for (let at = message.indexOf('\r\n.'); at >= 0; at = message.indexOf('\r\n.', at + 3)) {
    parts.push(message.subarray(from, at + 2), Buffer.from('.'));
    from = at + 2;
  }
  parts.push(message.subarray(from));
  const endsWithCrlf = message.length >= 2 && message[message.length - 2] === 0x0d && message[message.length - 1] === 0x0a;
  parts.push(Buffer.from(endsWithCrlf ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}

function done(id: string, outcome: SendOutcome, step: SendStep, r: RawReply): SentMessage {
  return { id, outcome, step, detail: r.lines.join(' / ') };
}

/** One message with `subject` from alice@corp.example to bob@example.org on a fresh connection. */
export async function sendOneMessage(port: number, subject: string): Promise<{ outcome: string; detail: string }> {
  const sender = new RecordingSender({ port });
  const result = await sender.send({ from: 'alice@corp.example', to: ['bob@example.org'] }, testMessage(newTestId(), { subject }));
  await sender.close().catch(() => undefined);
  return result;
}
