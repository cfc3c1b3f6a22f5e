import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileDomainRouter, normalizeDomain, parseDomainPattern } from './domain-router.js';
import type { Route } from './types.js';

function route(index: number, domains: readonly string[]): Route {
  return { index, domains, receivers: [], strategy: 'failover' };
}

describe('compileDomainRouter', () => {
  const routes = [
    route(0, ['example.org', '*.example.org']),
    route(1, ['*.sub.example.org', 'special.example.net']),
    route(2, ['*.example.net']),
    route(3, ['*']),
    route(4, ['late.example.com']),
  ];
  const router = compileDomainRouter(routes);

  it.each([
    ['example.org', 0],
    ['EXAMPLE.ORG', 0],
    ['example.org.', 0],
    ['a.example.org', 0],
    ['deep.sub.example.org', 0],
    ['special.example.net', 1],
    ['other.example.net', 2],
    ['example.net', 3],
    ['late.example.com', 3],
    ['anything.test', 3],
  ])('%s → route %i', (domain, expected) => {
    expect(router.lookup(domain)?.index).toBe(expected);
  });

  it('returns undefined when nothing matches and there is no catch-all', () => {
    const r = compileDomainRouter([route(0, ['example.org'])]);
    expect(r.lookup('example.com')).toBeUndefined();
    expect(r.lookup('a.example.org')).toBeUndefined();
  });

  it('a subdomain pattern does not match the bare domain', () => {
    const r = compileDomainRouter([route(0, ['*.example.org'])]);
    expect(r.lookup('example.org')).toBeUndefined();
    expect(r.lookup('xexample.org')).toBeUndefined();
    expect(r.lookup('x.example.org')?.index).toBe(0);
  });

  it('survives malformed names', () => {
    for (const odd of ['', '.', '..', '.example.org', 'a..example.org', 'example.org..', ' ']) {
      expect(router.lookup(odd)?.index).toBeTypeOf('number');
    }
    const strict = compileDomainRouter([route(0, ['example.org'])]);
    expect(strict.lookup('.example.org')).toBeUndefined();
    expect(strict.lookup('')).toBeUndefined();
  });

  it('normalises IDNs to punycode on both sides', () => {
    const r = compileDomainRouter([route(0, ['bücher.example'])]);
    expect(r.lookup('xn--bcher-kva.example')?.index).toBe(0);
    expect(r.lookup('BÜCHER.example')?.index).toBe(0);
  });
});

describe('parseDomainPattern / normalizeDomain', () => {
  it('classifies patterns', () => {
    expect(parseDomainPattern('*')).toEqual({ kind: 'any' });
    expect(parseDomainPattern('*.Example.ORG')).toEqual({ kind: 'subdomains', suffix: 'example.org' });
    expect(parseDomainPattern('Example.org.')).toEqual({ kind: 'exact', domain: 'example.org' });
    expect(normalizeDomain(' A.B. ')).toBe('a.b');
  });
});

// Property: the indexed router agrees with a first-match linear scan.
function naiveMatch(pattern: string, domain: string): boolean {
  const p = pattern.toLowerCase();
  const d = domain.toLowerCase();
  if (p === '*') return true;
  if (p.startsWith('*.')) return d.endsWith(p.slice(1));
  return p === d;
}

const label = fc.constantFrom('a', 'b', 'c', 'mx', 'example');
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));
const pattern = fc.oneof(name, name.map((n) => `*.${n}`), fc.constant('*'));

describe('compileDomainRouter property', () => {
  it('agrees with a first-match linear scan', () => {
    fc.assert(
      fc.property(fc.array(fc.array(pattern, { minLength: 1, maxLength: 3 }), { maxLength: 12 }), fc.array(name, { minLength: 1, maxLength: 10 }), (patternSets, domains) => {
        const routes = patternSets.map((domainsOfRoute, index) => route(index, domainsOfRoute));
        const router = compileDomainRouter(routes);
        for (const domain of domains) {
          const expected = routes.find((r) => r.domains.some((p) => naiveMatch(p, domain)));
          expect(router.lookup(domain)?.index).toBe(expected?.index);
        }
      }),
      { numRuns: 500 },
    );
  });
});
