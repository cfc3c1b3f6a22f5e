import { describe, expect, it } from 'vitest';
import { DnsCache } from './dns-cache.js';
import { orderByPreference } from './mx-resolve.js';
import { parseResolvConf } from './resolv-conf.js';
import type { DnsAnswer } from './dns-types.js';

const nodata: DnsAnswer = { kind: 'nodata', validation: 'insecure', server: 's' };

describe('DnsCache', () => {
  it('keeps an answer for its TTL and no longer', () => {
    let now = 0;
    const c = new DnsCache(10, () => now);
    c.set('A x', nodata, 5);
    now = 4999;
    expect(c.get('A x')).toBe(nodata);
    now = 5000;
    expect(c.get('A x')).toBeUndefined();
  });

  it('never caches failures or TTL 0', () => {
    const c = new DnsCache(10);
    c.set('A f', { kind: 'failed', code: 'RG_DNS_TIMEOUT', message: 'm', server: 's' }, 60);
    c.set('A z', nodata, 0);
    expect(c.size).toBe(0);
  });

  it('drops the least recently used entry when full', () => {
    const c = new DnsCache(2);
    c.set('a', nodata, 60);
    c.set('b', nodata, 60);
    c.get('a');
    c.set('c', nodata, 60);
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBe(nodata);
  });
});

describe('orderByPreference', () => {
  it('sorts by preference and shuffles only among equals', () => {
    const rs = [{ preference: 20, n: 'c' }, { preference: 10, n: 'a' }, { preference: 10, n: 'b' }];
    expect(orderByPreference(rs, () => 0).map((r) => r.n)).toEqual(['b', 'a', 'c']);
    expect(orderByPreference(rs, (n) => n - 1).map((r) => r.n)).toEqual(['a', 'b', 'c']);
  });
});

describe('parseResolvConf', () => {
  it('takes nameserver lines with IP addresses only', () => {
    expect(parseResolvConf('# x\nnameserver 127.0.0.53\nnameserver fe80::1%eth0\nnameserver bogus\nsearch example.org\n')).toEqual([
      { host: '127.0.0.53', port: 53 },
      { host: 'fe80::1', port: 53 },
    ]);
  });
});
