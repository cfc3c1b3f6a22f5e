// One DNS client (and so one cache) per resolver configuration per process, shared by every session
// and surviving reloads: a reload that keeps gateway.dns keeps the cache warm. Held here rather than
// in the runtime because generations come and go while cached answers must outlive them.
import { DnsClient } from './dns-client.js';
import { systemResolvers } from './resolv-conf.js';
import type { DnsServerAddress } from './dns-types.js';

export interface DnsConfig {
  readonly servers?: readonly DnsServerAddress[];
  readonly timeoutMs: number;
  readonly attempts: number;
  readonly cacheEntries: number;
}

export const DEFAULT_DNS_CONFIG: DnsConfig = Object.freeze({ timeoutMs: 3000, attempts: 2, cacheEntries: 10_000 });

const clients = new Map<string, DnsClient>();

export function dnsClientFor(config: DnsConfig = DEFAULT_DNS_CONFIG): DnsClient {
  const key = JSON.stringify([config.servers ?? 'system', config.timeoutMs, config.attempts, config.cacheEntries]);
  let client = clients.get(key);
  if (client === undefined) {
    const configured = config.servers !== undefined && config.servers.length > 0;
    client = new DnsClient({
      servers: configured ? (config.servers ?? []) : systemResolvers(),
      timeoutMs: config.timeoutMs,
      attempts: config.attempts,
      cacheEntries: config.cacheEntries,
      trustAd: configured,
    });
    clients.set(key, client);
  }
  return client;
}
