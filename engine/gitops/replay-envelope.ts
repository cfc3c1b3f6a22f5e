// The envelope a corpus message is replayed with. Flags override everything; then the message's sidecar; then
// what the delivering MTA recorded in the message (Return-Path, Delivered-To); then its From/To/Cc headers.
import type { Envelope } from '../policy/decide/verdict.js';
import type { CorpusMessage } from './replay-corpus.js';

export interface EnvelopeFlags {
  readonly sender?: string;
  readonly recipients?: readonly string[];
  readonly upstream?: string;
}

export function replayEnvelope(msg: CorpusMessage, flags: EnvelopeFlags, defaultUpstream: string, transactionId: string): Envelope {
  const head = headerBlock(msg.raw);
  const returnPath = fields(head, 'return-path').flatMap(addresses)[0] ?? (fields(head, 'return-path').some((v) => /<\s*>/.test(v)) ? '' : undefined);
  const sender = flags.sender ?? msg.hints.sender ?? returnPath ?? fields(head, 'from').flatMap(addresses)[0] ?? '';
  const delivered = fields(head, 'delivered-to').flatMap(addresses);
  const headerRcpts = [...fields(head, 'to'), ...fields(head, 'cc')].flatMap(addresses);
  const recipients = nonEmpty(flags.recipients) ?? nonEmpty(msg.hints.recipients) ?? nonEmpty(delivered) ?? headerRcpts;
  const upstream = flags.upstream ?? msg.hints.upstream ?? defaultUpstream;
  return { upstream, sender, recipients: [...new Set(recipients)], transactionId };
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] | undefined {
  return list !== undefined && list.length > 0 ? list : undefined;
}

function headerBlock(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return raw.subarray(0, end >= 0 ? end : Math.min(raw.length, 256 * 1024)).toString('latin1');
}

/** Every occurrence of a header field, unfolded. */
function fields(head: string, name: string): string[] {
  const re = new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'gim');
  return [...head.matchAll(re)].map((m) => (m[1] ?? '').replace(/\r\n[ \t]+/g, ' '));
}

function addresses(value: string): string[] {
  return [...value.matchAll(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g)].map((m) => m[0]);
}
