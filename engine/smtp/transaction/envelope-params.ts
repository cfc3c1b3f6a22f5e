// MAIL/RCPT parameters for the receiving leg: what the upstream asked for, limited to what the
// receiving MTA offers (DSN parameters pass only when it offers DSN, and are stripped otherwise).
import { domainToASCII } from 'node:url';
import type { SMTPServerAddress } from 'smtp-server';
import { reply } from '../reply.js';
import type { RelayCapabilities } from '../relay/relay-capabilities.js';
import type { SmtpReply } from '../reply.js';

type Args = SMTPServerAddress['args'];

/** RFC 3461 xtext: smtp-server decoded it, the next hop must get it encoded again. */
export function encodeXtext(value: string): string {
  let out = '';
  for (const ch of Buffer.from(value, 'utf8')) {
    out += ch < 33 || ch > 126 || ch === 43 || ch === 61 ? `+${ch.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(ch);
  }
  return out;
}

function text(args: Args, key: string): string | undefined {
  if (args === false) return undefined;
  const v = args[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function mailParams(args: Args, caps: RelayCapabilities): string[] {
  if (args === false || !caps.esmtp) return [];
  const out: string[] = [];
  const body = text(args, 'BODY')?.toUpperCase();
  if (body === '8BITMIME' && caps.eightBitMime) out.push('BODY=8BITMIME');
  if (args['SMTPUTF8'] === true && caps.smtpUtf8) out.push('SMTPUTF8');
  const size = text(args, 'SIZE');
  if (size !== undefined && caps.size !== null && /^\d{1,20}$/.test(size)) out.push(`SIZE=${size}`);
  if (caps.dsn) {
    const ret = text(args, 'RET')?.toUpperCase();
    if (ret === 'FULL' || ret === 'HDRS') out.push(`RET=${ret}`);
    const envid = text(args, 'ENVID');
    if (envid !== undefined) out.push(`ENVID=${encodeXtext(envid)}`);
  }
  return out;
}

export function rcptParams(args: Args, caps: RelayCapabilities): string[] {
  if (args === false || !caps.dsn) return [];
  const out: string[] = [];
  const notify = text(args, 'NOTIFY')?.toUpperCase();
  if (notify !== undefined && /^[A-Z,]+$/.test(notify)) out.push(`NOTIFY=${notify}`);
  const orcpt = text(args, 'ORCPT');
  if (orcpt !== undefined) {
    const semi = orcpt.indexOf(';');
    if (semi > 0) out.push(`ORCPT=${orcpt.slice(0, semi)};${encodeXtext(orcpt.slice(semi + 1))}`);
  }
  return out;
}

/**
 * smtp-server turns punycode domains into Unicode; the next hop gets the A-label form back, which every
 * MTA accepts (SMTPUTF8 or not). The local part is never touched.
 */
export function wireAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  if (/^[\x20-\x7e]*$/.test(domain) || domain.startsWith('[')) return address;
  const ascii = domainToASCII(domain);
  return ascii === '' ? address : `${address.slice(0, at)}@${ascii}`;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

/**
 * smtp-server decodes command lines as UTF-8: a byte that is not valid UTF-8 arrives as U+FFFD, and
 * relaying that would silently change the address. Refuse it instead.
 */
export function addressProblem(address: string): SmtpReply | undefined {
  if (address.includes('\uFFFD')) return reply(553, '5.6.7', 'address contains bytes that are not valid UTF-8');
  return undefined;
}
