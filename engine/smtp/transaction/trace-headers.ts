// The headers the gateway prepends to every relayed message: Received (both legs' TLS) and, on the
// first pass, the loop header.
import type { LegTls } from '../leg-tls.js';

export interface TraceFacts {
  readonly hostname: string;
  readonly transactionId: string;
  readonly helo: string;
  readonly clientHostname: string;
  readonly clientAddress: string;
  readonly protocol: string;
  readonly inboundTls?: LegTls;
  readonly receiver: string;
  readonly receivingTls?: LegTls;
  /** Named in `for <...>` only when there is exactly one. */
  readonly recipients: readonly string[];
  readonly date: Date;
}

// Values come from the peer (HELO, XCLIENT NAME); keep them to one harmless token.
function token(s: string): string {
  const t = s.replace(/[^\x21-\x7e]/g, '').replace(/[()<>;\\"]/g, '');
  return t === '' ? 'unknown' : t;
}

function tlsText(t: LegTls | undefined): string {
  if (t === undefined) return 'no TLS';
  const peer = t.verified === true ? 'peer verified' : t.verified === false ? 'peer not verified' : 'no peer certificate';
  return `${t.protocol} ${t.cipher}, ${peer}`;
}

/**
 * RFC 5321 TCP-info: "name [address]" when the client has a name, else the address literal alone
 * (without reverse lookups smtp-server reports the name as "[address]").
 */
function tcpInfo(hostname: string, address: string): string {
  const ip = token(address).replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  const literal = ip.includes(':') ? `[IPv6:${ip}]` : `[${ip}]`;
  const name = token(hostname);
  return name === 'unknown' || name.startsWith('[') ? literal : `${name} ${literal}`;
}

export function formatReceived(f: TraceFacts): string {
  const rcpt = f.recipients.length === 1 ? `\r\n\tfor <${token(f.recipients[0] ?? '')}>` : '';
  return (
    `Received: from ${token(f.helo)} (${tcpInfo(f.clientHostname, f.clientAddress)})\r\n` +
    `\t(inbound ${tlsText(f.inboundTls)})\r\n` +
    `\tby ${token(f.hostname).toLowerCase()} (relayguard) with ${token(f.protocol)} id ${token(f.transactionId)}\r\n` +
    `\t(relayed to ${token(f.receiver)}, ${tlsText(f.receivingTls)})${rcpt};\r\n` +
    `\t${rfc5322Date(f.date)}\r\n`
  );
}

export function formatHeader(name: string, value: string): string {
  return `${name}: ${value.replace(/[\r\n]+/g, ' ')}\r\n`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function rfc5322Date(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
