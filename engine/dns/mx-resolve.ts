// Next hops of a mail domain (RFC 5321 §5.1): MX records in preference order, equal preferences in
// random order, the domain's own A/AAAA when it has no MX, a null MX (RFC 7505) as its own answer.
// Each host's addresses are looked up here too, so a policy can ask whether they were validated.
import { randomInt } from 'node:crypto';
import type { DnsClient } from './dns-client.js';
import type { DnsAnswer, Validation } from './dns-types.js';

export interface MxHost {
  readonly name: string;
  readonly preference: number;
  /** IPv6 first, then IPv4 (RFC 6724's preference on a dual-stack host). */
  readonly addresses: readonly string[];
  /** Whether every address answer was secure (DANE needs it, RFC 7672 §2.2.2). */
  readonly addressValidation: Validation;
  /** Why the host has no address, when it has none. */
  readonly problem?: string;
}

export type MxResolution =
  | {
      readonly kind: 'hosts';
      readonly domain: string;
      readonly hosts: readonly MxHost[];
      /** The MX RRset's validation; for the implicit MX, the domain's own address records'. */
      readonly mxValidation: Validation;
      /** No MX: the domain itself is the host (RFC 5321 §5.1). */
      readonly implicit: boolean;
    }
  | { readonly kind: 'null-mx'; readonly domain: string }
  | { readonly kind: 'no-domain'; readonly domain: string; readonly why: string }
  | { readonly kind: 'failed'; readonly domain: string; readonly code: string; readonly message: string; readonly server: string };

export async function resolveMx(client: DnsClient, domain: string): Promise<MxResolution> {
  const mx = await client.lookup(domain, 'MX');
  if (mx.kind === 'failed') return { kind: 'failed', domain, code: mx.code, message: `MX lookup: ${mx.message}`, server: mx.server };
  if (mx.kind === 'nxdomain') return { kind: 'no-domain', domain, why: 'the domain does not exist (NXDOMAIN)' };
  if (mx.kind !== 'records') return implicitMx(client, domain, mx.validation);
  const records = mx.records.flatMap((r) => (r.type === 'MX' ? [r.value] : []));
  const real = records.filter((r) => r.exchange !== '');
  if (real.length === 0) return { kind: 'null-mx', domain };
  const ordered = orderByPreference(real);
  const hosts = await Promise.all(ordered.map((r) => addressesOf(client, r.exchange, r.preference)));
  return { kind: 'hosts', domain, hosts, mxValidation: mx.validation, implicit: false };
}

async function implicitMx(client: DnsClient, domain: string, mxValidation: Validation): Promise<MxResolution> {
  const host = await addressesOf(client, domain, 0);
  if (host.addresses.length === 0) {
    if (host.problem !== undefined && host.problem.startsWith('lookup failed')) {
      return { kind: 'failed', domain, code: 'RG_DNS_ADDRESS', message: `no MX, and the address ${host.problem}`, server: client.serversText };
    }
    return { kind: 'no-domain', domain, why: 'no MX and no A/AAAA records' };
  }
  const validation: Validation = mxValidation === 'secure' && host.addressValidation === 'secure' ? 'secure' : 'insecure';
  return { kind: 'hosts', domain, hosts: [host], mxValidation: validation, implicit: true };
}

/** Lowest preference first; equal preferences shuffled so load spreads (RFC 5321 §5.1). */
export function orderByPreference<T extends { readonly preference: number }>(records: readonly T[], pick: (n: number) => number = (n) => randomInt(n)): T[] {
  const groups = new Map<number, T[]>();
  for (const r of records) groups.set(r.preference, [...(groups.get(r.preference) ?? []), r]);
  return [...groups.keys()].sort((a, b) => a - b).flatMap((p) => shuffle(groups.get(p) ?? [], pick));
}

function shuffle<T>(items: readonly T[], pick: (n: number) => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export async function addressesOf(client: DnsClient, name: string, preference: number): Promise<MxHost> {
  const [v6, v4] = await Promise.all([client.lookup(name, 'AAAA'), client.lookup(name, 'A')]);
  const addresses = [...addressValues(v6), ...addressValues(v4)];
  const validation: Validation = v6.kind !== 'failed' && v4.kind !== 'failed' && v6.validation === 'secure' && v4.validation === 'secure' ? 'secure' : 'insecure';
  const failed = [v6, v4].find((a) => a.kind === 'failed');
  const base = { name, preference, addresses, addressValidation: validation };
  if (addresses.length > 0) return base;
  if (failed !== undefined && failed.kind === 'failed') return { ...base, problem: `lookup failed at ${failed.server}: ${failed.message}` };
  return { ...base, problem: 'has no A/AAAA records' };
}

function addressValues(a: DnsAnswer): string[] {
  return a.kind === 'records' ? a.records.flatMap((r) => (r.type === 'A' || r.type === 'AAAA' ? [r.value] : [])) : [];
}
