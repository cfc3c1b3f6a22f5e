// The system's resolvers, for when gateway.dns names none: the nameserver lines of /etc/resolv.conf.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { DnsServerAddress } from './dns-types.js';

export function parseResolvConf(text: string): DnsServerAddress[] {
  const out: DnsServerAddress[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const host = m?.[1]?.replace(/%.*$/, '');
    if (host !== undefined && isIP(host) !== 0) out.push({ host, port: 53 });
  }
  return out;
}

export function systemResolvers(path = '/etc/resolv.conf'): DnsServerAddress[] {
  try {
    const servers = parseResolvConf(readFileSync(path, 'utf8'));
    return servers.length > 0 ? servers : [{ host: '127.0.0.1', port: 53 }];
  } catch {
    // resolv.conf(5): without the file, the resolver uses the local machine.
    return [{ host: '127.0.0.1', port: 53 }];
  }
}
