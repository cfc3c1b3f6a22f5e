import { describe, expect, it } from 'vitest';
import type { TopologyFile } from './generated/topology.js';
import { checkAddresses } from './semantic-addresses.js';
import { checkListeners } from './semantic-listeners.js';
import { checkRoutes } from './semantic-routes.js';
import { parseSourceFile } from './source-file.js';
import type { TopologyContext } from './topology-context.js';

function context(topology: TopologyFile): TopologyContext {
  const text = JSON.stringify(topology, null, 2);
  const parsed = parseSourceFile('/virtual/topology.json', text, '/virtual');
  return { source: parsed.source, data: parsed.data as TopologyFile };
}

function topology(upstreams: TopologyFile['upstreams'], extra: Partial<TopologyFile> = {}, listen = [{ address: '127.0.0.1', port: 10025 }]): TopologyFile {
  return { version: 1, gateway: { listen: listen as TopologyFile['gateway']['listen'] }, upstreams, ...extra };
}

const reflect = (name: string, addresses: string[], port = 10026, host?: string): TopologyFile['upstreams'][0] => ({
  name,
  addresses: addresses as [string, ...string[]],
  mode: 'reflect',
  reflect: { port, ...(host ? { host } : {}) },
});

function codes(ds: readonly { code: string; pointer: string }[]): string[] {
  return ds.map((d) => `${d.code} ${d.pointer}`);
}

describe('address overlap', () => {
  it('finds one overlap among thousands of disjoint blocks, naming both upstreams', () => {
    const upstreams = Array.from({ length: 3000 }, (_, i) => reflect(`u${i}`, [i % 3 === 0 ? `2001:db8:${i.toString(16)}::/48` : `10.${i >> 8}.${i & 255}.0/24`]));
    upstreams.push(reflect('late', ['10.3.7.128/25']));
    const ds = checkAddresses(context(topology(upstreams as TopologyFile['upstreams'])));
    expect(codes(ds)).toEqual(['RG_CFG_ADDRESS_OVERLAP /upstreams/3000/addresses/0']);
    expect(ds[0]?.message).toBe('upstream "late" address 10.3.7.128/25 overlaps 10.3.7.0/24 of upstream "u775" (upstreams[775].addresses[0])');
  });

  it('reports a block nested in a wider one of another upstream, whatever the order', () => {
    const ds = checkAddresses(context(topology([reflect('narrow', ['192.0.2.64/26']), reflect('wide', ['192.0.2.0/24']), reflect('v6', ['::1', '2001:db8::/32'])])));
    expect(codes(ds)).toEqual(['RG_CFG_ADDRESS_OVERLAP /upstreams/1/addresses/0']);
  });

  it('does not confuse IPv4 and IPv6 blocks with equal integers', () => {
    expect(checkAddresses(context(topology([reflect('a', ['0.0.0.1']), reflect('b', ['::1'])])))).toEqual([]);
  });
});

describe('reflect loops and port conflicts', () => {
  it('flags reflecting to a host the gateway listens on at that port', () => {
    const ds = checkListeners(context(topology([reflect('a', ['192.0.2.10'], 10025, '127.0.0.1')])));
    expect(codes(ds)).toEqual(['RG_CFG_REFLECT_LOOP /upstreams/0/reflect/port']);
  });

  it('flags reflecting to loopback when the gateway listens on every address', () => {
    const ds = checkListeners(context(topology([reflect('a', ['127.0.0.1/32'], 2525)], {}, [{ address: '0.0.0.0', port: 2525 }])));
    expect(codes(ds)).toEqual(['RG_CFG_REFLECT_LOOP /upstreams/0/reflect/port']);
  });

  it('flags a receiver that is the gateway itself', () => {
    const ds = checkListeners(context(topology([reflect('a', ['192.0.2.10'])], { receivers: [{ name: 'mx', host: 'localhost', port: 10025 }] })));
    expect(codes(ds)).toEqual(['RG_CFG_RECEIVER_LOOP /receivers/0/port']);
  });

  it('accepts reflecting to the same port on another host', () => {
    expect(checkListeners(context(topology([reflect('a', ['192.0.2.10'], 10025)])))).toEqual([]);
  });

  it('flags two listeners on one port when one binds every address', () => {
    const ds = checkListeners(context(topology([reflect('a', ['192.0.2.10'])], {}, [{ address: '127.0.0.1', port: 25 }, { address: '::', port: 25 }])));
    expect(codes(ds)).toEqual(['RG_CFG_PORT_CONFLICT /gateway/listen/1/port']);
  });
});

describe('routes', () => {
  const forward = { name: 'f', addresses: ['192.0.2.1'] as [string], mode: 'forward' as const };
  const receivers = [{ name: 'mx-a', host: '127.0.0.1', port: 1 }];

  it('warns that a domain after a catch-all route never matches', () => {
    const ds = checkRoutes(context(topology([forward], { receivers, routes: [{ domains: ['*'], receivers: ['mx-a'] }, { domains: ['example.org'], receivers: ['mx-a'] }] })));
    expect(codes(ds)).toEqual(['RG_CFG_ROUTE_SHADOWED /routes/1/domains/0']);
  });

  it('suggests the receiver name meant', () => {
    const ds = checkRoutes(context(topology([forward], { receivers, routes: [{ domains: ['*'], receivers: ['mx-b'] }] })));
    expect(ds.map((d) => [d.code, d.message, d.hint])).toEqual([
      ['RG_CFG_REF_UNKNOWN', 'no receiver named "mx-b" (known: mx-a)', 'did you mean "mx-a"?'],
      ['RG_CFG_RECEIVER_UNUSED', 'receiver "mx-a" is not used by any route', 'name it in a route, or remove it'],
    ]);
  });
});
