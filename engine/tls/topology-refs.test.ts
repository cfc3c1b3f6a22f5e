import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPeerByAddress, readTopologyTlsRefs } from './topology-refs.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rg-refs-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(
    join(dir, 'policies', 'topology.yaml'),
    [
      'version: 1',
      'gateway:',
      '  hostname: gw.example.test',
      '  tls: { certificate: ../certs/gateway.crt.pem, key: ../certs/gateway.key.pem }',
      'upstreams:',
      '  - name: corp-postfix',
      '    addresses: ["127.0.0.0/24", "::1/128"]',
      '    reflect: { port: 10026, tls: { verifyHostname: false } }',
      '    tls: { trust: [../certs/trusted/corp-postfix.crt.pem, ../certs/ca.crt.pem] }',
      'receivers:',
      '  - name: mx-out-1',
      '    host: 127.0.0.1',
      '    port: 10030',
      '    tls: { trust: [../certs/ca.crt.pem], serverName: mx-out-1.example.test }',
      '',
    ].join('\n'),
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readTopologyTlsRefs', () => {
  it('maps every referenced file to the topology keys that name it, resolved against the topology file', () => {
    const result = readTopologyTlsRefs(join(dir, 'policies'));
    if (!result.ok) throw new Error(result.message);
    const refs = result.refs;
    expect(refs.usedBy.get(join(dir, 'certs', 'gateway.crt.pem'))).toEqual(['gateway.tls.certificate']);
    expect(refs.usedBy.get(join(dir, 'certs', 'gateway.key.pem'))).toEqual(['gateway.tls.key']);
    expect(refs.usedBy.get(join(dir, 'certs', 'ca.crt.pem'))).toEqual(['upstreams[corp-postfix].tls.trust', 'receivers[mx-out-1].tls.trust']);
    expect(refs.gatewayHostname).toBe('gw.example.test');
  });

  it('finds the receiver or the reflect listener behind an address', () => {
    const result = readTopologyTlsRefs(join(dir, 'policies'));
    if (!result.ok) throw new Error(result.message);
    expect(findPeerByAddress(result.refs, '127.0.0.1', 10030)).toMatchObject({ name: 'mx-out-1', connect: { verifyHostname: true, serverName: 'mx-out-1.example.test' } });
    expect(findPeerByAddress(result.refs, '127.0.0.9', 10026)).toMatchObject({ name: 'corp-postfix', kind: 'upstream', connect: { verifyHostname: false } });
    expect(findPeerByAddress(result.refs, '::1', 10026)?.name).toBe('corp-postfix');
    expect(findPeerByAddress(result.refs, '127.0.1.1', 10026)).toBeUndefined();
    expect(findPeerByAddress(result.refs, '127.0.0.1', 25)).toBeUndefined();
  });

  it('reports a missing topology', () => {
    expect(readTopologyTlsRefs(join(dir, 'nowhere'))).toMatchObject({ ok: false, code: 'RG_TLS_TOPOLOGY_MISSING' });
  });
});
