// Network identifiers: e-mail addresses, IPv4/IPv6 addresses, MAC addresses. No checksums; the
// validators are the RFC grammars, so their precision is measured, not guaranteed (docs/identifiers.md).
import { isIPv6 } from 'node:net';
import { keywordRule, regexIdentifier, type Found, type Identifier } from './identifier.js';
import { redact } from '../hits.js';

const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;

/** RFC 1035 §2.3.1 labels (RFC 5890 for xn--), a letters-only or xn-- top-level label, at least two labels. */
function domainValid(d: string): boolean {
  const labels = d.split('.');
  if (labels.length < 2 || d.length > 253) return false;
  for (const l of labels) if (l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-')) return false;
  const tld = labels[labels.length - 1] ?? '';
  return /^[A-Za-z]{2,24}$/.test(tld) || /^xn--[a-z0-9-]{2,59}$/i.test(tld);
}

// Found from each '@' outwards, each character read a bounded number of times: linear, no regex backtracking.
function* findEmails(text: string): Generator<Found> {
  let from = 0;
  for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', from)) {
    let a = at;
    while (a > 0 && at - a < 64 && LOCAL.test(text[a - 1] ?? '')) a--;
    let b = at + 1;
    while (b < text.length && b - at <= 253 && DOMAIN.test(text[b] ?? '')) b++;
    while (b > at + 1 && (text[b - 1] === '.' || text[b - 1] === '-')) b--;
    from = Math.max(b, at + 1);
    const local = text.slice(a, at).replace(/^\.+/, '');
    const start = at - local.length;
    if (local.length === 0 || local.endsWith('.') || local.includes('..')) continue;
    const domain = text.slice(at + 1, b);
    if (!domainValid(domain)) continue;
    yield { start, end: b, confidence: 'high', sample: `${local[0]}***@${domain}` };
  }
}

export const email: Identifier = Object.freeze({
  name: 'email',
  description: 'E-mail address (RFC 5321 mailbox: local part @ domain with a valid top-level label).',
  sets: ['network', 'pii-contact'],
  checksum: false,
  find: findEmails,
  keywords: Object.freeze([]),
  window: 0,
  withKeyword: keywordRule(false, undefined),
  levels: Object.freeze(['high'] as const),
  example: 'jane.doe@example.com',
  spec: 'RFC 5321 §4.1.2 (mailbox), RFC 1035 §2.3.1 (labels)',
});

const octet = (s: string): boolean => (s === '0' || !s.startsWith('0')) && Number(s) <= 255;

export const ipv4 = regexIdentifier({
  name: 'ipv4',
  description: 'IPv4 address in dotted-quad notation (octets 0-255, no leading zeros).',
  sets: ['network'],
  checksum: false,
  base: ['medium'],
  // a version string or OID (1.2.3.4.5) is not an address: no dot-digit on either side
  pattern: /(?<![0-9.]|[0-9]\.)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![0-9]|\.[0-9])/g,
  validate: (m) => ([m[1], m[2], m[3], m[4]].every((o) => octet(o ?? '')) ? 'medium' : undefined),
  keywords: ['ip', 'ip address', 'ipv4', 'host', 'server', 'subnet', 'gateway', 'address'],
  window: 60,
  sample: (v) => v.replace(/\.\d{1,3}$/, '.*'),
  example: '192.0.2.44',
  spec: 'RFC 791 §3.2 and RFC 6943 §3.1.1 (dotted-decimal form)',
});

export const ipv6 = regexIdentifier({
  name: 'ipv6',
  description: 'IPv6 address (RFC 4291 text form, with :: compression and embedded IPv4).',
  sets: ['network'],
  checksum: false,
  base: ['medium'],
  // two sequential bounded classes, no nesting; the grammar is checked by node:net
  pattern: /(?<![0-9A-Za-z:.])[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]{2,41}(?![0-9A-Za-z:])/g,
  validate: (m) => {
    const v = m[0].replace(/\.+$/, '');
    if (!isIPv6(v) || !/[0-9A-Fa-f]/.test(v)) return undefined;
    return { confidence: 'medium', length: v.length };
  },
  keywords: ['ip', 'ipv6', 'ip address', 'host', 'server', 'subnet', 'prefix', 'address'],
  window: 60,
  sample: (v) => v.replace(/:[0-9A-Fa-f.]*$/, ':*'),
  example: '2001:db8:85a3::8a2e:370:7334',
  spec: 'RFC 4291 §2.2 and RFC 5952 (text representation)',
});

export const macAddress = regexIdentifier({
  name: 'mac-address',
  description: 'MAC (EUI-48) address: six hex pairs with : or -, or Cisco dotted form.',
  sets: ['network'],
  checksum: false,
  base: ['low', 'medium'],
  pattern: /(?<![0-9A-Za-z:.-])(?:[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![0-9A-Za-z]|[:.-][0-9A-Fa-f])/g,
  // all-digit pairs with dashes are as often a reference number as a MAC
  validate: (m) => (/[A-Fa-f]/.test(m[0]) || m[1] === ':' ? 'medium' : 'low'),
  keywords: ['mac', 'mac address', 'ethernet', 'hardware address', 'hwaddr', 'bssid', 'wifi', 'nic'],
  window: 60,
  sample: (v) => redact(v, 8, 0),
  example: '00:1A:2B:3C:4D:5E',
  spec: 'IEEE 802-2014 §8 (EUI-48 canonical text form)',
});

export const NETWORK_IDENTIFIERS = [email, ipv4, ipv6, macAddress];
