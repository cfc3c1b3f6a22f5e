// MTA-STS (RFC 8461): the _mta-sts TXT record, the policy fetched over verified HTTPS from
// mta-sts.DOMAIN (resolved through the gateway's own resolvers), its parsing and MX matching.
import https from 'node:https';
import type { DnsClient } from '../../dns/dns-client.js';
import { addressesOf } from '../../dns/mx-resolve.js';

export type StsMode = 'enforce' | 'testing' | 'none';

export interface StsPolicy {
  readonly id: string;
  readonly mode: StsMode;
  readonly mx: readonly string[];
  readonly maxAgeSeconds: number;
}

export interface StsFetchSettings {
  readonly port: number;
  readonly timeoutMs: number;
  readonly ca?: readonly string[];
}

const MAX_POLICY_BYTES = 64 * 1024;
const MAX_AGE_LIMIT = 31_557_600;

/** The id of the single "v=STSv1" TXT record, or why there is none (RFC 8461 §3.1). */
export function parseStsTxt(records: readonly string[]): { readonly id: string } | { readonly problem: string } {
  const sts = records.filter((r) => /^v=STSv1(;|\s|$)/.test(r));
  if (sts.length === 0) return { problem: 'no v=STSv1 TXT record' };
  if (sts.length > 1) return { problem: 'more than one v=STSv1 TXT record' };
  const id = /(?:^|;)\s*id=([A-Za-z0-9]{1,32})\s*(?:;|$)/.exec(sts[0] ?? '')?.[1];
  return id === undefined ? { problem: 'the v=STSv1 TXT record has no valid id' } : { id };
}

export function parseStsPolicy(text: string, id: string): StsPolicy | { readonly problem: string } {
  const fields = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^([A-Za-z0-9_]+):[ \t]*(.*?)[ \t]*$/.exec(raw);
    if (m?.[1] !== undefined) fields.set(m[1], [...(fields.get(m[1]) ?? []), m[2] ?? '']);
  }
  if (fields.get('version')?.[0] !== 'STSv1') return { problem: 'the policy has no "version: STSv1"' };
  const mode = fields.get('mode')?.[0];
  if (mode !== 'enforce' && mode !== 'testing' && mode !== 'none') return { problem: `the policy mode ${JSON.stringify(mode ?? '')} is not enforce, testing or none` };
  const maxAge = Number(fields.get('max_age')?.[0] ?? 'x');
  if (!Number.isInteger(maxAge) || maxAge < 0) return { problem: 'the policy has no valid max_age' };
  const mx = (fields.get('mx') ?? []).map((p) => p.toLowerCase().replace(/\.$/, ''));
  if (mode !== 'none' && mx.length === 0) return { problem: 'the policy lists no mx' };
  return { id, mode, mx, maxAgeSeconds: Math.min(maxAge, MAX_AGE_LIMIT) };
}

/** "*.example.org" matches exactly one more label (mx1.example.org, not example.org or a.b.example.org). */
export function stsMxMatches(patterns: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((p) => {
    if (!p.startsWith('*.')) return p === h;
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  });
}

/** GET https://mta-sts.DOMAIN/.well-known/mta-sts.txt: certificate verified, no redirects, 200 text/plain only. */
export async function fetchStsPolicy(dns: DnsClient, domain: string, id: string, s: StsFetchSettings): Promise<StsPolicy | { readonly problem: string }> {
  const host = `mta-sts.${domain}`;
  const addr = await addressesOf(dns, host, 0);
  const address = addr.addresses[0];
  if (address === undefined) return { problem: `policy host ${host} ${addr.problem ?? 'has no address'}` };
  const body = await httpsGet(address, host, s);
  if ('problem' in body) return body;
  return parseStsPolicy(body.text, id);
}

function httpsGet(address: string, host: string, s: StsFetchSettings): Promise<{ readonly text: string } | { readonly problem: string }> {
  return new Promise((resolve) => {
    const where = `https://${host}${s.port === 443 ? '' : `:${s.port}`}/.well-known/mta-sts.txt`;
    const done = (r: { readonly text: string } | { readonly problem: string }): void => {
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const req = https.get(
      {
        host: address,
        port: s.port,
        path: '/.well-known/mta-sts.txt',
        servername: host,
        headers: { host },
        ...(s.ca === undefined ? {} : { ca: [...s.ca] }),
        rejectUnauthorized: true,
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) return done({ problem: `${where} answered HTTP ${res.statusCode ?? '?'} (redirects are not followed)` });
        if (!/^text\/plain\b/i.test(res.headers['content-type'] ?? '')) return done({ problem: `${where} is not text/plain` });
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_POLICY_BYTES) return done({ problem: `${where} is larger than ${MAX_POLICY_BYTES} bytes` });
          chunks.push(c);
        });
        res.on('end', () => done({ text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => done({ problem: `${where}: ${err.message}` }));
      },
    );
    const timer = setTimeout(() => done({ problem: `${where}: no policy within ${s.timeoutMs} ms` }), s.timeoutMs);
    req.on('error', (err) => done({ problem: `${where}: ${err.message}` }));
  });
}
