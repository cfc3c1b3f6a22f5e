// Recipient domain → route. File order decides (first match wins), but lookup never walks the
// routes: each pattern is indexed with the lowest route index that names it, and a lookup
// checks the exact name, each parent suffix and the catch-all, keeping the lowest index.
import { domainToASCII } from 'node:url';
import type { DomainRouter, Route } from './types.js';

export type DomainPattern =
  | { readonly kind: 'exact'; readonly domain: string }
  | { readonly kind: 'subdomains'; readonly suffix: string }
  | { readonly kind: 'any' };

/** Lowercase ASCII (punycode for IDNs), without a trailing dot. */
export function normalizeDomain(domain: string): string {
  let d = domain.trim().toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  if (/[^\x00-\x7f]/.test(d)) d = domainToASCII(d) || d;
  return d;
}

export function parseDomainPattern(pattern: string): DomainPattern {
  const p = pattern.trim();
  if (p === '*') return { kind: 'any' };
  if (p.startsWith('*.')) return { kind: 'subdomains', suffix: normalizeDomain(p.slice(2)) };
  return { kind: 'exact', domain: normalizeDomain(p) };
}

function keepLowest(map: Map<string, number>, key: string, index: number): void {
  const current = map.get(key);
  if (current === undefined || index < current) map.set(key, index);
}

export function compileDomainRouter(routes: readonly Route[]): DomainRouter {
  const exact = new Map<string, number>();
  const suffix = new Map<string, number>();
  let any = Number.POSITIVE_INFINITY;
  routes.forEach((route, position) => {
    for (const text of route.domains) {
      const pattern = parseDomainPattern(text);
      switch (pattern.kind) {
        case 'exact':
          keepLowest(exact, pattern.domain, position);
          break;
        case 'subdomains':
          keepLowest(suffix, pattern.suffix, position);
          break;
        case 'any':
          any = Math.min(any, position);
          break;
        default: {
          const never: never = pattern;
          throw new Error(`unhandled domain pattern ${JSON.stringify(never)}`);
        }
      }
    }
  });
  return Object.freeze({
    lookup(domain: string): Route | undefined {
      const d = normalizeDomain(domain);
      let best = Math.min(exact.get(d) ?? any, any);
      // "*.example.org" matches every name below example.org, at any depth, never example.org itself.
      for (let dot = d.indexOf('.'); dot >= 0; dot = d.indexOf('.', dot + 1)) {
        const index = suffix.get(d.slice(dot + 1));
        if (index !== undefined && index < best) best = index;
      }
      return Number.isFinite(best) ? routes[best] : undefined;
    },
  });
}
