import { describe, expect, it } from 'vitest';
import { parseStsPolicy, parseStsTxt, stsMxMatches } from './mta-sts-policy.js';

describe('MTA-STS parsing (RFC 8461)', () => {
  it.each([
    [['v=STSv1; id=20260101T000000'], { id: '20260101T000000' }],
    [['v=STSv1;id=abc ;'], { id: 'abc' }],
    [['v=spf1 -all'], { problem: 'no v=STSv1 TXT record' }],
    [['v=STSv1; id=1', 'v=STSv1; id=2'], { problem: 'more than one v=STSv1 TXT record' }],
    [['v=STSv1; id=not-alnum!'], { problem: 'the v=STSv1 TXT record has no valid id' }],
  ])('TXT %j', (records, expected) => {
    expect(parseStsTxt(records)).toEqual(expected);
  });

  it('reads a policy with CRLF lines and several mx', () => {
    expect(parseStsPolicy('version: STSv1\r\nmode: enforce\r\nmx: mx1.example.org\r\nmx: *.example.net\r\nmax_age: 604800\r\n', '1')).toEqual({
      id: '1',
      mode: 'enforce',
      mx: ['mx1.example.org', '*.example.net'],
      maxAgeSeconds: 604800,
    });
  });

  it('rejects a policy without version, with an unknown mode or without mx', () => {
    expect(parseStsPolicy('mode: enforce\nmx: a\nmax_age: 1\n', '1')).toHaveProperty('problem');
    expect(parseStsPolicy('version: STSv1\nmode: strict\nmx: a\nmax_age: 1\n', '1')).toHaveProperty('problem');
    expect(parseStsPolicy('version: STSv1\nmode: enforce\nmax_age: 1\n', '1')).toHaveProperty('problem');
  });

  it('caps max_age at one year', () => {
    expect(parseStsPolicy('version: STSv1\nmode: none\nmax_age: 99999999999\n', '1')).toMatchObject({ maxAgeSeconds: 31_557_600 });
  });

  it.each([
    ['mx1.example.org', true],
    ['MX1.Example.Org.', true],
    ['a.b.example.org', false],
    ['example.org', false],
    ['mx.example.net', true],
    ['mx.example.com', false],
  ])('pattern match %s → %s', (host, expected) => {
    expect(stsMxMatches(['*.example.org', 'mx.example.net'], host)).toBe(expected);
  });
});
