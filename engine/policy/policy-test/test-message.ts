// Policy-test messages: inline ones are composed with nodemailer, .eml fixtures are read beside the test file.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { EmlMessage, InlineMessage, TestAttachment, TestEnvelope } from '../../config/generated/policy-test.js';

export const DEFAULT_TEST_SENDER = 'sender@example.test';
export const DEFAULT_TEST_RECIPIENT = 'recipient@example.test';

export interface TestMessage {
  readonly raw: Buffer;
  readonly envelope: { readonly upstream: string; readonly sender: string; readonly recipients: readonly string[] };
}

export function isEml(message: InlineMessage | EmlMessage): message is EmlMessage {
  return 'eml' in message && typeof message.eml === 'string';
}

/** Envelope precedence: the case's message, then the file's defaults, then the eml's own headers, then placeholders. */
export async function buildTestMessage(message: InlineMessage | EmlMessage, defaults: TestEnvelope | undefined, testFile: string, fallbackUpstream: string): Promise<TestMessage> {
  const upstream = message.upstream ?? defaults?.upstream ?? fallbackUpstream;
  if (isEml(message)) {
    const raw = await readFile(resolve(dirname(testFile), message.eml));
    const head = headerBlockOf(raw);
    const sender = message.from ?? defaults?.from ?? addresses(headerOf(head, 'from'))[0] ?? DEFAULT_TEST_SENDER;
    const recipients = message.to ?? defaults?.to ?? nonEmpty(addresses([headerOf(head, 'to'), headerOf(head, 'cc')].join(','))) ?? [DEFAULT_TEST_RECIPIENT];
    return { raw, envelope: { upstream, sender, recipients } };
  }
  const sender = message.from ?? defaults?.from ?? DEFAULT_TEST_SENDER;
  const recipients = message.to ?? defaults?.to ?? [DEFAULT_TEST_RECIPIENT];
  const raw = await new MailComposer({
    from: sender,
    to: recipients,
    subject: message.subject ?? '',
    ...(message.body !== undefined ? { text: message.body } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    headers: Object.fromEntries(Object.entries(message.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    attachments: (message.attachments ?? []).map(attachment),
  })
    .compile()
    .build();
  return { raw, envelope: { upstream, sender, recipients } };
}

export class TestMessageError extends Error {
  readonly code = 'RG_TEST_MESSAGE';
}

function attachment(a: TestAttachment): { filename: string; content: Buffer | string; contentType?: string } {
  const given = [a.content, a.base64, a.size].filter((v) => v !== undefined).length;
  if (given !== 1) throw new TestMessageError(`attachment ${a.name}: give exactly one of content, base64 or size`);
  const content = a.content ?? (a.base64 !== undefined ? Buffer.from(a.base64, 'base64') : Buffer.alloc(a.size ?? 0, 'A'));
  return { filename: a.name, content, ...(a.contentType !== undefined ? { contentType: a.contentType } : {}) };
}

function headerBlockOf(raw: Buffer): string {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  return raw.subarray(0, crlf >= 0 ? crlf : lf >= 0 ? lf : raw.length).toString('latin1');
}

function headerOf(head: string, name: string): string {
  const re = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im');
  return re.exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, ' ') ?? '';
}

function addresses(value: string): string[] {
  return [...value.matchAll(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g)].map((m) => m[0]);
}

function nonEmpty(list: string[]): string[] | undefined {
  return list.length > 0 ? list : undefined;
}
